"""Routes: movement events merged into stops and trips, stops put in time order, legs and trip labels."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Sequence

from geopy.distance import geodesic

from .dates import parse_iso, with_year
from .lexicon import LEXICON as LX
from .movement import DONE_STATUS, Event, extract_events

__all__ = ["DONE_STATUS", "Event", "Route", "Stop", "build_routes", "extract_events", "trip_label"]

STATUS_RANK = {"arrived": 7, "departed": 7, "visited": 6, "passed": 5, "planned": 4, "expected": 3, "speculated": 2,
               "cancelled": 1, "denied": 0}
ROLE_RANK = {"origin": 0, "via": 1, "stop": 2, "destination": 3}
# Regions that are not states, macro-regions or countries (Kyiv, Plymouth, a province named after its capital;
# movement.LARGE_REGION_WORDS) count when nothing finer is near (see _without_containers).
STOP_FEATURES = {"city", "town", "village", "station", "facility", "landmark", "airport", "port", "base", "island", "strait", "canal", "local-region"}
SAME_PLACE_KM = 25.0  # a station, airport or facility and the town it belongs to
SAME_TOWN_KM = 3.0  # two settlement entries this close are one place (duplicate gazetteer rows)
SETTLEMENTS = {"city", "town", "village"}
REGION_CONTAINS_KM = 250.0  # a region this close to a finer stop of the same trip is taken as its container
TRIP_GAP_DAYS = 14
SAME_ARTICLE_WEIGHT = 100  # per dated event of the same article, when an undated event looks for its trip
COLLECTIVE_PREFIXES = ("group-", "vehicle-")
SOJOURN_VERBS = {"visit", "tour", "stay", "spend"}  # a single place with these is a visit, not a journey


@dataclass(frozen=True)
class OrderWeights:
    """How much each kind of evidence counts when two stops are put in order (votes for "a before b")."""

    status: float = 10.0  # a stop reported done comes before one still expected
    date: float = 5.0  # both stops carry day dates that differ
    time: float = 3.0  # same day, clock times differ
    marker: float = 2.0  # "then", "earlier", "after visiting", "had flown", told in one article
    narrative: float = 1.0  # plain text order of one article's main line
    return_leg: float = 3.0  # the way back comes last
    departure: float = 3.0  # a place departed from comes before the places the same article reports reached


WEIGHTS = OrderWeights()
ROLE_OFFSET = {"origin": -0.2, "via": -0.1, "stop": 0.0, "destination": 0.1}  # within one clause: from X via Y to Z
FLASHBACK_STEP = 0.001
FUTURE_SHIFT = 1000.0  # what an article expects comes after everything it reports done
PERFECT_SHIFT = 500.0  # "has arrived": the newest state, told first in a lede, after the narrated past
GEOGRAPHY_NOTE = "order from geography: no date or wording orders this stop"


@dataclass
class Stop:
    place_id: str
    name: str
    lat: float
    lon: float
    date: str | None
    time: str | None
    status: str
    roles: list[str]
    articles: list[str]
    evidence: list[dict]


@dataclass
class Route:
    subject: str
    subject_id: str
    trip: dict
    stops: list[Stop]
    legs: list[dict]
    current: bool
    claims: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable id of this subject's trip."""
        return f"{self.subject_id}-{self.trip.get('start') or 'undated'}"

    @property
    def label(self) -> str:
        """What a person reads for this trip: first and last stop, dates when known."""
        return trip_label(self)


# --------------------------------------------------------------------------- labels


def _fmt_date(value: str) -> str:
    d = parse_iso(value)
    if d is None:
        return value
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return d.strftime("%b %Y")
    return f"{d.day} {d.strftime('%b %Y')}"


def trip_label(route: Route) -> str:
    """"First stop → last stop, 10–13 Sep 2023" (dates when known; "earlier trip" when not the current one)."""
    names = [s.name for s in route.stops]
    places = f"{names[0]} → {names[-1]}" if len(names) > 1 else (names[0] if names else "no stops")
    start, end = route.trip.get("start"), route.trip.get("end")
    if start and end and start != end and len(start) == len(end) == 10:
        a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        if (a.year, a.month) == (b.year, b.month):
            when = f"{a.day}–{b.day} {b.strftime('%b %Y')}"
        elif a.year == b.year:
            when = f"{a.day} {a.strftime('%b')} – {b.day} {b.strftime('%b %Y')}"
        else:
            when = f"{_fmt_date(start)} – {_fmt_date(end)}"
    elif start and end and start != end:
        when = f"{_fmt_date(start)} – {_fmt_date(end)}"
    elif start or end:
        when = _fmt_date(start or end or "")
    else:
        when = "dates not stated"
    return f"{places}, {when}" + ("" if route.current else " (earlier trip)")


# --------------------------------------------------------------------------- trips


def _effective_date(e: Event) -> dt.date | None:
    """The event's own date; the article's when the event has none or only a year or month the article falls in."""
    if e.date and not (e.article_date and len(e.date) < 10 and e.article_date.startswith(e.date)):
        return parse_iso(e.date)
    return parse_iso(e.article_date) if e.date_source else None


def _near(a: Event, b: Event) -> bool:
    """Same stop: one place, or a facility and the town it serves; two distinct towns stay two stops."""
    if a.place_id == b.place_id:
        return True
    km = geodesic((a.lat, a.lon), (b.lat, b.lon)).km
    if a.feature in SETTLEMENTS and b.feature in SETTLEMENTS:
        return km <= SAME_TOWN_KM
    return km <= SAME_PLACE_KM


def _trips(events: list[Event]) -> list[list[Event]]:
    """Events split into trips by date gaps; an article without any date joins the trip it shares places with."""
    dated = sorted((e for e in events if _effective_date(e)), key=lambda e: (_effective_date(e), e.article, e.order))
    trips: list[list[Event]] = []
    last: dt.date | None = None
    for e in dated:
        d = _effective_date(e)
        if trips and last is not None and d is not None and (d - last).days <= TRIP_GAP_DAYS:
            trips[-1].append(e)
        else:
            trips.append([e])
        last = d
    floating: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if not _effective_date(e):
            floating[e.article].append(e)
    for article, evs in sorted(floating.items()):
        # An article's undated events go with its dated ones; else with the trip they share places with.
        shared = [SAME_ARTICLE_WEIGHT * sum(t.article == article for t in trip) + sum(any(_near(e, t) for t in trip) for e in evs)
                  for trip in trips]
        best = max(range(len(trips)), key=lambda i: shared[i], default=None)
        if best is not None and shared[best] > 0:
            trips[best].extend(evs)
        elif len(trips) == 1 and not trips[0]:
            trips[0].extend(evs)
        else:
            trips.append(evs)
    return trips


def _supersede(trip: list[Event]) -> tuple[list[Event], list[dict]]:
    """Forward-looking claims of older articles give way to newer claims about where the traveller is heading."""
    future = [e for e in trip if e.status not in DONE_STATUS]
    if not future:
        return trip, []
    newest = max((e.article_date or "") for e in future)
    done_places = [e for e in trip if e.status in DONE_STATUS]
    kept, claims = [], []
    for e in trip:
        if e.status in DONE_STATUS or (e.article_date or "") >= newest or any(_near(e, d) for d in done_places):
            kept.append(e)
        else:
            claims.append({"place": e.place, "status": e.status, "article": e.article, "sentence": e.sentence,
                           "superseded_by": "newer reports of the destination"})
    return kept, claims


# --------------------------------------------------------------------------- stops


def _groups(events: list[Event]) -> list[list[Event]]:
    """Events grouped by place; a return to the place the trip left from is a stop of its own at the end."""
    groups: list[list[Event]] = []
    origin_places = [e for e in events if e.role == "origin" and e.leg == "out"]
    for e in sorted(events, key=lambda e: (e.article, e.order)):
        back_home = e.leg == "return" and e.role == "destination" and any(_near(e, o) for o in origin_places)
        for g in groups:
            if _near(g[0], e) and (g[0].leg == "return" and g[0].role == "destination") == back_home:
                g.append(e)
                break
        else:
            groups.append([e])
    return groups


def _without_containers(groups: list[list[Event]]) -> list[list[Event]]:
    """Local region stops only when reported done and the trip names nothing finer near them (a city resolved as
    its first-level unit); one around a named stop, or only expected, is no stop."""
    fine = [g[0] for g in groups if g[0].feature != "local-region"]

    def keep(g: list[Event]) -> bool:
        if g[0].feature != "local-region":
            return True
        done = any(e.status in DONE_STATUS for e in g)
        return done and not any(geodesic((g[0].lat, g[0].lon), (f.lat, f.lon)).km <= REGION_CONTAINS_KM for f in fine)

    return [g for g in groups if keep(g)]


def _stop(g: list[Event]) -> Stop:
    statuses = Counter(e.status for e in g)
    best = max(statuses, key=lambda s: (STATUS_RANK[s], statuses[s]))
    done = [s for s in statuses if s in DONE_STATUS]
    if done:
        best = max(done, key=lambda s: (statuses[s], STATUS_RANK[s]))
    if best == "speculated" and len({e.article for e in g if e.status == "speculated"}) >= 2:
        best = "expected"  # the same likely destination from independent sources
    dated = [e for e in g if e.date and len(e.date) == 10 and (e.status in DONE_STATUS) == (best in DONE_STATUS)]
    dated = dated or [e for e in g if e.date and len(e.date) == 10]
    date = min(e.date for e in dated if e.date) if dated else None
    times = [e.time for e in g if e.time and re.match(r"\d", e.time)] or [e.time for e in g if e.time]
    head = max(g, key=lambda e: (e.feature in ("station", "facility"), len(e.place)))
    return Stop(head.place_id, head.place, head.lat, head.lon, date, times[0] if times else None, best,
                sorted({e.role for e in g}, key=ROLE_RANK.get), sorted({e.article for e in g}),
                [{"article": e.article, "sentence": e.sentence, "start": e.start, "end": e.end, "status": e.status,
                  "verb": e.verb, "role": e.role, "date": e.date} for e in g])


# --------------------------------------------------------------------------- order


def _shift(e: Event) -> float:
    """How far an event moves past the article's narrative: plans after everything done, the latest state after the rest."""
    if e.status not in DONE_STATUS:
        return FUTURE_SHIFT
    return PERFECT_SHIFT if e.aspect == "perfect" else 0.0


def _positions(events: list[Event]) -> dict[int, float]:
    """Narrative position of each event (by id) within one article: text order, moved by tense and order words."""
    pos: dict[int, float] = {}
    clause_pos: dict[int, float] = {}
    main = 0.0
    top = 0.0
    flashback = 0
    ordered = sorted(events, key=lambda e: e.order)
    for e in ordered:
        if e.relation:
            continue
        if e.clause in clause_pos:
            p = clause_pos[e.clause]
        elif e.aspect == "pluperfect" or e.sequence == "earlier":
            flashback += 1
            p = main - 0.5 + FLASHBACK_STEP * flashback
        else:
            top += 1
            p = main = top
            flashback = 0
        clause_pos[e.clause] = p
        pos[id(e)] = p + ROLE_OFFSET[e.role] + _shift(e)
    for e in ordered:
        if not e.relation:
            continue
        base = clause_pos.get(e.relative_to)
        if base is None:
            top += 1
            base = top
        # An event in an "after ..." clause happened before its main clause; in a "before ..." clause, after it.
        pos[id(e)] = base + (-0.5 if e.relation == "after" else 0.5) + ROLE_OFFSET[e.role] + _shift(e)
    return pos


def _is_cued(e: Event) -> bool:
    return bool(e.sequence or e.relation or e.aspect == "pluperfect")


def _preferences(stops: list[Stop], groups: list[list[Event]]) -> list[list[float]]:
    """pref[a][b]: weighted votes that stop a comes before stop b."""
    n = len(stops)
    pref = [[0.0] * n for _ in range(n)]
    for a in range(n):
        for b in range(n):
            if a == b:
                continue
            sa, sb = stops[a], stops[b]
            if sa.status in DONE_STATUS and sb.status not in DONE_STATUS:
                pref[a][b] += WEIGHTS.status
            if sa.date and sb.date and len(sa.date) == len(sb.date) == 10:
                if sa.date < sb.date:
                    pref[a][b] += WEIGHTS.date
                elif sa.date == sb.date and sa.time and sb.time and sa.time[:1].isdigit() and sb.time[:1].isdigit() and sa.time < sb.time:
                    pref[a][b] += WEIGHTS.time
            a_return = all(e.leg == "return" for e in groups[a])
            b_return = all(e.leg == "return" for e in groups[b])
            if b_return and not a_return:
                pref[a][b] += WEIGHTS.return_leg
    by_article: dict[str, list[tuple[int, Event]]] = defaultdict(list)
    for k, g in enumerate(groups):
        for e in g:
            by_article[e.article].append((k, e))
    for members in by_article.values():
        # A headline sums up, it does not narrate.
        body = [(k, e) for k, e in members if not e.headline]
        departed = {k for k, e in body if e.role == "origin" and e.status == "departed"}
        for a in departed:
            for b in {k for k, _ in members} - departed:
                pref[a][b] += WEIGHTS.departure  # departure before arrival, told in one article
        pos = _positions([e for _, e in body])
        first: dict[int, tuple[float, bool]] = {}
        for k, e in sorted(body, key=lambda ke: pos[id(ke[1])]):
            if k not in first or (_is_cued(e) and not first[k][1]):
                first[k] = (pos[id(e)], _is_cued(e))  # a stop told twice is placed by its cued telling ("then left for X")
        for a, (pa, ca) in first.items():
            for b, (pb, cb) in first.items():
                if a != b and pa < pb:
                    pref[a][b] += WEIGHTS.marker if (ca or cb) else WEIGHTS.narrative
    return pref


def _order(stops: list[Stop], groups: list[list[Event]]) -> list[int]:
    """Stop indexes in time order: greedy on pairwise wins, then net votes; ties with no evidence at all broken by
    geography (noted in the stop's evidence)."""
    pref = _preferences(stops, groups)
    n = len(stops)
    remaining = list(range(n))
    first_seen = {k: min((e.article, e.order) for e in g) for k, g in enumerate(groups)}
    # Pairwise wins first (a strong vote against a far-off stop must not outweigh a weak one against a near one), then
    # the summed margins; both kept per stop over the remaining stops and updated as stops are placed, so ordering is
    # quadratic, not cubic, in the number of stops (a long article can have hundreds).
    diff = [[pref[k][o] - pref[o][k] for o in range(n)] for k in range(n)]
    wins = [sum((d > 0) - (d < 0) for d in row) for row in diff]
    margin = [sum(row) for row in diff]
    out: list[int] = []
    while remaining:
        best = max((wins[k], margin[k]) for k in remaining)
        tied = [k for k in remaining if (wins[k], margin[k]) == best]
        if len(tied) > 1 and out and all(pref[a][b] == 0 for a in tied for b in tied if a != b):
            last = stops[out[-1]]
            pick = min(tied, key=lambda k: geodesic((last.lat, last.lon), (stops[k].lat, stops[k].lon)).km)
            for ev in stops[pick].evidence:
                ev["order"] = GEOGRAPHY_NOTE
        else:
            pick = min(tied, key=lambda k: first_seen[k])
        out.append(pick)
        remaining.remove(pick)
        for k in remaining:
            d = diff[k][pick]
            wins[k] -= (d > 0) - (d < 0)
            margin[k] -= d
    return out


# --------------------------------------------------------------------------- routes


def _legs(stops: list[Stop]) -> list[dict]:
    legs = []
    for a, b in zip(stops, stops[1:]):
        km = geodesic((a.lat, a.lon), (b.lat, b.lon)).km
        leg = {"from": a.name, "to": b.name, "km": round(km, 1),
               "status": "done" if a.status in DONE_STATUS and b.status in DONE_STATUS else "expected"}
        if a.date and b.date and len(a.date) == len(b.date) == 10:
            leg["days"] = (dt.date.fromisoformat(b.date) - dt.date.fromisoformat(a.date)).days
        legs.append(leg)
    return legs


def _is_journey(e: Event) -> bool:
    """Whether one event alone tells of a journey (arrived, flew to, left), not of presence (visited, met, attended)."""
    return e.verb in LX.move_verbs and e.verb not in SOJOURN_VERBS and e.status not in ("speculated",)


def _complete_years(events: list[Event]) -> list[Event]:
    """Day-month dates of undated articles ("on 2 August") take the year of the traveller's other dates."""
    years: dict[str, list[int]] = defaultdict(list)
    for e in events:
        for value in (e.date, e.article_date if e.date_source else None):
            if value and not value.startswith("--"):
                years[e.subject].append(int(value[:4]))
    return [replace(e, date=with_year(e.date, years[e.subject])) if e.date and e.date.startswith("--") else e for e in events]


def _collectives(events: Sequence[Event]) -> dict[str, str]:
    """Unnamed groups and vehicles told in one article ("the evacuees", "the passengers", "the plane") as one traveller."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    count = Counter(e.subject for e in events if e.subject.startswith(COLLECTIVE_PREFIXES))
    by_article: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.subject in count:
            by_article[e.article].add(e.subject)
    for ids in by_article.values():
        first, *rest = sorted(ids, key=lambda i: (-count[i], i))
        for other in rest:
            a, b = root(first), root(other)
            if a != b:
                keep, drop = sorted((a, b), key=lambda i: (-count[i], i))
                parent[drop] = keep
    return {i: root(i) for i in count}


def build_routes(events: Sequence[Event], subject_names: dict[str, str], article_dates: dict[str, str | None]) -> list[Route]:
    """Routes of every traveller with two or more stops in one trip (or one stop reached by a journey), in time order."""
    routes: list[Route] = []
    by_subject: dict[str, list[Event]] = defaultdict(list)
    names: dict[str, str] = dict(subject_names)
    merged = _collectives(events)
    events = [replace(e, subject=merged[e.subject]) if e.subject in merged else e for e in events]
    events = _complete_years(events)
    told = Counter((e.subject, e.subject_name) for e in events if e.subject_name and e.subject not in subject_names)
    for (subject, name), _n in sorted(told.items(), key=lambda kv: (kv[1], len(kv[0][1]))):
        names[subject] = name  # a group or vessel goes by its most used name, the fullest among equals
    for e in events:
        if e.feature in STOP_FEATURES and e.status not in ("denied", "cancelled"):
            by_subject[e.subject].append(e)
    latest_article = max((d for d in article_dates.values() if d), default=None)
    for subject, evs in by_subject.items():
        for trip in _trips(evs):
            trip, claims = _supersede(trip)
            groups = _without_containers(_groups(trip))
            stops = [_stop(g) for g in groups]
            if len(stops) < 2 and not (stops and any(_is_journey(e) for e in trip)):
                continue
            order = _order(stops, groups)
            stops = [stops[k] for k in order]
            dates = sorted(s.date for s in stops if s.date) or sorted(e.date for e in trip if e.date)
            trip_dates = sorted(d for d in (_effective_date(e) for e in trip) if d)
            current = bool(latest_article and trip_dates
                           and abs((dt.date.fromisoformat(latest_article) - trip_dates[-1]).days) <= TRIP_GAP_DAYS)
            if not trip_dates and not latest_article:
                current = True
            route = Route(names.get(subject, subject), subject,
                          {"start": dates[0] if dates else None, "end": dates[-1] if dates else None},
                          stops, _legs(stops), current, claims)
            route.trip["label"] = trip_label(route)
            routes.append(route)
    routes.sort(key=lambda r: (not r.current, -len(r.stops), r.subject))
    return routes
