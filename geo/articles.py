"""Read article files (.txt, .md, .html) into Article records: decoding, content ids, corpus limits, corpus dates."""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import logging
import re
import statistics
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .cleaning import Comment, Segment, clean_text, infer_date
from .config import Settings
from .dates import latest_weekday_near
from .errors import ArticleError, CorpusError, failure_reason

log = logging.getLogger(__name__)

EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
ID_HEX_CHARS = 16  # 64 bits of sha256: an article id that no corpus of this size will see twice by chance
BINARY_CONTROL_SHARE = 0.10
# Below this size the encoding detector guesses from too few bytes (a short Latin-1 file came out as cp775): a file the
# Western code page decodes into Latin-looking words is read as cp1252.
SHORT_TEXT_BYTES = 4000
WESTERN_ENCODING = "cp1252"
# Share of the words with non-ASCII letters that must also hold ASCII letters ("Zürich", "café") for text to look Western;
# Cyrillic or CJK bytes decoded as cp1252 give words made of accented letters only.
WESTERN_MIXED_SHARE = 0.8


@dataclass(frozen=True)
class Article:
    """One cleaned article; `id` is its content hash, `label` its file name; `text` is made of verbatim runs of `raw`."""

    id: str
    label: str
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
        text, encoding = _decode_legacy(name, data)
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if sample and controls / len(sample) > BINARY_CONTROL_SHARE:
        raise ArticleError(name, "binary file, not text")
    if not text.strip():
        raise ArticleError(name, "no text (only white space)")
    return text, encoding


def _looks_western(text: str) -> bool:
    """Whether the words with non-ASCII letters in `text` are mostly Latin words with an accent or two."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if not w.isascii()]
    mixed = sum(1 for w in words if any(c.isascii() for c in w))
    return bool(words) and mixed / len(words) >= WESTERN_MIXED_SHARE


def _decode_legacy(name: str, data: bytes) -> tuple[str, str]:
    """Text and encoding of bytes that are not UTF-8: the detector's guess, or cp1252 for short Western-looking text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if len(data) < SHORT_TEXT_BYTES and (best is None or not best.encoding.startswith("utf")):
        try:
            western = data.decode(WESTERN_ENCODING)
        except UnicodeDecodeError:
            western = ""
        if western and _looks_western(western):
            return western, WESTERN_ENCODING
    if best is None:
        raise ArticleError(name, "not text in any known encoding") from None
    return str(best), best.encoding


# --------------------------------------------------------------------------- reading


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


def content_id(data: bytes) -> str:
    """An article's stable id: the first hex digits of the sha256 of its raw bytes."""
    return hashlib.sha256(data).hexdigest()[:ID_HEX_CHARS]


def article_from_text(label: str, path: str, raw: str, encoding: str = "utf-8", kind: str | None = None,
                      data: bytes | None = None) -> Article:
    """Clean one article's decoded text into an Article record; `kind` defaults to the path's extension.

    The id hashes `data`, the file's bytes, or the UTF-8 encoding of `raw` when there is no file.
    """
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
    infer_date(text, meta)
    return Article(
        id=content_id(raw.encode("utf-8") if data is None else data),
        label=label,
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
    article = article_from_text(Path(name).stem, name, text, encoding, suffix, data)
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
    articles, duplicates = dedupe_articles(articles)
    return infer_corpus_dates(articles), problems + duplicates


def dedupe_articles(articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """Each content once (a Problem line for a copy), and distinct labels for distinct files (a.txt, a.html -> a, a-2)."""
    seen: dict[str, int] = {}
    first: dict[str, Article] = {}
    out, copies = [], []
    for a in articles:
        if a.id in first:
            copies.append(Problem(a.path, f"same content as {first[a.id].path}; analysed once"))
            continue
        first[a.id] = a
        n = seen.get(a.label, 0) + 1
        seen[a.label] = n
        out.append(a if n == 1 else replace(a, label=f"{a.label}-{n}"))
    return out, copies


def infer_corpus_dates(articles: list[Article]) -> list[Article]:
    """Date undated articles of one story from the weekdays they name, anchored on the other articles' dates."""
    known = sorted(dt.date.fromisoformat(a.date) for a in articles if a.date)
    if not known:
        return articles
    anchor = statistics.median_high(known)
    out = []
    for a in articles:
        if a.date is None:
            inferred = latest_weekday_near(a.text, anchor)
            if inferred:
                a = replace(a, date=inferred.isoformat(), date_source="inferred from weekdays, anchored on the corpus's other dates")
        out.append(a)
    return out


def require_articles(articles: list[Article], problems: list[Problem]) -> None:
    """Raise CorpusError when nothing at all could be read."""
    if not articles:
        detail = "; ".join(str(p) for p in problems[:3]) or "no input files"
        raise CorpusError(f"no article could be read ({detail})")
