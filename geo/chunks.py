"""Long texts parsed in pieces: cut points at paragraph, else sentence, else word boundaries, and the Doc re-joined.

spaCy refuses texts past `nlp.max_length` and its working memory grows with the characters in a batch, so a long
article is cut into contiguous pieces no longer than `PIECE_CHARS`, each piece is parsed alone, and the
pieces' Docs are joined with `Doc.from_docs`. The pieces are contiguous slices of the text, so the joined Doc's
text and character offsets are the article's own: every later stage sees one Doc, as if the text was parsed whole.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from spacy.tokens import Doc

import numpy

# Longest piece handed to spaCy at once: about one long news article, so a batch of pieces needs no more working
# memory than a batch of ordinary articles (the parser's transient memory grows with the characters in a batch).
PIECE_CHARS = 5_000
# A cut is looked for in the last part of a piece only, so pieces stay at least this share of PIECE_CHARS long.
MIN_PIECE_SHARE = 0.5
PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")
LINE_BREAK_RE = re.compile(r"\n\s*")
SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
WORD_BREAK_RE = re.compile(r"\s+")
EMPTY_TENSOR = numpy.zeros((0, 0), dtype="float32")


def _last_break(text: str, lo: int, hi: int) -> int | None:
    """Offset just after the last boundary in text[lo:hi], trying paragraph, line, sentence, then word breaks."""
    window = text[lo:hi]
    for pattern in (PARAGRAPH_BREAK_RE, LINE_BREAK_RE, SENTENCE_END_RE, WORD_BREAK_RE):
        end = None
        for m in pattern.finditer(window):
            end = m.end()
        if end is not None and 0 < end < len(window) + 1:
            return lo + end
    return None


def piece_bounds(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """Contiguous (start, end) slices covering `text`, each at most `limit` characters, cut at the best boundary."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    bounds: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    while n - start > limit:
        hi = start + limit
        cut = _last_break(text, start + max(1, int(limit * MIN_PIECE_SHARE)), hi)
        if cut is None or cut <= start:
            cut = hi  # no boundary at all (one enormous word): a hard cut
        bounds.append((start, cut))
        start = cut
    if start < n or not bounds:
        bounds.append((start, n))
    return bounds


def pieces(text: str, limit: int = PIECE_CHARS) -> Iterator[str]:
    """The texts of `piece_bounds`, in order; joined they give back `text`."""
    for start, end in piece_bounds(text, limit):
        yield text[start:end]


def join_docs(docs: list[Doc]) -> Doc:
    """One Doc from the Docs of consecutive pieces, with the joined text and offsets; a single Doc is returned as is.

    The joined Doc has no tensor (nothing after the parser reads it, and it would be the largest part of the Doc).
    """
    if len(docs) == 1:
        return docs[0]
    from spacy.tokens import Doc

    # spaCy's stub of from_docs lacks `exclude` (a keyword since spaCy 3.3).
    return Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor"])  # type: ignore[call-arg]
