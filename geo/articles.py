"""Read article files (.txt, .md, .html), strip page chrome, and keep a map from the cleaned text to the raw file."""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import logging
import re
import statistics
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .config import DATA_DIR, Settings
from .errors import ArticleError, CorpusError, failure_reason

log = logging.getLogger(__name__)

EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
BOILERPLATE_FILE = DATA_DIR / "boilerplate.txt"
SHARE_WORDS_FILE = DATA_DIR / "share_words.txt"
PHOTO_AGENCIES_FILE = DATA_DIR / "photo_agencies.txt"


def _word_list(path: Path) -> list[str]:
    """The entries of a data word list: one per line, '#' comments and blank lines skipped."""
    words = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [w for w in words if w and not w.startswith("#")]


MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH_RE = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# "September 11, 2023", "11 September 2023", "2023-09-11"
FULL_DATE_RE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH_RE})\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH_RE}),?\s+(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))\b"
)
# "Tuesday (12 September)", "Monday (Sept 11)", "Tuesday, September 12"
WEEKDAY_DATE_RE = re.compile(
    rf"\b(?P<wd>{_WEEKDAY_RE})\s*[,(]?\s*(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH_RE})|(?P<m2>{_MONTH_RE})\s+(?P<d2>\d{{1,2}}))\b"
)
WEEKDAY_RE = re.compile(rf"\b{_WEEKDAY_RE}\b")
YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# A page's own date label at the top, alone or before the first words of the story ("date 2021-07-23 The plane ..."):
# stored and syndicated copies of news pages often carry one.
DATE_LABEL_RE = re.compile(
    r"^\s*(?:date|dated|published|posted|updated)\s*:?\s*(?:on\s+)?(?P<date>\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?(?:\s+|$)",
    re.I)
# What may stand beside the date on a page's date line: clock times, zones, weekdays ("June 10, 2018, 7:05 AM",
# "17.22 28 Aug 2019", "Monday 24 July, 2021 10:02 GMT").
DATE_LINE_EXTRAS_RE = re.compile(
    rf"\b\d{{1,2}}[:.]\d{{2}}\b|\b[ap]\.?m\b\.?|\b(?:GMT|UTC|[A-Z]{{1,3}}[SD]?T)\b|\b{_WEEKDAY_RE}\b|[\s,.|()/-]+", re.I)
# "..., Updated August 3, 2022, 59 minutes ago": a byline's publishing date.
STAMPED_DATE_RE = re.compile(r"\b(?:published|posted|updated)\b\s*:?\s*(?:on\s+)?(?=\S)", re.I)
PUBLISHED_RE = re.compile(r"^\s*(?:published|posted|updated|last updated|first published)\b(?:\s+on)?\s*:?", re.I)
AUTHOR_RE = re.compile(r"^\s*(?:by|written by|author:)\s+(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s*$", re.I)
CAPTION_RE = re.compile(
    r"(?:\b(?:credit|photo|picture|image|photograph|source)s?\s*:\s*\S.{0,80}$"
    r"|\b(?:via|/)\s*(?:" + "|".join(map(re.escape, _word_list(PHOTO_AGENCIES_FILE))) + r")\b.{0,40}$"
    r"|\((?:photo|image|credit)[^)]*\)\s*$)",
    re.I,
)
COMMENT_HEADER_RE = re.compile(
    rf"^\s*(?P<author>\S[^\n]{{0,40}}?)\s+(?P<date>(?:{_MONTH_RE}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH_RE}\s+\d{{4}}))"
    r"(?:\s*(?:-|at|,)?\s*(?P<time>\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?))?\s*$",
    re.I,
)
FAQ_RE = re.compile(r"^\s*(?:frequently asked questions|faqs?)\b", re.I)
SHARE_WORDS = frozenset(_word_list(SHARE_WORDS_FILE))
BINARY_CONTROL_SHARE = 0.10


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


@dataclass(frozen=True)
class Article:
    """One cleaned article; `text` is the headline and body, each paragraph a verbatim run of `raw`."""

    id: str
    path: str
    raw: str
    text: str
    segments: tuple[Segment, ...]
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    date_source: str | None = None
    author: str | None = None
    encoding: str = "utf-8"
    comments: tuple[Comment, ...] = ()
    captions: tuple[str, ...] = ()
    removed_lines: int = 0
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def _segment_starts(self) -> list[int]:
        return [s.clean_start for s in self.segments]

    def raw_offset(self, clean_offset: int) -> int:
        """Character offset in the raw file of a character offset in `text`."""
        if not self.segments:
            return 0
        i = max(0, bisect.bisect_right(self._segment_starts, clean_offset) - 1)
        seg = self.segments[i]
        return seg.raw_start + min(max(clean_offset - seg.clean_start, 0), seg.length)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw-file offsets of a span of `text` (end exclusive)."""
        if end <= start:
            return self.raw_offset(start), self.raw_offset(start)
        return self.raw_offset(start), self.raw_offset(end - 1) + 1


@dataclass(frozen=True)
class Problem:
    """A file that was skipped or read with a caveat, as one line for the user."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# --------------------------------------------------------------------------- boilerplate rules


@dataclass(frozen=True)
class ChromeRules:
    lines: tuple[re.Pattern[str], ...]
    ends: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=4)
def load_chrome_rules(path: Path = BOILERPLATE_FILE) -> ChromeRules:
    """Compile the data list of chrome phrases (one regex per line; 'end:' marks the end of an article)."""
    lines: list[re.Pattern[str]] = []
    ends: list[re.Pattern[str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        target = ends if raw.startswith("end:") else lines
        pattern = raw[4:] if raw.startswith("end:") else raw
        target.append(re.compile(rf"^\s*(?:{pattern})\s*$", re.I))
    return ChromeRules(tuple(lines), tuple(ends))


# --------------------------------------------------------------------------- decoding


def decode_bytes(name: str, data: bytes, settings: Settings) -> tuple[str, str]:
    """Text and encoding of a file's bytes; ArticleError for empty, binary, oversize or undecodable data."""
    if len(data) == 0:
        raise ArticleError(name, "empty file")
    if len(data) > settings.max_file_bytes:
        raise ArticleError(name, f"file is {len(data):,} bytes, over the limit of {settings.max_file_bytes:,} (setting max_file_bytes)")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(name, "binary file, not text")
    encoding = "utf-8"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise ArticleError(name, "not text in any known encoding") from None
        encoding = best.encoding
        text = str(best)
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if sample and controls / len(sample) > BINARY_CONTROL_SHARE:
        raise ArticleError(name, "binary file, not text")
    if not text.strip():
        raise ArticleError(name, "no text (only white space)")
    return text, encoding


# --------------------------------------------------------------------------- metadata helpers


def _month(token: str) -> int:
    return MONTHS[token.lower().rstrip(".")]


def parse_full_date(text: str) -> dt.date | None:
    """The first complete calendar date written in `text`, if any."""
    for m in FULL_DATE_RE.finditer(text):
        try:
            if m["y1"]:
                return dt.date(int(m["y1"]), _month(m["m1"]), int(m["d1"]))
            if m["y2"]:
                return dt.date(int(m["y2"]), _month(m["m2"]), int(m["d2"]))
            return dt.date(int(m["y3"]), int(m["m3"]), int(m["d3"]))
        except (ValueError, KeyError):
            continue
    return None


def _weekday_dates(text: str) -> list[dt.date]:
    """Dates written as weekday + day + month, the year chosen so the weekday matches (no earlier than years named)."""
    years = [int(y) for y in YEAR_RE.findall(text)]
    floor = max(years) if years else None
    found = []
    for m in WEEKDAY_DATE_RE.finditer(text):
        wd = WEEKDAYS[m["wd"].lower()]
        day = int(m["d1"] or m["d2"])
        month = _month(m["m1"] or m["m2"])
        if floor is None:
            continue
        for year in range(floor, floor + 12):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                break
            if candidate.weekday() == wd:
                found.append(candidate)
                break
    return found


def latest_weekday_on_or_before(text: str, anchor: dt.date) -> dt.date | None:
    """The most recent date on or before `anchor` whose weekday is named in `text`."""
    best = None
    for m in WEEKDAY_RE.finditer(text):
        wd = WEEKDAYS[m.group(0).lower()]
        candidate = anchor - dt.timedelta(days=(anchor.weekday() - wd) % 7)
        if best is None or candidate > best:
            best = candidate
    return best


# --------------------------------------------------------------------------- cleaning


@dataclass(frozen=True)
class CleaningThresholds:
    """The sizes clean_text judges lines by; each says what it guards against."""

    title_search_lines: int = 15  # the headline is among the first lines of the page
    date_label_lines: int = 3  # a page's date label ("date 2021-07-23") stands among its first lines
    breadcrumb_lookahead: int = 3  # lines after a breadcrumb trail ("Home World <headline>") that may repeat the bare headline
    title_min_words: int = 3
    title_max_words: int = 30
    prose_words_end_title_search: int = 4  # a line this long that is not headline-shaped means the page has no headline
    body_line_min_words: int = 12  # a line this long is story prose (counts towards "the story has begun")
    body_lines_before_comments: int = 2  # prose lines seen before a comment header can end the story
    body_lines_before_end_marker: int = 3  # prose lines seen before an end marker ("Related stories") can end the story
    chrome_max_chars: int = 300  # chrome phrases are short; a longer line is prose that happens to start like one
    end_marker_max_chars: int = 120
    published_line_max_chars: int = 300
    caption_max_chars: int = 600
    repeat_min_chars: int = 30  # a repeated line this long is a repeated caption or pull quote; shorter repeats are kept
    share_bar_min_hits: int = 3
    share_bar_min_share: float = 0.6  # share of a line's words that are share-bar words


THRESHOLDS = CleaningThresholds()


@dataclass
class _Line:
    start: int  # raw offset of the first kept character
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
    return _Line(line.start + m.end(), line.text[m.end():].strip()), heading


def _is_share_bar(text: str) -> bool:
    tokens = re.findall(r"[\w-]+", text.lower())
    hits = sum(1 for t in tokens if t in SHARE_WORDS)
    return hits >= THRESHOLDS.share_bar_min_hits and hits >= THRESHOLDS.share_bar_min_share * len(tokens)


def _is_caption(text: str) -> bool:
    return bool(CAPTION_RE.search(text)) and len(text) < THRESHOLDS.caption_max_chars


def _looks_like_title(text: str) -> bool:
    words = text.split()
    return (THRESHOLDS.title_min_words <= len(words) <= THRESHOLDS.title_max_words
            and not text.endswith((".", ":", ";", ",")) and text[:1].isupper())


def _chrome_match(rules: ChromeRules, text: str) -> tuple[bool, str | None]:
    if len(text) > THRESHOLDS.chrome_max_chars:
        return False, None
    for pattern in rules.lines:
        m = pattern.match(text)
        if m:
            outlet = m.groupdict().get("outlet")
            return True, outlet.strip(" .–-") if outlet else None
    return False, None


def _is_end_marker(rules: ChromeRules, text: str) -> bool:
    return len(text) <= THRESHOLDS.end_marker_max_chars and any(p.match(text) for p in rules.ends)


@dataclass
class _Metadata:
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
        if _chrome_match(rules, line.text)[0] or AUTHOR_RE.match(line.text) or PUBLISHED_RE.match(line.text):
            continue
        if _looks_like_title(line.text):
            # A breadcrumb trail ("Home world <headline>") is followed by the bare headline.
            for j in range(i + 1, min(i + 1 + THRESHOLDS.breadcrumb_lookahead, len(lines))):
                later = lines[j].text
                if later != line.text and line.text.endswith(later) and _looks_like_title(later):
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
    return [_Line(line.start + 2, line.text[2:-2]) if re.fullmatch(r"\*\*.+\*\*", line.text) else line for line in stripped], headings


def _take_date_label(lines: list[_Line], headings: set[int], meta: _Metadata) -> tuple[list[_Line], set[int]]:
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
            return lines[:i] + [_Line(line.start + m.end(), rest)] + lines[i + 1:], headings
        meta.removed += 1
        return lines[:i] + lines[i + 1:], {h - (h > i) for h in headings if h != i}
    for i, line in enumerate(lines[:THRESHOLDS.date_label_lines]):
        stated = _date_line(line.text)
        if stated and i not in headings:
            meta.date, meta.date_source = stated, "stated"
            meta.removed += 1
            return lines[:i] + lines[i + 1:], {h - (h > i) for h in headings}
    return lines, headings


def _date_line(text: str) -> dt.date | None:
    """The date of a page's date line: a full date alone (with clock time, zone, weekday) or after "Updated"/"Published"."""
    if len(text) >= THRESHOLDS.published_line_max_chars:
        return None
    m = FULL_DATE_RE.search(text)
    if not m:
        return None
    stamped = any(s.end() == m.start() for s in STAMPED_DATE_RE.finditer(text))
    if not stamped and DATE_LINE_EXTRAS_RE.sub("", text[:m.start()] + " " + text[m.end():]):
        return None
    return parse_full_date(m.group(0))


def _take_title(lines: list[_Line], headings: set[int], rules: ChromeRules, meta: _Metadata) -> int:
    """Phase 2: record the headline in `meta`; the index of the first line after it (0 without one)."""
    title_index = _pick_title(lines, headings, rules)
    if title_index is None:
        return 0
    meta.title_line = lines[title_index]
    meta.title = lines[title_index].text
    meta.removed += title_index + 1
    return title_index + 1


def _story_end(lines: list[_Line], body_from: int, rules: ChromeRules, meta: _Metadata) -> int:
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
        if prose_seen >= THRESHOLDS.body_lines_before_end_marker and _is_end_marker(rules, text):
            end = i
            rest = [j for j in range(i, len(lines)) if COMMENT_HEADER_RE.match(lines[j].text)]
            if rest:
                meta.comments = _parse_comments(lines, rest[0])
            break
        if lines[i].words >= THRESHOLDS.body_line_min_words:
            prose_seen += 1
    # Outlet names in the footer are metadata even though the footer itself is dropped.
    for line in lines[end:]:
        _, outlet = _chrome_match(rules, line.text)
        meta.outlet = meta.outlet or outlet
    meta.removed += len(lines) - end
    return end


class _FaqBlock:
    """After an FAQ heading, its questions and their one-line answers; the first other line closes the block."""

    def __init__(self) -> None:
        self.open = False
        self.after_answer = False

    def swallows(self, text: str) -> bool:
        """Whether `text` belongs to an FAQ block (the heading included)."""
        if self.open:
            is_question = text.endswith("?")
            if is_question or not self.after_answer:
                self.after_answer = not is_question
                return True
            self.open = False
        if FAQ_RE.match(text):
            self.open, self.after_answer = True, False
            return True
        return False


def _metadata_line(text: str, rules: ChromeRules, meta: _Metadata) -> bool:
    """Whether `text` is page chrome or a metadata line (byline, dateline, caption, comment count), noting what it says in `meta`."""
    chrome, outlet = _chrome_match(rules, text)
    if outlet:
        meta.outlet = meta.outlet or outlet
    if chrome or _is_share_bar(text) or _is_end_marker(rules, text):
        return True
    author = AUTHOR_RE.match(text)
    if author and not meta.author:
        meta.author = author["name"]
        return True
    if PUBLISHED_RE.match(text) and len(text) < THRESHOLDS.published_line_max_chars:
        meta.date = meta.date or parse_full_date(text)
        meta.date_source = meta.date_source or ("stated" if meta.date else None)
        return True
    if _is_caption(text):
        meta.captions.append(text)
        return True
    return bool(re.fullmatch(r"\d+\s+comments?", text, re.I))


def _body_lines(lines: list[_Line], rules: ChromeRules, meta: _Metadata) -> list[_Line]:
    """Phase 4: the story's own lines, without the repeated headline, FAQ blocks, chrome, metadata lines and repeats."""
    kept: list[_Line] = []
    seen: set[str] = set()
    faq = _FaqBlock()
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
        segments.append(Segment(pos, line.start, len(line.text)))
        parts.append(line.text)
        pos += len(line.text)
    return "".join(parts), tuple(segments)


def clean_text(raw: str, rules: ChromeRules | None = None, markdown: bool = False) -> tuple[str, tuple[Segment, ...], _Metadata]:
    """Cleaned text (headline + body paragraphs), its segments into `raw`, and the metadata found on the way."""
    rules = rules or load_chrome_rules()
    meta = _Metadata()
    lines, headings = _page_lines(raw, markdown)
    lines, headings = _take_date_label(lines, headings, meta)
    body_from = _take_title(lines, headings, rules, meta)
    end = _story_end(lines, body_from, rules, meta)
    body = _body_lines(lines[body_from:end], rules, meta)
    text, segments = _join(([meta.title_line] if meta.title_line else []) + body)
    return text, segments, meta


def _infer_date(text: str, meta: _Metadata) -> None:
    if meta.date:
        return
    stated = _weekday_dates(text)
    if stated:
        meta.date, meta.date_source = max(stated), "inferred from weekday dates in the text"
        return
    dates = [dt.date.fromisoformat(c.date) for c in meta.comments if c.date]
    if dates:
        inferred = latest_weekday_on_or_before(text, min(dates))
        if inferred:
            meta.date, meta.date_source = inferred, "inferred from weekdays before the first reader comment"


def _html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, include_comments=False, include_tables=False, with_metadata=True)
    if doc is None:
        return "", {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return data.get("text") or "", data


def _locate_html_segments(raw: str, text: str, base: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """Re-anchor segments of text extracted from HTML onto the raw HTML where the paragraph appears verbatim."""
    located = []
    cursor = 0
    for seg in base:
        piece = text[seg.clean_start: seg.clean_start + seg.length]
        found = raw.find(piece, cursor)
        if found < 0:
            found = raw.find(piece[:40], cursor) if len(piece) > 40 else -1
        if found >= 0:
            cursor = found
        located.append(Segment(seg.clean_start, max(found, cursor), seg.length))
    return tuple(located)


def article_from_text(article_id: str, path: str, raw: str, encoding: str = "utf-8", kind: str | None = None) -> Article:
    """Clean one article's decoded text into an Article record; `kind` defaults to the path's extension."""
    kind = kind or Path(path).suffix.lower()
    notes: list[str] = []
    html_meta: dict[str, Any] = {}
    if kind in (".html", ".htm"):
        extracted, html_meta = _html_to_text(raw)
        title = html_meta.get("title")
        source_text = (title + "\n\n" + extracted) if title and not extracted.startswith(title) else extracted
        text, segments, meta = clean_text(source_text, markdown=False)
        segments = _locate_html_segments(raw, text, segments)
        notes.append("offsets point into the raw HTML where a paragraph appears there verbatim")
    else:
        text, segments, meta = clean_text(raw, markdown=kind in (".md", ".markdown"))
    if html_meta:
        meta.author = meta.author or html_meta.get("author")
        meta.outlet = meta.outlet or html_meta.get("sitename")
        if not meta.date and html_meta.get("date"):
            try:
                meta.date, meta.date_source = dt.date.fromisoformat(str(html_meta["date"])[:10]), "stated"
            except ValueError:
                pass
    _infer_date(text, meta)
    return Article(
        id=article_id,
        path=path,
        raw=raw,
        text=text,
        segments=segments,
        title=meta.title,
        outlet=meta.outlet,
        date=meta.date.isoformat() if meta.date else None,
        date_source=meta.date_source,
        author=meta.author,
        encoding=encoding,
        comments=tuple(meta.comments),
        captions=tuple(meta.captions),
        removed_lines=meta.removed,
        notes=tuple(notes),
    )


def read_article_bytes(name: str, data: bytes, settings: Settings) -> Article:
    """One article from a file name and its bytes (a path on disk or an upload)."""
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ArticleError(name, f"unknown extension {suffix or '(none)'}; expected one of {', '.join(EXTENSIONS)}")
    text, encoding = decode_bytes(name, data, settings)
    article = article_from_text(Path(name).stem, name, text, encoding, suffix)
    if not article.text.strip():
        raise ArticleError(name, "no article text left after removing page chrome")
    return article


def _expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        else:
            yield p


def read_corpus(paths: Iterable[str | Path], settings: Settings,
                on_file: Callable[[int, int], None] | None = None) -> tuple[list[Article], list[Problem]]:
    """Every readable article under `paths`, plus one Problem line for each file that was skipped.

    `on_file(done, total)` is called before each file and once at the end.
    """
    articles: list[Article] = []
    problems: list[Problem] = []
    total = 0
    files = list(_expand(paths))
    for n, path in enumerate(files):
        if on_file is not None:
            on_file(n, len(files))
        if len(articles) >= settings.max_files:
            problems.append(Problem(str(path), f"skipped: corpus already has {settings.max_files} files (setting max_files)"))
            continue
        try:
            if not path.exists():
                raise ArticleError(str(path), "no such file")
            size = path.stat().st_size
            if total + size > settings.max_corpus_bytes:
                raise ArticleError(str(path), f"skipped: corpus would exceed {settings.max_corpus_bytes:,} bytes (setting max_corpus_bytes)")
            if size > settings.max_file_bytes:
                raise ArticleError(str(path), f"file is {size:,} bytes, over the limit of {settings.max_file_bytes:,} (setting max_file_bytes)")
            article = read_article_bytes(str(path), path.read_bytes(), settings)
            total += size
        except ArticleError as exc:
            problems.append(Problem(exc.path, exc.reason))
            continue
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        except Exception as exc:  # noqa: BLE001  one unreadable file never stops the corpus
            log.warning("reading %s failed", path, exc_info=True)
            problems.append(Problem(str(path), failure_reason(exc, "could not be read")))
            continue
        if article.encoding.lower().replace("_", "-") not in ("utf-8", "ascii"):
            problems.append(Problem(str(path), f"not UTF-8; read as {article.encoding}"))
        articles.append(article)
    if on_file is not None:
        on_file(len(files), len(files))
    articles = dedupe_ids(articles)
    return infer_corpus_dates(articles), problems


def dedupe_ids(articles: list[Article]) -> list[Article]:
    """Give articles with the same file stem distinct ids (a.txt and a.html -> a, a-2)."""
    seen: dict[str, int] = {}
    out = []
    for a in articles:
        n = seen.get(a.id, 0) + 1
        seen[a.id] = n
        out.append(a if n == 1 else replace(a, id=f"{a.id}-{n}"))
    return out


def infer_corpus_dates(articles: list[Article]) -> list[Article]:
    """Date undated articles of one story from the weekdays they name, anchored on the other articles' dates."""
    known = sorted(dt.date.fromisoformat(a.date) for a in articles if a.date)
    if not known:
        return articles
    anchor = statistics.median_high(known)
    out = []
    for a in articles:
        if a.date is None:
            inferred = latest_weekday_on_or_before(a.text, anchor)
            if inferred:
                a = replace(a, date=inferred.isoformat(), date_source="inferred from weekdays, anchored on the corpus's other dates")
        out.append(a)
    return out


def require_articles(articles: list[Article], problems: list[Problem]) -> None:
    """Raise CorpusError when nothing at all could be read."""
    if not articles:
        detail = "; ".join(str(p) for p in problems[:3]) or "no input files"
        raise CorpusError(f"no article could be read ({detail})")
