"""The analysis as JSON, GeoJSON and CSV: the formats the CLI writes and the dashboard offers for download."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from .pipeline import Analysis
from .route import Route


def _route_dict(route: Route) -> dict[str, Any]:
    return {
        "subject": route.subject,
        "subject_id": route.subject_id,
        "trip": route.trip,
        "current": route.current,
        "stops": [{"name": s.name, "place_id": s.place_id, "lat": s.lat, "lon": s.lon, "date": s.date, "time": s.time,
                   "status": s.status, "roles": s.roles, "articles": s.articles, "evidence": s.evidence} for s in route.stops],
        "legs": route.legs,
        "claims": route.claims,
    }


def to_json(analysis: Analysis) -> dict[str, Any]:
    """The --json document: articles with their entities, alias clusters, places, unresolved mentions, routes."""
    articles = []
    by_article: dict[str, list] = {}
    for e in analysis.entities:
        by_article.setdefault(e.article, []).append(e)
    for a in analysis.articles:
        articles.append({
            "id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet, "date": a.date, "date_source": a.date_source,
            "author": a.author, "encoding": a.encoding, "text": a.text,
            "reader_comments": len(a.comments), "captions_removed": list(a.captions),
            "entities": [{"label": e.label, "text": e.text, "start": e.raw_start, "end": e.raw_end,
                          "text_start": e.start, "text_end": e.end, "cluster": analysis.cluster_of(e),
                          **({"fixed": e.fixed} if e.fixed else {})}
                         for e in by_article.get(a.id, [])],
        })
    return {
        "model": analysis.model,
        "articles": articles,
        "clusters": [{"id": c.id, "label": c.label, "name": c.name, "aliases": list(c.aliases), "articles": list(c.articles),
                      "mentions": c.mentions} for c in analysis.clusters],
        "places": [place_properties(p) | {"lat": p.lat, "lon": p.lon, "id": p.id} for p in analysis.places],
        "unresolved": [asdict(u) for u in analysis.unresolved],
        "routes": [_route_dict(r) for r in analysis.routes],
        "problems": [str(p) for p in analysis.problems],
        "warnings": analysis.warnings,
    }


def place_properties(place) -> dict[str, Any]:
    return {
        "kind": "place", "name": place.name, "feature": place.feature, "category": place.category,
        "country": place.country or None, "source": place.source, "confidence": place.confidence,
        "mentions": [{"article": m.article, "start": m.start, "end": m.end, "text": m.text, "metonym": m.metonym,
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
            "unresolved": [asdict(u) for u in analysis.unresolved]}


def entities_csv(analysis: Analysis) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["article", "label", "text", "start", "end", "cluster"])
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


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def write_parquet(analysis: Analysis, folder) -> list:
    """Articles, entities, clusters, places (one row per mention) and route stops as Parquet files in `folder`."""
    from pathlib import Path

    import pandas as pd

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sent_bounds = {(e.article, e.index): (e.sent_start, e.sent_end) for e in analysis.entities}
    tables = {
        "articles": pd.DataFrame([{"id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet, "date": a.date,
                                   "author": a.author, "text": a.text} for a in analysis.articles]),
        "entities": pd.DataFrame([{"article": e.article, "label": e.label, "text": e.text, "start": e.raw_start, "end": e.raw_end,
                                   "text_start": e.start, "text_end": e.end, "sent_start": e.sent_start, "sent_end": e.sent_end,
                                   "cluster": analysis.cluster_of(e)} for e in analysis.entities]),
        "clusters": pd.DataFrame([{"id": c.id, "label": c.label, "name": c.name, "aliases": list(c.aliases),
                                   "articles": list(c.articles), "mentions": c.mentions} for c in analysis.clusters]),
        "places": pd.DataFrame([{"place_id": p.id, "name": p.name, "feature": p.feature, "category": p.category, "country": p.country,
                                 "lat": p.lat, "lon": p.lon, "source": p.source, "confidence": p.confidence, "article": m.article,
                                 "start": m.start, "end": m.end, "text": m.text, "metonym": m.metonym, "demonym": m.demonym,
                                 "embedded": m.embedded, "text_start": m.clean_start, "text_end": m.clean_end, "entity": m.entity,
                                 "sent_start": sent_bounds.get((m.article, m.entity), (0, 0))[0],
                                 "sent_end": sent_bounds.get((m.article, m.entity), (0, 0))[1]}
                                for p in analysis.places for m in p.mentions]),
        "stops": pd.DataFrame([{"subject": r.subject, "subject_id": r.subject_id, "trip_start": r.trip.get("start"),
                                "trip_end": r.trip.get("end"), "current": r.current, "order": n, "place_id": s.place_id,
                                "name": s.name, "lat": s.lat, "lon": s.lon, "date": s.date, "time": s.time, "status": s.status,
                                "roles": s.roles, "articles": s.articles} for r in analysis.routes for n, s in enumerate(r.stops, start=1)]),
    }
    written = []
    for name, frame in tables.items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        written.append(path)
    (folder / "model.txt").write_text(analysis.model + "\n", encoding="utf-8")
    return written


def _opt(value):
    """None for the missing values Parquet hands back as NaN or None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def read_parquet(folder) -> Analysis:
    """An Analysis loaded from the Parquet files of `write_parquet`, without re-running NLP."""
    from collections import defaultdict
    from pathlib import Path

    import pandas as pd

    from .articles import Article, Segment
    from .entities import Cluster, Entity
    from .geocode import Place, PlaceMention
    from .route import Route, Stop

    folder = Path(folder)
    arts = pd.read_parquet(folder / "articles.parquet")
    articles = [Article(id=r.id, path=r.path, raw=r.text, text=r.text, segments=(Segment(0, 0, len(r.text)),), title=_opt(r.title),
                        outlet=_opt(r.outlet), date=_opt(r.date), author=_opt(r.author)) for r in arts.itertuples()]
    sentences = {a.id: a.text for a in articles}
    entities, assignment = [], {}
    counters: dict[str, int] = defaultdict(int)
    for r in pd.read_parquet(folder / "entities.parquet").itertuples():
        idx = counters[r.article]
        counters[r.article] += 1
        entities.append(Entity(r.article, idx, r.label, r.text, r.text.lower(), int(r.text_start), int(r.text_end),
                               int(r.start), int(r.end), int(r.sent_start), int(r.sent_end)))
        if _opt(r.cluster):
            assignment[(r.article, idx)] = r.cluster
    clusters = [Cluster(r.id, r.label, r.name, tuple(r.aliases), tuple(r.articles), int(r.mentions))
                for r in pd.read_parquet(folder / "clusters.parquet").itertuples()]
    by_place: dict[str, list] = defaultdict(list)
    meta = {}
    for r in pd.read_parquet(folder / "places.parquet").itertuples():
        text = sentences.get(r.article, "")
        by_place[r.place_id].append(PlaceMention(r.article, int(r.start), int(r.end), r.text, bool(r.metonym), bool(r.demonym),
                                                 int(r.text_start), int(r.text_end), text[int(r.sent_start):int(r.sent_end)], int(r.entity),
                                                 bool(getattr(r, "embedded", False))))
        meta[r.place_id] = r
    places = [Place(pid, m.name, m.feature, _opt(m.category) or "", _opt(m.country) or "", float(m.lat), float(m.lon), m.source, float(m.confidence),
                    tuple(by_place[pid])) for pid, m in meta.items()]
    places.sort(key=lambda p: (-len(p.mentions), p.name))
    routes: dict[tuple, Route] = {}
    for r in pd.read_parquet(folder / "stops.parquet").itertuples():
        key = (r.subject_id, _opt(r.trip_start))
        route = routes.setdefault(key, Route(r.subject, r.subject_id, {"start": _opt(r.trip_start), "end": _opt(r.trip_end)}, [], [], bool(r.current)))
        route.stops.append(Stop(r.place_id, r.name, float(r.lat), float(r.lon), _opt(r.date), _opt(r.time), r.status, list(r.roles),
                                list(r.articles), []))
    from geopy.distance import geodesic

    from .route import DONE_STATUS

    for route in routes.values():
        for a, b in zip(route.stops, route.stops[1:]):
            route.legs.append({"from": a.name, "to": b.name, "km": round(geodesic((a.lat, a.lon), (b.lat, b.lon)).km, 1),
                               "status": "done" if a.status in DONE_STATUS and b.status in DONE_STATUS else "expected"})
    model = (folder / "model.txt").read_text().strip() if (folder / "model.txt").exists() else "from parquet"
    return Analysis(articles, [], entities, clusters, assignment, places, [], list(routes.values()), model)
