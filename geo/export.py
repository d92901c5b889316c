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
                      "demonym": m.demonym} for m in place.mentions],
    }


def to_geojson(analysis: Analysis) -> dict[str, Any]:
    """A FeatureCollection: a Point per resolved place, a LineString per route; unresolved mentions alongside."""
    features = [{"type": "Feature", "id": p.id, "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                 "properties": place_properties(p)} for p in analysis.places]
    for r in analysis.routes:
        d = _route_dict(r)
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[s.lon, s.lat] for s in r.stops]},
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
    w.writerow(["id", "name", "feature", "country", "lat", "lon", "source", "confidence", "mentions", "articles", "metonymic_mentions"])
    for p in analysis.places:
        w.writerow([p.id, p.name, p.feature, p.country, p.lat, p.lon, p.source, p.confidence, len(p.mentions),
                    " ".join(p.articles), sum(m.metonym for m in p.mentions)])
    return out.getvalue()


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def write_parquet(analysis: Analysis, folder) -> list:
    """Articles, entities, clusters, places (one row per mention) and route stops as Parquet files in `folder`."""
    from pathlib import Path

    import pandas as pd

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "articles": pd.DataFrame([{"id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet, "date": a.date,
                                   "author": a.author, "text": a.text} for a in analysis.articles]),
        "entities": pd.DataFrame([{"article": e.article, "label": e.label, "text": e.text, "start": e.raw_start, "end": e.raw_end,
                                   "cluster": analysis.cluster_of(e)} for e in analysis.entities]),
        "clusters": pd.DataFrame([{"id": c.id, "label": c.label, "name": c.name, "aliases": list(c.aliases),
                                   "articles": list(c.articles), "mentions": c.mentions} for c in analysis.clusters]),
        "places": pd.DataFrame([{"place_id": p.id, "name": p.name, "feature": p.feature, "country": p.country, "lat": p.lat,
                                 "lon": p.lon, "source": p.source, "confidence": p.confidence, "article": m.article,
                                 "start": m.start, "end": m.end, "text": m.text, "metonym": m.metonym, "demonym": m.demonym}
                                for p in analysis.places for m in p.mentions]),
        "stops": pd.DataFrame([{"subject": r.subject, "trip_start": r.trip.get("start"), "current": r.current, "order": n,
                                "name": s.name, "lat": s.lat, "lon": s.lon, "date": s.date, "time": s.time, "status": s.status,
                                "articles": s.articles} for r in analysis.routes for n, s in enumerate(r.stops, start=1)]),
    }
    written = []
    for name, frame in tables.items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        written.append(path)
    return written
