"""Facility names the model misses or mislabels when their head noun is written in lower case: "landed at the X-2
airport", "a crowd at the X stadium in Y" (the model tags X alone as a person, or nothing at all)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .lexicon import table

if TYPE_CHECKING:
    from spacy.tokens import Doc

Span = tuple[int, int, str, str | None]  # (start token, end token, label, fix note), as entities.fix_entities makes them
NAME = r"[A-Z][\w'’]*(?:-[A-Z0-9]\w*)*(?:\s[A-Z][\w'’]*(?:-[A-Z0-9]\w*)*){0,3}"
# A name the model tagged as a place or a people's adjective stays as it is: "the New York harbour", "the Maltese port".
KEPT_LABELS = {"GPE", "NORP", "LANGUAGE"}
NOTE = "added (name and a lower-case facility head noun after a place preposition)"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    heads = sorted({r["word"] for r in table("facility_words")}, key=len, reverse=True)
    return re.compile(rf"\b(?:at|in|to|from|into|near|outside|inside|via|toward|towards|past)\s+the\s+({NAME})\s+"
                      rf"(?:{'|'.join(map(re.escape, heads))})\b")


def lowercase_head_facilities(doc: Doc) -> list[Span]:
    """FAC spans for "<preposition> the <Name> <head noun>" with the head in lower case, the head included."""
    out: list[Span] = []
    for m in _pattern().finditer(doc.text):
        span = doc.char_span(m.start(1), m.end(), alignment_mode="expand")
        if span is not None and not any(t.ent_type_ in KEPT_LABELS for t in span):
            out.append((span.start, span.end, "FAC", NOTE))
    return out
