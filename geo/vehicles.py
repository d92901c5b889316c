"""Vehicles in one parsed article: which tokens name a ship, and whom a plane, train or ship carries."""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from .lexicon import LEXICON as LX
from .parsing import tokens_where

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .entities import Entity

MIN_OWNER_MENTIONS = 2  # a vehicle with no stated owner carries the main person only if they are named twice
CARRY_VERBS = {"carry", "transport", "bring", "ferry", "take"}
VESSEL_NOUNS = {"ship", "vessel", "boat", "tanker", "freighter", "ferry", "liner", "yacht", "carrier", "icebreaker"}


@dataclass(frozen=True)
class Traveller:
    """Someone or something that moves: a person cluster, or a group or vessel named in the text."""

    id: str
    name: str


def slug(text: str) -> str:
    """Lower-case words joined by hyphens, for traveller ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _name_tokens(token: Token) -> list[Token]:
    """The proper-noun run a name's head token ends ("Nordic Star" for "Star")."""
    start = token.i
    while start > 0 and token.doc[start - 1].pos_ == "PROPN" and token.doc[start - 1].head.i in range(start, token.i + 1):
        start -= 1
    return list(token.doc[start:token.i + 1])


def _described_as_vessel(token: Token) -> bool:
    """Whether a proper noun is told to be a ship: "X, the first fuel tanker", "the ship, X", "the Panama-flagged X"."""
    if any(c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() in VESSEL_NOUNS for c in token.children):
        return True
    if token.dep_ == "appos" and token.head.pos_ == "NOUN" and token.head.lemma_.lower() in VESSEL_NOUNS:
        return True
    return any(c.dep_ == "amod" and c.lower_.split("-")[-1] in LX.vessel_markers for c in token.children)


class Vessels:
    """Tokens of one doc that name a vessel, by name span, vessel prefix or description, and every later bare mention."""

    def __init__(self, doc: Doc, spans: Iterable[Span]):
        self.doc = doc
        self.at: dict[int, Traveller] = {}
        self.names: dict[tuple[str, ...], Traveller] = {}
        for span in spans:
            self._span(span)
        for i in tokens_where(doc, "POS", lambda pos: pos == "PROPN"):
            tok = doc[i]
            if tok.i not in self.at and tok.dep_ != "compound" and _described_as_vessel(tok):
                self._name(_name_tokens(tok), None)
        self._mentions()

    def _name(self, tokens: list[Token], noun: Token | None) -> None:
        name = self.doc[tokens[0].i:tokens[-1].i + 1].text
        traveller = self.names.setdefault(tuple(t.lower_ for t in tokens), Traveller(f"vessel-{slug(name)}", name))
        for t in tokens:
            self.at[t.i] = traveller
        if noun is not None:
            self.at[noun.i] = traveller

    def _span(self, span: Span) -> None:
        """A name after a vessel noun ("the tanker X") or with a vessel prefix ("MV X")."""
        first = span[0]
        before = self.doc[span.start - 1] if span.start > 0 else None
        # Prefixes are written in capitals ("MS X" is a ship, "Ms X" a woman).
        prefixed = first.lower_.rstrip(".") in LX.vessel_prefixes and len(span) > 1 and first.text.rstrip(".").isupper()
        after_noun = before is not None and before.lemma_.lower() in VESSEL_NOUNS and before.pos_ == "NOUN" and span[0].text[:1].isupper()
        if prefixed:
            self._name(list(span[1:]), None)
        elif after_noun:
            self._name(list(span), before)

    def _mentions(self) -> None:
        """Later mentions of a named vessel by its bare name ("the X left port")."""
        if not self.names:
            return
        for tok in self.doc:
            for words, traveller in self.names.items():
                if tok.lower_ == words[0] and tuple(t.lower_ for t in self.doc[tok.i:tok.i + len(words)]) == words:
                    for t in self.doc[tok.i:tok.i + len(words)]:
                        self.at[t.i] = traveller


class VehicleOwners:
    """Whom vehicles carry; mixed into `referents.Referents`, whose people, groups and descriptions it reads."""

    # What it reads of `Referents` (set there).
    doc: Doc
    sents: list[Span]
    person_at: dict[int, tuple[str, Entity]]
    mentions: Counter[str]
    vessel_at: dict[int, Traveller]
    vehicle_mentions: dict[str, list[int]] | None  # vehicle lemma -> token indexes, built on first use

    if TYPE_CHECKING:
        def _sent_index(self, token: Token) -> int: ...
        @staticmethod
        def _group_lemma(token: Token) -> str: ...
        def _recent(self, token: Token, kind: str) -> Traveller | None: ...
        def pronoun(self, token: Token) -> str | None: ...
        def group(self, token: Token) -> Traveller | None: ...
        def describe(self, token: Token) -> str | None: ...
        def traveller_of_token(self, token: Token) -> str | Traveller | None: ...

    def owner_of_vehicle(self, token: Token) -> str | Traveller | None:
        """Who a vehicle carries: the one the text states, else the one an earlier mention of such a vehicle carried
        ("a plane carrying evacuees ... the plane"), else the story's person, a recent group, or the vehicle itself."""
        stated = self._stated_owner(token)
        if stated:
            return stated
        lemma = token.lemma_.lower()
        if self.vehicle_mentions is None:
            self.vehicle_mentions = {}
            for t in self.doc:
                if t.pos_ == "NOUN" and t.lemma_.lower() in LX.vehicles:
                    self.vehicle_mentions.setdefault(t.lemma_.lower(), []).append(t.i)
        same = self.vehicle_mentions.get(lemma, [])
        other = sorted(i for k, v in self.vehicle_mentions.items() if k != lemma for i in v)
        for earlier in (same, other):  # the same kind of vehicle first ("the plane" after "a plane carrying X")
            for i in reversed(earlier[:bisect.bisect_left(earlier, token.i)]):
                owner = self._stated_owner(self.doc[i])
                if owner:
                    return owner
        if token.lemma_.lower() in VESSEL_NOUNS:
            vessel = self._recent(token, "vessel")
            if vessel:
                return vessel
        who = self.pronoun(token)
        if who and self.mentions[who] >= MIN_OWNER_MENTIONS:
            return who
        group = self._recent(token, "group")
        if group:
            return group
        return Traveller(f"vehicle-{slug(lemma)}", f"the {lemma}")  # an unnamed train or ship is a traveller too

    def _stated_owner(self, token: Token) -> str | Traveller | None:
        """Who the text says a vehicle carries: its possessor, the object of "carrying", a role adjective, the vessel."""
        if token.i in self.vessel_at:
            return self.vessel_at[token.i]
        for child in token.children:
            if child.dep_ == "poss":
                return self.traveller_of_token(child)
        for child in token.children:
            if child.dep_ in ("acl", "relcl") and child.lemma_ in CARRY_VERBS:
                for obj in child.children:
                    if obj.dep_ in ("dobj", "obj"):
                        who = self.traveller_of_token(obj)
                        if who:
                            return who
                for obj in child.subtree:
                    if obj.i in self.person_at:
                        return self.person_at[obj.i][0]
            if child.dep_ == "prep" and child.lower_ in ("of", "with", "carrying"):
                for obj in child.subtree:
                    if obj.i in self.person_at:
                        return self.person_at[obj.i][0]
                    g = self.group(obj)
                    if g:
                        return g
            if child.lower_ in LX.role_adjectives:
                who = self.describe(token)
                if who:
                    return who
            if child.dep_ in ("compound", "appos") and child.i in self.vessel_at:
                return self.vessel_at[child.i]
        if self._group_lemma(token) in LX.groups:
            return self.group(token)
        return None

    @staticmethod
    def _aircraft_verb(verb: Token) -> bool:
        particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
        return any(w in LX.aircraft_verbs for w in [verb.lemma_.lower()] + [f"{verb.lemma_.lower()} {p}" for p in particles])

    def vehicle_before(self, token: Token) -> Token | None:
        lo = self.sents[max(0, self._sent_index(token) - 1)].start
        for i in range(token.i - 1, lo - 1, -1):
            if (self.doc[i].lemma_.lower() in LX.vehicles and self.doc[i].pos_ == "NOUN") or i in self.vessel_at:
                return self.doc[i]
        return None
