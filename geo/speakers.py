"""Who speaks: the person or organisation cluster behind a speech verb's subject, or the words as written."""
from __future__ import annotations

import bisect
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from .descriptions import SUBJECT_DEPS
from .entities import Entity, MentionKey
from .referents import PERSONAL_PRONOUNS, PLURAL_PRONOUNS, Referents

if TYPE_CHECKING:
    from spacy.tokens import Token

LEXICON_FILE = Path(__file__).resolve().parent.parent / "data" / "speech_lexicon.toml"
SPEAKING_LABELS = ("PERSON", "ORG", "NORP", "GPE")  # a capital speaks for its government ("Ottawa says")
ORG_PRONOUNS = {"it", "its"} | PLURAL_PRONOUNS
SPEAKER_WINDOW_SENTENCES = 4  # how far back "he said" or "the ministry said" looks for whom it means
CLIMB_LIMIT = 4  # clause levels a subjectless speech verb climbs for its subject ("commenting", "was quoted as saying")
NON_SPEAKERS = {"which", "this", "these", "what", "there"}  # "which suggests that", "this indicates"
NP_DROP_DEPS = {"appos", "relcl", "acl", "punct", "cc", "conj", "advcl"}


@dataclass(frozen=True)
class SpeechLexicon:
    """Speech verbs and speaker nouns (see data/speech_lexicon.toml)."""

    verbs: frozenset[str]
    according: frozenset[str]
    person_roles: frozenset[str]
    organisation_nouns: frozenset[str]


@lru_cache(maxsize=4)
def load_speech_lexicon(path: Path = LEXICON_FILE) -> SpeechLexicon:
    """The speech lexicon in `path`, read once per process."""
    with open(path, "rb") as fh:
        d = tomllib.load(fh)
    sp, sk = d["speech"], d["speakers"]
    return SpeechLexicon(frozenset(sp["verbs"]), frozenset(sp["according"]),
                         frozenset(sk["person_roles"]), frozenset(sk["organisation_nouns"]))


SX = load_speech_lexicon()


@dataclass(frozen=True)
class Speaker:
    """A speaker as written (clean-text offsets) and the entity cluster it resolves to, if the text allows."""

    text: str
    clean_start: int
    clean_end: int
    cluster: str | None

    @property
    def resolved(self) -> bool:
        return self.cluster is not None


def is_speech_verb(token: Token) -> bool:
    """Whether `token` is a verb of saying ("said", "told", "warned")."""
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in SX.verbs


def speaker_token(verb: Token) -> Token | None:
    """The token naming who speaks through `verb`: its subject, the one quoted ("quoted X as saying"), or the
    subject of the clause it hangs from ("..., commenting:"); None when no clause names anyone."""
    cur = verb
    for _ in range(CLIMB_LIMIT):
        if cur is not verb and cur.dep_ == "ccomp" and is_speech_verb(cur.head):
            cur = cur.head  # "X said Y cherishes Z, explaining: ..." explains X's words, not Y's
            continue
        if cur.lemma_.lower() == "quote":
            for child in cur.children:
                if child.dep_ in ("dobj", "nsubjpass"):
                    return child
        for child in sorted(cur.children, key=lambda c: (c.i > cur.i, -c.i)):  # the subject nearest before the verb first
            if child.dep_ == "agent" and cur.lemma_.lower() in SX.verbs and cur.tag_ == "VBN":
                return next((g for g in child.children if g.dep_ == "pobj"), None)
            if child.dep_ in SUBJECT_DEPS and not (child.dep_ == "nsubjpass" and cur is verb):
                if child.lower_ in ("who", "that") and cur.dep_ == "relcl":
                    return cur.head
                return None if child.lower_ in NON_SPEAKERS else child
        if cur.dep_ == "relcl" and cur is not verb:
            return cur.head
        if cur.head.i == cur.i:
            return None
        cur = cur.head
    return None


def phrase_bounds(token: Token) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase `token` heads, without appositions, relative clauses and lists."""
    lo = hi = token.i
    for child in token.children:
        if child.dep_ in NP_DROP_DEPS:
            continue
        sub = list(child.subtree)
        lo, hi = min(lo, sub[0].i), max(hi, sub[-1].i)
    return lo, hi + 1


class SpeakerResolver:
    """Resolves speaker tokens of one parsed article to person or organisation clusters."""

    def __init__(self, refs: Referents, entities: Sequence[Entity], assignment: Mapping[MentionKey, str]):
        self.refs = refs
        self.doc = refs.doc
        self.cluster_at: dict[int, tuple[str, Entity]] = {}
        self.org_mentions: list[tuple[int, str, Entity]] = []
        for e in entities:
            cid = assignment.get(e.key)
            if not cid or e.label not in SPEAKING_LABELS:
                continue
            span = self.doc.char_span(e.clean_start, e.clean_end, alignment_mode="expand")
            if span is None:
                continue
            for t in span:
                if e.label == "PERSON" or t.i not in self.cluster_at:
                    self.cluster_at[t.i] = (cid, e)
            if e.label != "PERSON":
                self.org_mentions.append((span.root.i, cid, e))
        self.org_mentions.sort(key=lambda m: m[0])
        self.said: list[tuple[int, Speaker, bool]] = []  # (token index, speaker, is a person) of speakers so far

    def _window_start(self, token: Token) -> int:
        k = max(0, bisect.bisect_right(self.refs.sent_starts, token.i) - 1)
        start: int = self.refs.sents[max(0, k - SPEAKER_WINDOW_SENTENCES)].start
        return start

    def _named(self, token: Token) -> str | None:
        """Cluster of a name at `token` or in its compounds ("Elysee spokesman X", "the Efe news agency")."""
        if token.i in self.refs.person_at:
            return self.refs.person_at[token.i][0]
        if token.i in self.cluster_at:
            return self.cluster_at[token.i][0]
        for child in token.children:
            if child.dep_ in ("compound", "nmod") and child.i in self.cluster_at:
                return self.cluster_at[child.i][0]
        return None

    def _latest_said(self, token: Token, person: bool) -> Speaker | None:
        lo = self._window_start(token)
        for pos, speaker, is_person in reversed(self.said):
            if lo <= pos < token.i and is_person == person:
                return speaker
        return None

    def _pronoun(self, token: Token) -> str | Speaker | None:
        """'..., he said': the last person quoted (an unnamed "police spokeswoman" stays as written), else the
        salient person; "it" and "they": the last organisation quoted or named."""
        if token.lower_ in PERSONAL_PRONOUNS:
            said = self._latest_said(token, True)
            return (said.cluster or said) if said else self.refs.pronoun(token)
        said = self._latest_said(token, False)
        if said and said.cluster:
            return said.cluster
        lo = self._window_start(token)
        before = [cid for pos, cid, _e in self.org_mentions if lo <= pos < token.i]
        return before[-1] if before else None

    def _role(self, token: Token) -> str | None:
        """Latest person the text gave this role ("Moreau, the ministry spokesman ... the spokesman said")."""
        lemma = token.lemma_.lower()
        lo = self._window_start(token)
        for pos, cid, _root in reversed(self.refs.person_mentions):
            if lo <= pos < token.i and lemma in self.refs.attributes.get(cid, (set(), set()))[0]:
                return cid
        return self.refs.describe(token)

    def _institution(self, token: Token) -> str | None:
        """Latest organisation whose name holds this noun ("the Foreign Ministry ... the ministry said")."""
        lemma = token.lemma_.lower()
        lo = self._window_start(token)
        for pos, cid, e in reversed(self.org_mentions):
            if lo <= pos < token.i and lemma in e.text.lower():
                return cid
        return None

    def resolve(self, token: Token) -> Speaker:
        """The speaker `token` names; pronouns, "the spokesman" and "the ministry" resolved where the text allows."""
        lo, hi = phrase_bounds(token)
        while lo < hi - 1 and (self.doc[lo].like_num or ":" in self.doc[lo].text):
            lo += 1  # a live blog's time stamp ("11:47 A police spokeswoman") is no part of the speaker
        span = self.doc[lo:hi]
        cluster = self._named(token)
        for child in token.children:  # "the foreign minister, X, says": the apposition names the speaker
            if cluster is None and child.dep_ == "appos" and child.pos_ == "PROPN":
                cluster = self._named(child)
                if cluster is None:
                    alo, ahi = phrase_bounds(child)
                    span = self.doc[alo:ahi]
        definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in token.children)
        bare = all(c.dep_ in ("det", "amod") or c.is_punct for c in token.children)
        if cluster is None and token.lower_ in PERSONAL_PRONOUNS | ORG_PRONOUNS:
            antecedent = self._pronoun(token)
            if isinstance(antecedent, Speaker):
                self.said.append((token.i, antecedent, True))
                return antecedent
            cluster = antecedent
        elif cluster is None and definite and bare and token.lemma_.lower() in SX.person_roles:
            cluster = self._role(token)
        elif cluster is None and definite and bare and token.lemma_.lower() in SX.organisation_nouns:
            cluster = self._institution(token)
        unnamed_one = cluster is None and token.tag_ == "NN" and token.lemma_.lower() not in SX.organisation_nouns
        person = (token.i in self.refs.person_at or token.lower_ in PERSONAL_PRONOUNS or token.lemma_.lower() in SX.person_roles
                  or unnamed_one or (cluster is not None and any(cluster == cid for cid, _e in self.refs.person_at.values())))
        speaker = Speaker(span.text, span.start_char, span.end_char, cluster)
        self.said.append((token.i, speaker, person))
        return speaker
