"""Whom a description names in one parsed article: roles and countries the text gives people, and the person
"the Chinese leader", "the visiting president" or "the 17-year-old student" stands for."""
from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from .lexicon import LEXICON as LX

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .entities import Entity

TITLE_LOOKBACK_TOKENS = 4
SUBJECT_DEPS = ("nsubj", "nsubjpass")
COUNTRY_TOLD_BONUS = 2.0  # a description's country ("the Chinese leader") that the person is known to have, over one untold


def is_title_word(token: Token) -> bool:
    """Whether `token` is a capitalised title used as a name ("the King", "the Pope"), which the model tags PROPN."""
    return token.pos_ == "PROPN" and token.is_title and token.lower_ in LX.roles and any(
        c.dep_ == "det" and c.lower_ == "the" for c in token.children)


class Descriptions:
    """People by description; mixed into `referents.Referents`, whose people, places and sentences it reads."""

    # What it reads of `Referents` (set there).
    doc: Doc
    sents: list[Span]
    person_at: dict[int, tuple[str, Entity]]
    person_mentions: list[tuple[int, str, Token]]  # (token index, cluster, root token)
    country_at: dict[int, str]
    attributes: dict[str, tuple[set[str], set[str]]]
    mentions: Counter[str]
    described_at: dict[int, list[tuple[int, str, Token]]]

    if TYPE_CHECKING:
        def main_person(self) -> str | None: ...

    def _person_attributes(self) -> dict[str, tuple[set[str], set[str]]]:
        """Roles and countries the text gives each person ("Chinese President X", "X, the Chinese leader")."""
        attrs: dict[str, tuple[set[str], set[str]]] = {}
        for pos, cid, root in self.person_mentions:
            roles, countries = attrs.setdefault(cid, (set(), set()))
            start = min(i for i in range(pos, max(-1, pos - 6), -1) if self.person_at.get(i, ("",))[0] == cid)
            for i in range(start, pos + 1):  # a title inside the name span ("Pope X", "President Y")
                if self.doc[i].lower_ in LX.roles:
                    roles.add(self.doc[i].lower_)
            for i in range(start - 1, max(-1, start - 1 - TITLE_LOOKBACK_TOKENS), -1):
                tok = self.doc[i]
                if tok.is_punct or tok.pos_ in ("VERB", "AUX", "ADP", "CCONJ") or i in self.person_at:  # "the King and Queen X"
                    break
                if tok.lemma_.lower() in LX.roles or tok.lower_ in LX.roles:
                    roles.add(tok.lemma_.lower())
                if i in self.country_at:
                    countries.add(self.country_at[i])
            for child in root.children:
                if child.dep_ == "appos":
                    self._describe_into(child, roles, countries)
            if root.dep_ == "appos":
                self._describe_into(root.head, roles, countries)
        return attrs

    def _describe_into(self, noun: Token, roles: set[str], countries: set[str]) -> None:
        if noun.lemma_.lower() in LX.roles:
            roles.add(noun.lemma_.lower())
        for t in noun.subtree:
            if t.i in self.country_at:
                countries.add(self.country_at[t.i])
            if t.lemma_.lower() in LX.roles:
                roles.add(t.lemma_.lower())

    def describe(self, token: Token) -> str | None:
        """The person a description names ("the Chinese leader", "the visiting president"), by role, country, recency."""
        role = token.lemma_.lower()
        mods = [c for c in token.children if c.dep_ in ("amod", "compound", "nmod", "poss")]
        adjective_role = next((LX.role_adjectives[c.lower_] for c in mods if c.lower_ in LX.role_adjectives), None)
        if role in LX.person_nouns and any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in token.children):
            return self._story_person(token)
        if role not in LX.roles and adjective_role is None:
            return None
        if role not in LX.roles and adjective_role is not None:  # never None here: the line above returned
            role = adjective_role
        if not any(c.dep_ in ("det", "poss") or c.i in self.country_at for c in token.children) and adjective_role is None:
            return None
        countries = {self.country_at[c.i] for c in token.subtree if c.i in self.country_at and c.i != token.i}
        visitor = any(c.lower_ in LX.visitor_words for c in mods)
        host = any(c.lower_ in LX.host_words for c in mods)
        partners = {self.person_at[c.i][0] for c in token.conjuncts if c.i in self.person_at}  # "the King and Queen X": not X
        other = LX.counterpart_roles.get(role)
        best, best_score = None, -math.inf
        for pos, cid, _root in self.person_mentions:
            roles, their = self.attributes.get(cid, (set(), set()))
            fits = role in roles or (role in LX.leader_roles and roles & LX.leader_roles and not (other in roles and role not in roles))
            if not fits or cid in partners or (countries and their and not countries & their):
                continue  # "the Argentine pontiff" is not a pontiff of another country, but may be one whose country is untold
            score = math.log1p(self.mentions[cid]) + (1.0 if pos < token.i else 0.0) - abs(token.i - pos) / max(1, len(self.doc))
            score += COUNTRY_TOLD_BONUS if countries & their else 0.0
            if visitor or host:
                score += (1.0 if (countries & their) else 0.0) * (1 if visitor else -1)
            if score > best_score:
                best, best_score = cid, score
        if best is None and is_title_word(token) and role in LX.leader_roles:
            return self._untitled_person(countries, partners | {cid for _p, cid, _r in self.person_mentions
                                                                 if other in self.attributes.get(cid, (set(), set()))[0]})
        return best

    def _untitled_person(self, countries: set[str], excluded: set[str]) -> str | None:
        """The person named most whom the text gives no title, for a title used as a name ("the King") that no one
        named carries: the text calls its subject by the title alone."""
        best, best_count = None, 0
        for cid, count in self.mentions.most_common():
            roles, their = self.attributes.get(cid, (set(), set()))
            if roles or cid in excluded or (countries and their and not countries & their):
                continue
            if count > best_count:
                best, best_count = cid, count
        return best

    def _story_person(self, token: Token) -> str | None:
        """The person a story follows, for a plain description ("the 17-year-old student"), unless its country differs."""
        main = self.main_person()
        countries = {self.country_at[c.i] for c in token.subtree if c.i in self.country_at and c.i != token.i}
        their = self.attributes.get(main, (set(), set()))[1] if main else set()
        if main is None or (countries and their and not countries & their):
            return None
        return main

    def _described_subjects(self, first: int, last: int) -> list[tuple[int, str, Token]]:
        """(token index, cluster, token) of subjects that are descriptions ("the pope was greeted") in sentences
        first..last-1, so that a later "he" can mean the person described."""
        out: list[tuple[int, str, Token]] = []
        for k in range(first, min(last, len(self.sents))):
            if k not in self.described_at:
                self.described_at[k] = [(t.i, cid, t) for t in self.sents[k] if t.dep_ in SUBJECT_DEPS and (t.pos_ == "NOUN" or is_title_word(t))
                                        and t.i not in self.person_at for cid in [self.describe(t)] if cid]
            out.extend(self.described_at[k])
        return out
