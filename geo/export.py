"""The analysis as JSON, GeoJSON and CSV: the formats the CLI writes and the dashboard offers for download."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .claims import Claim, ClaimRow
from .entities import Entity, MentionKey
from .geocode import Unresolved
from .errors import ResultsError
from .geocode import Place
from .pipeline import Analysis
from .quotes import Quote, shared_quotes
from .route import Evidence, Leg, Route, RouteClaim, Status, Stop, Trip

if TYPE_CHECKING:
    import pandas as pd

# Bumped when the Parquet tables change shape; read_parquet refuses other versions with one line. Format 5 names every offset
# for what it indexes (raw_start/raw_end: the raw file; clean_start/clean_end: the cleaned text), as the JSON, GeoJSON and CSV do.
PARQUET_VERSION = "5"
PARQUET_TABLES = ("articles", "entities", "clusters", "places", "routes", "stops", "unresolved", "quotes", "claims")
QUOTE_FIELDS = ("article", "kind", "text", "raw_start", "raw_end", "clean_start", "clean_end", "verb", "speaker", "speaker_raw_start",
                "speaker_raw_end", "speaker_id")
CLAIM_FIELDS = ("claim", "kind", "subject", "conflict", "note", "article", "source", "value", "group", "sentence", "raw_start", "raw_end", "check")


def _route_dict(route: Route) -> dict[str, Any]:
    return {
        "subject": route.subject,
        "subject_id": route.subject_id,
        "trip": asdict(route.trip),
        "current": route.current,
        "stops": [{"name": s.name, "place_id": s.place_id, "lat": s.lat, "lon": s.lon, "date": s.date, "time": s.time,
                   "status": str(s.status), "roles": list(s.roles), "articles": list(s.articles),
                   "evidence": [evidence_dict(e) for e in s.evidence]} for s in route.stops],
        "legs": [leg_dict(leg) for leg in route.legs],
        "claims": [route_claim_dict(c) for c in route.claims],
    }


def evidence_dict(evidence: Evidence) -> dict[str, Any]:
    """A stop's evidence; `order` only when the stop's place in the route came from geography."""
    out = asdict(evidence) | {"status": str(evidence.status)}
    if out["order"] is None:
        del out["order"]
    return out


def leg_dict(leg: Leg) -> dict[str, Any]:
    """A leg as {from, to, km, status[, days]}."""
    out: dict[str, Any] = {"from": leg.origin, "to": leg.destination, "km": leg.km, "status": leg.status}
    if leg.days is not None:
        out["days"] = leg.days
    return out


def route_claim_dict(claim: RouteClaim) -> dict[str, Any]:
    return asdict(claim) | {"status": str(claim.status)}


def quote_dict(quote: Quote, names: dict[str, str]) -> dict[str, Any]:
    """A quotation with raw offsets of its text, pieces and speaker, and the speaker's cluster and name."""
    return {**{f: getattr(quote, f) for f in QUOTE_FIELDS}, "raw_parts": [list(p) for p in quote.raw_parts],
            "clean_parts": [list(p) for p in quote.clean_parts],
            "resolved": quote.resolved, "speaker_name": names.get(quote.speaker_id or "", quote.speaker)}


def claim_dict(claim: Claim) -> dict[str, Any]:
    return {"key": claim.key, "kind": claim.kind, "subject": claim.subject, "conflict": claim.conflict, "note": claim.note,
            "sources": claim.sources, "rows": [asdict(r) for r in claim.rows]}


def _statements(analysis: Analysis) -> dict[str, Any]:
    names = {c.id: c.name for c in analysis.clusters}
    return {
        "quotes": [quote_dict(q, names) for q in analysis.quotes],
        "shared_quotes": [{"key": s.key, "kind": s.kind, "text": s.text, "speaker": s.speaker, "speaker_id": s.speaker_id,
                           "articles": list(s.articles), "sources": [[q.article, q.raw_start, q.raw_end] for q in s.sources]}
                          for s in shared_quotes(analysis.quotes, names)],
        "claims": [claim_dict(c) for c in analysis.claims],
    }


def to_json(analysis: Analysis) -> dict[str, Any]:
    """The --json document: articles with their entities, alias clusters, places, unresolved mentions, routes, quotations
    (per article and shared across outlets) and claims side by side."""
    articles = []
    by_article: dict[str, list[Entity]] = {}
    for e in analysis.entities:
        by_article.setdefault(e.article, []).append(e)
    for a in analysis.articles:
        articles.append({
            "id": a.id, "label": a.label, "path": a.path, "title": a.title, "outlet": a.outlet, "date": a.date, "date_source": a.date_source,
            "author": a.author, "encoding": a.encoding, "text": a.text,
            "reader_comments": len(a.comments), "captions_removed": list(a.captions),
            "entities": [{"label": e.label, "text": e.text, "raw_start": e.raw_start, "raw_end": e.raw_end,
                          "clean_start": e.clean_start, "clean_end": e.clean_end, "cluster": analysis.cluster_of(e),
                          **({"fixed": e.fixed} if e.fixed else {})}
                         for e in by_article.get(a.id, [])],
        })
    return {
        "model": analysis.model,
        "articles": articles,
        "clusters": [{"id": c.id, "key": c.key, "label": c.label, "name": c.name, "aliases": list(c.aliases),
                      "articles": list(c.articles), "mentions": c.mentions} for c in analysis.clusters],
        "places": [place_properties(p) | {"lat": p.lat, "lon": p.lon, "id": p.id} for p in analysis.places],
        "unresolved": [unresolved_dict(u) for u in analysis.unresolved],
        "routes": [_route_dict(r) for r in analysis.routes],
        **_statements(analysis),
        "problems": [str(p) for p in analysis.problems],
        "warnings": analysis.warnings,
    }


def unresolved_dict(u: Unresolved) -> dict[str, Any]:
    """An unresolved place name with its raw-file offsets."""
    return {"article": u.article, "raw_start": u.raw_start, "raw_end": u.raw_end, "text": u.text, "reason": u.reason}


def place_properties(place: Place) -> dict[str, Any]:
    return {
        "kind": "place", "name": place.name, "feature": place.feature, "category": place.category,
        "country": place.country or None, "source": place.source, "confidence": place.confidence,
        "mentions": [{"article": m.article, "raw_start": m.raw_start, "raw_end": m.raw_end, "text": m.text, "metonym": m.metonym,
                      "demonym": m.demonym, "embedded": m.embedded} for m in place.mentions],
    }


def to_geojson(analysis: Analysis) -> dict[str, Any]:
    """A FeatureCollection: a Point per resolved place, a LineString per route; unresolved mentions alongside."""
    features = [{"type": "Feature", "id": p.id, "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                 "properties": place_properties(p)} for p in analysis.places]
    for r in analysis.routes:
        d = _route_dict(r)
        points = [[s.lon, s.lat] for s in r.stops]
        geometry = {"type": "LineString", "coordinates": points} if len(points) > 1 else {"type": "Point", "coordinates": points[0]}
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"kind": "route", **{k: v for k, v in d.items()}}})
    return {"type": "FeatureCollection", "features": features,
            "unresolved": [unresolved_dict(u) for u in analysis.unresolved]}


def entities_csv(analysis: Analysis) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["article", "label", "text", "raw_start", "raw_end", "cluster"])
    for e in analysis.entities:
        w.writerow([e.article, e.label, e.text, e.raw_start, e.raw_end, analysis.cluster_of(e) or ""])
    return out.getvalue()


def places_csv(analysis: Analysis) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "name", "feature", "country", "lat", "lon", "source", "confidence", "mentions", "articles", "metonymic_mentions",
                "embedded_mentions"])
    for p in analysis.places:
        w.writerow([p.id, p.name, p.feature, p.country, p.lat, p.lon, p.source, p.confidence, len(p.mentions),
                    " ".join(p.articles), sum(m.metonym for m in p.mentions), sum(m.embedded for m in p.mentions)])
    return out.getvalue()


def quotes_csv(analysis: Analysis) -> str:
    """One row per quotation: article, kind, speaker as written and resolved, verb, raw offsets, text."""
    names = {c.id: c.name for c in analysis.clusters}
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["article", "kind", "speaker", "speaker_id", "speaker_name", "resolved", "verb", "raw_start", "raw_end", "text"])
    for q in analysis.quotes:
        w.writerow([q.article, q.kind, q.speaker, q.speaker_id or "", names.get(q.speaker_id or "", ""), q.resolved, q.verb or "",
                    q.raw_start, q.raw_end, q.text])
    return out.getvalue()


def claims_csv(analysis: Analysis) -> str:
    """One row per source of each claim: what it says, its agreement group, conflict mark and the map's verdict."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CLAIM_FIELDS)
    for row in _claim_rows(analysis.claims):
        w.writerow([row[f] for f in CLAIM_FIELDS])
    return out.getvalue()


def _claim_rows(claims: Sequence[Claim]) -> list[dict[str, Any]]:
    return [{"claim": c.key, "kind": c.kind, "subject": c.subject, "conflict": c.conflict, "note": c.note, **asdict(r)}
            for c in claims for r in c.rows]


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def dump(data: Any, path: str | Path) -> None:
    """`dumps(data)` and a newline written to `path` piece by piece, never holding the whole text (a large corpus's
    JSON as one string was the analysis's peak memory)."""
    with open(path, "w", encoding="utf-8") as out:
        for piece in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(data):
            out.write(piece)
        out.write("\n")


def write_parquet(analysis: Analysis, folder: str | Path) -> list[Path]:
    """Articles (with raw text and segment map), entities, clusters, places (one row per mention), routes (trip, legs,
    claims), route stops, unresolved mentions, quotations and claim rows as Parquet files in `folder`; read_parquet reads
    them back as they were."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in parquet_frames(analysis).items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        written.append(path)
    write_parquet_stamp(folder, analysis.model)
    return written


def write_parquet_stamp(folder: Path, model: str) -> None:
    """The model and format version files beside the tables."""
    (folder / "model.txt").write_text(model + "\n", encoding="utf-8")
    (folder / "version.txt").write_text(PARQUET_VERSION + "\n", encoding="utf-8")


def write_parquet_part(analysis: Analysis, folder: Path, tables: tuple[str, ...], part: int) -> list[Path]:
    """Some of the tables of a partial analysis as `folder/<table>/part-<part>.parquet`, one part of a partitioned dataset."""
    frames = parquet_frames(analysis, tables)
    written = []
    for name in tables:
        (folder / name).mkdir(parents=True, exist_ok=True)
        path = folder / name / f"part-{part:05d}.parquet"
        frames[name].to_parquet(path, index=False)
        written.append(path)
    return written


def parquet_frames(analysis: Analysis, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The Parquet tables of an analysis (those in `names`, else all) as pandas DataFrames, by table name."""
    import pandas as pd

    def sent_bounds() -> dict[MentionKey, tuple[int, int]]:
        return {e.key: (e.clean_sent_start, e.clean_sent_end) for e in analysis.entities}

    builders: dict[str, Callable[[], Any]] = {
        "articles": lambda: pd.DataFrame([{"id": a.id, "label": a.label, "path": a.path, "title": a.title, "outlet": a.outlet, "date": a.date,
                                   "date_source": a.date_source, "author": a.author, "encoding": a.encoding, "text": a.text,
                                   "raw": a.raw, "seg_clean_start": [s.clean_start for s in a.segments],
                                   "seg_raw_start": [s.raw_start for s in a.segments], "seg_length": [s.length for s in a.segments],
                                   "comments": json.dumps([asdict(c) for c in a.comments]), "captions": list(a.captions),
                                   "removed_lines": a.removed_lines, "notes": list(a.notes)} for a in analysis.articles]),
        "entities": lambda: pd.DataFrame([{"article": e.article, "label": e.label, "text": e.text, "norm": e.norm,
                                   "raw_start": e.raw_start, "raw_end": e.raw_end, "clean_start": e.clean_start, "clean_end": e.clean_end,
                                   "clean_sent_start": e.clean_sent_start, "clean_sent_end": e.clean_sent_end, "fixed": e.fixed,
                                   "cluster": analysis.cluster_of(e)} for e in analysis.entities]),
        "clusters": lambda: pd.DataFrame([{"id": c.id, "key": c.key, "label": c.label, "name": c.name, "aliases": list(c.aliases),
                                   "articles": list(c.articles), "mentions": c.mentions} for c in analysis.clusters]),
        "places": lambda: pd.DataFrame([{"place_id": p.id, "name": p.name, "feature": p.feature, "category": p.category, "country": p.country,
                                 "lat": p.lat, "lon": p.lon, "source": p.source, "confidence": p.confidence, "article": m.article,
                                 "raw_start": m.raw_start, "raw_end": m.raw_end, "text": m.text, "metonym": m.metonym, "demonym": m.demonym,
                                 "embedded": m.embedded, "clean_start": m.clean_start, "clean_end": m.clean_end,
                                 "clean_sent_start": bounds.get(m.key, (0, 0))[0], "clean_sent_end": bounds.get(m.key, (0, 0))[1]}
                                for bounds in [sent_bounds()] for p in analysis.places for m in p.mentions]),
        "routes": lambda: pd.DataFrame([{"route": k, "subject": r.subject, "subject_id": r.subject_id, "current": r.current,
                                 "trip": json.dumps(asdict(r.trip)), "legs": json.dumps([leg_dict(leg) for leg in r.legs]),
                                 "claims": json.dumps([route_claim_dict(c) for c in r.claims])}
                                for k, r in enumerate(analysis.routes)]),
        "stops": lambda: pd.DataFrame([{"route": k, "subject": r.subject, "subject_id": r.subject_id, "trip_start": r.trip.start,
                                "trip_end": r.trip.end, "current": r.current, "order": n, "place_id": s.place_id,
                                "name": s.name, "lat": s.lat, "lon": s.lon, "date": s.date, "time": s.time, "status": s.status,
                                "roles": list(s.roles), "articles": list(s.articles),
                                "evidence": json.dumps([evidence_dict(e) for e in s.evidence])}
                               for k, r in enumerate(analysis.routes) for n, s in enumerate(r.stops, start=1)]),
        "unresolved": lambda: pd.DataFrame([unresolved_dict(u) for u in analysis.unresolved], columns=["article", "raw_start", "raw_end", "text", "reason"]),
        "quotes": lambda: pd.DataFrame([{**{f: getattr(q, f) for f in QUOTE_FIELDS}, "raw_parts": json.dumps([list(p) for p in q.raw_parts]),
                                 "clean_parts": json.dumps([list(p) for p in q.clean_parts])}
                                for q in analysis.quotes], columns=[*QUOTE_FIELDS, "raw_parts", "clean_parts"]),
        "claims": lambda: pd.DataFrame(_claim_rows(analysis.claims), columns=list(CLAIM_FIELDS)),
    }
    return {name: build() for name, build in builders.items() if names is None or name in names}


def _opt(value: Any) -> Any:
    """None for the missing values Parquet hands back as NaN or None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _check_parquet_folder(folder: Path) -> None:
    version_file = folder / "version.txt"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.exists() else "1"
    if version != PARQUET_VERSION:
        raise ResultsError(f"{folder}: saved results of format {version}, this version reads format {PARQUET_VERSION} (offsets named "
                           f"raw_start/clean_start for what they index): write them again with python -m geo analyze ... --parquet {folder}")
    missing = [name for name in PARQUET_TABLES if not (folder / f"{name}.parquet").exists() and not (folder / name).is_dir()]
    if missing:
        raise ResultsError(f"{folder}: saved results lack {', '.join(m + '.parquet' for m in missing)}: "
                           f"write them again with python -m geo analyze ... --parquet {folder}")


def _read_table(folder: Path, name: str) -> Any:
    """One table: `name.parquet`, or the parts of a partitioned dataset `name/part-*.parquet` in part order."""
    import pandas as pd

    if (folder / f"{name}.parquet").exists():
        return pd.read_parquet(folder / f"{name}.parquet")
    parts = [pd.read_parquet(path) for path in sorted((folder / name).glob("part-*.parquet"))]
    parts = [p for p in parts if len(p)]  # an empty part has no column types to agree with the others'
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def read_parquet(folder: str | Path) -> Analysis:
    """The Analysis `write_parquet` wrote to `folder`, without re-running NLP: raw offsets, legs and claims as written."""
    from collections import defaultdict


    from .articles import Article
    from .cleaning import Comment, Segment
    from .aliases import Cluster
    from .geocode import PlaceMention, Unresolved

    folder = Path(folder)
    _check_parquet_folder(folder)
    try:
        tables = {name: _read_table(folder, name) for name in PARQUET_TABLES}
    except (OSError, ValueError) as exc:
        raise ResultsError(f"{folder}: saved results cannot be read ({exc})") from exc
    articles = [Article(id=r.id, label=r.label, path=r.path, raw=r.raw, text=r.text,
                        segments=tuple(Segment(int(c), int(s), int(n)) for c, s, n in zip(r.seg_clean_start, r.seg_raw_start, r.seg_length)),
                        title=_opt(r.title), outlet=_opt(r.outlet), date=_opt(r.date), date_source=_opt(r.date_source),
                        author=_opt(r.author), encoding=r.encoding, comments=tuple(Comment(**c) for c in json.loads(r.comments)),
                        captions=tuple(r.captions), removed_lines=int(r.removed_lines), notes=tuple(r.notes))
                for r in tables["articles"].itertuples()]
    sentences = {a.id: a.text for a in articles}
    entities, assignment = [], {}
    for r in tables["entities"].itertuples():
        entities.append(Entity(r.article, r.label, r.text, r.norm, int(r.clean_start), int(r.clean_end),
                               int(r.raw_start), int(r.raw_end), int(r.clean_sent_start), int(r.clean_sent_end), _opt(r.fixed)))
        if _opt(r.cluster):
            assignment[entities[-1].key] = r.cluster
    clusters = [Cluster(r.id, r.label, r.name, tuple(r.aliases), tuple(r.articles), int(r.mentions), r.key)
                for r in tables["clusters"].itertuples()]
    by_place: dict[str, list[PlaceMention]] = defaultdict(list)
    meta = {}
    for r in tables["places"].itertuples():
        text = sentences.get(r.article, "")
        by_place[r.place_id].append(PlaceMention(r.article, int(r.raw_start), int(r.raw_end), r.text, bool(r.metonym), bool(r.demonym),
                                                 int(r.clean_start), int(r.clean_end), text[int(r.clean_sent_start):int(r.clean_sent_end)],
                                                 bool(r.embedded)))
        meta[r.place_id] = r
    places = [Place(pid, m.name, m.feature, _opt(m.category) or "", _opt(m.country) or "", float(m.lat), float(m.lon), m.source, float(m.confidence),
                    tuple(by_place[pid])) for pid, m in meta.items()]
    places.sort(key=lambda p: (-len(p.mentions), p.name))
    stops: dict[int, list[Stop]] = defaultdict(list)
    for r in tables["stops"].itertuples():  # written route by route, in stop order
        stops[int(r.route)].append(Stop(r.place_id, r.name, float(r.lat), float(r.lon), _opt(r.date), _opt(r.time), Status(r.status),
                                        tuple(r.roles), tuple(r.articles), tuple(_evidence(e) for e in json.loads(r.evidence))))
    routes = [Route(r.subject, r.subject_id, Trip(**json.loads(r.trip)), tuple(stops[int(r.route)]),
                    tuple(Leg(g["from"], g["to"], g["km"], g["status"], g.get("days")) for g in json.loads(r.legs)), bool(r.current),
                    tuple(RouteClaim(**(c | {"status": Status(c["status"])})) for c in json.loads(r.claims)))
              for r in tables["routes"].itertuples()]
    unresolved = [Unresolved(r.article, int(r.raw_start), int(r.raw_end), r.text, r.reason) for r in tables["unresolved"].itertuples()]
    model = (folder / "model.txt").read_text().strip() if (folder / "model.txt").exists() else "from parquet"
    return Analysis(tuple(articles), (), tuple(entities), tuple(clusters), assignment, tuple(places), tuple(unresolved),
                    tuple(routes), model, (), tuple(_read_quotes(tables["quotes"])), tuple(_read_claims(tables["claims"])))


def _evidence(raw: dict[str, Any]) -> Evidence:
    return Evidence(**(raw | {"status": Status(raw["status"])}))


def _int(value: Any) -> int | None:
    value = _opt(value)
    return None if value is None else int(value)


def _read_quotes(frame: pd.DataFrame) -> list[Quote]:
    return [Quote(r.article, r.kind, r.text, int(r.raw_start), int(r.raw_end), int(r.clean_start), int(r.clean_end),
                  tuple(tuple(p) for p in json.loads(r.raw_parts)), _opt(r.verb), r.speaker, _int(r.speaker_raw_start), _int(r.speaker_raw_end),
                  _opt(r.speaker_id), tuple(tuple(p) for p in json.loads(r.clean_parts))) for r in frame.itertuples()]


def _read_claims(frame: pd.DataFrame) -> list[Claim]:
    """Claims from their rows, in the order written (rows of one claim are consecutive)."""
    claims: list[Claim] = []
    for r in frame.to_dict("records"):
        row = ClaimRow(r["article"], r["source"], r["value"], int(r["group"]), r["sentence"], int(r["raw_start"]), int(r["raw_end"]), _opt(r["check"]))
        if claims and claims[-1].key == r["claim"]:
            last = claims[-1]
            claims[-1] = Claim(last.key, last.kind, last.subject, last.rows + (row,), last.conflict, last.note)
        else:
            claims.append(Claim(r["claim"], r["kind"], r["subject"], (row,), bool(r["conflict"]), r["note"]))
    return claims
