"""Which entry a toponym names: scores from priors and the article's own evidence (countries and regions named,
"X, Y" pairs, places near each other, the outlet's home), with every weight named in `Weights`."""
from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from typing import Sequence
from dataclasses import dataclass, field

from .candidates import CONTAINED, IN_REGION_LIST, POINT_FEATURES, REGION_READING, SETTLEMENT_FEATURES, Toponym, kind_words
from .gazetteer import Candidate, Gazetteer, normalize
from .workspace_gazetteer import WORKSPACE_SOURCE


@dataclass(frozen=True)
class Weights:
    """Every weight and threshold of the disambiguation score; a candidate's score is a sum of these terms."""

    country_prior: float = 12.0
    continent_prior: float = 10.0
    custom_prior: float = 14.0
    # A workspace's own row for the name (an analyst's promoted correction): above a country with its article's whole
    # focus bonus, so the analyst's reading wins unless the text says more for another entry than any prior does.
    workspace_prior: float = 20.0
    curated_prior: float = 10.0
    online_prior: float = 9.0
    region_prior: float = 8.5
    district_prior: float = 5.5  # below a town of 5,000: a district is rarely meant by the name of its main town
    settlement_base: float = 2.0  # plus log10(population + 1)
    capital: float = 3.0
    main_name: float = 1.0  # the name is the entry's main name or a curated alias
    alternate_name: float = 5.0  # penalty: another populated place has the name as its main name ("Salisbury")
    alternate_name_population: int = 10_000
    alternate_name_outweighs: float = 5.0  # ... unless the entry is this many times as populous as every such place (a city better known by another spelling)
    same_entry: float = 6.0  # the entry another name of the article resolved to ("X" beside "X City")
    facility_town_countries: int = 1  # a town inside a facility's name counts only in this many of the article's top countries
    destination_city: float = 6.0  # penalty: after "flew to", "arrived in", a region holding a city of its name (`named_region_rival`)
    # the entry's country is named in the mention's sentence ("the Maltese port of X"); off by default: at 2.5 it cost
    # GeoWebNews 0.007 of Acc@161 (raw and by outline) while gaining journeys places
    country_named_sentence: float = 0.0
    city_state: float = 6.0  # a capital that carries its country's name outranks the country ("Monaco", "Luxembourg")
    country_name: float = 6.0  # penalty: a town carrying a country's own name ("Mexico" is not Mexico City)
    kind_word: float = 6.0  # "X station", "the city of X", "X Oblast" favour entries of that kind
    container_country: float = 6.0  # "X, Y" with Y a country or region: entries in Y's country
    container_other_country: float = 3.0  # penalty for entries elsewhere
    container_region: float = 4.0  # entries near region Y, less one point per `container_region_km`
    container_region_km: float = 150.0
    focus_share: float = 4.0  # times the article's share of evidence for the entry's country
    focus_present: float = 1.0  # the entry's country has any evidence at all
    anchor_near: float = 3.0  # an unambiguous place of the article lies within `anchor_near_km`
    anchor_near_km: float = 300.0
    anchor_far: float = 1.5
    anchor_far_km: float = 1500.0
    region_named: float = 4.0  # the entry lies in a first-level region the article names
    region_named_sentence: float = 2.0  # ... in the same sentence
    region_radius_km: float = 250.0  # "lies in a region" when no admin code says
    district_radius_km: float = 60.0  # "lies in a county or district"
    coherence: float = 5.0  # times the share of the article's other chosen places within `coherence_km`
    coherence_km: float = 250.0
    coherence_rounds: int = 2  # the second round reads the first round's choices of the article's other names
    same_admin1: float = 3.0
    in_county: float = 3.0  # a town inside a county another name of the article may be ...
    county_margin: float = 1.0  # ... a reading of that name scored within this of its best  # times the share of the article's other chosen towns and counties in the entry's state
    holds: float = 4.0  # a country or region entry holding the article's other chosen places, times their share
    named_region_rival: int = 500_000  # a region's name that a city this large also has is no evidence of the region
    # A first-level region sharing its name with a city this large inside it ("X" state and "X" city): the city is the
    # bare name's default reading, the region only with a word that says so ("X state", "upstate X", "Y, X")
    namesake_city_population: int = 1_000_000
    namesake_region: float = 4.0  # penalty: such a region read from the bare name
    # A small town that shares its name with a first-level region ("X" village beside "X" state): the bare name is the
    # region, unless a word beside it or an "X, Y" container says town
    small_namesake: float = 4.0
    # A country's name that is also a town's or region's in the country the article is local to (places named there
    # that no other country has): the town, unless the article says something else of the country itself
    local_country_name: float = 6.0
    local_places: int = 2  # this many such places make the article local to their country
    outlet_home: float = 3.0  # the entry lies near a place named in the outlet's name
    outlet_support_km: float = 100.0  # the outlet's home among namesakes: the one the article's places lie this near
    outlet_own: float = 6.0  # ... or is that place: a local paper's own town ("The Lebanon Courier" on "Lebanon")
    small_place: int = 20_000  # below this, a lone town far from the article's countries is left unresolved ...
    unique_town_mentions: int = 2  # ... unless it is the only place of that name and the article names it this often
    facility_confidence: float = 0.6  # a facility placed at its town is less certain than the town itself
    approximate_confidence: float = 0.3  # a named place the gazetteer lacks, placed at the town the text anchors it to
    focus_town_mentions: int = 2  # the article's clear local town is named at least this often ...
    focus_town_share: float = 1.0  # ... and more often than this many times all its other towns together
    variant: float = 1.5  # penalty: the entry carries a spelling variant of the name, not the name itself
    variant_countries: int = 3  # variants and fuzzy matches are looked up in this many of the article's top countries
    fuzzy_countries: int = 1  # fuzzy matches only in the article's top countries (one name list per country)
    variant_confidence: float = 0.7  # a spelling variant or fuzzy match is less certain than the exact name
    coherence_candidates: int = 25  # only the best-scored candidates of a name take part in the coherence pass


WEIGHTS = Weights()
TOWN_LEVEL_REGIONS = {"municipality", "city", "town"}  # subdivisions that are a town's own area: its name is the town's
MOVED = "after a movement verb"  # a toponym hint: "flew to X", "arrived in X"
AREA_FEATURES = {"country", "continent"}


def km(a: Candidate, b: Candidate) -> float:
    """Great-circle distance (haversine): close enough to rank candidates, far cheaper than geodesic."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def prior(c: Candidate, w: Weights = WEIGHTS) -> float:
    """How likely an entry is before the article is read: kind, curation, population, capital."""
    if c.source == WORKSPACE_SOURCE:
        return w.workspace_prior
    if c.feature == "country":
        return w.country_prior
    if c.feature == "continent":
        return w.continent_prior
    if c.id.startswith("custom:"):
        return w.custom_prior
    if c.id.startswith("curated:"):
        return w.curated_prior
    if c.category == "online":
        return w.online_prior + min(c.population / 1e7, 1.0)
    if c.feature == "region":
        return w.region_prior
    if c.feature == "district":
        return w.district_prior
    return w.settlement_base + math.log10(c.population + 1) + (w.capital if c.capital else 0.0)


def kind_bonus(c: Candidate, hints: set[str], w: Weights = WEIGHTS) -> float:
    for h in hints:
        features, categories = kind_words().get(h, (frozenset(), frozenset()))
        if c.feature in features or c.category in categories:
            return w.kind_word
    return 0.0


def within(c: Candidate, region: Candidate, w: Weights = WEIGHTS, admin1: dict[str, str] | None = None) -> bool:
    """Whether entry `c` lies in region `region`: same admin code (the region's own, or the GeoNames code its towns
    carry, from `admin1`), else, when no code says, within the region's radius."""
    if c.country != region.country or c.id == region.id:
        return False
    if region.feature == "district":  # a county: its admin code is its state's
        return km(c, region) < w.district_radius_km
    code = (admin1 or {}).get(region.id, "")
    if c.admin1 and c.admin1 in (region.admin1, code):
        return True
    if c.admin1 and code:
        return False
    return km(c, region) < w.region_radius_km


@lru_cache(maxsize=512)
def _admin1_codes(gazetteer: Gazetteer, iso2: str) -> dict[str, str]:
    return gazetteer.admin1_codes_in(iso2)


def _geonames_admin1(gazetteer: Gazetteer, region: Candidate) -> str:
    """The GeoNames admin1 code of a region (the code its towns carry), or ""."""
    return _admin1_codes(gazetteer, region.country).get(region.id, "")


def holds(area: Candidate, c: Candidate, w: Weights = WEIGHTS, admin1: dict[str, str] | None = None) -> bool:
    """Whether country or region `area` contains entry `c`."""
    if area.feature == "country":
        return bool(area.country) and c.country == area.country and c.id != area.id
    return area.feature in ("region", "district") and within(c, area, w, admin1)


@dataclass
class Evidence:
    """What the article itself says about where it is: countries, named regions, unambiguous places, outlet home."""

    # Country -> weight of the evidence for it. Weights are halves as well as whole counts: typeshed types a Counter's
    # counts as int, hence the `type: ignore[assignment]` where half a count is added.
    focus: Counter[str] = field(default_factory=Counter)
    by_name: dict[str, Counter[str]] = field(default_factory=dict)  # each name's share of the focus
    regions: list[tuple[Candidate, int]] = field(default_factory=list)  # (region, sentence start of its mention)
    anchors: list[Candidate] = field(default_factory=list)
    home: list[Candidate] = field(default_factory=list)
    admin1: dict[str, str] = field(default_factory=dict)  # region id -> the GeoNames admin1 code its towns carry
    sentence_countries: dict[int, set[tuple[str, str]]] = field(default_factory=dict)  # sentence start -> (name, country) named in it
    local: Counter[str] = field(default_factory=Counter)  # country -> names of towns and counties of the article only it has
    local_places: list[Candidate] = field(default_factory=list)  # the entries of those names

    def focus_without(self, name: str) -> Counter[str]:
        """The focus from every name but `name`: a name is no evidence for its own reading."""
        own = self.by_name.get(name)
        return self.focus - own if own else self.focus


def gather_evidence(tops: list[Toponym], outlet_places: list[Candidate], gazetteer: Gazetteer, w: Weights = WEIGHTS) -> Evidence:
    """The article's evidence from toponyms whose reading is (nearly) certain."""
    ev = Evidence(home=outlet_places)
    for c in [c for t in tops for c in t.candidates] + outlet_places:
        if c.feature == "region" and c.id not in ev.admin1:
            ev.admin1[c.id] = _geonames_admin1(gazetteer, c)
    pending: list[tuple[list[Candidate], int]] = []  # regions of names that several countries have
    for t in tops:
        if t.how in ("facility name", "landmark part"):
            continue  # "the Ana Ruiz International Airport": a town inside a facility's name is no evidence of the article's country
        cands = t.candidates
        focus = ev.by_name.setdefault(normalize(t.query), Counter[str]())
        # Towns and counties only one country has make a story local to it; a county inside an organisation's name
        # ("X County Sheriff's Office") says as much as a bare one.
        if cands and not t.demonym and t.how == "name" and len({c.country for c in cands}) == 1 and all(
                c.feature == "district" or c.feature in SETTLEMENT_FEATURES and not t.embedded for c in cands):
            ev.local[cands[0].country] += 1
            ev.local_places.extend(cands)
        regions = [c for c in cands if c.feature == "region" and c.primary]
        if not regions and not any(c.feature in SETTLEMENT_FEATURES and c.primary for c in cands):
            regions = [c for c in cands if c.feature == "district" and c.primary]  # "Edgar County", not "Dubbo"
        if any(c.primary and c.feature in SETTLEMENT_FEATURES and (c.capital or c.population >= w.named_region_rival)
               for c in cands):
            regions = []  # a region named like its capital or a large city inside it: the city is as likely as the region
        if t.embedded and not t.demonym:
            # A region inside an organisation's name ("the X Arts Council") still says where a local story is.
            cands = [c for c in cands if c.feature in ("country", "region", "district")]
        countries = {c.country for c in cands if c.feature == "country"}
        if countries and not regions:
            focus.update(countries)
            if len(countries) == 1 and not t.embedded:
                ev.sentence_countries.setdefault(t.entity.clean_sent_start, set()).add((normalize(t.query), next(iter(countries))))
        elif len(regions) == 1 and not countries:
            r = regions[0]
            focus[r.country] += 0.5  # type: ignore[assignment]
            if not t.embedded:
                ev.sentence_countries.setdefault(t.entity.clean_sent_start, set()).add((normalize(t.query), r.country))
            ev.regions.append((r, t.entity.clean_sent_start))
        elif len(regions) > 1 and not countries:
            pending.append((regions, t.entity.clean_sent_start))
        elif len(cands) == 1 and (cands[0].population >= w.small_place or cands[0].id.startswith(("curated:", "custom:"))):
            focus[cands[0].country] += 0.5  # type: ignore[assignment]
            if cands[0].feature in POINT_FEATURES:
                ev.anchors.append(cands[0])
    for name_focus in ev.by_name.values():
        ev.focus.update(name_focus)
    for regions, sentence in pending:  # "Florida" in Puerto Rico, Uruguay or the US: the one in the article's country
        best = max(ev.focus.get(r.country, 0) for r in regions)
        top = [r for r in regions if best and ev.focus.get(r.country, 0) == best]
        if len(top) == 1:
            ev.regions.append((top[0], sentence))
    for c in outlet_places:
        ev.focus[c.country] += 0.5  # type: ignore[assignment]
    return ev


def base_scores(t: Toponym, ev: Evidence, gazetteer: Gazetteer, w: Weights = WEIGHTS) -> dict[str, float]:
    """Each candidate's score from priors, kind words, its "X, Y" container and the article's evidence."""
    container_country, container_region = None, None
    if t.container:
        for c in sorted(gazetteer.candidates(t.container), key=lambda c: c.feature != "country"):
            if c.feature in ("country", "region"):
                container_country = c.country
                container_region = c if c.feature == "region" else None
                break
    # A country's own name means the country, not a city that also carries it ("Mexico", not Mexico City).
    country_named = any(c.feature == "country" and (c.primary or c.id.startswith(("curated:", "custom:"))) for c in t.candidates)
    main_named = any(c.primary and c.is_admin for c in t.candidates)
    main_population = max((c.population for c in t.candidates if c.primary and c.feature in SETTLEMENT_FEATURES
                           and c.population >= w.alternate_name_population), default=0)
    sentence_countries = {iso for name, iso in ev.sentence_countries.get(t.entity.clean_sent_start, set()) if name != normalize(t.query)}
    namesakes = _namesake_regions(t, ev, w)
    small_namesakes = _small_namesakes(t, w)
    local_rivals = {c.country for c in t.candidates if c.primary and (c.feature in SETTLEMENT_FEATURES or c.feature == "region")
                    and ev.local.get(c.country, 0) >= w.local_places
                    and any(p.country == c.country and p.admin1 == c.admin1 and km(c, p) < w.coherence_km for p in ev.local_places)}
    own = {c.id for c in t.candidates}
    countries_named = {c.country for c in t.candidates if c.feature == "country"}
    focus = ev.focus_without(normalize(t.query))
    # A country's name read as a town of the country the story is local to, when nothing else speaks of the country.
    local_reading = bool(local_rivals - countries_named) and not any(focus.get(iso) for iso in countries_named)
    total = sum(focus.values()) or 1.0
    anchors = ev.anchors[:20]
    scores = {}
    for c in t.candidates:
        score = prior(c, w) + kind_bonus(c, t.hints, w)
        if c.id in t.variants:
            score -= w.variant
        elif c.primary or c.id.startswith(("curated:", "custom:")):
            score += w.main_name
        elif c.feature in SETTLEMENT_FEATURES and (not country_named or local_reading) and c.id not in namesakes.values() and (
                main_named or main_population and c.population < w.alternate_name_outweighs * main_population):
            score -= w.alternate_name
        elif c.feature in ("region", "district") and any(o.primary and o.feature in ("region", "district") for o in t.candidates):
            score -= w.alternate_name  # "X County" is the counties of that name before a region also called so
        if c.id in namesakes:
            score -= w.namesake_region
        if c.id in small_namesakes:
            score -= w.small_namesake
        if c.feature == "country" and local_reading:
            score -= w.local_country_name
        if country_named and c.feature in POINT_FEATURES and not (c.capital and c.primary and c.country in countries_named) \
                and not (local_reading and c.country in local_rivals):
            score -= w.country_name  # "China" is the country, not a village of that name (a city-state's capital is)
        if MOVED in t.hints and c.feature in ("region", "district") and any(
                b.feature in SETTLEMENT_FEATURES and b.population >= w.named_region_rival and within(b, c, w, ev.admin1) for b in t.candidates):
            score -= w.destination_city  # one arrives in the city, not in the region that holds it and has its name
        if c.feature not in AREA_FEATURES and c.country in sentence_countries:
            score += w.country_named_sentence
        if c.capital and c.primary and c.country in countries_named:
            score += w.city_state  # "Monaco", "Luxembourg": the capital of the country's own name is where one arrives
        if container_country:
            score += w.container_country if c.country == container_country else -w.container_other_country
            if container_region is not None and c.country == container_country:
                # "X, Y": the entries inside region Y, else the nearest (a town on Y's border)
                score += w.container_region if within(c, container_region, w, ev.admin1) else max(
                    0.0, w.container_region - km(c, container_region) / w.container_region_km) / 2
        if c.country:
            weight = 1.0 if c.feature not in SETTLEMENT_FEATURES else min(1.0, math.log10(c.population + 1) / 6)
            share = focus.get(c.country, 0) / total
            score += weight * (w.focus_share * share + (w.focus_present if focus.get(c.country) else 0.0))
        if c.feature not in AREA_FEATURES and c.feature != "region":
            named = [(r, s) for r, s in ev.regions if r.id not in own and within(c, r, w, ev.admin1)]
            if named:
                score += w.region_named + (w.region_named_sentence if any(s == t.entity.clean_sent_start for _, s in named) else 0.0)
        if c.feature in POINT_FEATURES and len(t.candidates) > 1:
            others = [a for a in anchors if a.id != c.id]
            if others:
                nearest = min(km(c, a) for a in others)
                score += w.anchor_near if nearest < w.anchor_near_km else w.anchor_far if nearest < w.anchor_far_km else 0.0
            if any(within(c, h, w, ev.admin1) if h.feature == "region" else km(c, h) < w.anchor_near_km for h in ev.home):
                score += w.outlet_home
            if any(c.id == h.id for h in ev.home):
                score += w.outlet_own
        scores[c.id] = score
    return scores


def _namesake_regions(t: Toponym, ev: Evidence, w: Weights) -> dict[str, str]:
    """Region id -> id of the large city inside it that has the region's name, when the mention reads as the city: the
    bare name, with no word beside it that names the region ("X state", "upstate X", "Y, X")."""
    if t.hints & {"state", "province", "region", CONTAINED, IN_REGION_LIST, REGION_READING}:
        return {}
    cities = [c for c in t.candidates if c.feature in SETTLEMENT_FEATURES and c.population >= w.namesake_city_population]
    out = {}
    for r in t.candidates:
        if r.feature == "region" and r.primary:
            inside = [c for c in cities if within(c, r, w, ev.admin1)]
            if inside:
                out[r.id] = max(inside, key=lambda c: c.population).id
    return out


def _small_namesakes(t: Toponym, w: Weights) -> set[str]:
    """Ids of towns below `small_place` that carry, as their main name, the main name of a first-level region of their
    own country among the candidates, when the mention is bare: no "X, Y" container and no word beside it that names a
    town. A region abroad is no rival: a small town of the article's country keeps a foreign region's name."""
    if t.container or t.hints & {"city", "town", "village", CONTAINED}:
        return set()
    regions = {c.country for c in t.candidates if c.primary and c.feature == "region" and c.category not in TOWN_LEVEL_REGIONS}
    return {c.id for c in t.candidates if c.primary and c.feature in SETTLEMENT_FEATURES and c.population < w.small_place
            and not c.capital and c.country in regions}


def coherence_scores(candidates: list[Candidate], scores: dict[str, float], chosen_elsewhere: list[Candidate],
                     w: Weights = WEIGHTS, admin1: dict[str, str] | None = None,
                     counties: Sequence[Candidate] = ()) -> dict[str, float]:
    """Scores after a second look: entries near the article's other chosen places, areas that hold them, towns inside
    a county that another name of the article may be (`counties`: every reading of those names that is about as good as
    their best, since "X County" has namesakes in many states)."""
    own = {c.id for c in candidates}  # a name is never evidence for its own reading ("Wales" the town beside Wales)
    points = [c for c in chosen_elsewhere if (c.feature in POINT_FEATURES or c.feature in ("region", "district")) and c.id not in own]
    if not points or len(candidates) < 2:
        return scores
    out = dict(scores)
    best = sorted(candidates, key=lambda c: -scores[c.id])[:w.coherence_candidates]
    local = [p for p in points if p.admin1 and (p.feature in SETTLEMENT_FEATURES or p.feature == "district")]
    # A name whose best reading so far is a country, a region or a capital keeps that level unless nearness says
    # otherwise; the state and county terms only choose between towns and counties.
    top = max(candidates, key=lambda c: scores[c.id])
    if top.primary and (top.feature in ("country", "region") or top.capital):
        local, counties = [], ()
    for c in best:
        if c.feature in ("country", "region", "district"):
            inside = [p for p in points if holds(c, p, w, admin1)]
            out[c.id] += w.holds * len(inside) / len(points)
        if c.feature in POINT_FEATURES or c.feature == "district":  # a county is placed like a town among the article's places
            near = [p for p in points if p.id != c.id and km(c, p) < w.coherence_km]
            out[c.id] += w.coherence * len(near) / len(points)
            if local and c.admin1:
                out[c.id] += w.same_admin1 * sum(p.country == c.country and p.admin1 == c.admin1 for p in local) / len(local)
            if c.feature in POINT_FEATURES and any(within(c, p, w) for p in counties if p.id not in own):
                out[c.id] += w.in_county
    return out
