"""Trips: a traveller's movement events split into separate journeys by date gaps, the dates they stand at, and the
events of one trip grouped into stops (one place, or a facility and the town it serves; the way back apart)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from geopy.distance import geodesic

from .dates import parse_iso, with_year
from .lexicon import LEXICON as LX
from .movement import Event
from .status import DONE_STATUS

__all__ = ["SETTLEMENTS", "TRIP_GAP_DAYS", "complete_years", "effective_date", "near", "split_trips", "stop_groups"]

SAME_PLACE_KM = 35.0  # a station, airport or facility and the town it serves (airports lie up to ~30 km out)
SAME_TOWN_KM = 3.0  # two settlement entries this close are one place (duplicate gazetteer rows)
SETTLEMENTS = {"city", "town", "village"}
TRIP_GAP_DAYS = 14
SAME_ARTICLE_WEIGHT = 100  # per dated event of the same article, when an undated event looks for its trip


def effective_date(e: Event) -> dt.date | None:
    """The event's own date; the article's when the event has none or only a year or month the article falls in."""
    if e.date and not (e.article_date and len(e.date) < 10 and e.article_date.startswith(e.date)):
        return parse_iso(e.date)
    return parse_iso(e.article_date) if e.date_source else None


def near(a: Event, b: Event) -> bool:
    """Same stop: one place, or a facility and the town it serves; two distinct towns stay two stops."""
    if a.place_id == b.place_id:
        return True
    km: float = geodesic((a.lat, a.lon), (b.lat, b.lon)).km
    if _is_settlement(a) and _is_settlement(b):
        return km <= SAME_TOWN_KM
    return km <= SAME_PLACE_KM and not _told_on_different_days(a, b)


def _told_on_different_days(a: Event, b: Event) -> bool:
    """Both events carry a day of their own from the text, and the days differ (a facility visited days after the town)."""
    days = [e.date for e in (a, b) if e.date_source == "text" and e.date and len(e.date) == 10]
    return len(days) == 2 and days[0] != days[1]


def _is_settlement(e: Event) -> bool:
    """A town, not a facility the gazetteer files as a populated place ("X Air Force Base", "X Station")."""
    return e.feature in SETTLEMENTS and e.place.split()[-1].lower() not in LX.facility_heads


def split_trips(events: list[Event]) -> list[list[Event]]:
    """Events split into trips by date gaps; an article without any date joins the trip it shares places with, and a
    plan dated only by month or year ("intends to attend X in December") the trip its article reports."""
    reporting = {e.article for e in events if e.status in DONE_STATUS and effective_date(e)}
    dated = sorted((e for e in events if effective_date(e) and not _vague_plan(e, reporting)),
                   key=lambda e: (effective_date(e), e.article, e.order))
    trips: list[list[Event]] = []
    last: dt.date | None = None
    for e in dated:
        d = effective_date(e)
        if trips and last is not None and d is not None and (d - last).days <= TRIP_GAP_DAYS:
            trips[-1].append(e)
        else:
            trips.append([e])
        last = d
    floating: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if not effective_date(e) or _vague_plan(e, reporting):
            floating[e.article].append(e)
    for article, evs in sorted(floating.items()):
        # An article's undated events go with its dated ones; else with the trip they share places with.
        shared = [SAME_ARTICLE_WEIGHT * sum(t.article == article for t in trip) + sum(any(near(e, t) for t in trip) for e in evs)
                  for trip in trips]
        best = max(range(len(trips)), key=lambda i: shared[i], default=None)
        if best is not None and shared[best] > 0:
            trips[best].extend(evs)
        elif len(trips) == 1 and not trips[0]:
            trips[0].extend(evs)
        else:
            trips.append(evs)
    return trips


def _vague_plan(e: Event, reporting: set[str]) -> bool:
    """A plan dated by month or year only, told in an article that reports dated movements of the traveller."""
    return e.status not in DONE_STATUS and bool(e.date) and len(e.date or "") < 10 and e.article in reporting


def complete_years(events: list[Event]) -> list[Event]:
    """Day-month dates of undated articles ("on 2 August") take the year of the traveller's other dates."""
    years: dict[str, list[int]] = defaultdict(list)
    for e in events:
        for value in (e.date, e.article_date if e.date_source else None):
            if value and not value.startswith("--"):
                years[e.subject].append(int(value[:4]))
    return [replace(e, date=with_year(e.date, years[e.subject])) if e.date and e.date.startswith("--") else e for e in events]


def stop_groups(events: list[Event]) -> list[list[Event]]:
    """Events grouped by place; a return to the place the trip left from is a stop of its own at the end."""
    groups: list[list[Event]] = []
    origin_places = [e for e in events if e.role == "origin" and e.leg == "out"]
    for e in sorted(events, key=lambda e: (e.article, e.order)):
        back_home = e.leg == "return" and e.role == "destination" and any(near(e, o) for o in origin_places)
        for g in groups:
            if near(g[0], e) and (g[0].leg == "return" and g[0].role == "destination") == back_home:
                g.append(e)
                break
        else:
            groups.append([e])
    return _to_the_way_back(groups)


def _to_the_way_back(groups: list[list[Event]]) -> list[list[Event]]:
    """An event at the trip's starting point dated the day of the way back there ("will return to X on Monday"; "on
    Monday it will inspect halls in X") is told of that return, unless its own stop was reached that day too."""
    back = [g for g in groups if g[0].leg == "return" and g[0].role == "destination"]
    for g in groups:
        if g in back:
            continue
        for e in list(g):
            if not e.date or len(e.date) != 10 or any(o.date == e.date for o in g if o is not e):
                continue
            home = next((r for r in back if near(r[0], e) and any(o.date == e.date for o in r)), None)
            if home is not None:
                g.remove(e)
                home.append(e)
    return [g for g in groups if g]
