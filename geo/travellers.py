"""Who travels by a movement word: its subject through open clauses, companions named with it, guests of a host."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .lexicon import LEXICON as LX
from .referents import Referents
from .vehicles import Traveller

if TYPE_CHECKING:
    from spacy.tokens import Token

Who = str | Traveller  # a person cluster id, or a group or vessel

# Dependency relations by which a clause governs the clause of an event (for status, dates and subjects); "acomp" for
# an adjective that takes the event ("they are due to visit X").
CLAUSE_DEPS = ("xcomp", "advcl", "conj", "ccomp", "relcl", "acl", "pcomp", "prep", "pobj", "dobj", "attr", "acomp")
MAX_CLAUSE_HOPS = 8


def clause_chain(token: Token) -> list[Token]:
    """The token and the verbs that govern it through open clauses (xcomp, advcl, conj, ccomp, relcl)."""
    chain = [token]
    cur = token
    while cur.dep_ in CLAUSE_DEPS and cur.head.i != cur.i:
        cur = cur.head
        chain.append(cur)
        if len(chain) > MAX_CLAUSE_HOPS:
            break
    return chain


def subject_of(refs: Referents, verb: Token) -> Who | None:
    """The traveller of a verb: its object for verbs of sending, else the subject of the verb or of a clause above it."""
    if verb.lemma_ in LX.send_verbs:
        for child in verb.children:
            if child.dep_ == "dobj" and child.lemma_.lower() not in LX.vehicles:  # "took the train" is how, not who
                who = refs.traveller_of_token(child)
                if who:
                    return who
    if verb.dep_ == "acl" and verb.tag_ in ("VBD", "VBN"):
        # "the delegation left X and reached Y" parsed as a reduced relative; "evacuees flown from X" is one
        who = refs.traveller_of_token(verb.head)
        if who:
            return who
    chain = clause_chain(verb)
    if chain[-1].dep_ == "npadvmod" and chain[-1].head.i != chain[-1].i:
        chain += clause_chain(chain[-1].head)  # "This morning, after leaving X, ...": the time phrase hangs on the clause
    for tok in chain:
        verbless = tok.pos_ not in ("VERB", "AUX") and tok.i != verb.i
        if tok.dep_ == "ROOT" and (verbless or not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in tok.children)):
            # A sentence the parser found no verb or no subject in ("after leaving X, Cardinal Y transferred ...",
            # with Y or "after" as the root, or Y as an apposition of X): the name in the sentence is who acts.
            objects = {c.i for c in verb.children if c.dep_ in ("dobj", "obj")}  # "after meeting X": X is met
            for named in [tok] + [t for t in tok.sent if t.pos_ == "PROPN" and t.i not in objects]:
                who = refs.traveller_of_token(named)
                if who:
                    return who
        if tok.pos_ not in ("VERB", "AUX", "NOUN"):
            continue
        subjects = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass", "poss")]
        for child in subjects:
            if child.lemma_.lower() in LX.presence_nouns and tok.lemma_.lower() in LX.presence_verbs:
                return refs.main_person()  # "a Mass was held at X": by the person the story follows
            for named in [child] + list(child.conjuncts):  # "four X-130s and six charters departed": the charters travel
                who = refs.traveller_of_token(named)
                if who:
                    return who
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in subjects):
            return None  # the clause has its own subject, and it is nobody who travels
    return None


def companions(refs: Referents, verb: Token, subject: Who | None) -> list[Who]:
    """Travellers joined to the subject ("X, Y and Z arrived", "X and his wife flew"): each gets the same events."""
    if not subject:
        return []
    out: list[Who] = []
    for tok in clause_chain(verb)[:3]:
        for child in tok.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                out.extend(who for who in refs.party(child) if who != subject and who not in out)
                for conj in child.conjuncts:
                    who = refs.traveller_of_token(conj)
                    if who and who != subject and who not in out:
                        out.append(who)
                return out
    return out


def hosted(refs: Referents, tok: Token) -> list[Who]:
    """Travellers received by a host verb's subject ("the governor received the guests at X")."""
    if tok.lemma_.lower() not in LX.host_verbs:
        return []
    return [who for c in tok.children if c.dep_ in ("dobj", "obj") for who in [refs.traveller_of_token(c)] if who]


def traveller_of_word(refs: Referents, tok: Token, is_noun: bool, mover: Who | None = None) -> tuple[Who | None, Token]:
    """(traveller, token whose clause gives status and date) of a movement word; `mover` is who moved just before, for
    "the trip" said of no one."""
    if not is_noun:
        return subject_of(refs, tok), tok
    subject: Who | None = None
    for child in tok.children:
        if child.dep_ == "poss":
            subject = refs.traveller_of_token(child)
    if subject is None and tok.head.lemma_ in LX.light_verbs | LX.presence_verbs:
        subject = subject_of(refs, tok.head)
    if subject is None:
        for anc in tok.ancestors:
            for child in anc.children:
                if child.dep_ in ("nsubj", "nsubjpass") and child.i != tok.i:
                    subject = refs.traveller_of_token(child)
                    break
            if subject:
                break
    if subject is None and any(c.lower_ == "the" for c in tok.children):
        subject = mover or refs.main_person()  # "the trip to X": of who just moved, else of the story's one traveller
    return subject, (tok.head if tok.head.pos_ in ("VERB", "AUX") else tok)
