"""Named vessels in one parsed article: which tokens name a ship, and the traveller each stands for."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .lexicon import LEXICON as LX

VESSEL_NOUNS = {"ship", "vessel", "boat", "tanker", "freighter", "ferry", "liner", "yacht", "carrier", "icebreaker"}


@dataclass(frozen=True)
class Traveller:
    """Someone or something that moves: a person cluster, or a group or vessel named in the text."""

    id: str
    name: str


def slug(text: str) -> str:
    """Lower-case words joined by hyphens, for traveller ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _name_tokens(token) -> list:
    """The proper-noun run a name's head token ends ("Nordic Star" for "Star")."""
    start = token.i
    while start > 0 and token.doc[start - 1].pos_ == "PROPN" and token.doc[start - 1].head.i in range(start, token.i + 1):
        start -= 1
    return list(token.doc[start:token.i + 1])


def _described_as_vessel(token) -> bool:
    """Whether a proper noun is told to be a ship: "X, the first grain ship", "the ship, X", "the Panama-flagged X"."""
    if any(c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() in VESSEL_NOUNS for c in token.children):
        return True
    if token.dep_ == "appos" and token.head.pos_ == "NOUN" and token.head.lemma_.lower() in VESSEL_NOUNS:
        return True
    return any(c.dep_ == "amod" and c.lower_.split("-")[-1] in LX.vessel_markers for c in token.children)


class Vessels:
    """Tokens of one doc that name a vessel, by name span, vessel prefix or description, and every later bare mention."""

    def __init__(self, doc, spans: Iterable):
        self.doc = doc
        self.at: dict[int, Traveller] = {}
        self.names: dict[tuple[str, ...], Traveller] = {}
        for span in spans:
            self._span(span)
        for tok in doc:
            if tok.pos_ == "PROPN" and tok.i not in self.at and tok.dep_ != "compound" and _described_as_vessel(tok):
                self._name(_name_tokens(tok), None)
        self._mentions()

    def _name(self, tokens: list, noun) -> None:
        name = self.doc[tokens[0].i:tokens[-1].i + 1].text
        traveller = self.names.setdefault(tuple(t.lower_ for t in tokens), Traveller(f"vessel-{slug(name)}", name))
        for t in tokens:
            self.at[t.i] = traveller
        if noun is not None:
            self.at[noun.i] = traveller

    def _span(self, span) -> None:
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
