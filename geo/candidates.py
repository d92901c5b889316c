"""Toponyms of an article and the gazetteer entries each may name: the name itself, without its designator or compass
word, a place named inside it, and for a facility the gazetteer lacks, the town in its name or the town it is in."""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Sequence

from .articles import Article
from .entities import Entity
from .gazetteer import Candidate, Gazetteer, normalize
from .lexicon import table, words
from .regionforms import AUTONOMOUS, AUTONOMOUS_THEN_NAME, autonomous, country_part, with_leading_article

TOPONYM_LABELS = {"GPE", "LOC", "FAC"}
EMBEDDING_LABELS = {"ORG", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT", "NORP"}
POINT_FEATURES = {"city", "town", "village", "station", "facility", "landmark"}
SETTLEMENT_FEATURES = {"city", "town", "village"}
FACILITY_FEATURES = {"facility", "station", "landmark"}
EMBEDDED_CITY_POPULATION = 500_000
# Facility heads that also name organisations ("Harvard University said"): such an ORG span is a place only after a
# preposition or verb of place ("at the X University", "visited X University").
ORGANISATION_HEADS = {"university", "college", "academy", "school", "institute", "hospital", "medical center",
                      "medical centre", "embassy", "consulate", "plant", "factory", "market", "centre", "center", "hall",
                      "house"}
TOWN_PLACED_HEADS = {"house"}
PLACE_CUE = re.compile(r"(?:\b(?:at|in|inside|outside|near|to|from|into|toward|towards|visited|toured|visiting|touring|"
                       r"reached|left|leaving|arrived at)\s+(?:the\s+)?)$", re.I)
NAME = r"[A-Z][\w'’.-]*(?:[ -](?:de |of |on |upon )?[A-Z][\w'’.-]*){0,3}"
IN_TOWN = re.compile(rf"^,?\s+(?:in|at|near|outside|on the outskirts of)\s+(?:the\s+)?(?:(?:city|town|village|port) of\s+)?({NAME})")
POSSESSOR = re.compile(rf"({NAME})['’]s\s+(?:the\s+)?(?:[a-z][\w-]*\s+){{0,2}}$")  # "X's refurbished Y Stadium"
CONTAINER = re.compile(r",\s*((?:[A-Z][\w.’'-]*\s?){1,4})")
IN_CONTAINER = re.compile(r"\s+in\s+(?:the\s+)?((?:[A-Z][\w.’'-]*\s?){1,3})")  # "Perth in Scotland"
DISTRICT_WORDS = {"county", "parish", "borough", "district"}
AFTER_COMMA = re.compile(r",\s*")
CONTAINED = "after a place and a comma"
LIST_JOIN = re.compile(r"(?:,\s*|\s+)(?:and|or|&)\s+|\s*/\s*")
IN_REGION_LIST = "in a list of regions"
REGION_READING = "beside a word of the region's reading"  # "upstate X", "X lawmakers" (data/lexicons/region_reading_words.txt)
CODE = re.compile(r"[A-Z]{3,4}")  # IATA and ICAO codes
_NAME_WORD = re.compile(r"[^\s\-/–—,;:()\[\]“”\"‘’']+(?:['’]s)?")


@dataclass
class Toponym:
    """One place mention of an article, with what the text says about it and the entries it may refer to."""

    entity: Entity
    query: str
    hints: set[str]
    container: str | None
    demonym: bool
    embedded: bool = False
    facility: str | None = None  # category of the facility the mention names ("hotel"), when it names one
    how: str = "name"  # how the candidates were found: name, direction, part, facility town, variant, fuzzy; compass: none
    candidates: list[Candidate] = field(default_factory=list)
    variants: set[str] = field(default_factory=set)  # ids of candidates found by a spelling variant or fuzzy match
    scores: dict[str, float] = field(default_factory=dict)
    ranking: tuple[tuple[Candidate, float], ...] = ()  # the name's candidates by the final scores it was resolved on, best first


# --------------------------------------------------------------------------- lexicons


@lru_cache(maxsize=1)
def kind_words() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Kind word -> (features, categories) it favours ("station" -> station, rail_border)."""
    return {r["word"]: (frozenset(filter(None, r["features"].split(";"))), frozenset(filter(None, r["categories"].split(";"))))
            for r in table("kind_words")}


@lru_cache(maxsize=1)
def facility_heads() -> tuple[tuple[str, str], ...]:
    """(normalised head noun, category) of facility names, longest first."""
    return tuple(sorted(((normalize(r["word"]), r["category"]) for r in table("facility_words")), key=lambda x: -len(x[0])))


def is_direction(name: str) -> bool:
    """Whether a name is only compass or position words ("north west", "Interior")."""
    key = normalize(name)
    return bool(key) and all(w in words("directions") for w in key.split())


@lru_cache(maxsize=50_000)
def facility_head(name: str) -> tuple[str, str] | None:
    """(head noun, category) when `name` names a facility: "Grand Hotel" -> ("hotel", "hotel"); "University of X" too."""
    key = normalize(name)
    for head, category in facility_heads():
        if key.endswith(" " + head) or key.startswith(head + " of "):
            return head, category
    return None


# --------------------------------------------------------------------------- toponyms of an article


def airport_context(text: str, entity: Entity) -> bool:
    """Whether the entity's sentence speaks of air travel, so a bare name or a code may name an airport."""
    sentence = text[entity.clean_sent_start:entity.clean_sent_end].lower()
    return any(w in words("air_travel") for w in re.findall(r"[a-z]+", sentence))


def _strip_kind_words(text: str) -> tuple[str, set[str]]:
    found = text.split()
    hints = set()
    kinds = kind_words()
    while len(found) > 1 and found[-1].lower() in kinds:
        hints.add(found.pop().lower())
    while len(found) > 1 and found[0].lower() in ("the", "city", "port", "town", "village") and found[1].lower() == "of":
        hints.add(found[0].lower())
        found = found[2:]
    return " ".join(found), hints


def _context_hints(text: str, start: int, end: int) -> set[str]:
    after = re.match(r"(?:\s|['’]s\b)*([A-Za-z]+)", text[end:end + 30])
    before = re.search(r"([A-Za-z]+)\s+(?:of\s+)?$", text[max(0, start - 30):start])
    hints = set()
    if after and after.group(1).lower() in kind_words():
        hints.add(after.group(1).lower())
    if before and before.group(1).lower() in ("city", "town", "village", "province", "region", "state", "port", "capital"):
        hints.add(before.group(1).lower())
    if any(m and m.group(1).lower() in words("region_reading_words") for m in (before, after)):
        hints.add(REGION_READING)
    return hints


def container_after(text: str, end: int) -> str | None:
    """The name after a comma that may say where a place is ("Athens, Georgia" -> "Georgia")."""
    m = CONTAINER.match(text[end:end + 60]) or IN_CONTAINER.match(text[end:end + 60])
    return m.group(1).strip() if m else None


def _event_place(gazetteer: Gazetteer, entity: Entity) -> Entity | None:
    """The town an event is named after, written first ("Lillehammer Winter Games", "the 2019 Davos forum"), whatever
    its size: a settlement the gazetteer has by its main name."""
    m = re.match(r"(?:the\s+)?(?:\d{4}\s+)?([A-Z][\w'’.-]*(?:\s[A-Z][\w'’.-]*)?)\s+\S", entity.text)
    if m is None:
        return None
    for name in dict.fromkeys((m.group(1), m.group(1).split()[0])):
        key = normalize(name)
        if key in words("generic_name_words") or is_direction(name):
            continue
        if any(c.primary and c.feature in SETTLEMENT_FEATURES for c in gazetteer.candidates(name)):
            start = entity.clean_start + entity.text.index(name, m.start(1))
            return replace(entity, label="GPE", text=name, norm=key, clean_start=start, clean_end=start + len(name))
    return None


# Asked for every run of words inside every organisation, person and event name; kept per gazetteer, dropped with it.
_EMBEDDED_KINDS: weakref.WeakKeyDictionary[Gazetteer, dict[str, str | None]] = weakref.WeakKeyDictionary()


def _embedded_kind(gazetteer: Gazetteer, name: str) -> str | None:
    """`_embedded_kind_of`, remembered per gazetteer."""
    known = _EMBEDDED_KINDS.setdefault(gazetteer, {})
    if name not in known:
        if len(known) >= 50_000:
            known.clear()
        known[name] = _embedded_kind_of(gazetteer, name)
    return known[name]


def _embedded_kind_of(gazetteer: Gazetteer, name: str) -> str | None:
    """'place' or 'demonym' when `name` is a country, first-level region, large city or country adjective; else None.

    Only names that are places in almost every use qualify: inside an organisation's name a small town's name is far
    more often a person's or a brand's ("Ford", "Lincoln Center").
    """
    key = normalize(name)
    if is_direction(name) or len(name) < 2 or not name[0].isupper():
        return None
    # Everyday words and short initials ("BA", "SA") name regions somewhere, but inside an organisation's name they
    # are almost never those regions; only countries qualify for them ("US Army", "UAE").
    generic = key in words("generic_name_words") or (name.replace(".", "").isupper() and len(key.replace(" ", "")) <= 4)
    designated = len(key.split()) > 1 and key.split()[-1] in DISTRICT_WORDS  # "Edgar County Community Foundation"
    for c in gazetteer.candidates(name):
        if generic and c.feature != "country" and c.category != "macro_region":
            continue  # a curated macro-region's short name is that region ("EU"), a county's initials are not
        if c.feature in ("country", "continent") or c.category == "macro_region" and c.id.startswith("curated:") or (
                c.primary and (c.is_admin or c.capital or c.population >= EMBEDDED_CITY_POPULATION)):
            return "place"
        if designated and c.feature == "district":
            return "place"
    demonym = gazetteer.demonym(name)
    if demonym is not None and demonym.feature in ("country", "continent"):
        return "demonym"
    return None


def embedded_toponyms(article: Article, entity: Entity, gazetteer: Gazetteer) -> list[tuple[Entity, bool, bool]]:
    """Places named inside a non-place entity: (sub-entity, demonym, embedded) for "Air Zimbabwe", "US Special Forces",
    "Kidney Foundation of Canada", "anti-Russian". An entity that is wholly a country or region name ("DPRK" tagged ORG)
    is the place itself, not embedded."""
    found = [(m.start(), m.end() - (2 if m.group().endswith(("'s", "’s")) else 0)) for m in _NAME_WORD.finditer(entity.text)]
    out, i = [], 0
    while i < len(found):
        for j in range(min(len(found), i + 4), i, -1):
            start, end = found[i][0], found[j - 1][1]
            name = entity.text[start:end]
            kind = _embedded_kind(gazetteer, name)
            if kind is None:
                continue
            whole = start == 0 and end >= len(entity.text.rstrip(".’'"))
            cs, ce = entity.clean_start + start, entity.clean_start + end
            raw_start, raw_end = article.raw_span(cs, ce)
            sub = replace(entity, label="NORP" if kind == "demonym" else "GPE", text=name, norm=normalize(name),
                          clean_start=cs, clean_end=ce, raw_start=raw_start, raw_end=raw_end)
            out.append((sub, kind == "demonym", not whole))
            i = j - 1
            break
        i += 1
    return out


def _placed_head(text: str, entity: Entity) -> tuple[str, str] | None:
    """The facility head of an entity; a head that also names households, shelters and chambers ("X House") counts only
    when the text places the building in a town ("X House in Y")."""
    head = facility_head(entity.text)
    if head is not None and head[0] in TOWN_PLACED_HEADS and not IN_TOWN.match(text[entity.clean_end:entity.clean_end + 80]):
        return None
    return head


def _facility_org(text: str, entity: Entity) -> str | None:
    """The facility category of an ORG span that names a place one can be at ("the Grand Hotel", "at X University")."""
    head = _placed_head(text, entity)
    if head is None:
        return None
    if head[0] in ORGANISATION_HEADS and not PLACE_CUE.search(text[max(0, entity.clean_start - 40):entity.clean_start]):
        return None
    return head[1]


def find_toponyms(article: Article, entities: Sequence[Entity], gazetteer: Gazetteer) -> list[Toponym]:
    """Every place mention of the article: place entities, facilities tagged ORG, airport codes, demonyms, places inside
    other names."""
    text = article.text
    tops: list[Toponym] = []
    for e in entities:
        facility = _facility_org(text, e) if e.label == "ORG" else None
        if e.label == "ORG" and CODE.fullmatch(e.text) and airport_context(text, e) and gazetteer.by_code(e.text):
            facility = "airport"
        if e.label in TOPONYM_LABELS or facility:
            query, hints = _strip_kind_words(e.text)
            hints |= _context_hints(text, e.clean_start, e.clean_end)
            if tops and not tops[-1].demonym and AFTER_COMMA.fullmatch(text[tops[-1].entity.clean_end:e.clean_start]):
                hints.add(CONTAINED)  # "Boise, Idaho": the state, not a namesake town
            head = _placed_head(text, e)
            tops.append(Toponym(e, query, hints, container_after(text, e.clean_end), False, facility=head[1] if head else None))
        elif e.label in ("NORP", "LANGUAGE") and gazetteer.demonym(e.text):
            tops.append(Toponym(e, e.text, set(), None, True))
        elif e.label in EMBEDDING_LABELS:
            found = embedded_toponyms(article, e, gazetteer)
            named_event = e.label == "EVENT" or e.text.split()[-1].lower() in words("event_words")  # "X Winter Olympics" tagged ORG
            event = _event_place(gazetteer, e) if named_event and not found else None
            if event is not None:
                raw_start, raw_end = article.raw_span(event.clean_start, event.clean_end)
                found = [(replace(event, raw_start=raw_start, raw_end=raw_end), False, True)]
            for sub, demonym, embedded in found:
                tops.append(Toponym(sub, sub.text, set(), None if demonym else container_after(text, sub.clean_end), demonym,
                                    embedded=embedded))
    for a, b in zip(tops, tops[1:]):
        if not a.demonym and not b.demonym and LIST_JOIN.fullmatch(text[a.entity.clean_end:b.entity.clean_start]):
            for one, other in ((a, b), (b, a)):
                if _region_first(gazetteer, other.query):
                    one.hints.add(IN_REGION_LIST)  # "Oregon or Nevada": the state, not a namesake town
    return tops


def _region_first(gazetteer: Gazetteer, name: str) -> bool:
    """Whether a name reads first as a first-level region: it has one, and no large city or capital shares it."""
    cands = gazetteer.candidates(name)
    return any(c.feature == "region" and c.primary for c in cands) and not any(
        c.primary and c.feature in SETTLEMENT_FEATURES and (c.capital or c.population >= EMBEDDED_CITY_POPULATION) for c in cands)


# --------------------------------------------------------------------------- candidates of one toponym


def _without_direction(name: str) -> str | None:
    """The name after its leading compass words ("north west London" -> "London"), or None when it has none."""
    parts = name.split()
    i = 0
    while i < len(parts) - 1 and normalize(parts[i]) and all(w in words("directions") for w in normalize(parts[i]).split()):
        i += 1
    return " ".join(parts[i:]) if i else None


def place_inside(gazetteer: Gazetteer, name: str, skip: str = "") -> tuple[str, list[Candidate]] | None:
    """The longest run of words inside `name` that the gazetteer knows as a notable place ("Politics Ukraine" ->
    Ukraine, "Cavan Town Hall" -> Cavan), skipping the facility head and everyday words."""
    tokens = [m.group() for m in _NAME_WORD.finditer(name)]
    tokens = [t[:-2] if t.endswith(("'s", "’s")) else t for t in tokens]
    skip_words = set(normalize(skip).split())
    best = None
    for size in range(min(4, len(tokens) - 1), 0, -1):
        for i in range(len(tokens) - size + 1):
            part = " ".join(tokens[i:i + size])
            key = normalize(part)
            if not key or not part[0].isupper() or key in skip_words or key in words("generic_name_words") or is_direction(part):
                continue
            if set(key.split()) <= skip_words:
                continue
            if gazetteer.is_notable(part):
                return part, list(gazetteer.candidates(part))
            if best is None and size >= 1 and any(c.feature in SETTLEMENT_FEATURES for c in gazetteer.candidates(part)):
                best = (part, list(gazetteer.candidates(part)))
        if best is not None:
            return best
    return best


def lookup(t: Toponym, text: str, gazetteer: Gazetteer) -> None:
    """Fill t.candidates from the gazetteer, trying the forms of the name in turn; t.how says which form matched."""
    if t.demonym:
        place = gazetteer.demonym(t.query)
        t.candidates = [place] if place else []
        return
    name = t.entity.text
    if is_direction(name) and (len(normalize(name).split()) == 1 or not gazetteer.candidates(name)):
        t.candidates, t.how = [], "compass"  # "the north", "North East"; but "North West" the province is a name
        return
    # A sentence about air travel, or a town's possessive ("London's X"), lets a bare name be the town's airport.
    air = airport_context(text, t.entity) or bool(POSSESSOR.search(text[max(0, t.entity.clean_start - 60):t.entity.clean_start]))
    if CODE.fullmatch(name) and air:
        found = [c for c in gazetteer.by_code(name) if c.feature == "facility"]
        if found:
            t.candidates, t.how, t.facility = found, "code", "airport"
            return
    if t.facility:
        found = list(gazetteer.facility_candidates(name))
        if not found:  # "Aviano U.S. Air Base": the operator's country written inside the name
            bare = " ".join(w for w in name.split() if not gazetteer.is_country(w))
            found = list(gazetteer.facility_candidates(bare)) if bare != name else []
        if found:  # a town written like a facility ("College Station") competes with the facilities
            known = {c.id for c in found}
            t.candidates, t.how = found + [c for c in gazetteer.candidates(name) if c.id not in known], "facility"
            return
    found = list(gazetteer.candidates(name))
    saint = gazetteer.saint_variants(name)
    found, t.variants = found + list(saint), t.variants | {c.id for c in saint}
    if air:  # "landed at Heathrow": the airport's bare name competes with towns of that name
        known = {c.id for c in found}
        airports = [c for c in gazetteer.facility_candidates(name) if c.id not in known]
        if airports:
            found += airports
            t.hints.add("airport")
    if found:
        t.query = name  # mentions group by the form that matched: "Mexico City" apart from "Mexico"
    else:
        found = list(gazetteer.candidates(t.query))
        if t.facility and not any(c.feature in FACILITY_FEATURES for c in found):
            found = []  # "Orsha station" is not the town itself: placed at its town below, kept as a facility
    if not found and "," in name:
        head, _, rest = name.partition(",")
        found = list(gazetteer.candidates(head.strip()))
        if found:
            t.query, t.container = head.strip(), t.container or rest.strip() or None
    if not found and re.match(r"(?i)(the )?(republic|kingdom|state|commonwealth|federation|principality) of ", t.query):
        found = list(gazetteer.candidates(re.sub(r"(?i)^(the )?\w+ of ", "", t.query)))  # before "Republic" the designator
    if not found:
        found = list(gazetteer.region_candidates(name))
    if not found:
        found = with_leading_article(gazetteer, name)
    for form in (AUTONOMOUS, AUTONOMOUS_THEN_NAME):
        if not found and form.search(name):
            found = autonomous(gazetteer, form.sub("", name))
    if not found:
        part = country_part(gazetteer, name)
        if part is not None:
            found, t.how = [part], "country part"
    if not found:
        compassless = _without_direction(t.query)
        if compassless and gazetteer.is_notable(compassless):  # "north west London"; "West Wing" is not a village called Wing
            found, t.how = list(gazetteer.candidates(compassless)), "direction"
            t.query = compassless
    demonym = gazetteer.demonym(t.query) if not found else None
    if demonym is not None:
        found, t.demonym = [demonym], True
    if not found and t.facility:
        town, t.how = _facility_town(t, text, gazetteer)
        found = town
    if not found and not t.facility and len(name.split()) > 1 and _without_direction(name) is None:
        inside = place_inside(gazetteer, name)
        if inside:
            found, t.how, t.query = inside[1], "part", inside[0]
            if t.entity.label not in ("GPE", "LOC") and not gazetteer.is_notable(inside[0]):
                t.how = "landmark part"  # a small town inside a landmark's name ("the X Palace"): only in the article's country
    t.candidates = found


def _facility_town(t: Toponym, text: str, gazetteer: Gazetteer) -> tuple[list[Candidate], str]:
    """Candidates for the town of a facility and how they were found: the town the text puts it in ("a palace in X",
    "in X's Y County", "X Hotel, Y") or its possessor ("X's Y Palace"): "facility town"; else a place in its own name
    ("X railway station"): "facility name"."""
    e = t.entity
    for m in (IN_TOWN.match(text[e.clean_end:e.clean_end + 80]), CONTAINER.match(text[e.clean_end:e.clean_end + 60]),
              POSSESSOR.search(text[max(0, e.clean_start - 60):e.clean_start])):
        if m:
            whole = m.group(1).strip()
            parts = re.split(r"['’]s ", whole, maxsplit=1)  # "Oregon's Lane County": the county, then the state
            sentence = re.split(r"\.\s", whole, maxsplit=1)[0]  # "in X. Then Y": the name ends at the full stop
            for name in dict.fromkeys(p.strip() for p in (whole, *reversed(parts), sentence) if p.strip()):
                found = [c for c in gazetteer.candidates(name) if c.feature != "continent"]
                if found:
                    return found, "facility town"
    head = facility_head(e.text)
    inside = place_inside(gazetteer, e.text, skip=head[0] if head else "")
    return (inside[1], "facility name") if inside else ([], t.how)


def facility_at(town: Candidate, t: Toponym) -> Candidate:
    """A facility the gazetteer lacks, placed at the town it is in, under its own name."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(t.entity.text)).strip("-")
    return Candidate(f"{town.id}#{slug}", t.entity.text, "station" if t.facility == "station" else "facility",
                     t.facility or "facility", town.country, town.admin1, town.lat, town.lon, 0, False,
                     f"{town.source} (placed at {town.name})")
