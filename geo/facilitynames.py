"""Facility names the model misses or mislabels when their head noun is written in lower case: "landed at the X-2
airport", "a crowd at the X stadium in Y" (the model tags X alone as a person, or nothing at all)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from .lexicon import table
from .parsing import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc

Span = tuple[int, int, str, str | None]  # (start token, end token, label, fix note), as entities.fix_entities makes them
NAME = r"[A-Z][\w'’]*(?:-[A-Z0-9]\w*)*(?:\s[A-Z][\w'’]*(?:-[A-Z0-9]\w*)*){0,3}"
# The name must be one the model saw as a name that is not yet a town ("the X stadium" with X a person), or one the
# gazetteer knows; a town, a people's adjective or a date stays as it is ("the Y harbour", "the Maltese port",
# "the Christmas market").
NAME_LABELS = {"PERSON", "ORG", "FAC", "LOC"}
NOTE = "added (name and a lower-case facility head noun after a place preposition)"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    heads = sorted({r["word"] for r in table("facility_words")}, key=len, reverse=True)
    return re.compile(rf"\b(?:at|in|to|from|into|near|outside|inside|via|toward|towards|past)\s+the\s+({NAME})\s+"
                      rf"(?:{'|'.join(map(re.escape, heads))})\b")


def lowercase_head_facilities(doc: Doc, is_known: Callable[[str], bool] | None = None) -> list[Span]:
    """FAC spans for "<preposition> the <Name> <head noun>" with the head in lower case, the head included; `is_known`
    tells whether the gazetteer has a place of a name ("X" in "the X-2 airport")."""
    out: list[Span] = []
    for m in _pattern().finditer(doc_text(doc)):
        span = doc.char_span(m.start(1), m.end(), alignment_mode="expand")
        name = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if span is None or name is None:
            continue
        labels = {t.ent_type_ for t in name}
        known = is_known is not None and is_known(re.split(r"-\d", name.text)[0])
        if (labels <= NAME_LABELS and labels) or (labels == {""} and known):
            out.append((span.start, span.end, "FAC", NOTE))
    return out
