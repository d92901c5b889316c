"""Page chrome: what a line of page furniture looks like (share bars, captions, bylines, date lines, chrome phrases,
end markers, FAQ blocks), and the sizes lines are judged by; `cleaning.py` applies these rules to a page."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import DATA_DIR
from .dates import FULL_DATE_RE, MONTH_PATTERN, WEEKDAY_PATTERN, parse_full_date

BOILERPLATE_FILE = DATA_DIR / "boilerplate.txt"
SHARE_WORDS_FILE = DATA_DIR / "share_words.txt"
PHOTO_AGENCIES_FILE = DATA_DIR / "photo_agencies.txt"


def _word_list(path: Path) -> list[str]:
    """The entries of a data word list: one per line, '#' comments and blank lines skipped."""
    words = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [w for w in words if w and not w.startswith("#")]


# A page's own date label at the top, alone or before the first words of the story ("date 2021-07-23 The plane ..."):
# stored and syndicated copies of news pages often carry one.
DATE_LABEL_RE = re.compile(
    r"^\s*(?:date|dated|published|posted|updated)\s*:?\s*(?:on\s+)?(?P<date>\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?(?:\s+|$)",
    re.I)
# What may stand beside the date on a page's date line: clock times, zones, weekdays ("March 4, 2021, 9:40 PM",
# "09.41 12 Mar 2017", "Monday 24 July, 2021 10:02 GMT").
DATE_LINE_EXTRAS_RE = re.compile(
    rf"\b\d{{1,2}}[:.]\d{{2}}\b|\b[ap]\.?m\b\.?|\b(?:GMT|UTC|[A-Z]{{1,3}}[SD]?T)\b|\b{WEEKDAY_PATTERN}\b|[\s,.|()/-]+", re.I)
# "..., Updated May 9, 2020, 12 minutes ago": a byline's publishing date.
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
    rf"^\s*(?P<author>\S[^\n]{{0,40}}?)\s+(?P<date>(?:{MONTH_PATTERN}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{MONTH_PATTERN}\s+\d{{4}}))"
    r"(?:\s*(?:-|at|,)?\s*(?P<time>\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?))?\s*$",
    re.I,
)
FAQ_RE = re.compile(r"^\s*(?:frequently asked questions|faqs?)\b", re.I)
SHARE_WORDS = frozenset(_word_list(SHARE_WORDS_FILE))


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


def is_share_bar(text: str) -> bool:
    """Whether a line is a row of share buttons ("Share Facebook Twitter Email")."""
    tokens = re.findall(r"[\w-]+", text.lower())
    hits = sum(1 for t in tokens if t in SHARE_WORDS)
    return hits >= THRESHOLDS.share_bar_min_hits and hits >= THRESHOLDS.share_bar_min_share * len(tokens)


def is_caption(text: str) -> bool:
    """Whether a line is a photo caption or credit."""
    return bool(CAPTION_RE.search(text)) and len(text) < THRESHOLDS.caption_max_chars


def looks_like_title(text: str) -> bool:
    """Whether a line is headline-shaped: a few capitalised words without a closing stop."""
    words = text.split()
    return (THRESHOLDS.title_min_words <= len(words) <= THRESHOLDS.title_max_words
            and not text.endswith((".", ":", ";", ",")) and text[:1].isupper())


def chrome_match(rules: ChromeRules, text: str) -> tuple[bool, str | None]:
    """Whether a line is a chrome phrase of `rules`, and the outlet it names, if any ("© 2023 The Daily X")."""
    if len(text) > THRESHOLDS.chrome_max_chars:
        return False, None
    for pattern in rules.lines:
        m = pattern.match(text)
        if m:
            outlet = m.groupdict().get("outlet")
            return True, outlet.strip(" .–-") if outlet else None
    return False, None


def is_end_marker(rules: ChromeRules, text: str) -> bool:
    """Whether a line marks the end of the story ("Related stories", "Read more")."""
    return len(text) <= THRESHOLDS.end_marker_max_chars and any(p.match(text) for p in rules.ends)


def date_line(text: str) -> dt.date | None:
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


class FaqBlock:
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
