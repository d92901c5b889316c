"""Page chrome stripped from an article's text (share bars, ads, captions, comments, footers) and its metadata found
(title, outlet, author, date); the cleaned text keeps a map back to the raw file as verbatim segments."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .chrome import (AUTHOR_RE, COMMENT_HEADER_RE, DATE_LABEL_RE, PUBLISHED_RE, THRESHOLDS, ChromeRules, FaqBlock, chrome_match,
                     date_line, is_caption, is_end_marker, is_share_bar, load_chrome_rules, looks_like_title)
from .dates import latest_weekday_on_or_before, page_weekday_dates, parse_full_date


@dataclass(frozen=True)
class Segment:
    """A run of the cleaned text that is a verbatim copy of the raw text."""

    clean_start: int
    raw_start: int
    length: int


@dataclass(frozen=True)
class Comment:
    author: str
    date: str | None
    text: str


# --------------------------------------------------------------------------- cleaning


@dataclass
class _Line:
    raw_start: int  # raw offset of the first kept character
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def _split_lines(raw: str) -> list[_Line]:
    lines = []
    pos = 0
    for chunk in raw.splitlines(keepends=True):
        body = chunk.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            lines.append(_Line(pos + lead, stripped))
        pos += len(chunk)
    return lines


def _strip_markdown(line: _Line) -> tuple[_Line, bool]:
    m = re.match(r"^(#{1,6}\s+|[*+-]\s+|>\s*)", line.text)
    if not m:
        return line, False
    heading = m.group(1).startswith("#")
    return _Line(line.raw_start + m.end(), line.text[m.end():].strip()), heading


@dataclass
class PageMetadata:
    """What clean_text finds besides the story: title, outlet, author, date, comments, captions."""

    title: str | None = None
    title_line: _Line | None = None
    outlet: str | None = None
    author: str | None = None
    date: dt.date | None = None
    date_source: str | None = None
    comments: list[Comment] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    removed: int = 0


def _pick_title(lines: list[_Line], headings: set[int], rules: ChromeRules) -> int | None:
    """Index of the headline: a markdown heading, else the first headline-shaped line that is not chrome."""
    window = THRESHOLDS.title_search_lines
    for i in range(min(len(lines), window)):
        if i in headings:
            return i
    for i, line in enumerate(lines[:window]):
        if chrome_match(rules, line.text)[0] or AUTHOR_RE.match(line.text) or PUBLISHED_RE.match(line.text):
            continue
        if looks_like_title(line.text):
            # A breadcrumb trail ("Home world <headline>") is followed by the bare headline.
            for j in range(i + 1, min(i + 1 + THRESHOLDS.breadcrumb_lookahead, len(lines))):
                later = lines[j].text
                if later != line.text and line.text.endswith(later) and looks_like_title(later):
                    return j
            return i
        if line.words >= THRESHOLDS.prose_words_end_title_search:
            return None
    return None


def _parse_comments(lines: list[_Line], start: int) -> list[Comment]:
    comments: list[Comment] = []
    current: list[str] = []
    header = None
    for line in lines[start:]:
        m = COMMENT_HEADER_RE.match(line.text)
        if m:
            if header:
                comments.append(Comment(header[0], header[1], " ".join(current)))
            d = parse_full_date(m["date"])
            header = (m["author"].strip(), d.isoformat() if d else None)
            current = []
        elif header and not re.fullmatch(r"reply", line.text, re.I):
            current.append(line.text)
    if header:
        comments.append(Comment(header[0], header[1], " ".join(current)))
    return comments


def _page_lines(raw: str, markdown: bool) -> tuple[list[_Line], set[int]]:
    """Phase 1: the non-blank lines of the page and which of them are headings (Markdown syntax stripped)."""
    lines = _split_lines(raw)
    headings: set[int] = set()
    if not markdown:
        return lines, headings
    stripped: list[_Line] = []
    for line in lines:
        new, heading = _strip_markdown(line)
        if new.text:
            if heading:
                headings.add(len(stripped))
            stripped.append(new)
    # Markdown emphasis around a byline ("**By X**") is not part of the name.
    return [_Line(line.raw_start + 2, line.text[2:-2]) if re.fullmatch(r"\*\*.+\*\*", line.text) else line for line in stripped], headings


def _take_date_label(lines: list[_Line], headings: set[int], meta: PageMetadata) -> tuple[list[_Line], set[int]]:
    """Phase 1b: a date label among the first lines is metadata; the story words after it on the same line are kept."""
    for i, line in enumerate(lines[:THRESHOLDS.date_label_lines]):
        m = DATE_LABEL_RE.match(line.text)
        if not m:
            continue
        try:
            meta.date = dt.date.fromisoformat(m["date"])
        except ValueError:
            continue
        meta.date_source = "stated"
        rest = line.text[m.end():]
        if rest.strip():
            return lines[:i] + [_Line(line.raw_start + m.end(), rest)] + lines[i + 1:], headings
        meta.removed += 1
        return lines[:i] + lines[i + 1:], {h - (h > i) for h in headings if h != i}
    for i, line in enumerate(lines[:THRESHOLDS.date_label_lines]):
        stated = date_line(line.text)
        if stated and i not in headings:
            meta.date, meta.date_source = stated, "stated"
            meta.removed += 1
            return lines[:i] + lines[i + 1:], {h - (h > i) for h in headings}
    return lines, headings


def _take_title(lines: list[_Line], headings: set[int], rules: ChromeRules, meta: PageMetadata) -> int:
    """Phase 2: record the headline in `meta`; the index of the first line after it (0 without one)."""
    title_index = _pick_title(lines, headings, rules)
    if title_index is None:
        return 0
    meta.title_line = lines[title_index]
    meta.title = lines[title_index].text
    meta.removed += title_index + 1
    return title_index + 1


def _story_end(lines: list[_Line], body_from: int, rules: ChromeRules, meta: PageMetadata) -> int:
    """Phase 3: index where the story ends (the first end marker or reader comment once it has begun); reader
    comments and footer outlet names go to `meta`."""
    end = len(lines)
    prose_seen = 0
    for i in range(body_from, len(lines)):
        text = lines[i].text
        if (prose_seen >= THRESHOLDS.body_lines_before_comments and COMMENT_HEADER_RE.match(text)
                and not PUBLISHED_RE.match(text) and i + 1 < len(lines)):
            meta.comments = _parse_comments(lines, i)
            end = i
            break
        if prose_seen >= THRESHOLDS.body_lines_before_end_marker and is_end_marker(rules, text):
            end = i
            rest = [j for j in range(i, len(lines)) if COMMENT_HEADER_RE.match(lines[j].text)]
            if rest:
                meta.comments = _parse_comments(lines, rest[0])
            break
        if lines[i].words >= THRESHOLDS.body_line_min_words:
            prose_seen += 1
    # Outlet names in the footer are metadata even though the footer itself is dropped.
    for line in lines[end:]:
        _, outlet = chrome_match(rules, line.text)
        meta.outlet = meta.outlet or outlet
    meta.removed += len(lines) - end
    return end


def _metadata_line(text: str, rules: ChromeRules, meta: PageMetadata) -> bool:
    """Whether `text` is page chrome or a metadata line (byline, dateline, caption, comment count), noting what it says in `meta`."""
    chrome, outlet = chrome_match(rules, text)
    if outlet:
        meta.outlet = meta.outlet or outlet
    if chrome or is_share_bar(text) or is_end_marker(rules, text):
        return True
    author = AUTHOR_RE.match(text)
    if author and not meta.author:
        meta.author = author["name"]
        return True
    if PUBLISHED_RE.match(text) and len(text) < THRESHOLDS.published_line_max_chars:
        meta.date = meta.date or parse_full_date(text)
        meta.date_source = meta.date_source or ("stated" if meta.date else None)
        return True
    if is_caption(text):
        meta.captions.append(text)
        return True
    return bool(re.fullmatch(r"\d+\s+comments?", text, re.I))


def _body_lines(lines: list[_Line], rules: ChromeRules, meta: PageMetadata) -> list[_Line]:
    """Phase 4: the story's own lines, without the repeated headline, FAQ blocks, chrome, metadata lines and repeats."""
    kept: list[_Line] = []
    seen: set[str] = set()
    faq = FaqBlock()
    for line in lines:
        text = line.text
        repeated_title = bool(meta.title) and text == meta.title
        if (repeated_title or faq.swallows(text) or _metadata_line(text, rules, meta)
                or (len(text) >= THRESHOLDS.repeat_min_chars and text in seen)):
            meta.removed += 1
            continue
        seen.add(text)
        kept.append(line)
    return kept


def _join(lines: list[_Line]) -> tuple[str, tuple[Segment, ...]]:
    """Phase 5: the lines as paragraphs of the cleaned text, each a segment pointing at its raw copy."""
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for line in lines:
        if parts:
            parts.append("\n\n")
            pos += 2
        segments.append(Segment(pos, line.raw_start, len(line.text)))
        parts.append(line.text)
        pos += len(line.text)
    return "".join(parts), tuple(segments)


def clean_text(raw: str, rules: ChromeRules | None = None, markdown: bool = False) -> tuple[str, tuple[Segment, ...], PageMetadata]:
    """Cleaned text (headline + body paragraphs), its segments into `raw`, and the metadata found on the way."""
    rules = rules or load_chrome_rules()
    meta = PageMetadata()
    lines, headings = _page_lines(raw, markdown)
    lines, headings = _take_date_label(lines, headings, meta)
    body_from = _take_title(lines, headings, rules, meta)
    end = _story_end(lines, body_from, rules, meta)
    body = _body_lines(lines[body_from:end], rules, meta)
    text, segments = _join(([meta.title_line] if meta.title_line else []) + body)
    return text, segments, meta


def infer_date(text: str, meta: PageMetadata) -> None:
    """Date an undated page from weekday dates in its text, else from the weekdays before its first reader comment."""
    if meta.date:
        return
    stated = page_weekday_dates(text)
    if stated:
        meta.date, meta.date_source = max(stated), "inferred from weekday dates in the text"
        return
    dates = [dt.date.fromisoformat(c.date) for c in meta.comments if c.date]
    if dates:
        inferred = latest_weekday_on_or_before(text, min(dates))
        if inferred:
            meta.date, meta.date_source = inferred, "inferred from weekdays before the first reader comment"
