"""Stops of one trip put in time order: pairwise votes from status, dates, clock times, wording and tense, then
geography as the last resort (noted in the stop's evidence)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Collection

from geopy.distance import geodesic

from .dates import states_date
from .movement import Event
from .status import DONE_STATUS

if TYPE_CHECKING:  # route.py builds the stops and imports this module
    from .route import Stop

__all__ = ["GEOGRAPHY_NOTE", "OrderWeights", "WEIGHTS", "order_stops"]


@dataclass(frozen=True)
class OrderWeights:
    """How much each kind of evidence counts when two stops are put in order (votes for "a before b")."""

    status: float = 10.0  # a stop reported done comes before one still expected
    date: float = 5.0  # both stops carry day dates that differ
    guessed_date: float = 0.0  # ... one of them resolved against an article date guessed from the other articles (no vote)
    origin: float = 3.0  # a place the trip only leaves from (never reached) comes before the places other articles report
    time: float = 3.0  # same day, clock times differ
    marker: float = 2.0  # "then", "earlier", "after visiting", "had flown", told in one article
    narrative: float = 1.0  # plain text order of one article's main line
    return_leg: float = 3.0  # the way back comes last
    departure: float = 3.0  # a place departed from comes before the places the same article reports reached


WEIGHTS = OrderWeights()
ROLE_OFFSET = {"origin": -0.2, "via": -0.1, "stop": 0.0, "destination": 0.1}  # within one clause: from X via Y to Z
FLASHBACK_STEP = 0.001
FUTURE_SHIFT = 1000.0  # what an article expects comes after everything it reports done
LAST_SHIFT = 800.0  # "made its final stop in X": after everything else the article reports done
FIRST_SHIFT = -800.0  # "its first stop was X": before it
LIST_STEP = 0.01  # "from X to A, B and C": places listed in one clause keep their text order
PERFECT_SHIFT = 500.0  # "has arrived": the newest state, told first in a lede, after the narrated past
GEOGRAPHY_NOTE = "order from geography: no date or wording orders this stop"


def _shift(e: Event) -> float:
    """How far an event moves past the article's narrative: plans after everything done, the latest state after the rest."""
    if e.status not in DONE_STATUS:
        return FUTURE_SHIFT
    if e.sequence in ("last", "first"):
        return LAST_SHIFT if e.sequence == "last" else FIRST_SHIFT
    return PERFECT_SHIFT if e.aspect == "perfect" else 0.0


def _positions(events: list[Event]) -> dict[int, float]:
    """Narrative position of each event (by id) within one article: text order, moved by tense and order words."""
    pos: dict[int, float] = {}
    clause_pos: dict[int, float] = {}
    main = 0.0
    top = 0.0
    flashback = 0
    ordered = sorted(events, key=lambda e: e.order)
    listed: Counter[tuple[int, str]] = Counter()
    for e in ordered:
        if e.relation:
            continue
        listed[(e.clause, e.role)] += 1
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
        pos[id(e)] = p + ROLE_OFFSET[e.role] + LIST_STEP * (listed[(e.clause, e.role)] - 1) + _shift(e)
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


def firmly_dated(e: Event, guessed: Collection[str]) -> bool:
    """Whether the event's date stands on its own: its article's date was stated, or the sentence writes it in full."""
    return bool(e.date) and (e.article not in guessed or states_date(e.sentence, e.date or ""))


def _preferences(stops: list[Stop], groups: list[list[Event]], guessed: Collection[str]) -> list[list[float]]:
    """pref[a][b]: weighted votes that stop a comes before stop b."""
    n = len(stops)
    pref = [[0.0] * n for _ in range(n)]
    date_weight = [WEIGHTS.date if any(e.date == s.date and firmly_dated(e, guessed) for e in g) else WEIGHTS.guessed_date
                   for s, g in zip(stops, groups)]
    trip_origin = [all(e.role == "origin" and e.status == "departed" and e.leg == "out" for e in g) for g in groups]
    for a in range(n):
        for b in range(n):
            if a == b:
                continue
            sa, sb = stops[a], stops[b]
            if sa.status in DONE_STATUS and sb.status not in DONE_STATUS:
                pref[a][b] += WEIGHTS.status
            if sa.date and sb.date and len(sa.date) == len(sb.date) == 10:
                if sa.date < sb.date:
                    pref[a][b] += min(date_weight[a], date_weight[b])
                elif sa.date == sb.date and sa.time and sb.time and sa.time[:1].isdigit() and sb.time[:1].isdigit() and sa.time < sb.time:
                    pref[a][b] += WEIGHTS.time
            a_return = all(e.leg == "return" for e in groups[a])
            b_return = all(e.leg == "return" for e in groups[b])
            if b_return and not a_return:
                pref[a][b] += WEIGHTS.return_leg
            if trip_origin[a] and not trip_origin[b]:
                pref[a][b] += WEIGHTS.origin
    by_article: dict[str, list[tuple[int, Event]]] = defaultdict(list)
    for k, g in enumerate(groups):
        for e in g:
            by_article[e.article].append((k, e))
    for members in by_article.values():
        # A headline sums up, it does not narrate.
        body = [(k, e) for k, e in members if not e.headline]
        # A place the article also reports reached ("arrived at X ... from X, took the train") is a stop on the way, not
        # where the article's journey starts.
        reached = {k for k, e in body if e.role != "origin" and e.status in DONE_STATUS}
        departed = {k for k, e in body if e.role == "origin" and e.status == "departed"} - reached
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


def order_stops(stops: list[Stop], groups: list[list[Event]], guessed: Collection[str] = frozenset()) -> list[int]:
    """Stop indexes in time order: greedy on pairwise wins, then net votes; ties with no evidence at all broken by
    geography (noted in the stop's evidence). Dates from `guessed`-date articles count less."""
    pref = _preferences(stops, groups, guessed)
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
            stops[pick] = replace(stops[pick], evidence=tuple(replace(ev, order=GEOGRAPHY_NOTE) for ev in stops[pick].evidence))
        else:
            pick = min(tied, key=lambda k: first_seen[k])
        out.append(pick)
        remaining.remove(pick)
        for k in remaining:
            d = diff[k][pick]
            wins[k] -= (d > 0) - (d < 0)
            margin[k] -= d
    return out
