"""Toponyms -> places: candidates from the gazetteer (and optionally a geopy geocoder), disambiguated from context."""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Sequence

from .articles import Article
from .candidates import FACILITY_FEATURES, kind_words, SETTLEMENT_FEATURES, Toponym, facility_at, find_toponyms, lookup
from .placecues import country_before
from .regionforms import compass_part
from .outlets import masthead_of_domain, outlet_places
from .approximate import ANCHOR_FEATURES, Anchors, place_facility, place_unlisted, text_town_instead
from .disambiguate import MOVED, WEIGHTS, Evidence, Weights, base_scores, kind_bonus, coherence_scores, gather_evidence, km
from .entities import Entity, MentionKey, travel_place
from .gazetteer import Candidate, Gazetteer, normalize
from .metonymy import is_metonym
from .workspace_gazetteer import WORKSPACE_SOURCE
from .spelling import FuzzyIndex, variants_in
from .online import GazetteerGeocoder, GeocodeCache, Geocoder, OnlineGeocoder, make_geocoder

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["GazetteerGeocoder", "GeocodeCache", "Geocoder", "OnlineGeocoder", "Place", "PlaceMention", "Unresolved",
           "collect_places", "make_geocoder", "masthead_of_domain", "resolve_article"]

log = logging.getLogger(__name__)
NOT_LISTED = "not in the gazetteer"
FAR_SMALL = "only small places of that name, far from the article's countries"
PLACEABLE_REASONS = (NOT_LISTED, FAR_SMALL)  # unresolved for these reasons, a named place may still have a local anchor
UNLISTED_LABELS = {"GPE", "LOC", "FAC"}  # entity labels whose unlisted names are placed approximately
SERVING_CATEGORIES = {"airport", "station", "air_base"}  # facility categories named after the town they serve


@dataclass(frozen=True)
class PlaceMention:
    """One mention of a place: raw-file offsets (its key with the article id) and offsets in the cleaned text."""

    article: str
    raw_start: int
    raw_end: int
    text: str
    metonym: bool
    demonym: bool
    clean_start: int
    clean_end: int
    sentence: str
    embedded: bool = False  # part of a longer name: "Zimbabwe" in "Air Zimbabwe", "Syrian" in "Syrian Observatory ..."

    @property
    def literal(self) -> bool:
        """The text refers to the place itself, not an actor named after it or an organisation carrying its name."""
        return not (self.metonym or self.embedded)

    @property
    def key(self) -> MentionKey:
        """The key of the entity mention this is: (article id, raw_start, raw_end)."""
        return (self.article, self.raw_start, self.raw_end)


@dataclass(frozen=True)
class Place:
    """A resolved place with every mention that refers to it."""

    id: str
    name: str
    feature: str
    category: str
    country: str
    lat: float
    lon: float
    source: str
    confidence: float
    mentions: tuple[PlaceMention, ...]

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(sorted({m.article for m in self.mentions}))


@dataclass(frozen=True)
class Unresolved:
    """A place name no gazetteer entry was chosen for, at raw-file offsets."""

    article: str
    raw_start: int
    raw_end: int
    text: str
    reason: str


# --------------------------------------------------------------------------- resolution

Resolution = tuple[Toponym, Candidate, float, bool]  # (toponym, chosen entry, confidence, metonym)


@lru_cache(maxsize=4)
def _fuzzy_index(gazetteer: Gazetteer) -> FuzzyIndex:
    return FuzzyIndex(gazetteer)


def _add_spelling_variants(tops: list[Toponym], evidence: Evidence, gazetteer: Gazetteer, w: Weights) -> None:
    """Spelling variants, then close fuzzy matches, inside the article's focus countries, for names with no entry there;
    a variant of a country's name anywhere ("Norwway")."""
    focus = tuple(iso for iso, _ in evidence.focus.most_common(w.variant_countries) if iso)
    for t in tops:
        if t.how in ("part", "landmark part") and focus and not t.demonym and not t.embedded:
            # "Eagle Pas": the whole name misspelt outranks a place found inside it ("Eagle").
            whole = [c for c in variants_in(t.entity.text, focus, gazetteer) if c.feature != "country"] or list(_fuzzy_index(gazetteer).match(t.entity.text, focus[:w.fuzzy_countries]))
            if whole:
                t.candidates, t.how, t.query, t.variants = whole, "variant", t.entity.text, {c.id for c in whole}
            continue
        if t.demonym or t.embedded or t.how != "name":
            continue
        if not focus:
            if not t.candidates:
                t.candidates = [c for c in variants_in(t.query, (), gazetteer) if c.feature == "country"]
                t.variants = {c.id for c in t.candidates}
                t.how = "variant" if t.candidates else t.how
            continue
        if any(c.country in focus for c in t.candidates):
            continue
        extra, how = variants_in(t.query, focus, gazetteer), "variant"
        if not extra and not t.candidates:
            extra, how = list(_fuzzy_index(gazetteer).match(t.query, focus[:w.fuzzy_countries])), "fuzzy"
        known = {c.id for c in t.candidates}
        extra = [c for c in extra if c.id not in known]
        if extra:
            t.how = how if not t.candidates else t.how
            t.variants = {c.id for c in extra}
            t.candidates = t.candidates + extra


def _facility_towns_in_focus(tops: list[Toponym], evidence: Evidence, w: Weights) -> None:
    """A facility placed by a town inside its own name ("St Elmo Hotel" -> St Elmo) keeps only towns in the article's
    top countries: a namesake abroad is dropped and the facility waits for the article's own town; a landmark whose name
    holds a small town's name keeps that town only in the top countries, else it stays unresolved."""
    focus = {iso for iso, n in evidence.focus.most_common(w.facility_town_countries) if iso and n > 0}
    for t in tops:
        if t.how == "facility name" and focus:
            t.candidates = [c for c in t.candidates if c.country in focus]
        if t.how == "landmark part":  # a far namesake of a word in a landmark's name is never the landmark
            t.candidates = [c for c in t.candidates if c.country in focus]


def _confidence(margin: float) -> float:
    return round(1 / (1 + math.exp(-(margin - 1.0))), 3)


def _ranked(group: list[Toponym], scores: dict[int, dict[str, float]]) -> tuple[list[tuple[str, float]], dict[str, Candidate]]:
    totals: dict[str, float] = defaultdict(float)
    pool: dict[str, Candidate] = {}
    for t in group:
        for c in t.candidates:
            totals[c.id] = max(totals.get(c.id, -1e9), scores[id(t)].get(c.id, 0.0))
            pool[c.id] = c
    return sorted(totals.items(), key=lambda kv: -kv[1]), pool


def resolve_article(article: Article, doc: Doc | None, entities: Sequence[Entity], gazetteer: Gazetteer,
                    online: Geocoder | None = None, weights: Weights = WEIGHTS) -> tuple[list[Resolution], list[Unresolved]]:
    """Resolve the toponyms of one article: (toponym, chosen candidate, confidence, metonym) and the unresolved."""
    w = weights
    tops = find_toponyms(article, entities, gazetteer)
    for t in tops:
        if not t.demonym:
            t.container = country_before(article.text, t.entity.clean_start, gazetteer) or t.container
        lookup(t, article.text, gazetteer)
        if online is not None and not t.demonym:
            t.candidates = list(online.candidates(t.query)) + t.candidates
    if doc is not None:
        for t in tops:
            span = doc.char_span(t.entity.clean_start, t.entity.clean_end, alignment_mode="expand")
            if span is not None and not t.embedded and travel_place(doc, span.start):
                t.hints.add(MOVED)
        # One sense per name: "sailed into X" also settles the other mentions of X in the article.
        moved = {normalize(t.query) for t in tops if MOVED in t.hints}
        for t in tops:
            if normalize(t.query) in moved:
                t.hints.add(MOVED)
    evidence = gather_evidence(tops, outlet_places(article, tops, gazetteer, w), gazetteer, w)
    _add_spelling_variants(tops, evidence, gazetteer, w)
    _facility_towns_in_focus(tops, evidence, w)
    for t in tops:
        t.scores = base_scores(t, evidence, gazetteer, w)

    # One sense per article: every mention of a name takes the sense its mentions favour together.
    by_name: dict[str, list[Toponym]] = defaultdict(list)
    for t in tops:
        by_name[normalize(t.query)].append(t)
    scores = {id(t): t.scores for t in tops}
    named = {name for name, group in by_name.items() if all(t.how == "name" and not t.facility for t in group)}
    # Second look: places near the article's other places, regions and countries that hold them; a further round
    # starts from the previous round's choices, so places that only fit together ("X County" and its town) find each other.
    for _ in range(w.coherence_rounds):
        first = {}
        for name, group in by_name.items():
            ranked, pool = _ranked(group, scores)
            if ranked:
                first[name] = pool[ranked[0][0]]
        scores = {id(t): t.scores for t in tops}
        counties = {name: _close_readings(group, w) for name, group in by_name.items()}
        for name, group in by_name.items():
            elsewhere = [c for other, c in first.items() if other != name]
            near_counties = [c for other, found in counties.items() if other != name for c in found]
            # "X" beside "X City": the entry another name of the article was resolved to, when this name
            # also names it (countries excepted: a country's name beside its capital "X City" is still the country).
            taken = {c.id for other, c in first.items() if other != name and other in named}
            for t in group:
                scores[id(t)] = dict(coherence_scores(t.candidates, t.scores, elsewhere, w, evidence.admin1, near_counties))
                if name in named and not any(c.feature == "country" for c in t.candidates):
                    for c in t.candidates:
                        if c.id in taken:
                            scores[id(t)][c.id] += w.same_entry

    resolved: list[Resolution] = []
    unresolved: list[Unresolved] = []
    waiting: list[Toponym] = []  # facilities with no town in sight: placed at the article's main town below
    unlisted: list[tuple[Toponym, str]] = []  # named places the gazetteer lacks: placed approximately below
    for name, group in by_name.items():
        ranked, pool = _ranked(group, scores)
        ranking = tuple((pool[pid], score) for pid, score in ranked)  # shared by the name's mentions
        for t in group:
            t.ranking = ranking
        reason = "a direction, not a specific place" if all(t.how == "compass" for t in group) else NOT_LISTED
        if ranked:
            top = pool[ranked[0][0]]
            # A word beside the name speaks for the entry unless it names another kind ("X River" is no town X).
            hinted = any(t.hints - {MOVED} - _other_kinds(top, t.hints, w) or t.container or t.facility for t in group)
            # A town of its own name, the only place that has it, and named twice: the article is about it.
            unique = (len(pool) == 1 and top.primary and len(group) >= w.unique_town_mentions
                      and not any(_other_kinds(top, t.hints, w) for t in group))
            # ... or one the article's other places surround ("Edmonton, south of Cairns").
            near = any(other != name and c.id != top.id and km(c, top) < w.coherence_km for other, c in first.items())
            if (top.feature in ("town", "village") and top.population < w.small_place and not evidence.focus_without(name).get(top.country)
                    and not hinted and not unique and not near and top.category != "online" and top.source != WORKSPACE_SOURCE):
                pool, reason = {}, f"{FAR_SMALL} (best: {top.name}, {top.country})"
        if not pool:
            for t in group:
                if t.facility:
                    waiting.append(t)
                elif _placeable(t, reason):
                    unlisted.append((t, reason))
                else:
                    unresolved.append(Unresolved(article.id, t.entity.raw_start, t.entity.raw_end, t.entity.text, reason))
            continue
        best_id, best = ranked[0]
        confidence = _confidence(best - ranked[1][1] if len(ranked) > 1 else 6.0)
        chosen = pool[best_id]
        if _named_elsewhere(group, chosen, name, first, w):
            waiting.extend(group)
            continue
        for t in group:
            resolved.append(_resolution(doc, t, chosen, confidence, w))

    settled = [(r[0], r[1]) for r in resolved if r[1].feature in ANCHOR_FEATURES]
    anchors = Anchors.of(settled, {iso for iso, _ in evidence.focus.most_common(w.facility_town_countries)}, w)
    for i, (t, chosen, confidence, metonym) in enumerate(resolved):
        instead = text_town_instead(t, chosen, article.text, anchors, w)
        if instead is not None:
            resolved[i] = (t, instead, min(confidence, w.approximate_confidence), metonym)
    for t in waiting:
        facility = place_facility(t, article.text, anchors)
        if facility is None:
            unresolved.append(Unresolved(article.id, t.entity.raw_start, t.entity.raw_end, t.entity.text,
                                         "a facility not in the gazetteer, in no town the article names"))
        else:
            t.how = "article town"
            resolved.append((t, facility, round(w.facility_confidence * w.facility_confidence, 3), False))
    for t, reason in unlisted:
        placed = place_unlisted(t, article.text, anchors)
        if placed is None:
            unresolved.append(Unresolved(article.id, t.entity.raw_start, t.entity.raw_end, t.entity.text, reason))
        else:
            t.how = "approximate"
            resolved.append((t, placed, w.approximate_confidence, False))
    return resolved, unresolved


def _other_kinds(c: Candidate, hints: set[str], w: Weights) -> set[str]:
    """The kind words among `hints` that name a kind of place entry `c` is not ("river" beside a town)."""
    return {h for h in hints if h in kind_words() and not kind_bonus(c, {h}, w)}


def _placeable(t: Toponym, reason: str) -> bool:
    """Whether an unresolved mention names a place of its own that an anchor town may hold: a place entity's whole
    name the gazetteer lacks, not a direction, a demonym or a name inside an organisation's."""
    return (reason.startswith(PLACEABLE_REASONS) and t.how == "name" and not t.demonym and not t.embedded
            and t.entity.label in UNLISTED_LABELS)


def _close_readings(group: list[Toponym], w: Weights) -> list[Candidate]:
    """The counties a name may be: its district readings scored within `county_margin` of its best reading."""
    ranked, pool = _ranked(group, {id(t): t.scores for t in group})
    if not ranked:
        return []
    best = ranked[0][1]
    return [pool[pid] for pid, score in ranked if score >= best - w.county_margin and pool[pid].feature == "district"]


def _resolution(doc: Doc | None, t: Toponym, chosen: Candidate, confidence: float, w: Weights) -> Resolution:
    if t.facility and chosen.feature not in FACILITY_FEATURES and normalize(chosen.name) != normalize(t.entity.text):
        return t, facility_at(chosen, t), round(confidence * w.facility_confidence, 3), False
    if chosen.id in t.variants:
        confidence = round(confidence * w.variant_confidence, 3)
    if t.how == "direction" and chosen.feature == "region":
        chosen = compass_part(chosen, t.entity.text) or chosen
    metonym = is_metonym(doc, t.entity, chosen) if doc is not None else False
    return t, chosen, confidence, metonym


def _named_elsewhere(group: list[Toponym], town: Candidate, name: str, first: dict[str, Candidate], w: Weights) -> bool:
    """Whether a building is named after a town rather than in it ("Lisbon House", "Bay Marina"): the town found in its
    name lies far from every other settlement the article names, so it waits for the article's own town. A large city
    of the story's own countries names the building it holds ("the X stadium" on a tour of that country); airports
    and stations are named after the town they serve, and keep it."""
    others = [c for other, c in first.items() if other != name and c.feature in SETTLEMENT_FEATURES]
    own_city = town.population >= w.named_region_rival and any(c.country == town.country for c in others)
    return (all(t.how == "facility name" and t.facility not in SERVING_CATEGORIES for t in group) and bool(others) and town.feature in SETTLEMENT_FEATURES
            and not own_city and all(km(c, town) > w.coherence_km for c in others))


def collect_places(resolutions: Iterable[tuple[Article, list[Resolution]]]) -> list[Place]:
    """Group resolved mentions of all articles by place id."""
    groups: dict[str, list[PlaceMention]] = defaultdict(list)
    cands: dict[str, Candidate] = {}
    confs: dict[str, list[float]] = defaultdict(list)
    for article, items in resolutions:
        for t, cand, conf, metonym in items:
            e = t.entity
            sent = article.text[e.clean_sent_start:e.clean_sent_end]
            groups[cand.id].append(PlaceMention(article.id, e.raw_start, e.raw_end, e.text, metonym and not t.embedded, t.demonym,
                                                e.clean_start, e.clean_end, sent, t.embedded))
            cands[cand.id] = cand
            confs[cand.id].append(conf)
    places = []
    for pid, mentions in groups.items():
        c = cands[pid]
        places.append(Place(pid, c.name, c.feature, c.category, c.country, c.lat, c.lon, c.source,
                            round(max(confs[pid]), 3), tuple(sorted(mentions, key=lambda m: (m.article, m.raw_start)))))
    places.sort(key=lambda p: (-len(p.mentions), p.name))
    return places
