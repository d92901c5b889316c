"""What the map shows, without drawing it: the view (filters, selection, day, fit), the places and routes it keeps,
routes cut at a day, and the keys of route stops in URLs."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

from .geocode import Place
from .route import Route, Stop
from .status import Status


@dataclass
class MapView:
    """What the map shows: filters and the selection."""

    articles: set[str] | None = None  # None: all
    subjects: set[str] | None = None
    statuses: set[str] = field(default_factory=lambda: {"done", "expected"})
    show_metonyms: bool = True
    selected_place: str | None = None
    tiles: bool = False
    day: str | None = None  # ISO date: routes drawn up to that day
    fit: str | None = None  # a route subject to fit the map to; None: every place
    selected_stop: str | None = None  # stop key, see stop_key

    def key(self) -> str:
        """A stable text for caching the map drawn for this view."""
        sets = {k: None if v is None else sorted(v) for k, v in (("a", self.articles), ("s", self.subjects), ("t", self.statuses))}
        return repr((sets, self.show_metonyms, self.selected_place, self.tiles, self.day, self.fit, self.selected_stop))


def stop_key(route: Route, n: int) -> str:
    """The key of a route's n-th stop (1-based) in URLs: route key and position."""
    return f"{route.key}.{n}"


def stops_until(route: Route, day: str | None) -> Route:
    """The route drawn up to `day`: its stops up to the last one dated on or before that day (undated ones between kept)."""
    if not day:
        return route
    last = max((k for k, s in enumerate(route.stops) if s.date and s.date[:10] <= day), default=-1)
    return replace(route, stops=route.stops[: last + 1], legs=route.legs[: max(last, 0)])


def route_days(routes: Iterable[Route]) -> list[str]:
    """The days (ISO dates) on which the routes have a dated stop, in order."""
    return sorted({s.date[:10] for r in routes for s in r.stops if s.date and len(s.date) >= 10})


def day_events(routes: Iterable[Route], day: str) -> list[tuple[Route, int, Stop]]:
    """The stops dated on `day`: (route, 1-based position, stop)."""
    return [(r, n, s) for r in routes for n, s in enumerate(r.stops, start=1) if s.date and s.date[:10] == day]


def visible_places(places: Iterable[Place], view: MapView) -> list[Place]:
    """The places with a mention the view shows (its articles; literal mentions only unless metonyms are counted)."""
    out = []
    for p in places:
        mentions = [m for m in p.mentions if (view.articles is None or m.article in view.articles)
                    and (view.show_metonyms or m.literal)]
        if mentions:
            out.append(p)
    return out


def visible_routes(routes: Iterable[Route], view: MapView) -> list[Route]:
    """The routes of the view's subjects with stops of its statuses and articles, each cut at the view's day."""
    out = []
    for r in routes:
        if view.subjects is not None and r.subject not in view.subjects:
            continue
        stops = [s for s in r.stops if Status(s.status).phase in view.statuses
                 and (view.articles is None or set(s.articles) & view.articles)]
        if len(stops) >= 2 or (len(stops) == 1 and len(r.stops) >= 2):
            out.append(stops_until(r, view.day))
    return out
