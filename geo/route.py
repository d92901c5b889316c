"""Routes: movement events merged into stops and trips (their time order in order.py), legs and trip labels."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Collection, Sequence

from geopy.distance import geodesic

from .dates import parse_iso
from .lexicon import LEXICON as LX
from .movement import Event, extract_events
from .order import firmly_dated, order_stops

from .status import DONE_STATUS, Status, phase_of
from .trips import SETTLEMENTS, TRIP_GAP_DAYS, complete_years, effective_date, near, split_trips, stop_groups

__all__ = ["DONE_STATUS", "Event", "Evidence", "Leg", "Route", "RouteClaim", "Status", "Stop", "Trip", "build_routes",
           "extract_events", "trip_label"]

STATUS_RANK = {"arrived": 7, "departed": 7, "visited": 6, "passed": 5, "planned": 4, "expected": 3, "speculated": 2,
               "cancelled": 1, "denied": 0}
ROLE_RANK = {"origin": 0, "via": 1, "stop": 2, "destination": 3}
# Regions that are not states, macro-regions or countries (a capital city that is also a first-level unit, a unitary authority, a province named after its capital;
# movement.LARGE_REGION_WORDS) count when nothing finer is near (see _without_containers).
STOP_FEATURES = {"city", "town", "village", "station", "facility", "landmark", "airport", "port", "base", "island", "strait", "canal", "local-region"}
REGION_CONTAINS_KM = 250.0  # a region this close to a finer stop of the same trip is taken as its container
COLLECTIVE_PREFIXES = ("group-", "vehicle-")
GENERIC_LEADS = {"the", "a", "an", "some", "other", "more"}  # capitalised only at a sentence's start
SOJOURN_VERBS = {"visit", "tour", "stay", "spend"}  # a single place with these is a visit, not a journey

@dataclass(frozen=True)
class Evidence:
    """One sentence that reports a stop; raw_start/raw_end are the sentence's raw-file offsets, dates ISO (year, month or day)."""

    article: str
    sentence: str
    raw_start: int
    raw_end: int
    status: Status
    verb: str
    role: str
    date: str | None
    time: str | None = None
    order: str | None = None  # why the stop stands where it does, when nothing in the text says so


@dataclass(frozen=True)
class Stop:
    place_id: str
    name: str
    lat: float
    lon: float
    date: str | None  # ISO day
    time: str | None
    status: Status
    roles: tuple[str, ...]
    articles: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Leg:
    """Between two consecutive stops: geodesic km, "done" or "expected", and days when both stops have a day date."""

    origin: str
    destination: str
    km: float
    status: str
    days: int | None = None


@dataclass(frozen=True)
class RouteClaim:
    """A forward-looking report of an older article that newer reports of the destination superseded."""

    place: str
    status: Status
    article: str
    sentence: str
    superseded_by: str


@dataclass(frozen=True)
class Trip:
    """When a trip took place (ISO dates of its first and last dated stops; None when undated) and its label."""

    start: str | None = None
    end: str | None = None
    label: str = ""


@dataclass(frozen=True)
class Route:
    subject: str
    subject_id: str
    trip: Trip
    stops: tuple[Stop, ...]
    legs: tuple[Leg, ...]
    current: bool
    claims: tuple[RouteClaim, ...] = ()

    @property
    def key(self) -> str:
        """Stable id of this subject's trip."""
        return f"{self.subject_id}-{self.trip.start or 'undated'}"

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
    start, end = route.trip.start, route.trip.end
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


def _supersede(trip: list[Event]) -> tuple[list[Event], list[RouteClaim]]:
    """Forward-looking claims of older articles give way to newer claims about where the traveller is heading; one the
    newest claims repeat stays, with the sentence that told it."""
    future = [e for e in trip if e.status not in DONE_STATUS]
    if not future:
        return trip, []
    newest = max((e.article_date or "") for e in future)
    confirmed = [e for e in trip if e.status in DONE_STATUS or (e.article_date or "") >= newest]
    kept, claims = [], []
    for e in trip:
        if e.status in DONE_STATUS or (e.article_date or "") >= newest or any(near(e, d) for d in confirmed):
            kept.append(e)
        else:
            claims.append(RouteClaim(e.place, Status(e.status), e.article, e.sentence, "newer reports of the destination"))
    return kept, claims


# --------------------------------------------------------------------------- stops


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


def _tail_of_a_longer_name(g: list[Event]) -> bool:
    """Whether the stop's name, wherever its sentences write it, ends a longer capitalised name ("the Central Line",
    "West Bay Marina"): a word of another name resolved as a town, not where the traveller went. A name the
    sentences do not write (an alias, a transliteration) says nothing."""
    if g[0].feature not in SETTLEMENTS | {"local-region"}:
        return False
    found = False
    for e in g:
        for m in re.finditer(rf"(?<!\w){re.escape(e.place)}(?!\w)", e.sentence):
            found = True
            before = e.sentence[:m.start()].split()
            if not before or not before[-1][:1].isupper() or before[-1][-1:] in ".,;:!?\"'’”":
                return False
    return found


def _stop(g: list[Event], guessed: Collection[str] = frozenset()) -> Stop:
    statuses = Counter(e.status for e in g)
    best = max(statuses, key=lambda s: (STATUS_RANK[s], statuses[s]))
    done = [s for s in statuses if s in DONE_STATUS]
    if done:
        best = max(done, key=lambda s: (statuses[s], STATUS_RANK[s]))
    if best == "speculated" and len({e.article for e in g if e.status == "speculated"}) >= 2:
        best = "expected"  # the same likely destination from independent sources
    dated = [e for e in g if e.date and len(e.date) == 10 and (e.status in DONE_STATUS) == (best in DONE_STATUS)]
    dated = dated or [e for e in g if e.date and len(e.date) == 10]
    dated = [e for e in dated if firmly_dated(e, guessed)] or dated  # a stated date over one guessed from other articles
    date = min(e.date for e in dated if e.date) if dated else None
    times = [e.time for e in g if e.time and re.match(r"\d", e.time)] or [e.time for e in g if e.time]
    head = max(g, key=lambda e: (e.feature in ("station", "facility"), len(e.place)))
    return Stop(head.place_id, head.place, head.lat, head.lon, date, times[0] if times else None, Status(best),
                tuple(sorted({e.role for e in g}, key=lambda r: ROLE_RANK.get(r, len(ROLE_RANK)))), tuple(sorted({e.article for e in g})),
                tuple(Evidence(e.article, e.sentence, e.raw_start, e.raw_end, Status(e.status), e.verb, e.role, e.date, e.time) for e in g))


# --------------------------------------------------------------------------- routes


def _legs(stops: list[Stop]) -> tuple[Leg, ...]:
    legs = []
    for a, b in zip(stops, stops[1:]):
        km = geodesic((a.lat, a.lon), (b.lat, b.lon)).km
        days = (dt.date.fromisoformat(b.date) - dt.date.fromisoformat(a.date)).days if a.date and b.date and len(a.date) == len(b.date) == 10 else None
        legs.append(Leg(a.name, b.name, round(km, 1), phase_of(a.status, b.status), days))
    return tuple(legs)


def _is_journey(e: Event) -> bool:
    """Whether one event alone tells of a journey (arrived, flew to, left), not of presence (visited, met, attended)."""
    return e.verb in LX.move_verbs and e.verb not in SOJOURN_VERBS and e.status not in ("speculated",)


def _group_names(events: Sequence[Event]) -> dict[str, str]:
    """The name of each traveller that is not a person cluster: of the ways the texts call it, the one that says most
    about who it is ("stranded tourists" over "the first groups", "tired passengers"), then the most used."""
    said: dict[str, Counter[str]] = defaultdict(Counter)
    for e in events:
        if e.subject_name:
            said[e.subject][e.subject_name] += 1

    def proper_words(name: str) -> int:
        words = name.split()
        lead = words[0][:1].isupper() and words[0].lower() not in LX.first_ordinals | GENERIC_LEADS
        return int(lead) + sum(w[:1].isupper() for w in words[1:])

    return {subject: max(counts, key=lambda n: (proper_words(n), counts[n], -len(n)))
            for subject, counts in said.items()}


def _without_guesses_against_the_order(stops: list[Stop], groups: list[list[Event]], guessed: Collection[str]) -> list[Stop]:
    """A stop dated only through an article date guessed from the other articles loses that date when it falls
    before a stop the trip reaches earlier or after one it reaches later ("Saturday" of the wrong week)."""
    def firm(k: int) -> bool:
        return len(stops[k].date or "") == 10 and any(e.date == stops[k].date and firmly_dated(e, guessed) for e in groups[k])

    out = []
    for k, s in enumerate(stops):
        if s.date and not firm(k):
            before = [stops[i].date for i in range(k) if firm(i)]
            after = [stops[i].date for i in range(k + 1, len(stops)) if firm(i)]
            if (before and str(s.date) < max(str(d) for d in before)) or (after and str(s.date) > min(str(d) for d in after)):
                s = replace(s, date=None)
        out.append(s)
    return out


def _dated_by_articles(stops: list[Stop], groups: list[list[Event]]) -> list[Stop]:
    """A done stop the text gives no date takes the date of the article reporting it, when that fits between the
    dates of the stops before and after it (ordering used the text's dates only)."""
    out: list[Stop] = []
    for k, (s, g) in enumerate(zip(stops, groups)):
        reported = sorted({e.article_date for e in g if e.status in DONE_STATUS and e.date_source == "article"
                           and e.article_date and len(e.article_date) == 10})
        if s.date is None and s.status in DONE_STATUS and len(reported) == 1:
            before = [t.date for t in out if t.date and len(t.date) == 10]
            after = [t.date for t in stops[k + 1:] if t.date and len(t.date) == 10]
            if (not before or max(before) <= reported[0]) and (not after or reported[0] <= min(after)):
                s = replace(s, date=reported[0])
        out.append(s)
    return out


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


def build_routes(events: Sequence[Event], subject_names: dict[str, str], article_dates: dict[str, str | None],
                 guessed: Collection[str] = frozenset()) -> list[Route]:
    """Routes of every traveller with two or more stops in one trip (or one stop reached by a journey), in time order.

    `guessed` are articles whose date was guessed from other articles' dates: their dates count less.
    """
    routes: list[Route] = []
    by_subject: dict[str, list[Event]] = defaultdict(list)
    names: dict[str, str] = dict(subject_names)
    merged = _collectives(events)
    events = [replace(e, subject=merged[e.subject]) if e.subject in merged else e for e in events]
    events = complete_years(events)
    for e in events:
        if e.feature in STOP_FEATURES and e.status not in ("denied", "cancelled"):
            by_subject[e.subject].append(e)
    for subject, name in _group_names(events).items():
        names.setdefault(subject, name)
    latest_article = max((d for d in article_dates.values() if d), default=None)
    for subject, evs in by_subject.items():
        for trip in split_trips(evs):
            trip, claims = _supersede(trip)
            groups = _without_containers([g for g in stop_groups(trip) if not _tail_of_a_longer_name(g)])
            stops = [_stop(g, guessed) for g in groups]
            if len(stops) < 2 and not (stops and any(_is_journey(e) for e in trip)):
                continue
            order = order_stops(stops, groups, guessed)
            stops = _without_guesses_against_the_order([stops[k] for k in order], [groups[k] for k in order], guessed)
            stops = _dated_by_articles(stops, [groups[k] for k in order])
            dates = sorted(s.date for s in stops if s.date) or sorted(e.date for e in trip if e.date)
            trip_dates = sorted(d for d in (effective_date(e) for e in trip) if d)
            current = bool(latest_article and trip_dates
                           and abs((dt.date.fromisoformat(latest_article) - trip_dates[-1]).days) <= TRIP_GAP_DAYS)
            if not trip_dates and not latest_article:
                current = True
            route = Route(names.get(subject, subject), subject, Trip(dates[0] if dates else None, dates[-1] if dates else None),
                          tuple(stops), _legs(stops), current, tuple(claims))
            routes.append(replace(route, trip=replace(route.trip, label=trip_label(route))))
    routes = _travelling_together(routes)
    routes.sort(key=lambda r: (not r.current, -len(r.stops), r.subject))
    return routes


Shape = tuple[tuple[str, str, "str | None", frozenset[tuple[object, object]]], ...]


def _travelling_together(routes: list[Route]) -> list[Route]:
    """Travellers told together ("the two ministers boarded a night train to X"), whose routes have the same stops from
    the same sentences, as one route named after all of them (one line on the map, not one per traveller)."""
    def shape(r: Route) -> Shape:
        return tuple((s.place_id, s.status, s.date, frozenset((ev.article, ev.raw_start) for ev in s.evidence))
                     for s in r.stops)

    together: dict[Shape, list[Route]] = defaultdict(list)
    for r in routes:
        together[shape(r)].append(r)
    out = []
    for same in together.values():
        if len(same) == 1:
            out.append(same[0])
            continue
        names = [r.subject for r in same]
        first = same[0]
        merged = replace(first, subject=", ".join(names[:-1]) + " and " + names[-1],
                         subject_id="+".join(r.subject_id for r in same))
        out.append(replace(merged, trip=replace(merged.trip, label=trip_label(merged))))
    return out
