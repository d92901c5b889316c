"""Who a mention refers to in one parsed article: people, pronouns, descriptions, groups, vessels and vehicles; speakers."""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Mapping, Sequence

from .entities import Entity, MentionKey
from .gazetteer import Candidate
from .lexicon import LEXICON as LX
from .parsing import doc_text
from .descriptions import SUBJECT_DEPS, TITLE_LOOKBACK_TOKENS, Descriptions, is_title_word
from .vehicles import MIN_OWNER_MENTIONS, Traveller, VehicleOwners, Vessels, slug

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .geocode import Resolution

# Pronoun antecedents: how many sentences back a person may be, and how salience is weighed.
PRONOUN_WINDOW_SENTENCES = 3
GROUP_WINDOW_SENTENCES = 3  # "they"/"their" and an unowned vehicle look this far back for a group
RECENCY_WEIGHT = 0.3
SPEAKER_PENALTY = 1.5  # the speaker of an earlier sentence is rarely the "he" of the next
APPOSITION_PENALTY = 0.5
SUBJECT_BONUS = 0.5  # the subject of an earlier sentence is the likeliest "he" of the next
PARTY_NOUNS = {"couple", "pair", "duo", "trio", "royals", "leaders"}
PERSONAL_PRONOUNS = {"he", "she", "him", "her", "his", "hers", "himself", "herself"}
PLURAL_PRONOUNS = {"they", "them", "their", "theirs", "themselves"}
THING_PRONOUNS = {"it", "its"}
RELATIVE_PRONOUNS = {"who", "whom", "whose", "which", "that"}
FACILITY_DESCRIPTORS = {"international", "regional", "central", "main", "municipal", "air", "force", "naval",
                        "railway", "rail", "military", "national", "domestic", "reserve", "space", "-", "'s", "’s"}
DATELINE_WITHIN_CHARS = 600  # a dateline opens the story
# A dateline opens a paragraph: "CITY[, COUNTRY] –" in capitals, or "City, Country (Agency) —".
DATELINE_RE = re.compile(r"(?:^|\n)\s*([A-Z][A-Za-z.'’-]+(?: [A-Z][A-Za-z.'’-]+){0,3})(?:,\s*[A-Z][A-Za-z.'’ ]{2,30})?\s*(?:\([^)\n]{1,40}\))?\s*[–—-]{1,2}\s")


def is_speaker(token: Token) -> bool:
    """Whether `token` is the subject of a speech verb ("X said")."""
    return token.dep_ in SUBJECT_DEPS and token.head.lemma_ in LX.speech_verbs


def is_actor(token: Token) -> bool:
    """Whether `token` acts in its clause (subject, agent, or owner of a statement): then a place there is no stop."""
    if token.dep_ in SUBJECT_DEPS:
        return True
    if token.dep_ == "pobj" and token.head.dep_ == "agent":
        return True
    return token.dep_ == "poss" and token.head.lemma_ in LX.speech_verbs | {"statement", "ministry", "government", "spokesman"}


class Referents(Descriptions, VehicleOwners):
    """Maps tokens of one doc to travellers: person clusters, groups, vessels, and the people vehicles carry."""

    def __init__(self, doc: Doc, entities: Sequence[Entity], resolved: Sequence[Resolution], assignment: Mapping[MentionKey, str]):
        self.doc = doc
        self.person_at: dict[int, tuple[str, Entity]] = {}
        self.place_at: dict[int, Candidate] = {}
        self.country_at: dict[int, str] = {}  # token -> ISO country of a demonym or place there
        self.mentions: Counter[str] = Counter()
        self.person_mentions: list[tuple[int, str, Token]] = []  # (token index, cluster, root token)
        self.names: dict[str, str] = {}
        self.group_heads: dict[str, str] = {}  # group lemma -> person cluster of its head
        self.vehicle_mentions: dict[str, list[int]] | None = None  # vehicle lemma -> token indexes, built on first use
        self.described_at: dict[int, list[tuple[int, str, Token]]] = {}  # sentence index -> subjects that are descriptions, built on first use
        self.groups_named: Counter[Traveller] | None = None
        for t_, cand, _conf, _met in resolved:
            span = doc.char_span(t_.entity.clean_start, t_.entity.clean_end, alignment_mode="expand")
            if span is None:
                continue
            for t in span:
                if cand.country:
                    self.country_at[t.i] = cand.country
                if not t_.demonym:
                    self.place_at[t.i] = cand
        spans = []
        for e in entities:
            span = doc.char_span(e.clean_start, e.clean_end, alignment_mode="expand")
            if span is None:
                continue
            spans.append(span)
            if e.label == "PERSON":
                cid = assignment.get(e.key)
                if cid:
                    for t in span:
                        self.person_at[t.i] = (cid, e)
                    self.mentions[cid] += 1
                    self.person_mentions.append((span.root.i, cid, span.root))
                    if len(e.text) > len(self.names.get(cid, "")):
                        self.names[cid] = e.text
        self.vessel_at = Vessels(doc, spans).at
        for i in self.vessel_at:
            self.person_at.pop(i, None)  # "the cargo ship X": X is the ship, whatever the model tagged
        self.person_mentions = [(pos, cid, root) for pos, cid, root in self.person_mentions if pos in self.person_at]
        self.person_mentions.sort()
        self.surnames: dict[str, set[str]] = defaultdict(set)  # last word of a person's name -> clusters
        for _pos, cid, root in self.person_mentions:
            self.surnames[root.text].add(cid)
        self.dateline = self._dateline()
        self.sents = list(doc.sents)
        self.sent_starts = [s.start for s in self.sents]
        self.attributes = self._person_attributes()
        self._group_heads()

    # ------------------------------------------------------------------ setup

    def _dateline(self) -> Candidate | None:
        """The place of a dateline ("CITY, COUNTRY –" opening a paragraph), where the story was reported from."""
        for m in DATELINE_RE.finditer(doc_text(self.doc)[:DATELINE_WITHIN_CHARS]):
            span = self.doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
            if span is None:
                continue
            for t in span:
                if t.i in self.place_at and self.place_at[t.i].feature in ("city", "town", "village"):
                    return self.place_at[t.i]
        return None

    def facility_in_dateline_city(self, token: Token) -> Candidate | None:
        """The dateline's city for a facility the gazetteer cannot place ("the airport", "X Stadium")."""
        if self.dateline is None or token.lemma_.lower() not in LX.facility_heads or token.i in self.place_at:
            return None
        if any(t.i in self.place_at for t in token.subtree):
            return None  # "the airport in Y" names its own place
        return self.dateline

    def _group_heads(self) -> None:
        """Named heads of groups: "delegation head Z", "Z, head of the team", "the mission led by Z"."""
        for pos, cid, root in self.person_mentions:
            lo = max(0, pos - TITLE_LOOKBACK_TOKENS)
            words = [t.lemma_.lower() for t in self.doc[lo:pos]]
            for a, b in zip(words, words[1:]):
                if a in LX.groups and b in LX.head_nouns:
                    self.group_heads.setdefault(a, cid)
            for child in root.children:
                if child.dep_ == "appos" and child.lemma_.lower() in LX.head_nouns:
                    for t in child.subtree:
                        if t.lemma_.lower() in LX.groups or t.lower_ in LX.groups:
                            self.group_heads.setdefault(self._group_lemma(t), cid)
            if root.dep_ == "pobj" and root.head.dep_ == "agent" and root.head.head.lemma_ in LX.head_verbs:
                group = root.head.head.head
                if self._group_lemma(group) in LX.groups:
                    self.group_heads.setdefault(self._group_lemma(group), cid)
            if root.dep_ in SUBJECT_DEPS and root.head.lemma_ in LX.head_verbs:
                for obj in root.head.children:
                    if obj.dep_ == "dobj" and self._group_lemma(obj) in LX.groups:
                        self.group_heads.setdefault(self._group_lemma(obj), cid)

    # ------------------------------------------------------------------ lookups

    def _sent_index(self, token: Token) -> int:
        return max(0, bisect.bisect_right(self.sent_starts, token.i) - 1)

    @staticmethod
    def _group_lemma(token: Token) -> str:
        return token.lower_ if token.lower_ in LX.groups else token.lemma_.lower()

    def group(self, token: Token) -> Traveller | None:
        """The group a group noun names ("the trade delegation"), tied to its named head when the text gives one."""
        lemma = self._group_lemma(token)
        if lemma in LX.collective_nouns or token.lower_ in LX.collective_nouns:
            for pobj in (g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"):
                counted = self.group(pobj)
                if counted:
                    return counted  # "the first groups of evacuees" are evacuees
        if token.tag_ in ("NNS", "NNPS") and token.i in self.country_at and token.pos_ in ("NOUN", "PROPN", "ADJ"):
            return Traveller(f"group-{slug(token.lower_)}", token.text)  # "Americans evacuated from X"
        if lemma not in LX.groups or token.pos_ not in ("NOUN", "PROPN"):
            return None
        if token.pos_ == "PROPN" and token.dep_ == "compound" and token.head.pos_ == "PROPN":
            return None  # "Team X", "Mission Y": part of an organisation's name, not a group on the move
        mods = [c for c in token.lefts if c.dep_ in ("amod", "compound", "nmod", "nummod") and not c.is_punct]
        start = min((t.i for c in mods for t in c.subtree), default=token.i)  # "high-level government delegation"
        name = self.doc[start:token.i + 1].text
        head = self.group_heads.get(lemma)
        if head:
            name = f"{name} (head: {self.names.get(head, head)})"
        singular = token.lemma_.lower()
        return Traveller(f"group-{slug(singular)}", name)

    def pronoun(self, token: Token) -> str | None:
        """Antecedent cluster of a personal pronoun: the subject governing it in the same sentence, else the
        most salient recent person, passing over speakers of earlier sentences. None when the clause is about
        someone unnamed ("his father ... he travelled")."""
        sent = token.sent
        for anc in token.ancestors:
            for child in anc.children:
                if child.dep_ in SUBJECT_DEPS and child.i < token.i and child.i != token.i:
                    if child.i in self.person_at:
                        return self.person_at[child.i][0]
                    if child.lower_ in PERSONAL_PRONOUNS:  # "he was welcomed ... after he arrived": the same person
                        return self.pronoun(child)
                    if child.lemma_.lower() in LX.other_people:
                        return None
        window_start = self.sents[max(0, self._sent_index(token) - PRONOUN_WINDOW_SENTENCES)].start
        best, best_score = None, -math.inf
        lo, hi = bisect.bisect_left(self.sent_starts, window_start), bisect.bisect_left(self.sent_starts, token.i)
        described = [m for m in self._described_subjects(lo, hi + 1) if m[0] < token.i]
        for pos, cid, root in self.person_mentions + described:
            if pos >= token.i or pos < window_start:
                continue
            score = math.log1p(self.mentions[cid]) + RECENCY_WEIGHT * (pos - window_start) / max(1, token.i - window_start)
            if root.dep_ in SUBJECT_DEPS:
                score += SUBJECT_BONUS
            if root.sent.start != sent.start and is_speaker(root):
                score -= SPEAKER_PENALTY
            if root.dep_ == "appos" or root.head.dep_ == "appos":
                score -= APPOSITION_PENALTY
            if score > best_score:
                best, best_score = cid, score
        return best

    def main_group(self) -> Traveller | None:
        """The group a story is about: named at least twice, more often than any other group."""
        if self.groups_named is None:
            self.groups_named = Counter(g for t in self.doc if t.pos_ == "NOUN" and self._group_lemma(t) in LX.groups
                                        for g in [self.group(t)] if g)
        by_id: Counter[str] = Counter()
        for g, n in self.groups_named.items():
            by_id[g.id] += n
        ranked = by_id.most_common(2)
        if not ranked or ranked[0][1] < MIN_OWNER_MENTIONS or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        return next(g for g in self.groups_named if g.id == ranked[0][0])

    def place(self, token: Token) -> Candidate | None:
        """The resolved place a token stands for: itself, a name modifying it, or the place a generic noun names."""
        if token.i in self.place_at:
            return self.place_at[token.i]
        generic = token.lower_ in LX.generic_place_nouns or token.lemma_ in LX.generic_place_nouns
        entry = token.lower_ in LX.entry_nouns or token.lemma_ in LX.entry_nouns  # "the entrance to X" is at X
        if generic or entry:  # "Ukraine's Black Sea port of X": the "of" phrase names it, before any modifier
            preps = ("of", "to") if entry else ("of",)
            for pobj in (g for c in token.children if c.dep_ == "prep" and c.lower_ in preps for g in c.children):
                if pobj.dep_ == "pobj" and pobj.i in self.place_at:
                    return self.place_at[pobj.i]
        named = [self.place_at[c.i] for c in token.children
                 if c.dep_ in ("compound", "nmod", "amod") and c.i in self.place_at and self._names_head(c, token)]
        # "the U.S. X air base", "the French air base in X": the country owns it; the town or the phrase says where it is.
        finer = [p for p in named if p.feature != "country"]
        if finer:
            return finer[0]
        if named and not self._placed_by_phrase(token):
            return named[0]
        if generic:
            for dep in ("appos", "poss"):  # "the capital, X" before "Y's capital"; "X's coast"
                for child in token.children:
                    if child.dep_ == dep and child.i in self.place_at:
                        return self.place_at[child.i]
        if token.lower_ in ("which", "that", "where"):
            cur = token
            while cur.head.i != cur.i and cur.dep_ != "relcl":
                cur = cur.head
            if cur.dep_ == "relcl":
                return self.place(cur.head)
        return None

    def _placed_by_phrase(self, token: Token) -> bool:
        """Whether an "in/at/near" phrase of `token` names a place."""
        return any(g.i in self.place_at for c in token.children if c.dep_ == "prep" and c.lower_ in ("in", "at", "near")
                   for g in c.children if g.dep_ == "pobj")

    def _names_head(self, modifier: Token, head: Token) -> bool:
        """Whether a place modifier names what its head is at ("X International Airport"), not a person it honours."""
        between = self.doc[modifier.i + 1:head.i]
        return all(t.i in self.place_at and self.place_at[t.i] == self.place_at[modifier.i] or t.lower_ in FACILITY_DESCRIPTORS
                   for t in between)

    def main_person(self) -> str | None:
        """The person a story is about: named most often, at least twice, and more often than anyone else."""
        ranked = self.mentions.most_common(2)
        if not ranked or ranked[0][1] < MIN_OWNER_MENTIONS or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        return ranked[0][0]

    def party(self, token: Token) -> list[str]:
        """The people a plural noun stands for ("the royal couple", "the three leaders", "the two"): the last people named
        together."""
        plural = token.lower_ in PLURAL_PRONOUNS
        counted = token.pos_ == "NUM" and token.is_alpha and any(c.lower_ == "the" for c in token.children)
        if not (plural or counted or token.lemma_.lower() in PARTY_NOUNS or (token.tag_ == "NNS" and token.lemma_.lower() in LX.roles)):
            return []
        best: list[str] = []
        best_pos = -1
        for pos, cid, root in self.person_mentions:
            if pos >= token.i:
                break
            named = sorted([(pos, cid)] + [(c.i, self.person_at[c.i][0]) for c in root.conjuncts if c.i in self.person_at])
            together = [who for _, who in named]  # in the text's order: "X and Y" are headed by X
            if len(together) > 1:
                best, best_pos = list(dict.fromkeys(together)), max(pos, named[-1][0])
        if plural:  # "they": people named together lately, unless a group was named after them
            group = self._recent_group(token)
            window_start = self.sents[max(0, self._sent_index(token) - PRONOUN_WINDOW_SENTENCES)].start
            if best_pos < window_start or (group is not None and group[0] > best_pos):
                return []
        return best

    def _untagged_name(self, token: Token) -> str | None:
        """The one person whose name ends with this capitalised word, when the model tagged no person here ("King X
        and Queen Y arrived" with only Y tagged, X tagged elsewhere)."""
        if token.pos_ != "PROPN" or not token.is_title or token.i in self.place_at or token.i in self.vessel_at:
            return None
        named = self.surnames.get(token.text, set())
        return next(iter(named)) if len(named) == 1 else None

    def _recent(self, token: Token, kind: str) -> Traveller | None:
        """The latest group or vessel named before `token` in its sentence or the one before."""
        if kind == "vessel":  # a story rarely has two ships: the last one named before, however far
            before = [i for i in self.vessel_at if i < token.i]
            return self.vessel_at[max(before)] if before else None
        found = self._recent_group(token)
        return found[1] if found else None

    def _recent_group(self, token: Token) -> tuple[int, Traveller] | None:
        """(token index, group) of the latest group named before `token`, a few sentences back at most."""
        lo = self.sents[max(0, self._sent_index(token) - GROUP_WINDOW_SENTENCES)].start
        for i in range(token.i - 1, lo - 1, -1):
            g = self.group(self.doc[i])
            if g:
                return i, g
        return None

    def traveller_of_token(self, token: Token) -> str | Traveller | None:
        """The traveller a token names: a person cluster id, or a group or vessel."""
        if token.i in self.person_at:
            return self.person_at[token.i][0]
        if token.i in self.vessel_at:
            return self.vessel_at[token.i]
        low = token.lower_
        if low in PERSONAL_PRONOUNS:
            return self.pronoun(token) or (self._recent(token, "vessel") if low in ("she", "her") else None)
        if low in PLURAL_PRONOUNS:
            together = self.party(token)
            return together[0] if together else (self._recent(token, "group") or self.main_group())
        if low in THING_PRONOUNS:
            vehicle = self.vehicle_before(token)
            if vehicle is not None:
                return self.owner_of_vehicle(vehicle)
            # "The delegation crossed X ... It is then expected to head to Y": a group or ship as the subject "it"
            return (self._recent(token, "vessel") or self._recent(token, "group")) if token.dep_ in SUBJECT_DEPS else None
        if low in RELATIVE_PRONOUNS:
            clause = token.head  # "X, which the UN says is carrying grain, ...": the clause may nest inside the relative
            for _ in range(3):
                if clause.dep_ == "relcl" or clause.head.i == clause.i:
                    break
                clause = clause.head
            if clause.dep_ == "relcl":
                return self.traveller_of_token(clause.head)
        if token.lemma_.lower() in LX.vehicles and token.pos_ == "NOUN":
            return self.owner_of_vehicle(token)
        named = self._untagged_name(token)
        if named:
            return named
        if token.pos_ in ("PROPN", "NUM") and token.is_title and token.dep_ in SUBJECT_DEPS and token.i not in self.place_at and self._aircraft_verb(token.head):
            who = self.pronoun(token)  # an aircraft called by its name ("X One landed") carries the person followed
            if who and self.mentions[who] >= MIN_OWNER_MENTIONS:
                return who
        party = self.party(token)
        if party:
            return party[0]
        group = self.group(token)
        if group:
            owner = next((c for c in token.children if c.dep_ == "poss"), None)
            if owner is not None:  # "his delegation" travels with him
                return self.traveller_of_token(owner) or group
            return group
        described = self.describe(token) if token.pos_ == "NOUN" or is_title_word(token) else None
        if described:
            return described
        for child in token.children:
            if child.dep_ == "compound" and child.i in self.person_at:
                return self.person_at[child.i][0]
            if child.dep_ == "appos":  # "the airline, a Boeing 747, took off for X": the aircraft it names travels
                vehicle = next((t for t in child.subtree if t.lemma_.lower() in LX.vehicles), None)
                if vehicle is not None:
                    return self.owner_of_vehicle(vehicle)
        return None
