"""Corpus-level entity steps: short forms of people named in full elsewhere, and one place label per name."""
from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Sequence

from .articles import Article
from .entities import HONORIFICS, PLACE_LABELS, Entity, person_key
from .gazetteer import normalize

if TYPE_CHECKING:
    from spacy.tokens import Doc


def person_tokens(entities: Sequence[Entity]) -> set[str]:
    """First and last tokens of every multi-word person name, the forms a short mention can take."""
    tokens: set[str] = set()
    for e in entities:
        if e.label == "PERSON" and len(e.norm.split()) >= 2:
            parts = e.norm.split()
            tokens.update((parts[0], parts[-1]))
    return tokens


@dataclass(frozen=True)
class NameToken:
    """A title-case noun of a parsed article, kept so short person names can be found after the Doc is gone."""

    clean_start: int
    clean_end: int
    text: str
    lower: str
    clean_sent_start: int
    clean_sent_end: int
    honorific_clean_start: int | None  # start of the honorific just before it ("Mr"), if any
    honorific_clean_end: int | None


def name_tokens(doc: Doc) -> tuple[NameToken, ...]:
    """The tokens `propagate_people` may turn into person mentions: title-case proper and common nouns."""
    out = []
    for sent in doc.sents:  # sentence bounds once per sentence: Token.sent rescans the parse on every call
        s_start, s_end = sent.start_char, sent.end_char
        for tok in sent:
            if not tok.is_title or tok.pos_ not in ("PROPN", "NOUN"):
                continue
            prev = doc[tok.i - 1] if tok.i > 0 and doc[tok.i - 1].lower_ in HONORIFICS else None
            out.append(NameToken(tok.idx, tok.idx + len(tok.text), tok.text, tok.lower_, s_start, s_end,
                                 prev.idx if prev is not None else None, prev.idx + len(prev.text) if prev is not None else None))
    return tuple(out)


def propagate_people(article: Article, tokens: Sequence[NameToken], entities: list[Entity], names: set[str],
                     is_place: Callable[[str], bool]) -> list[Entity]:
    """Short mentions of people named in full elsewhere that the model missed or tagged ORG/GPE ("Scholz said")."""
    spans = sorted((e.clean_start, e.clean_end) for e in entities)
    starts = [s for s, _ in spans]
    reach = list(itertools.accumulate((e for _, e in spans), max))  # furthest end among entities starting so far

    def covered(start: int, end: int) -> bool:
        i = bisect.bisect_left(starts, end)  # entities starting before `end`
        return i > 0 and reach[i - 1] > start

    out = []
    for e in entities:
        if e.label in ("ORG", "GPE", "NORP") and e.norm in names and len(e.norm.split()) == 1 and not is_place(e.text):
            e = replace(e, label="PERSON", norm=person_key(e.text), fixed=f"relabelled {e.label} -> PERSON (short form of a person named in full)")
        out.append(e)
    for tok in tokens:
        if tok.lower not in names or covered(tok.clean_start, tok.clean_end) or is_place(tok.text):
            continue
        start = tok.clean_start
        if tok.honorific_clean_start is not None and tok.honorific_clean_end is not None and not covered(tok.honorific_clean_start, tok.honorific_clean_end):
            start = tok.honorific_clean_start
        text = article.text[start:tok.clean_end]
        raw_start, raw_end = article.raw_span(start, tok.clean_end)
        out.append(Entity(article.id, "PERSON", text, person_key(text), start, tok.clean_end,
                          raw_start, raw_end, tok.clean_sent_start, tok.clean_sent_end, "added (short form of a person named in full)"))
    out.sort(key=lambda x: x.clean_start)
    return out


def vote_place_labels(entities: Sequence[Entity], titled_people: set[str]) -> list[Entity]:
    """One sense per corpus: a name mostly tagged as a place, never seen after an honorific, is a place everywhere."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for e in entities:
        votes[normalize(e.text)][e.label] += 1
    out = []
    for e in entities:
        key = normalize(e.text)
        if e.label in ("PERSON", "ORG") and key not in titled_people:
            places = {lab: n for lab, n in votes[key].items() if lab in PLACE_LABELS}
            if places and sum(places.values()) > votes[key][e.label]:
                label = max(places, key=lambda lab: places[lab])
                e = replace(e, label=label, norm=key, fixed=f"relabelled {e.label} -> {label} (same name is a place elsewhere in the corpus)")
        out.append(e)
    return out
