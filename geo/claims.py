"""Claims side by side: facts several sources report (stops, meetings, numbers), grouped, and checked against the map."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from geopy.distance import geodesic

from .articles import Article
from .dates import parse_iso
from .facts import Fact, Place
from .route import STATUS_RANK, Evidence, Route

AGREE_SHARE = 0.1  # two stated numbers within 10% of each other agree
STRAIGHT_LINE_TOLERANCE = 0.1  # a stated distance within 10% of the great circle is the straight line
LAND_ROUTE_MAX_RATIO = 1.6  # rail and road routes rarely run longer than this multiple of the great circle
DURATION_SLACK_HOURS = 24.0  # stop dates are days: a stated travel time may differ from their gap by up to a day
DONE = {"arrived", "departed", "visited", "passed"}


@dataclass(frozen=True)
class ClaimRow:
    """What one source says about a claim; `group` numbers the agreeing rows, `check` is the map's verdict."""

    article: str
    source: str
    value: str
    group: int
    sentence: str
    raw_start: int  # the sentence's raw-file offsets
    raw_end: int
    check: str | None = None


@dataclass(frozen=True)
class Claim:
    key: str
    kind: str  # "stop date", "stop time", "stop status", "meeting", "distance", "duration", "count"
    subject: str
    rows: tuple[ClaimRow, ...]
    conflict: bool
    note: str = ""

    @property
    def sources(self) -> int:
        return len({r.article for r in self.rows})


# --------------------------------------------------------------------------- checks against the map


def check_distance(amount_km: float, bound: str, a: Place, b: Place) -> str:
    """What the great-circle distance between `a` and `b` says of a stated distance, in words."""
    great = geodesic((a.lat, a.lon), (b.lat, b.lon)).km
    ratio = amount_km / great if great else float("inf")
    tail = f"(great-circle {great:,.0f} km, stated {ratio:.2f}×)"
    if bound == "at most":
        return f"supported {tail}" if great <= amount_km * (1 + STRAIGHT_LINE_TOLERANCE) else f"not supported by the map {tail}"
    if abs(ratio - 1) <= STRAIGHT_LINE_TOLERANCE:
        return f"supported: the straight-line distance {tail}"
    if ratio < 1:
        return f"not supported: shorter than the straight line {tail}"
    if ratio <= LAND_ROUTE_MAX_RATIO:
        return f"consistent with a route by land (rail or road), longer than the straight line {tail}"
    return f"not supported: longer than a land route would explain {tail}"


def check_duration(hours: float, bound: str, dates: tuple[str, ...]) -> str:
    """What the dates of two stops say of a stated travel time between them."""
    d1, d2 = sorted(d for d in map(parse_iso, dates) if d)
    gap = (d2 - d1).days * 24.0
    tail = f"(stops dated {d1.isoformat()} and {d2.isoformat()})"
    low, high = gap - DURATION_SLACK_HOURS, gap + DURATION_SLACK_HOURS
    if bound == "at least":
        ok = hours <= high
    elif bound == "at most":
        ok = hours >= low
    else:
        ok = low <= hours <= high
    return f"{'consistent with' if ok else 'not supported by'} the stop dates {tail}"


# --------------------------------------------------------------------------- claims across sources


PARTS_OF_DAY = {"dawn": (4, 7), "morning": (5, 12), "noon": (11, 13), "afternoon": (12, 18), "evening": (17, 23),
                "night": (19, 29), "midnight": (23, 25)}  # hours a part of day covers (past 24 is after midnight)


def _hours(value: str) -> tuple[float, float] | None:
    """The hours a stated time covers: a clock time ("09:30 (UTC+09:00)") is one instant, a part of day a range."""
    if value in PARTS_OF_DAY:
        return PARTS_OF_DAY[value]
    m = re.match(r"(\d{2}):(\d{2})", value)
    if not m:
        return None
    hour = int(m.group(1)) + int(m.group(2)) / 60
    return hour, hour


def _times_agree(a: str, b: str) -> bool:
    """Two clock times agree when equal; a part of day agrees with a clock time inside it and with an overlapping part."""
    ha, hb = _hours(a), _hours(b)
    if ha is None or hb is None:
        return a == b
    if ha[0] == ha[1] and hb[0] == hb[1]:
        return a[:5] == b[:5]
    return any(ha[0] + sa <= hb[1] + sb and hb[0] + sb <= ha[1] + sa for sa, sb in ((0, 0), (24, 0), (0, 24)))  # across midnight


def _agree(kind: str, a: str, b: str) -> bool:
    """Whether two stated values agree: a month agrees with a day in it; reports done (arrived, visited) agree, and so do
    reports not yet done (planned, expected); "will meet" and "may meet" both look ahead."""
    if kind == "stop date":
        return a.startswith(b) or b.startswith(a)
    if kind == "stop time":
        return _times_agree(a, b)
    if kind == "stop status":
        return (a in DONE) == (b in DONE)
    if kind == "meeting":
        return a == b or ("not" not in a + b and a != "met" and b != "met")
    return a == b


def _close(kind: str, a: float | None, b: float | None, exact: bool) -> bool:
    """Whether two stated numbers agree: within AGREE_SHARE, except exact counts, which must be equal."""
    if a is None or b is None:
        return False
    return a == b if kind == "count" and exact else abs(a - b) <= AGREE_SHARE * max(a, b)


def _groups(kind: str, values: list[str], amounts: list[float | None], bounds: list[str] | None = None) -> list[int]:
    """Agreement group of each row: agreeing values, or numbers close to the group's first (see `_close`)."""
    firsts: list[tuple[str, float | None, str]] = []
    out = []
    for value, amount, bound in zip(values, amounts, bounds or ["exactly"] * len(values)):
        for k, (v0, a0, b0) in enumerate(firsts):
            if _agree(kind, value, v0) or _close(kind, amount, a0, bound == b0 == "exactly"):
                out.append(k)
                break
        else:
            firsts.append((value, amount, bound))
            out.append(len(firsts) - 1)
    return out


def _stop_claims(routes: Sequence[Route], source: Mapping[str, str], article_dates: Mapping[str, str | None]) -> tuple[list[Claim], dict[str, str]]:
    """Per stop reported by two or more articles: its date, its time of day and its status, one row per article."""
    claims: list[Claim] = []
    stop_dates: dict[str, str] = {}
    for route in routes:
        for stop in route.stops:
            if stop.date:
                stop_dates.setdefault(stop.place_id, stop.date)
            by_article: dict[str, list[Evidence]] = defaultdict(list)
            for ev in stop.evidence:
                by_article[ev.article].append(ev)
            if len(by_article) < 2:
                continue
            subject = f"{route.subject} at {stop.name}"
            dated = [(a, next(e for e in evs if e.date)) for a, evs in by_article.items() if any(e.date for e in evs)]
            if len(dated) >= 2:
                values = [e.date or "" for _a, e in dated]  # every one dated: `or ""` only tells the type checker
                groups = _groups("stop date", values, [None] * len(dated))
                rows = tuple(ClaimRow(a, source.get(a, a), v, g, e.sentence, e.raw_start, e.raw_end) for (a, e), v, g in zip(dated, values, groups))
                claims.append(Claim(f"{route.key}-{stop.place_id}-date", "stop date", subject, rows, len(set(groups)) > 1))
            timed = [(a, next(e for e in evs if e.time)) for a, evs in by_article.items() if any(e.time for e in evs)]
            if len(timed) >= 2:
                values = [e.time or "" for _a, e in timed]
                groups = _groups("stop time", values, [None] * len(timed))
                rows = tuple(ClaimRow(a, source.get(a, a), v, g, e.sentence, e.raw_start, e.raw_end) for (a, e), v, g in zip(timed, values, groups))
                claims.append(Claim(f"{route.key}-{stop.place_id}-time", "stop time", subject, rows, len(set(groups)) > 1))
            best = [(a, max(evs, key=lambda e: STATUS_RANK.get(e.status, 0))) for a, evs in by_article.items()]
            groups = _groups("stop status", [str(e.status) for _a, e in best], [None] * len(best))
            rows = tuple(ClaimRow(a, source.get(a, a), str(e.status), g, e.sentence, e.raw_start, e.raw_end) for (a, e), g in zip(best, groups))
            same_day_clash = any(r.group != s.group and article_dates.get(r.article) == article_dates.get(s.article) for r in rows for s in rows)
            note = "" if len(set(groups)) == 1 or same_day_clash else "reports changed over time (older articles expected what newer ones report done)"
            claims.append(Claim(f"{route.key}-{stop.place_id}-status", "stop status", subject, rows, same_day_clash, note))
    return claims, stop_dates


def build_claims(facts: Sequence[Fact], routes: Sequence[Route], articles: Sequence[Article]) -> list[Claim]:
    """Claims that two or more articles report, or that the map can check, with agreements grouped and conflicts marked."""
    source = {a.id: a.outlet or a.label for a in articles}
    claims, stop_dates = _stop_claims(routes, source, {a.id: a.date for a in articles})
    by_key: dict[tuple[str, ...], list[Fact]] = defaultdict(list)
    for f in facts:
        if all(g.article != f.article for g in by_key[f.key]):  # one row per source
            by_key[f.key].append(f)
    for key, group in by_key.items():
        f0 = group[0]
        checks: list[str | None] = [None] * len(group)
        if f0.kind == "distance":
            checks = [check_distance(f.amount or 0.0, f.bound, *f.places) for f in group]
        elif f0.kind == "duration" and all(p.id in stop_dates for p in f0.places):
            checks = [check_duration(f.amount or 0.0, f.bound, tuple(stop_dates[p.id] for p in f.places)) for f in group]
        if len(group) < 2 and checks[0] is None:
            continue
        groups = _groups(f0.kind, [f.value for f in group], [f.amount for f in group], [f.bound for f in group])
        rows = tuple(ClaimRow(f.article, source.get(f.article, f.article), f.value, g, f.sentence, f.raw_start, f.raw_end, c)
                     for f, g, c in zip(group, groups, checks))
        if f0.kind == "meeting":
            negated = {r.value for r in rows if "not" in r.value}
            conflict = bool(negated) and len(negated) < len(rows)
        else:
            conflict = len(set(groups)) > 1
        claims.append(Claim("-".join(key), f0.kind, f0.label, rows, conflict))
    claims.sort(key=lambda c: (not c.conflict, -c.sources, c.kind, c.subject))
    return claims
