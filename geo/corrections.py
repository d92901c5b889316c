"""Analysts' corrections: typed records keyed by stable ids, and the seams where they apply.

Keys: an article by its content id, a place mention by its MentionKey (article, raw_start, raw_end), a stop by
(subject cluster id, place id), a cluster by its id. `analyze` calls a `Corrections` after places are resolved (per
article) and after routes are built; `StoredCorrections` is that hook for a workspace's stored corrections, and
`apply_corrections` applies the same corrections to a finished Analysis (the dashboard, without parsing again).
A correction whose target is gone after a re-analysis is skipped and reported, never applied elsewhere.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Protocol, Sequence

from .articles import Article
from .entities import MentionKey
from .errors import GeoError
from .gazetteer import Candidate, Gazetteer
from .geocode import Place, PlaceMention, Resolution
from .route import Route, Stop, _legs, trip_label
from .status import Status

if TYPE_CHECKING:  # the pipeline imports this module; the database layer loads only where corrections are stored
    from .workspaces import WorkspaceStore

CORRECTED_CONFIDENCE = 1.0  # a place an analyst chose is as sure as the pipeline gets


class Corrections(Protocol):
    """What `analyze` calls between resolving and extracting events, and after building routes; each returns a new value."""

    def mentions(self, article: Article, resolved: Sequence[Resolution], gazetteer: Gazetteer) -> list[Resolution]:
        """The article's resolved place mentions after corrections (moved to another entry, or dropped)."""
        ...

    def routes(self, routes: Sequence[Route]) -> list[Route]:
        """The routes after corrections (stops added, removed, reordered, restated)."""
        ...


class NoCorrections:
    """The default: what the pipeline found, unchanged."""

    def mentions(self, article: Article, resolved: Sequence[Resolution], gazetteer: Gazetteer) -> list[Resolution]:
        return list(resolved)

    def routes(self, routes: Sequence[Route]) -> list[Route]:
        return list(routes)


class MentionPlaces(NoCorrections):
    """Place corrections by mention key: the gazetteer id a mention refers to, or None for "not a place"."""

    def __init__(self, places: Mapping[MentionKey, str | None]):
        self.places = dict(places)

    def mentions(self, article: Article, resolved: Sequence[Resolution], gazetteer: Gazetteer) -> list[Resolution]:
        out: list[Resolution] = []
        for toponym, chosen, confidence, metonym in resolved:
            key = toponym.entity.key
            if key not in self.places:
                out.append((toponym, chosen, confidence, metonym))
                continue
            place_id = self.places[key]
            if place_id is None:
                continue  # "not a place"
            entry = gazetteer.get(place_id)
            # An entry the gazetteer no longer has (another version) leaves the mention as resolved.
            out.append((toponym, entry, CORRECTED_CONFIDENCE, metonym) if entry is not None else (toponym, chosen, confidence, metonym))
        return out


NO_CORRECTIONS = NoCorrections()

# kind -> the payload keys it needs
KINDS: dict[str, tuple[str, ...]] = {
    "place_move": ("article", "start", "end", "place", "name", "lat", "lon"),
    "not_a_place": ("article", "start", "end"),
    "stop_edit": ("subject", "place"),
    "stop_remove": ("subject", "place"),
    "stop_add": ("subject", "place", "name", "lat", "lon", "status"),
    "stop_move": ("subject", "place"),
    "cluster_merge": ("into", "other"),
    "cluster_split": ("cluster", "mentions"),
}
STATUSES = ("arrived", "departed", "visited", "passed", "planned", "expected", "speculated")
CORRECTED_SOURCE = "correction"
CORRECTED_ROLE = "corrected"
EXPORT_FORMAT = "geo-corrections"


class CorrectionError(GeoError):
    """A correction is malformed: unknown kind, a missing field, a bad status or coordinate."""


@dataclass(frozen=True)
class Correction:
    """What to change (kind and payload), who asked and when; `id` is the stored row's."""

    kind: str
    payload: Mapping[str, Any]
    author: str = ""
    id: int = 0


def check_correction(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of a valid correction, as a plain dict; CorrectionError naming what is wrong."""
    if kind not in KINDS:
        raise CorrectionError(f"unknown correction kind {kind[:40]!r}: one of {', '.join(KINDS)}")
    missing = [k for k in KINDS[kind] if payload.get(k) in (None, "")]
    if missing:
        raise CorrectionError(f"a {kind} correction needs {', '.join(missing)}")
    out = dict(payload)
    if "status" in out and out["status"] not in (None, "") and out["status"] not in STATUSES:
        raise CorrectionError(f"stop status {str(out['status'])[:20]!r} is not one of {', '.join(STATUSES)}")
    for key, limit in (("lat", 90), ("lon", 180)):
        if key in out:
            try:
                out[key] = float(out[key])
            except (TypeError, ValueError):
                raise CorrectionError(f"{key} must be a number") from None
            if not -limit <= out[key] <= limit:
                raise CorrectionError(f"{key} {out[key]} is out of range")
    for key in ("start", "end"):
        if key in out:
            out[key] = int(out[key])
    return out


def _payload_key(p: Mapping[str, Any]) -> MentionKey:
    return (str(p["article"]), int(p["start"]), int(p["end"]))


@dataclass(frozen=True)
class Applied:
    """The corrected analysis, the ids of the corrections that applied, and one line per correction that did not."""

    analysis: Any
    applied: tuple[int, ...]
    skipped: tuple[str, ...]


def apply_corrections(analysis: Any, corrections: Iterable[Correction]) -> Applied:
    """A new Analysis with `corrections` applied in order; the given one is left unchanged."""
    places = list(analysis.places)
    routes = list(analysis.routes)
    edited: set[int] = set()
    clusters = list(analysis.clusters)
    assignment = dict(analysis.assignment)
    applied: list[int] = []
    skipped: list[str] = []
    for c in corrections:
        p = c.payload
        if c.kind in ("place_move", "not_a_place"):
            ok = _move_mention(places, p, c.kind == "place_move")
        elif c.kind.startswith("stop_"):
            ok = _edit_route(routes, c.kind, p, edited)
        else:
            ok = _edit_clusters(analysis, clusters, assignment, c.kind, p)
        if ok:
            applied.append(c.id)
        else:
            skipped.append(f"correction {c.id} ({c.kind}) no longer matches the analysis: its target is gone")
    for i in edited:
        routes[i] = _rebuilt(routes[i])
    new = replace(analysis, places=places, routes=routes, clusters=clusters, assignment=assignment,
                  warnings=list(analysis.warnings) + skipped)
    return Applied(new, tuple(applied), tuple(skipped))


def _move_mention(places: list[Place], p: Mapping[str, Any], move: bool) -> bool:
    key = _payload_key(p)
    found: PlaceMention | None = None
    for i, place in enumerate(places):
        kept = tuple(m for m in place.mentions if m.key != key)
        if len(kept) != len(place.mentions):
            found = next(m for m in place.mentions if m.key == key)
            places[i] = replace(place, mentions=kept)
    places[:] = [pl for pl in places if pl.mentions]
    if found is None or not move:
        return found is not None
    target = next((i for i, pl in enumerate(places) if pl.id == p["place"]), None)
    if target is None:
        places.append(Place(str(p["place"]), str(p["name"]), str(p.get("feature") or "place"), str(p.get("category") or ""),
                            str(p.get("country") or ""), float(p["lat"]), float(p["lon"]), CORRECTED_SOURCE, 1.0, (found,)))
    else:
        places[target] = replace(places[target], source=CORRECTED_SOURCE, mentions=places[target].mentions + (found,))
    return True


class StoredCorrections(NoCorrections):
    """A workspace's corrections as the pipeline's hook: place corrections on each article's resolved mentions, stop
    corrections on the routes (cluster corrections apply to the finished Analysis, see apply_corrections)."""

    def __init__(self, corrections: Iterable[Correction]):
        self.corrections = list(corrections)

    def mentions(self, article: Article, resolved: Sequence[Resolution], gazetteer: Gazetteer) -> list[Resolution]:
        wanted = {_payload_key(c.payload): c for c in self.corrections
                  if c.kind in ("place_move", "not_a_place") and c.payload["article"] == article.id}  # the latest per mention wins
        out: list[Resolution] = []
        for toponym, chosen, confidence, metonym in resolved:
            c = wanted.get(toponym.entity.key)
            if c is None:
                out.append((toponym, chosen, confidence, metonym))
            elif c.kind == "place_move":
                entry = gazetteer.get(str(c.payload["place"])) or _candidate(c.payload)
                out.append((toponym, replace(entry, source=CORRECTED_SOURCE), CORRECTED_CONFIDENCE, metonym))
        return out

    def routes(self, routes: Sequence[Route]) -> list[Route]:
        out = list(routes)
        edited: set[int] = set()
        for c in self.corrections:
            if c.kind.startswith("stop_"):
                _edit_route(out, c.kind, c.payload, edited)
        for i in edited:
            out[i] = _rebuilt(out[i])
        return out


def _candidate(p: Mapping[str, Any]) -> Candidate:
    """The gazetteer entry a place correction names, from what it stored (the gazetteer in use may not have it)."""
    return Candidate(str(p["place"]), str(p["name"]), str(p.get("feature") or "place"), str(p.get("category") or ""),
                     str(p.get("country") or ""), "", float(p["lat"]), float(p["lon"]), 0, False, CORRECTED_SOURCE)


def _rebuilt(route: Route) -> Route:
    """A route whose stops were corrected, with its legs and trip label computed again from its new stops."""
    fresh = replace(route, legs=_legs(list(route.stops)))
    return replace(fresh, trip=replace(fresh.trip, label=trip_label(fresh)))


def _marked(stop: Stop, **changes: Any) -> Stop:
    """`stop` with `changes` and the corrected role."""
    roles = tuple(stop.roles) + (() if CORRECTED_ROLE in stop.roles else (CORRECTED_ROLE,))
    return replace(stop, roles=roles, **changes)


def _edit_route(routes: list[Route], kind: str, p: Mapping[str, Any], edited: set[int]) -> bool:
    """Apply one stop correction to every route of its subject (a new Route for each one changed)."""
    mine = [i for i, r in enumerate(routes) if r.subject_id == str(p["subject"])]
    if kind == "stop_add":
        if not mine:
            return False
        i = next((i for i in mine if routes[i].current), mine[0])
        stops = list(routes[i].stops)
        stops.insert(_position_after(stops, p.get("after")), Stop(str(p["place"]), str(p["name"]), float(p["lat"]), float(p["lon"]),
                                                                   p.get("date") or None, p.get("time") or None, Status(p["status"]),
                                                                   (CORRECTED_ROLE,), (), ()))
        routes[i] = replace(routes[i], stops=tuple(stops))
        edited.add(i)
        return True
    hit = False
    for i in mine:
        stops = list(routes[i].stops)
        k = next((k for k, s in enumerate(stops) if s.place_id == p["place"]), None)
        if k is None:
            continue
        hit = True
        stop = stops.pop(k)
        if kind == "stop_move":
            stops.insert(_position_after(stops, p.get("after")), _marked(stop))
        elif kind == "stop_edit":
            changes = {f: (p[f] or None) for f in ("date", "time") if f in p}  # an empty value clears the date or time
            stops.insert(k, _marked(stop, status=Status(p.get("status") or stop.status), **changes))
        routes[i] = replace(routes[i], stops=tuple(stops))
        edited.add(i)
    return hit


def _position_after(stops: list[Stop], after: object) -> int:
    """The index just after the stop at place `after` (0 when None: first; the end when that stop is gone)."""
    if not after:
        return 0
    return next((i + 1 for i, s in enumerate(stops) if s.place_id == after), len(stops))


def _edit_clusters(analysis: Any, clusters: list[Any], assignment: dict[MentionKey, str], kind: str, p: Mapping[str, Any]) -> bool:
    by_id = {c.id: c for c in clusters}
    if kind == "cluster_merge":
        into, other = by_id.get(p["into"]), by_id.get(p["other"])
        if into is None or other is None or into.id == other.id:
            return False
        for key, cid in assignment.items():
            if cid == other.id:
                assignment[key] = into.id
        merged = replace(into, aliases=tuple(dict.fromkeys(into.aliases + (other.name,) + other.aliases)),
                         articles=tuple(sorted(set(into.articles) | set(other.articles))), mentions=into.mentions + other.mentions)
        clusters[:] = [merged if c.id == into.id else c for c in clusters if c.id != other.id]
        return True
    source = by_id.get(p["cluster"])
    wanted = {(str(a), int(s), int(e)) for a, s, e in p["mentions"]}
    moved = [e for e in analysis.entities if assignment.get(e.key) == p["cluster"] and e.key in wanted]
    if source is None or not moved:
        return False
    new_id = f"{source.id}~split~{min(wanted)[0]}-{min(wanted)[1]}"
    for e in moved:
        assignment[e.key] = new_id
    left = [e for e in analysis.entities if assignment.get(e.key) == source.id]
    clusters[:] = [c for c in clusters if c.id != source.id]
    if left:
        clusters.append(replace(source, articles=tuple(sorted({e.article for e in left})), mentions=len(left)))
    clusters.append(replace(source, id=new_id, name=moved[0].text, aliases=tuple(dict.fromkeys(e.text for e in moved)),
                            articles=tuple(sorted({e.article for e in moved})), mentions=len(moved)))
    return True


def record_correction(store: WorkspaceStore, ws_id: str, kind: str, payload: Mapping[str, Any], author: str, key: str | None) -> Correction:
    """Check and store one correction in the workspace's history (the store checks the editor key)."""
    row = store.add_correction(ws_id, kind, check_correction(kind, payload), author, key)
    return Correction(row.kind, row.payload, row.author, row.id)


def workspace_corrections(store: WorkspaceStore, ws_id: str) -> list[Correction]:
    """The workspace's active corrections, oldest first, as they will be applied."""
    return [Correction(r.kind, r.payload, r.author, r.id) for r in store.corrections(ws_id)]


def export_corrections(rows: Sequence[Mapping[str, Any]]) -> str:
    """Corrections (as geo.workspaces.correction_json gives them) as one JSON document."""
    return json.dumps({"format": EXPORT_FORMAT, "corrections": list(rows)}, indent=1)


def import_corrections(text: str) -> list[Correction]:
    """The active corrections of an exported document, checked; CorrectionError for a damaged one."""
    try:
        document = json.loads(text)
    except ValueError:
        raise CorrectionError("not a corrections export: the file is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT or not isinstance(document.get("corrections"), list):
        raise CorrectionError(f"not a corrections export: expected a JSON object with \"format\": \"{EXPORT_FORMAT}\"")
    out = []
    for row in document["corrections"]:
        if not isinstance(row, dict) or row.get("undone_at"):
            continue
        if not isinstance(row.get("payload"), dict):
            raise CorrectionError("not a corrections export: a correction lacks its payload")
        out.append(Correction(str(row.get("kind")), check_correction(str(row.get("kind")), row["payload"]), str(row.get("author") or "")))
    return out


def import_into(store: WorkspaceStore, ws_id: str, data: bytes, author: str, key: str | None) -> tuple[Correction, ...]:
    """Store the active corrections of an exported file in the workspace, all or none (each keeps its author, else
    `author`); CorrectionError naming what is wrong with a bad file, and nothing stored."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CorrectionError("not a corrections export: the file is not UTF-8 text") from None
    found = import_corrections(text)
    if not found:
        raise CorrectionError("the file holds no active correction: nothing was imported")
    rows = store.add_corrections(ws_id, [(c.kind, dict(c.payload), c.author or author) for c in found], key)
    return tuple(Correction(r.kind, r.payload, r.author, r.id) for r in rows)
