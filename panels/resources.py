"""What the dashboard keeps across reruns and sessions: the server's log handler, the analysis job runner, saved
results, per-corpus indexes and the seed files (Streamlit caches; every cached value is immutable)."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import streamlit as st

from geo.aliases import legacy_id
from geo.config import PROJECT_DIR, Settings
from geo.jobs import JobRunner
from geo.mapstate import route_days, stop_key
from geo.pipeline import Analysis, FrozenMap
from geo.workspace_gazetteer import WorkspacePlace
from panels.quotes import quote_choices

SEEDS_DIR = PROJECT_DIR / "seeds"
PROGRESS_POLL_SECONDS = 0.25


@st.cache_resource(show_spinner=False)
def server_logging() -> logging.Handler:
    """Send the dashboard's and geo's log records, tracebacks included, to the server's stderr (once per server)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("dashboard", "geo"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return handler


# The analysis of a corpus runs in a worker process (geo.jobs) so the server stays responsive for other sessions;
# the finished Analysis is shared read-only by every session that opens the same content.
@st.cache_resource(show_spinner=False)
def job_runner() -> JobRunner:
    return JobRunner()


def analyse(key: str, files: tuple[tuple[str, bytes], ...], settings: Settings,
            place_rows: Sequence[WorkspacePlace] = ()) -> Analysis:
    """The analysis of `files` (a workspace's gazetteer rows among the candidates), with a progress bar (stage and time
    left) while it runs."""
    job = job_runner().start(key, files, settings, place_rows)
    if not job.wait(0):
        bar = st.progress(0.0, text="Analysing the articles ...")
        while not job.wait(PROGRESS_POLL_SECONDS):
            bar.progress(job.progress.fraction, text=f"Analysing the articles: {job.line()}")
        bar.empty()
    return job.result()


@st.cache_resource(show_spinner="Loading saved results ...", max_entries=4)
def load_results(folder: str, stamp: float) -> Analysis:
    from geo.export import read_parquet

    return read_parquet(folder)


@st.cache_resource(show_spinner=False, max_entries=16)
def corpus_index(digest: str, _analysis: Analysis) -> FrozenMap:
    """Per-article entity and place tuples and the URL's valid values, built once per corpus instead of on every rerun
    (shared by sessions, so immutable)."""
    entities: dict[str, list[Any]] = {}
    for e in _analysis.entities:
        entities.setdefault(e.article, []).append(e)
    places: dict[str, list[Any]] = {}
    for p in _analysis.places:
        for aid in p.articles:
            places.setdefault(aid, []).append(p)
    routes = _analysis.routes
    return FrozenMap(entities=FrozenMap({k: tuple(v) for k, v in entities.items()}),
                     places=FrozenMap({k: tuple(v) for k, v in places.items()}),
                     titles=FrozenMap({a.id: (a.title or a.label) for a in _analysis.articles}),
                     labels=FrozenMap({a.id: a.label for a in _analysis.articles}),
                     articles=FrozenMap({a.id: a for a in _analysis.articles}), place_ids=FrozenMap({p.id: p for p in _analysis.places}),
                     place_articles=FrozenMap({p.id: p.articles for p in _analysis.places}),
                     cluster_articles=FrozenMap({c.id: c.articles for c in _analysis.clusters}),
                     subjects=tuple(sorted({r.subject for r in routes})), days=tuple(route_days(routes)),
                     main_traveller=max(routes, key=lambda r: (r.current, len(r.stops))).subject if routes else None,
                     stops=tuple(stop_key(r, n) for r in routes for n in range(1, len(r.stops) + 1)),
                     quotes=FrozenMap({k: tuple(v) for k, v in quote_choices(_analysis).items()}),
                     article_labels=FrozenMap({a.label: a.id for a in _analysis.articles}),
                     entity_aliases=FrozenMap({legacy_id(c): c.id for c in _analysis.clusters}))


@st.cache_data(show_spinner=False)
def seed_files() -> tuple[tuple[str, bytes], ...]:
    return tuple((p.name, p.read_bytes()) for p in sorted(SEEDS_DIR.glob("*")) if p.is_file())
