"""Toponyms -> places: candidates from the gazetteer (and optionally a geopy geocoder), disambiguated from context."""
from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

from .articles import Article
from .config import Settings
from .entities import Entity
from .errors import ConfigError
from .gazetteer import Candidate, Gazetteer, normalize

log = logging.getLogger(__name__)

TOPONYM_LABELS = {"GPE", "LOC", "FAC"}
# Words next to a name that say what kind of place it is -> (features, categories) they favour.
KIND_WORDS = {
    "station": ({"station"}, {"rail_border"}), "railway": ({"station"}, set()), "terminal": ({"station"}, set()),
    "cosmodrome": ({"facility"}, {"spaceport"}), "spaceport": ({"facility"}, {"spaceport"}),
    "launch": ({"facility"}, {"spaceport"}), "airport": ({"facility"}, set()), "airbase": ({"facility"}, set()),
    "river": ({"water"}, {"river"}), "sea": ({"water"}, {"sea"}), "lake": ({"water"}, set()), "strait": ({"water"}, {"strait"}),
    "province": ({"region"}, set()), "region": ({"region"}, {"macro_region"}), "state": ({"region"}, set()),
    "oblast": ({"region"}, set()), "krai": ({"region"}, set()), "prefecture": ({"region"}, set()), "county": ({"region"}, set()),
    "city": ({"city", "town"}, set()), "town": ({"town", "village", "city"}, set()), "village": ({"village", "town"}, set()),
    "capital": ({"city"}, {"capital"}), "border": ({"station", "landmark"}, {"rail_border", "border_landmark"}),
    "crossing": ({"station", "landmark"}, {"rail_border", "border_landmark"}),
}
POINT_FEATURES = {"city", "town", "village", "station", "facility", "landmark"}
DIRECTION_WORDS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "north east",
                   "north west", "south east", "south west", "centre", "center", "midwest", "interior", "coast", "mainland"}
SMALL_PLACE = 20_000
COUNTRY_NAME_PENALTY = 6.0
# Verbs and nouns that make a capital, a country or a seat of government an actor (metonymy).
ACTOR_VERBS = {"say", "warn", "deny", "urge", "insist", "announce", "claim", "accuse", "reject", "condemn", "demand",
               "threaten", "respond", "cherish", "send", "sign", "support", "back", "seek", "want", "hope", "agree",
               "refuse", "impose", "sanction", "decide", "approve", "welcome", "criticise", "criticize", "call", "tell",
               "believe", "describe", "supply", "sell", "confirm", "dismiss", "expect", "voice", "vow", "pledge",
               "order", "ask", "offer", "plan", "fear", "insist", "argue", "acknowledge", "allege", "blame", "protest",
               "retaliate", "declare", "recognize", "recognise", "veto", "push", "press", "oppose", "praise", "mull",
               "consider", "launch", "attack", "invade", "deploy", "negotiate", "expel", "summon", "suspend", "invite"}
ACTOR_NOUNS = {"assault", "invasion", "war", "ally", "allies", "support", "policy", "decision", "government", "diplomacy",
               "warning", "warnings", "position", "stance", "response", "sanctions", "demand", "demands", "offer",
               "relationship", "relations", "ties", "backing", "aggression", "blackmail", "reward", "capabilities",
               "interests", "officials", "leadership", "plan", "plans", "strategy", "approach", "efforts", "effort"}


@dataclass(frozen=True)
class PlaceMention:
    article: str
    start: int  # raw-file offsets
    end: int
    text: str
    metonym: bool
    demonym: bool
    clean_start: int
    clean_end: int
    sentence: str
    entity: int  # index of the entity in its article
    embedded: bool = False  # part of a longer name: "Zimbabwe" in "Air Zimbabwe", "Syrian" in "Syrian Observatory ..."

    @property
    def literal(self) -> bool:
        """The text refers to the place itself, not an actor named after it or an organisation carrying its name."""
        return not (self.metonym or self.embedded)


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
    article: str
    start: int
    end: int
    text: str
    reason: str


# --------------------------------------------------------------------------- geocoder backends


class Geocoder(Protocol):
    """A source of candidates for a place name."""

    name: str

    def candidates(self, query: str) -> Sequence[Candidate]: ...


class GazetteerGeocoder:
    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    def candidates(self, query: str) -> Sequence[Candidate]:
        return self.gazetteer.candidates(query)


class GeocodeCache:
    """A SQLite cache of online geocoder answers (WAL mode, one transaction per write); failures are never stored."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = self._open()
        except sqlite3.DatabaseError as exc:
            log.warning("geocoder cache %s is damaged (%s); starting a new one", path, exc)
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            self._con = self._open()

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS answers (backend TEXT, query TEXT, answer TEXT, created REAL, PRIMARY KEY (backend, query))")
        con.execute("SELECT count(*) FROM answers").fetchone()
        con.commit()
        return con

    def get(self, backend: str, query: str) -> list[dict] | None:
        with self._lock:
            row = self._con.execute("SELECT answer FROM answers WHERE backend=? AND query=?", (backend, query)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, backend: str, query: str, answer: list[dict]) -> None:
        with self._lock, self._con:
            self._con.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?)", (backend, query, json.dumps(answer), time.time()))

    def __len__(self) -> int:
        with self._lock:
            return self._con.execute("SELECT count(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        self._con.close()


def _nominatim_feature(raw: dict) -> str:
    kind = (raw.get("addresstype") or raw.get("type") or "").lower()
    cls = (raw.get("class") or "").lower()
    if kind == "country":
        return "country"
    if kind in ("state", "province", "region", "county"):
        return "region"
    if kind in ("city", "town", "village", "hamlet", "suburb"):
        return {"hamlet": "village", "suburb": "town"}.get(kind, kind)
    if cls == "railway" or kind == "station":
        return "station"
    if cls in ("waterway", "natural") or kind in ("river", "sea", "bay"):
        return "water"
    return "facility" if cls in ("amenity", "aeroway", "building", "man_made", "landuse", "tourism") else "place"


class OnlineGeocoder:
    """Any geopy geocoder by service name, rate-limited, with a timeout and a SQLite answer cache.

    The first failure (unreachable, timeout, 429, 5xx, malformed answer) turns it off for the rest of the run
    with one warning, so the pipeline falls back to the gazetteer and never waits past one timeout.
    """

    def __init__(self, settings: Settings, cache: GeocodeCache | None, on_warning: Callable[[str], None] = log.warning):
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import get_geocoder_for_service

        if not settings.user_agent:
            raise ConfigError(f"setting user_agent (GEO_USER_AGENT) is required for the online geocoder {settings.geocoder}")
        try:
            cls = get_geocoder_for_service(settings.geocoder)
        except Exception as exc:  # geopy raises GeocoderNotFound listing nothing; we list the names
            from geopy.geocoders import SERVICE_TO_GEOCODER

            raise ConfigError(f"setting geocoder: unknown geocoder {settings.geocoder!r}; valid: gazetteer, "
                              f"{', '.join(sorted(SERVICE_TO_GEOCODER))}") from exc
        from geopy.adapters import URLLibAdapter

        # geopy's default RequestsAdapter retries and honours Retry-After (30 s+ on a 429); one failure must
        # cost at most one timeout here, so use the plain urllib adapter, which never retries.
        kwargs = {"user_agent": settings.user_agent, "timeout": settings.geocoder_timeout, "scheme": settings.geocoder_scheme,
                  "adapter_factory": URLLibAdapter}
        if settings.geocoder_url:
            kwargs["domain"] = re.sub(r"^https?://", "", settings.geocoder_url).rstrip("/")
        self.name = settings.geocoder
        self.geocoder = cls(**kwargs)
        self._call = RateLimiter(self.geocoder.geocode, min_delay_seconds=settings.geocoder_min_delay, max_retries=0,
                                 swallow_exceptions=False)
        self.cache = cache
        self.on_warning = on_warning
        self.failed: str | None = None
        self.requests = 0

    def candidates(self, query: str) -> Sequence[Candidate]:
        cached = self.cache.get(self.name, query) if self.cache else None
        if cached is None:
            if self.failed:
                return ()
            try:
                self.requests += 1
                locations = self._call(query, exactly_one=False, timeout=self.geocoder.timeout) or []
                cached = [{"lat": loc.latitude, "lon": loc.longitude, "address": loc.address, "raw": loc.raw} for loc in locations]
            except Exception as exc:  # geopy's GeopyError tree plus JSON/value errors from a broken answer
                self.failed = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
                self.on_warning(f"online geocoder {self.name} failed ({self.failed}); using the offline gazetteer")
                return ()
            if self.cache is not None:
                self.cache.put(self.name, query, cached)
        out = []
        for rank, hit in enumerate(cached):
            raw = hit.get("raw") or {}
            ident = raw.get("osm_id") or raw.get("place_id") or f"{hit['lat']:.4f},{hit['lon']:.4f}"
            cc = ((raw.get("address") or {}).get("country_code") or "").upper()
            out.append(Candidate(f"{self.name}:{raw.get('osm_type', '')[:1]}{ident}", (hit.get("address") or query).split(",")[0],
                                 _nominatim_feature(raw), "online", cc, "", float(hit["lat"]), float(hit["lon"]),
                                 int(float(raw.get("importance", 0) or 0) * 1e7) if rank == 0 else 0, False, f"{self.name}:{ident}"))
        return out


def make_geocoder(settings: Settings, gazetteer: Gazetteer, on_warning: Callable[[str], None] = log.warning) -> Geocoder | None:
    """The online geocoder named by the settings, or None for the offline gazetteer alone."""
    if settings.geocoder in ("gazetteer", "offline", ""):
        return None
    cache = GeocodeCache(settings.geocode_cache_path)
    return OnlineGeocoder(settings, cache, on_warning)


# --------------------------------------------------------------------------- disambiguation


@dataclass
class _Toponym:
    entity: Entity
    query: str
    hints: set[str]
    container: str | None
    demonym: bool
    candidates: list[Candidate] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    embedded: bool = False


def _strip_kind_words(text: str) -> tuple[str, set[str]]:
    words = text.split()
    hints = set()
    while len(words) > 1 and words[-1].lower() in KIND_WORDS:
        hints.add(words.pop().lower())
    while len(words) > 1 and words[0].lower() in ("the", "city", "port", "town", "village") and words[1].lower() == "of":
        hints.add(words[0].lower())
        words = words[2:]
    return " ".join(words), hints


def _context_hints(text: str, start: int, end: int) -> set[str]:
    after = re.match(r"(?:\s|['’]s\b)*([A-Za-z]+)", text[end:end + 30])
    before = re.search(r"([A-Za-z]+)\s+(?:of\s+)?$", text[max(0, start - 30):start])
    hints = set()
    if after and after.group(1).lower() in KIND_WORDS:
        hints.add(after.group(1).lower())
    if before and before.group(1).lower() in ("city", "town", "village", "province", "region", "state", "port", "capital"):
        hints.add(before.group(1).lower())
    return hints


def _container(text: str, end: int) -> str | None:
    m = re.match(r",\s*((?:[A-Z][\w.’'-]*\s?){1,4})", text[end:end + 60])
    return m.group(1).strip() if m else None


def _prior(c: Candidate) -> float:
    if c.feature == "country":
        return 12.0
    if c.feature == "continent":
        return 10.0
    if c.id.startswith("custom:"):
        return 14.0
    if c.id.startswith("curated:"):
        return 10.0
    if c.category == "online":
        return 9.0 + min(c.population / 1e7, 1.0)
    if c.feature == "region":
        return 8.5
    score = 2.0 + math.log10(c.population + 1)
    if c.capital:
        score += 3.0
    return score


def _kind_bonus(c: Candidate, hints: set[str]) -> float:
    bonus = 0.0
    for h in hints:
        features, categories = KIND_WORDS.get(h, (set(), set()))
        if c.feature in features or c.category in categories:
            bonus = max(bonus, 6.0)
    return bonus


def _km(a: Candidate, b: Candidate) -> float:
    """Great-circle distance (haversine): close enough to rank candidates, far cheaper than geodesic."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _is_metonym(doc, ent: Entity, cand: Candidate) -> bool:
    if not (cand.capital or cand.category in ("seat_of_government", "capital") or cand.feature == "country"):
        return False
    span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    head = root.head
    if root.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in ACTOR_VERBS:
        return True
    if root.dep_ == "conj" and head.dep_ in ("nsubj",) and head.head.lemma_.lower() in ACTOR_VERBS:
        return True
    if root.dep_ == "poss" and head.lower_ in ACTOR_NOUNS:
        return True
    if root.dep_ == "pobj" and head.lower_ == "from" and head.head.lower_ in ACTOR_NOUNS:
        return True
    if root.dep_ in ("compound", "amod") and head.lower_ in ("officials", "government", "administration"):
        return True
    return False


EMBEDDING_LABELS = {"ORG", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT", "NORP"}
EMBEDDED_CITY_POPULATION = 500_000
# Region and city names that are also everyday words of organisation names ("Korean Central News Agency",
# "Eastern Economic Forum", "National Grid"): inside a longer name they are never taken as places.
GENERIC_NAME_WORDS = {"central", "eastern", "western", "northern", "southern", "national", "capital", "federal", "coast",
                      "coastal", "upper", "lower", "greater", "middle", "islands", "island", "lakes", "valley", "metro",
                      "city", "state", "union", "international", "royal", "imperial", "grand", "new", "old", "liberty",
                      "independence", "unity", "centre", "center", "plateau", "highlands", "lowlands", "border", "frontier",
                      "atlantic", "pacific", "general", "orient", "oriental", "occidental", "littoral", "sun", "mountain",
                      "river", "delta", "savannah", "lake", "bay", "harbour", "harbor"}
_NAME_WORD = re.compile(r"[^\s\-/–—,;:()\[\]“”\"‘’']+(?:['’]s)?")


def _embedded_kind(gazetteer: Gazetteer, name: str) -> str | None:
    """'place' or 'demonym' when `name` is a country, first-level region, large city or country adjective; else None.

    Only names that are places in almost every use qualify: inside an organisation's name a small town's name is far
    more often a person's or a brand's ("Ford", "Lincoln Center").
    """
    key = normalize(name)
    if key in DIRECTION_WORDS or len(name) < 2 or not name[0].isupper():
        return None
    # Everyday words and short initials ("BA", "SA") name regions somewhere, but inside an organisation's name they
    # are almost never those regions; only countries qualify for them ("US Army", "UAE").
    generic = key in GENERIC_NAME_WORDS or (name.replace(".", "").isupper() and len(key.replace(" ", "")) <= 4)
    for c in gazetteer.candidates(name):
        if generic and c.feature != "country":
            continue
        if c.feature in ("country", "continent") or (c.primary and (c.is_admin or c.capital or c.population >= EMBEDDED_CITY_POPULATION)):
            return "place"
    demonym = gazetteer.demonym(name)
    if demonym is not None and demonym.feature in ("country", "continent"):
        return "demonym"
    return None


def embedded_toponyms(article: Article, entity: Entity, gazetteer: Gazetteer) -> list[tuple[Entity, bool, bool]]:
    """Places named inside a non-place entity: (sub-entity, demonym, embedded) for "Air Zimbabwe", "US Special Forces",
    "Kidney Foundation of Canada", "anti-Russian". An entity that is wholly a country or region name ("DPRK" tagged ORG)
    is the place itself, not embedded."""
    from dataclasses import replace

    words = [(m.start(), m.end() - (2 if m.group().endswith(("'s", "’s")) else 0)) for m in _NAME_WORD.finditer(entity.text)]
    out, i = [], 0
    while i < len(words):
        for j in range(min(len(words), i + 4), i, -1):
            start, end = words[i][0], words[j - 1][1]
            name = entity.text[start:end]
            kind = _embedded_kind(gazetteer, name)
            if kind is None:
                continue
            whole = start == 0 and end >= len(entity.text.rstrip(".’'"))
            cs, ce = entity.start + start, entity.start + end
            raw_start, raw_end = article.raw_span(cs, ce)
            sub = replace(entity, label="NORP" if kind == "demonym" else "GPE", text=name, norm=normalize(name),
                          start=cs, end=ce, raw_start=raw_start, raw_end=raw_end)
            out.append((sub, kind == "demonym", not whole))
            i = j - 1
            break
        i += 1
    return out


def resolve_article(article: Article, doc, entities: Sequence[Entity], gazetteer: Gazetteer,
                    online: Geocoder | None = None) -> tuple[list[tuple[_Toponym, Candidate, float, bool]], list[Unresolved]]:
    """Resolve the toponyms of one article: (toponym, chosen candidate, confidence, metonym) and the unresolved."""
    text = article.text
    tops: list[_Toponym] = []
    for e in entities:
        if e.label in TOPONYM_LABELS:
            query, hints = _strip_kind_words(e.text)
            hints |= _context_hints(text, e.start, e.end)
            tops.append(_Toponym(e, query, hints, _container(text, e.end), False))
        elif e.label == "NORP" and gazetteer.demonym(e.text):
            tops.append(_Toponym(e, e.text, set(), None, True))
        elif e.label in EMBEDDING_LABELS:
            for sub, demonym, embedded in embedded_toponyms(article, e, gazetteer):
                tops.append(_Toponym(sub, sub.text, set(), None if demonym else _container(text, sub.end), demonym, embedded=embedded))

    unresolved: list[Unresolved] = []
    for t in tops:
        if t.demonym:
            place = gazetteer.demonym(t.query)
            t.candidates = [place] if place else []
            continue
        if normalize(t.query) in DIRECTION_WORDS:
            t.candidates = []
            continue
        cands = list(gazetteer.candidates(t.query)) or list(gazetteer.candidates(t.entity.text))
        if not cands and re.match(r"(?i)(the )?(republic|kingdom|state|commonwealth|federation|principality) of ", t.query):
            cands = list(gazetteer.candidates(re.sub(r"(?i)^(the )?\w+ of ", "", t.query)))
        if not cands and gazetteer.demonym(t.query):
            cands = [gazetteer.demonym(t.query)]
            t.demonym = True
        if online is not None:
            cands = list(online.candidates(t.query)) + cands
        t.candidates = cands

    # Country focus of the article: countries named, demonyms, and countries of unambiguous places.
    focus: Counter = Counter()
    anchors: list[Candidate] = []
    for t in tops:
        countries = {c.country for c in t.candidates if c.feature == "country"}
        if countries:
            focus.update(countries)
        elif len(t.candidates) == 1 and (t.candidates[0].population >= SMALL_PLACE or t.candidates[0].id.startswith(("curated:", "custom:"))):
            focus[t.candidates[0].country] += 0.5
            if t.candidates[0].feature in POINT_FEATURES:
                anchors.append(t.candidates[0])
    total = sum(focus.values()) or 1.0

    for t in tops:
        container_country, container_region = None, None
        if t.container:
            for c in sorted(gazetteer.candidates(t.container), key=lambda c: c.feature != "country"):
                if c.feature in ("country", "region"):
                    container_country = c.country
                    container_region = c if c.feature == "region" else None
                    break
        # A country's own name means the country, not a city that also carries it ("Mexico", not Mexico City).
        country_named = any(c.feature == "country" and (c.primary or c.id.startswith(("curated:", "custom:")))
                            for c in t.candidates)
        for c in t.candidates:
            score = _prior(c) + _kind_bonus(c, t.hints)
            if c.primary or c.id.startswith(("curated:", "custom:")):
                score += 1.0  # a main name, or a curated alias; GeoNames alternate names are weaker evidence
            elif country_named and c.feature in POINT_FEATURES:
                score -= COUNTRY_NAME_PENALTY
            if container_country:
                score += 6.0 if c.country == container_country else -3.0
                if container_region is not None and c.country == container_country:
                    score += max(0.0, 4.0 - _km(c, container_region) / 150.0)
            if c.country:
                weight = 1.0 if c.feature not in ("city", "town", "village") else min(1.0, math.log10(c.population + 1) / 6)
                score += weight * (4.0 * focus.get(c.country, 0) / total + (1.0 if focus.get(c.country) else 0.0))
            if anchors and c.feature in POINT_FEATURES and len(t.candidates) > 1:
                nearest = min(_km(c, a) for a in anchors[:20] if a.id != c.id) if any(a.id != c.id for a in anchors[:20]) else 1e9
                score += 3.0 if nearest < 300 else 1.5 if nearest < 1500 else 0.0
            t.scores[c.id] = score

    # One sense per article: every mention of a name takes the sense its mentions favour together.
    by_name: dict[str, list[_Toponym]] = defaultdict(list)
    for t in tops:
        by_name[normalize(t.query)].append(t)
    resolved = []
    for name, group in by_name.items():
        totals: dict[str, float] = defaultdict(float)
        pool: dict[str, Candidate] = {}
        for t in group:
            for c in t.candidates:
                totals[c.id] = max(totals[c.id], t.scores.get(c.id, 0.0))
                pool[c.id] = c
        reason = "not in the gazetteer"
        if name in DIRECTION_WORDS:
            reason = "a direction, not a specific place"
        ranked = sorted(totals.items(), key=lambda kv: -kv[1])
        if ranked:
            top = pool[ranked[0][0]]
            hinted = any(_kind_bonus(top, t.hints) > 0 or t.container for t in group)
            if (top.feature in ("town", "village") and top.population < SMALL_PLACE and not focus.get(top.country)
                    and not hinted and top.category != "online"):
                pool, reason = {}, f"only small places of that name, far from the article's countries (best: {top.name}, {top.country})"
        if not pool:
            for t in group:
                unresolved.append(Unresolved(article.id, t.entity.raw_start, t.entity.raw_end, t.entity.text, reason))
            continue
        best_id, best = ranked[0]
        margin = best - ranked[1][1] if len(ranked) > 1 else 6.0
        confidence = round(1 / (1 + math.exp(-(margin - 1.0))), 3)
        chosen = pool[best_id]
        for t in group:
            resolved.append((t, chosen, confidence, _is_metonym(doc, t.entity, chosen) if doc is not None else False))
    return resolved, unresolved


def collect_places(resolutions: Iterable[tuple[Article, list[tuple[_Toponym, Candidate, float, bool]]]]) -> list[Place]:
    """Group resolved mentions of all articles by place id."""
    groups: dict[str, list] = defaultdict(list)
    cands: dict[str, Candidate] = {}
    confs: dict[str, list[float]] = defaultdict(list)
    for article, items in resolutions:
        for t, cand, conf, metonym in items:
            e = t.entity
            sent = article.text[e.sent_start:e.sent_end]
            groups[cand.id].append(PlaceMention(article.id, e.raw_start, e.raw_end, e.text, metonym and not t.embedded, t.demonym,
                                                e.start, e.end, sent, e.index, t.embedded))
            cands[cand.id] = cand
            confs[cand.id].append(conf)
    places = []
    for pid, mentions in groups.items():
        c = cands[pid]
        places.append(Place(pid, c.name, c.feature, c.category, c.country, c.lat, c.lon, c.source,
                            round(max(confs[pid]), 3), tuple(sorted(mentions, key=lambda m: (m.article, m.start)))))
    places.sort(key=lambda p: (-len(p.mentions), p.name))
    return places
