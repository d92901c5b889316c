"""Where a movement word puts its traveller: the (role, place) arguments of a verb or noun in the parse."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .gazetteer import Candidate
from .lexicon import LEXICON as LX
from .lexicon import words
from .referents import Referents, is_actor

if TYPE_CHECKING:
    from spacy.tokens import Token

# Roles a particle can override: a plain "at"/"in" place after "touched down" is where it landed.
OVERRIDABLE_ROLES = {"stop"}
NOUN_STOP_PREPS = ("in", "at")
VEHICLE_PREPS = ("on", "by", "aboard", "in", "via")
NESTING_PREPS = ("in", "at", "of", "near", "outside")
PAIR_FEATURES = {"city", "town", "village"}  # an apposition that is an acronym ("the X Region (XR)") or a region is no next stop
BEGIN_VERBS = {"begin", "start"}  # "the journey began at X": X is where it started
OBJECT_DEPS = ("dobj", "obj", "oprd")  # the small model sometimes labels "left X" as an object predicate


def place_of(refs: Referents, token: Token) -> Candidate | None:
    """The resolved place a token names, unless the place acts in its clause ("Ottawa said")."""
    if is_actor(token):
        return None
    return refs.place(token) or refs.facility_in_dateline_city(token)


def place_arguments(refs: Referents, tok: Token, lemma: str, is_verb: bool, is_noun: bool, particle: str | None) -> list[tuple[str, Candidate]]:
    """(role, place) pairs of a movement word: its prepositional objects and, for some verbs, its direct object."""
    args: list[tuple[str, Candidate]] = []
    presence = lemma in LX.presence_verbs
    children = list(tok.children)
    if is_noun and tok.head.pos_ == "VERB" and tok.head.lemma_ in LX.light_verbs:
        # "given a send-off ... at X station": the place may hang off the light verb or a modifier of it.
        children += [c for c in tok.head.children if c.dep_ == "prep"]
        children += [g for c in tok.head.children if c.dep_ in ("advcl", "acomp") for g in c.children if g.dep_ == "prep"]
    if particle:
        children += [g for c in tok.children if c.dep_ in ("prt", "advmod") for g in c.children if g.dep_ == "prep"]
    if is_verb and lemma in LX.host_verbs and tok.dep_ in ("advcl", "xcomp") and any(c.lower_ == "to" for c in tok.children):
        # "crowds gathered at X to greet the visitor": the guest is received where the hosts wait
        children += [c for c in tok.head.children if c.dep_ == "prep" and LX.role_by_prep.get(c.lower_) == "stop"]
    # "travelled on a train from X to Y": the route hangs off the vehicle.
    children += [g for c in tok.children if c.dep_ == "prep" and c.lower_ in VEHICLE_PREPS for v in c.children
                 if v.dep_ == "pobj" and v.lemma_.lower() in LX.vehicles for g in v.children if g.dep_ == "prep"]
    for child in children:
        if child.dep_ == "prep" and (child.lower_ in LX.role_by_prep or (child.lower_ == "of" and particle and particle.endswith("out"))):
            role = LX.role_by_prep.get(child.lower_, "origin")
            if child.lower_ == "for" and lemma not in LX.for_verbs and not is_noun:
                continue
            if presence and role != "stop":
                continue
            begins = is_noun and tok.head.lemma_ in BEGIN_VERBS and child.head.i == tok.head.i and child.lower_ in ("at", "in", "from")
            if begins:
                role = "origin"
            elif is_noun and child.lower_ in NOUN_STOP_PREPS and lemma not in LX.stop_nouns:
                continue
            if particle and role in OVERRIDABLE_ROLES:
                role = LX.particles[particle]
            elif is_verb and role == "stop" and LX.role_by_object.get(lemma) == "origin":
                role = "origin"  # "after leaving the residence in X": where one leaves from
            if child.lower_ == "out":
                child = next((c for c in child.children if c.lower_ == "of"), child)
            for pobj in [c for c in child.children if c.dep_ == "pobj"]:
                for target in [pobj] + list(pobj.conjuncts):
                    place = place_of(refs, target) or _nested_place(refs, target)
                    if place is not None:
                        args.append((role, place))
                    # "from X to Y, Z to W": the parser hangs the next pair's town on Y as an apposition
                    for a in (c for c in target.children if c.dep_ == "appos"):
                        args.extend((r, p) for r, p in [(role, place_of(refs, a))] + _pair_tail(refs, a)
                                    if p is not None and p.feature in PAIR_FEATURES)
        elif child.dep_ in OBJECT_DEPS and is_verb:
            if lemma in LX.role_by_object:
                for target in [child] + list(child.conjuncts):  # "crossed the X Strait and the Y"
                    place = place_of(refs, target) or _nested_place(refs, target)  # "boarded a ship in X"
                    if place is not None:
                        args.append((LX.role_by_object[lemma], place))
            if presence:
                args.extend(("stop", place) for place in _places_around(refs, child))
        elif child.dep_ == "prep" and child.lower_ == "with" and presence and is_verb:
            # "interacting with locals in the capital of X": the people met are where the traveller is
            args.extend(("stop", place) for pobj in child.children if pobj.dep_ == "pobj" for place in _places_around(refs, pobj))
    if is_verb:
        args.extend(("stop", place) for place in _listed_stops(refs, tok))
    if tok.dep_ == "relcl" and any(c.dep_ == "advmod" and c.lower_ == "where" for c in tok.children):
        place = _where_place(refs, tok.head)  # "X, where he was received by ..."
        if place is not None:
            args.append(("stop", place))
    out: list[tuple[str, Candidate]] = []
    for role, place in dict.fromkeys((r, p) for r, p in args if p is not None):
        if lemma in LX.origin_nouns:
            role = "origin"
        if lemma == "arrival" and role == "stop":
            role = "destination"
        if lemma in LX.via_nouns and role == "stop":
            role = "via"
        if (role, place) not in out:
            out.append((role, place))
    return out


def _pair_tail(refs: Referents, town: Token) -> list[tuple[str, Candidate | None]]:
    """The second town of a pair the parser hung on an apposition ("..., Z to W": W)."""
    return [(LX.role_by_prep[prep.lower_], place_of(refs, pobj)) for prep in town.children
            if prep.dep_ == "prep" and prep.lower_ in ("to", "from") for pobj in prep.children if pobj.dep_ == "pobj"]


def itinerary_places(refs: Referents, noun: Token) -> list[tuple[Token, Candidate]]:
    """(verb, place) pairs a verb of itinerary lists for a movement noun: "a visit that spans X and Y", "the tour includes X"."""
    verbs = [c for c in noun.children if c.dep_ == "relcl"]
    if noun.dep_ in ("nsubj", "nsubjpass"):
        verbs.append(noun.head)
    places: list[tuple[Token, Candidate]] = []
    for verb in verbs:
        if verb.lemma_.lower() not in LX.itinerary_verbs:
            continue
        for obj in (c for c in verb.children if c.dep_ in OBJECT_DEPS):
            for target in [obj] + list(obj.conjuncts):
                place = place_of(refs, target) or _nested_place(refs, target)
                if place is not None:
                    places.append((verb, place))
    return places


def _where_place(refs: Referents, head: Token) -> Candidate | None:
    """The place a "where" clause is about: its head, or the place before a bearing that the parser took for the
    head ("X, 70 km south of Y, where ...": X)."""
    bearing = head.head.head if head.dep_ == "pobj" and head.head.lower_ in ("of", "from") else None
    if bearing is None or bearing.lower_ not in words("directions"):
        return place_of(refs, head) or _nested_place(refs, head)
    first = min(t.i for t in bearing.subtree)
    for earlier in reversed(head.doc[head.sent.start:first]):
        if earlier.pos_ in ("NOUN", "PROPN") and earlier.dep_ in ("pobj", "dobj", "appos"):
            return place_of(refs, earlier) or _nested_place(refs, earlier)
    return None


def _places_around(refs: Referents, noun: Token) -> list[Candidate]:
    """Places in the "in/at" phrases of a presence verb's object ("met students at X", "greeted crowds in Y")."""
    out = []
    holders = [noun] + [c for c in noun.children if c.dep_ == "relcl"]  # "the campus that X has in Y"
    for prep in (p for h in holders for p in h.children):
        if prep.dep_ == "prep" and prep.lower_ in NOUN_STOP_PREPS:
            for pobj in prep.children:
                for target in [pobj] + list(pobj.conjuncts):
                    place = place_of(refs, target) or _nested_place(refs, target)  # "a crowd at a stadium in X"
                    if place is not None:
                        out.append(place)
    return out


def _nested_place(refs: Referents, noun: Token, depth: int = 0) -> Candidate | None:
    """The place in an "in/at/of" phrase of a non-place object ("arrived at the airport in X", "the terminal of the
    airport in Y"), two phrases deep at most."""
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in NESTING_PREPS:
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    place = place_of(refs, pobj) or (_nested_place(refs, pobj, depth + 1) if depth < 1 else None)
                    if place is not None:
                        return place
    return None


def _listed_stops(refs: Referents, tok: Token) -> list[Candidate]:
    """The stops of a tour listed in a "starting with X, then Y" clause of its verb, in the text's order."""
    out: list[Candidate] = []
    for clause in (c for c in tok.children if c.dep_ == "advcl" and c.lemma_.lower() in BEGIN_VERBS):
        for pobj in (g for c in clause.children if c.dep_ == "prep" and c.lower_ == "with" for g in c.children if g.dep_ == "pobj"):
            listed = [pobj] + list(pobj.conjuncts) + [a for a in pobj.children if a.dep_ in ("appos", "conj")]
            listed += [a for a in clause.children if a.dep_ in ("appos", "npadvmod", "conj") and a.i > pobj.i]  # ", then Y"
            for target in sorted(dict.fromkeys(listed), key=lambda t: t.i):
                place = place_of(refs, target)
                if place is not None and place.feature != "country":
                    out.append(place)
    return out
