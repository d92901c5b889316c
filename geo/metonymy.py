"""Metonymy: a capital, a country or a seat of government used as an actor ("Ottawa denied", "Canberra's invasion")."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .entities import Entity
from .gazetteer import Candidate
from .lexicon import words

if TYPE_CHECKING:
    from spacy.tokens import Doc

GOVERNMENT_NOUNS = frozenset({"officials", "government", "administration"})


def is_metonym(doc: Doc, ent: Entity, cand: Candidate) -> bool:
    """Whether the mention of `cand` at `ent` names an actor rather than the place, from the dependency parse."""
    if not (cand.capital or cand.category in ("seat_of_government", "capital") or cand.feature == "country"):
        return False
    span = doc.char_span(ent.clean_start, ent.clean_end, alignment_mode="expand")
    if span is None:
        return False
    verbs, nouns = words("actor_verbs"), words("actor_nouns")
    root = span.root
    head = root.head
    if root.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in verbs:
        return True
    if root.dep_ == "conj" and head.dep_ == "nsubj" and head.head.lemma_.lower() in verbs:
        return True
    if root.dep_ == "poss" and head.lower_ in nouns:
        return True
    if root.dep_ == "pobj" and head.lower_ == "from" and head.head.lower_ in nouns:
        return True
    return root.dep_ in ("compound", "amod") and head.lower_ in GOVERNMENT_NOUNS
