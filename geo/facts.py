"""Facts one article states: meetings between people, distances and travel times between places, counts of things."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from .articles import Article
from .entities import Entity, MentionKey
from .parsing import doc_text, span_text, tokens_where
from .referents import PERSONAL_PRONOUNS, Referents
from .speakers import speaker_token

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .geocode import Resolution

LEXICON_FILE = Path(__file__).resolve().parent.parent / "data" / "claims_lexicon.toml"
# The look-ahead names every first letter the pattern can start with: most positions fail on it at once.
NUMBER_RE = re.compile(r"(?=[malunrso\d])(?:(?P<bound>more than|at least|less than|up to|nearly|almost|about|around|roughly|some|over|under)\s+)?"
                       r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*-?\s*(?P<unit>[A-Za-z]+)\b", re.I)
YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")


@dataclass(frozen=True)
class ClaimsLexicon:
    meeting_verbs: frozenset[str]
    meeting_objects: frozenset[str]
    future: frozenset[str]
    doubt: frozenset[str]
    units: Mapping[str, tuple[str, float]]
    bounds: Mapping[str, str]
    light_verbs: frozenset[str]
    not_counted: frozenset[str]
    number_words: Mapping[str, int]
    scales: Mapping[str, int]


@lru_cache(maxsize=4)
def load_claims_lexicon(path: Path = LEXICON_FILE) -> ClaimsLexicon:
    """The claims lexicon in `path`, read once per process."""
    with open(path, "rb") as fh:
        d = tomllib.load(fh)
    m, c = d["meeting"], d["counts"]
    return ClaimsLexicon(frozenset(m["verbs"]), frozenset(m["objects"]), frozenset(m["future"]), frozenset(m["doubt"]),
                         {k: (v[0], float(v[1])) for k, v in d["units"].items()}, dict(d["bounds"]),
                         frozenset(c["light_verbs"]), frozenset(c["not_counted"]), dict(c["words"]), dict(c["scales"]))


CX = load_claims_lexicon()


@dataclass(frozen=True)
class Place:
    """A resolved place a fact names."""

    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Fact:
    """One source's statement of a fact: `key` says which fact, `value` what this source says; raw sentence offsets."""

    article: str
    kind: str  # "meeting", "distance", "duration" or "count"
    key: tuple[str, ...]
    label: str
    value: str
    amount: float | None  # kilometres or hours
    bound: str  # "exactly", "at least", "at most", "about"
    places: tuple[Place, ...]
    sentence: str
    raw_start: int  # the sentence's raw-file offsets
    raw_end: int


# --------------------------------------------------------------------------- facts of one article


def _sentence_span(article: Article, sent: Span) -> tuple[str, int, int]:
    start, end = article.raw_span(sent.start_char, sent.end_char)
    return span_text(sent).strip(), start, end


def _person(refs: Referents, token: Token) -> str | None:
    if token.i in refs.person_at:
        return refs.person_at[token.i][0]
    if token.lower_ in PERSONAL_PRONOUNS:
        return refs.pronoun(token)
    return refs.describe(token) if token.pos_ == "NOUN" else None


def _meeting_status(verb: Token) -> str:
    words = {t.lower_ for t in verb.children if t.dep_ in ("aux", "neg", "advmod")} | {t.lemma_.lower() for t in verb.ancestors}
    negated = any(t.dep_ == "neg" for t in verb.children)
    past = verb.tag_ in ("VBD", "VBN") or any(c.dep_ == "aux" and c.tag_ == "VBD" for c in verb.children)  # "met", "did not meet"
    if words & CX.doubt:
        status = "may meet"
    elif words & CX.future or not past:
        status = "will meet"
    else:
        status = "met"
    return ("did not meet" if status == "met" else "will not meet") if negated else status


def _meetings(article: Article, doc: Doc, refs: Referents, names: Mapping[str, str]) -> list[Fact]:
    facts = []
    for i in tokens_where(doc, "LEMMA", lambda lemma: lemma.lower() in CX.meeting_verbs):
        tok = doc[i]
        lemma = tok.lemma_.lower()
        if tok.pos_ != "VERB" or lemma not in CX.meeting_verbs:
            continue
        if lemma in ("hold", "have", "sit") and not any(c.dep_ == "dobj" and c.lemma_.lower() in CX.meeting_objects for c in tok.children):
            continue
        others = [c for c in tok.children if c.dep_ == "dobj"] if lemma not in ("hold", "talk", "confer", "negotiate", "sit") else []
        heads = [tok] + [c for c in tok.children if c.dep_ == "dobj" and c.lemma_.lower() in CX.meeting_objects]
        for prep in (c for h in heads for c in h.children if c.dep_ == "prep" and c.lower_ == "with"):  # "held talks with X"
            others += [c for c in prep.children if c.dep_ == "pobj"]
        subject = speaker_token(tok)
        a = _person(refs, subject) if subject is not None else None
        for other in others:
            b = _person(refs, other)
            if not a or not b or a == b:
                continue
            pair = tuple(sorted((a, b)))
            year = YEAR_RE.search(span_text(tok.sent))
            sentence, start, end = _sentence_span(article, tok.sent)
            label = " – ".join(sorted(names.get(c, c) for c in pair)) + (f" ({year.group()})" if year else "")
            facts.append(Fact(article.id, "meeting", ("meeting", *pair, year.group() if year else ""), label,
                              _meeting_status(tok), None, "exactly", (), sentence, start, end))
    return facts


def _numbers(article: Article, doc: Doc, refs: Referents) -> list[Fact]:
    facts = []
    text = doc_text(doc)
    located = [(i, doc[i].idx, c) for i, c in sorted(refs.place_at.items())]  # once per Doc, not per number
    for sent in doc.sents:
        for m in NUMBER_RE.finditer(text[sent.start_char:sent.end_char]):  # sent.text would join its tokens again
            unit = CX.units.get(m.group("unit").lower())
            if unit is None:
                continue
            kind, factor = unit
            amount = float(m.group("num").replace(",", "")) * factor
            bound = CX.bounds.get((m.group("bound") or "").lower(), "exactly")
            at = sent.start_char + m.start("num")
            before = [(i, c) for i, idx, c in located if sent.start <= i < sent.end and idx < at]
            after = [(i, c) for i, idx, c in located if sent.start <= i < sent.end and idx > at]
            ordered = [c for _i, c in (after if kind == "duration" else after[:1] + before[::-1])]
            places: list[Place] = []
            for c in ordered:
                if all(p.id != c.id for p in places):
                    places.append(Place(c.id, c.name, c.lat, c.lon))
            if len(places) < 2:
                continue
            pair = tuple(sorted(places[:2], key=lambda p: p.id))
            sentence, start, end = _sentence_span(article, sent)
            value = f"{m.group('bound') + ' ' if m.group('bound') else ''}{m.group('num')} {m.group('unit')}"
            facts.append(Fact(article.id, kind, (kind, pair[0].id, pair[1].id), f"{pair[0].name} – {pair[1].name}", value,
                              amount, bound, pair, sentence, start, end))
    return facts


NOT_A_COUNT = {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY"}  # entity types whose numbers are not counts of things


def _number_value(tokens: Sequence[Token]) -> float | None:
    """The value of a number written in digits and/or words ("1,200", "1.5 million", "two hundred", "a dozen")."""
    total, current = 0.0, 0.0
    for t in tokens:
        word = t.lower_
        if word in CX.scales:
            current = (current or 1.0) * CX.scales[word]
            if CX.scales[word] >= 1000:
                total, current = total + current, 0.0
        elif word in CX.number_words:
            current += CX.number_words[word]
        else:
            try:
                current += float(word.replace(",", ""))
            except ValueError:
                return None
    return total + current or None


def _count_verb(noun: Token) -> str:
    """The verb a counted noun hangs from, "" for verbs that only state a number ("were", "carried", "included")."""
    head = noun.head
    while head.i != head.head.i and head.pos_ not in ("VERB", "AUX"):
        head = head.head
    lemma = head.lemma_.lower() if head.pos_ in ("VERB", "AUX") else ""
    return "" if lemma in CX.light_verbs else lemma


def _counts(article: Article, doc: Doc) -> list[Fact]:
    """Stated counts of things ("300 passengers", "two dozen trucks", "12 people were injured"), keyed by what is counted."""
    facts = []
    for i in tokens_where(doc, "DEP", lambda dep: dep == "nummod"):
        tok = doc[i]
        noun = tok.head
        if tok.dep_ != "nummod" or tok.ent_type_ in NOT_A_COUNT or noun.pos_ != "NOUN":
            continue
        lemma = noun.lemma_.lower()
        if lemma in CX.not_counted or lemma in CX.units or noun.lower_ in CX.units:
            continue
        number = sorted([tok] + [c for c in tok.subtree if c.i < tok.i and (c.like_num or c.lower_ in CX.scales)], key=lambda t: t.i)
        amount = _number_value(number)
        if amount is None or amount == 1 or any(c.dep_ in ("det", "poss") for c in noun.children):
            continue  # "one format", "the two countries", "its 20 carriages" refer to things; they do not count them
        first = number[0].i
        lead = doc[max(first - 2, 0):first].text.lower()
        bound_words = next((b for b in CX.bounds if lead.endswith(b)), "")
        verb = _count_verb(noun)
        sentence, start, end = _sentence_span(article, tok.sent)
        value = f"{doc[first - len(bound_words.split()):tok.i + 1].text} {noun.text}"  # as written, with its bound
        label = f"number of {noun.lower_}" + (f" ({verb})" if verb else "")
        facts.append(Fact(article.id, "count", ("count", lemma, verb), label, value, amount, CX.bounds.get(bound_words, "exactly"),
                          (), sentence, start, end))
    return facts


def extract_facts(article: Article, doc: Doc, entities: Sequence[Entity], resolved: Sequence[Resolution], assignment: Mapping[MentionKey, str],
                  names: Mapping[str, str] | None = None, refs: Referents | None = None) -> list[Fact]:
    """Meetings between people, stated distances and travel times between resolved places, and counts, in one article."""
    refs = refs or Referents(doc, entities, resolved, assignment)
    return _meetings(article, doc, refs, names or refs.names) + _numbers(article, doc, refs) + _counts(article, doc)

