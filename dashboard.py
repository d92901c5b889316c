"""Streamlit dashboard: renders what geo/ computes. Run with `streamlit run dashboard.py`."""
from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.aliases import legacy_id
from geo.config import PROJECT_DIR, load_settings
from geo.entities import MentionKey
from geo.errors import GeoError
from geo.export import claims_csv, dumps, entities_csv, places_csv, quotes_csv, to_geojson
from geo.jobs import JobRunner
from geo.mapview import MapView, assets_installed, build_map, install_static_assets
from geo.pipeline import FrozenMap
from geo.render import escape, highlight_html
from geo.status import Status
from geo.viewstate import ALL_LABELS, MAIN_LABELS, STATUSES, Choices, note_line, read_corpus_choice, read_view
from panels.quotes import article_quotes, claims_table, quote_choices

log = logging.getLogger("dashboard")
SEEDS_DIR = PROJECT_DIR / "seeds"
PROGRESS_POLL_SECONDS = 0.25
CORPORA = {"seeds": "Embedded seed articles", "upload": "Uploaded / pasted articles"}
PAGE_SIZE = 50



# --------------------------------------------------------------------------- cached resources


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


def analyse(key: str, files: tuple[tuple[str, bytes], ...], settings):
    """The analysis of `files`, with a progress bar (stage and time left) while it runs."""
    job = job_runner().start(key, files, settings)
    if not job.wait(0):
        bar = st.progress(0.0, text="Analysing the articles ...")
        while not job.wait(PROGRESS_POLL_SECONDS):
            bar.progress(job.progress.fraction, text=f"Analysing the articles: {job.line()}")
        bar.empty()
    return job.result()


@st.cache_resource(show_spinner="Loading saved results ...", max_entries=4)
def load_results(folder: str, stamp: float):
    from geo.export import read_parquet

    return read_parquet(folder)


@st.cache_resource(show_spinner=False, max_entries=16)
def corpus_index(digest: str, _analysis) -> FrozenMap:
    """Per-article entity and place tuples, built once per corpus instead of on every rerun (shared, so immutable)."""
    entities: dict[str, list] = {}
    for e in _analysis.entities:
        entities.setdefault(e.article, []).append(e)
    places: dict[str, list] = {}
    for p in _analysis.places:
        for aid in p.articles:
            places.setdefault(aid, []).append(p)
    return FrozenMap(entities=FrozenMap({k: tuple(v) for k, v in entities.items()}),
                     places=FrozenMap({k: tuple(v) for k, v in places.items()}))


@st.cache_data(show_spinner=False, max_entries=32)
def entity_matrix(digest: str, labels: tuple[str, ...], _analysis, max_columns: int = 30) -> pd.DataFrame:
    """Entity x article mention counts; for large corpora, aggregated to mentions and article counts."""
    clusters = _analysis.cluster_by_id()
    counts = Counter((_analysis.cluster_of(e), e.article) for e in _analysis.entities
                     if e.label in labels and _analysis.cluster_of(e))
    if not counts:
        return pd.DataFrame()
    labels_of = {a.id: a.label for a in _analysis.articles}
    frame = pd.DataFrame([{"entity": clusters[c].name, "type": clusters[c].label, "article": labels_of.get(a, a), "n": n}
                          for (c, a), n in counts.items()])
    if frame["article"].nunique() > max_columns:
        table = frame.groupby(["entity", "type"]).agg(mentions=("n", "sum"), articles=("article", "nunique"))
        return table.sort_values("mentions", ascending=False).head(200)
    matrix = frame.pivot_table(index=["entity", "type"], columns="article", values="n", aggfunc="sum", fill_value=0)
    return matrix.loc[matrix.sum(axis=1).sort_values(ascending=False).index[:60]]


@st.cache_data(show_spinner=False, max_entries=16)
def downloads(digest: str, _analysis) -> dict[str, str]:
    return {"geojson": dumps(to_geojson(_analysis)), "entities": entities_csv(_analysis), "places": places_csv(_analysis),
            "quotes": quotes_csv(_analysis), "claims": claims_csv(_analysis)}


@st.cache_data(show_spinner=False)
def seed_files() -> tuple[tuple[str, bytes], ...]:
    return tuple((p.name, p.read_bytes()) for p in sorted(SEEDS_DIR.glob("*")) if p.is_file())


# --------------------------------------------------------------------------- view state in the URL


def set_qp(**values) -> None:
    """Write the view state into the URL so a copied link reproduces the view."""
    for key, value in values.items():
        if value in (None, "", [], False) and key in st.query_params:
            del st.query_params[key]
        elif value not in (None, "", []):
            text = ",".join(value) if isinstance(value, (list, tuple, set)) else str(value)
            if st.query_params.get(key) != text:
                st.query_params[key] = text


def show_widget_value(key: str, value) -> None:
    """Make a keyed widget show `value` (taken from the URL) on this run."""
    if st.session_state.get(key) != value:
        st.session_state[key] = value


def url_from_widget(param: str, key: str) -> None:
    """on_change callback: the widget's new value becomes the URL's."""
    value = st.session_state.get(key)
    if value:
        st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]
    if param == "article":  # a new article starts without the old article's entity and quotation selection
        st.query_params.pop("entity", None)
        st.query_params.pop("quote", None)


# --------------------------------------------------------------------------- page


def main() -> None:
    """The whole page: corpus, analysis, the view from the URL, panels and map."""

    if not assets_installed():
        install_static_assets()
    base_settings = load_settings()

    st.sidebar.title("Corpus")
    corpora = dict(CORPORA)
    if base_settings.results_dir:
        corpora["results"] = f"Saved results ({Path(base_settings.results_dir).name})"
    corpus_keys = list(corpora)
    corpus, corpus_notes = read_corpus_choice(st.query_params.to_dict(), corpus_keys)
    corpus = st.sidebar.radio("Articles", corpus_keys, index=corpus_keys.index(corpus), format_func=corpora.get, key="corpus")
    uploads = st.sidebar.file_uploader("Upload .txt, .md or .html articles", type=["txt", "md", "markdown", "html", "htm"],
                                       accept_multiple_files=True, key="uploads")
    pasted = st.sidebar.text_area("... or paste an article (first line is the headline)", key="pasted", height=120)

    files: tuple[tuple[str, bytes], ...]
    if corpus == "seeds":
        files = seed_files()
    elif corpus == "results":
        files = (("results", b""),)
    else:
        items = [(u.name, u.getvalue()) for u in (uploads or [])]
        if pasted.strip():
            items.append(("pasted.txt", pasted.encode("utf-8")))
        files = tuple(items)

    with st.sidebar.expander("Geocoder", expanded=False):
        backends = ["gazetteer", "nominatim"]
        backend = st.selectbox("Backend", backends, index=backends.index(base_settings.geocoder) if base_settings.geocoder in backends else 0,
                               help="gazetteer works offline; an online geocoder is tried first and its answers are cached.")
        geocoder_url = st.text_input("Geocoder URL (self-hosted Nominatim, optional)", base_settings.geocoder_url, disabled=backend == "gazetteer")
        user_agent = st.text_input("User agent (required online)", base_settings.user_agent, disabled=backend == "gazetteer")
        tiles = st.checkbox("OpenStreetMap tiles (needs network)", value=st.query_params.get("tiles") == "1", key="tiles")

    if not files:
        st.info("No articles yet: upload files or paste a text in the sidebar, or choose the embedded seed articles.")
        set_qp(corpus=corpus)
        st.stop()

    geocoder_key = (backend, geocoder_url.strip(), user_agent.strip()) if backend != "gazetteer" else ("gazetteer", "", "")
    if corpus == "results":
        folder = Path(base_settings.results_dir)
        stamp = max((f.stat().st_mtime for f in folder.glob("*.parquet")), default=0.0)
        digest = hashlib.sha256(f"{folder.resolve()}:{stamp}".encode()).hexdigest()[:16]
        analysis = load_results(str(folder), stamp)
    else:
        digest = hashlib.sha256(b"".join(hashlib.sha256(n.encode() + b"\0" + d).digest() for n, d in files)).hexdigest()[:16]
        settings = replace(base_settings, geocoder=geocoder_key[0], geocoder_url=geocoder_key[1], user_agent=geocoder_key[2],
                           geocoder_scheme="http" if geocoder_key[1].startswith("http://") else base_settings.geocoder_scheme)
        analysis = analyse(hashlib.sha256(repr((digest, geocoder_key)).encode()).hexdigest(), files, settings)

    for problem in analysis.problems:
        st.error(escape(f"{problem.path}: {problem.reason}"))
    for warning in analysis.warnings:
        st.warning(escape(warning))
    if not analysis.articles:
        st.stop()

    titles = {a.id: (a.title or a.label) for a in analysis.articles}
    labels = {a.id: a.label for a in analysis.articles}
    article_ids = [a.id for a in analysis.articles]
    clusters = analysis.cluster_by_id()
    subjects = sorted({r.subject for r in analysis.routes})
    place_ids = {p.id: p for p in analysis.places}
    wanted = read_view(st.query_params.to_dict(), Choices(article_ids, {p.id: p.articles for p in analysis.places},
                                                          {c.id: c.articles for c in analysis.clusters}, subjects,
                                                          quote_choices(analysis), {a.label: a.id for a in analysis.articles},
                                                          {legacy_id(c): c.id for c in analysis.clusters}))
    if corpus_notes or wanted.notes:
        st.info(escape(note_line(corpus_notes + wanted.notes)))

    st.sidebar.title("Filters")
    sel_articles = st.sidebar.multiselect("Articles on the map", article_ids, default=list(wanted.articles or article_ids),
                                          format_func=lambda a: f"{labels[a][:24]} · {titles[a][:40]}", key=f"f_articles_{digest}")
    sel_labels = st.sidebar.multiselect("Entity types", list(ALL_LABELS), default=list(wanted.labels), key="f_labels")
    sel_subjects = st.sidebar.multiselect("Route subjects", subjects, default=list(wanted.subjects or subjects), key=f"f_subjects_{digest}")
    sel_status = st.sidebar.multiselect("Route stops", list(STATUSES), default=list(wanted.statuses), key="f_status",
                                        help="done: departed, arrived, visited, passed; expected: expected, planned, speculated")
    show_metonyms = st.sidebar.checkbox("Count non-literal mentions (\"Washington warned\", \"Air Zimbabwe\")", value=wanted.metonyms, key="f_metonyms")
    selected_place = wanted.place
    selected_entity = wanted.entity

    st.title("Geopolitical entity map")
    st.caption(f"{len(analysis.articles)} articles · {len(analysis.entities)} entity mentions · {len(analysis.places)} places · "
               f"{len(analysis.routes)} routes · model {analysis.model}")

    left, right = st.columns([3, 2], gap="medium")

    with right:
        current = wanted.article
        if len(article_ids) > PAGE_SIZE:
            query = st.text_input("Search articles", key="article_search")
            options = [a for a in article_ids if query.lower() in (titles[a] + labels[a] + a).lower()][:PAGE_SIZE] or [current]
            if current not in options:
                options = [current] + options
        else:
            options = article_ids
        # The URL is the source of truth for the article, place and entity: each widget shows the URL's value and
        # writes its choice back to the URL in a callback, so map clicks, shared links and widgets never disagree.
        show_widget_value("w_article", current)
        article_id = st.selectbox("Article", options, format_func=lambda a: titles[a], key="w_article",
                                  on_change=url_from_widget, args=("article", "w_article"))
        index = corpus_index(digest, analysis)
        article = next(a for a in analysis.articles if a.id == article_id)
        ents = index["entities"].get(article_id, [])
        st.subheader(escape(article.title or article.label))
        st.markdown(f"**Outlet:** {escape(article.outlet or '—')} · **Date:** {escape(article.date or '—')} · "
                    f"**Author:** {escape(article.author or '—')}")
        if article.date_source and article.date_source != "stated":
            st.caption(f"Date {escape(article.date_source)}.")

        article_places = index["places"].get(article_id, [])
        place_options = [""] + [p.id for p in article_places]
        show_widget_value("w_place", selected_place if selected_place in place_options else "")
        st.selectbox("Focus a place on the map", place_options, key="w_place", on_change=url_from_widget, args=("place", "w_place"),
                     format_func=lambda pid: "—" if not pid else f"{place_ids[pid].name} ({place_ids[pid].feature})")

        cluster_options = [""] + sorted({analysis.cluster_of(e) for e in ents if analysis.cluster_of(e)}, key=lambda c: clusters[c].name)
        show_widget_value("w_entity", selected_entity if selected_entity in cluster_options else "")
        st.selectbox("Select an entity", cluster_options, key="w_entity", on_change=url_from_widget, args=("entity", "w_entity"),
                     format_func=lambda c: "—" if not c else f"{clusters[c].name} ({clusters[c].label})")

        marked: set[MentionKey] = set()
        if selected_place:
            marked |= {m.key for m in place_ids[selected_place].mentions if m.article == article_id}
            st.info(f"**{escape(place_ids[selected_place].name)}**: " + "; ".join(
                f"{escape(titles[m.article][:40])} — “{escape(m.text)}”" for m in place_ids[selected_place].mentions[:12]))
        if selected_entity:
            marked |= {e.key for e in ents if analysis.cluster_of(e) == selected_entity}
        tab_text, tab_entities, tab_clusters, tab_quotes = st.tabs(["Text", "Entities", "Alias clusters", "Quotes"])
        with tab_text:
            st.markdown(highlight_html(article.text, ents, marked, set(sel_labels)), unsafe_allow_html=True)
            if article.comments or article.captions:
                st.caption(f"Removed: {len(article.comments)} reader comments, {len(article.captions)} photo captions, {article.removed_lines} chrome lines.")
        with tab_entities:
            rows = Counter((e.label, analysis.cluster_of(e) or e.text) for e in ents if e.label in sel_labels)
            table = pd.DataFrame([{"type": label, "entity": clusters[c].name if c in clusters else c, "mentions": n}
                                  for (label, c), n in rows.items()])
            if not table.empty:
                st.dataframe(table.sort_values(["type", "mentions"], ascending=[True, False]), hide_index=True, width="stretch")
        with tab_clusters:
            used = {analysis.cluster_of(e) for e in ents}
            table = pd.DataFrame([{"name": c.name, "type": c.label, "aliases": ", ".join(c.aliases), "mentions": c.mentions,
                                   "articles": len(c.articles)} for c in analysis.clusters if c.id in used and c.label in sel_labels])
            if not table.empty:
                st.dataframe(table, hide_index=True, width="stretch")
        with tab_quotes:
            article_quotes(analysis, article, titles, selected_entity, wanted.quote if wanted.article == article.id else None)

    view = MapView(articles=set(sel_articles) if set(sel_articles) != set(article_ids) else None,
                   subjects=set(sel_subjects) if set(sel_subjects) != set(subjects) else None,
                   statuses=set(sel_status), show_metonyms=show_metonyms, selected_place=selected_place, tiles=tiles)

    with left:
        from streamlit_folium import st_folium

        # Built on every run: streamlit-folium renders the map object it is given, and a folium map rendered once
        # does not render correctly for a second session, so the object is never shared through a cache.
        fmap = build_map(analysis.places, analysis.routes, view, titles)
        clicked = st_folium(fmap, key="map", height=560, width=None, returned_objects=["last_object_clicked"])
        point = (clicked or {}).get("last_object_clicked") or None
        if point and st.session_state.get("last_click") != point:
            st.session_state["last_click"] = point
            near = min(analysis.places, key=lambda p: abs(p.lat - point["lat"]) + abs(p.lon - point["lng"]), default=None)
            if near is not None and abs(near.lat - point["lat"]) + abs(near.lon - point["lng"]) < 0.01 and near.id != selected_place:
                set_qp(place=near.id)
                st.rerun()

        tab_routes, tab_matrix, tab_unresolved, tab_claims, tab_downloads = st.tabs(
            ["Route timeline", "Entity × article", "Unresolved places", "Claims", "Downloads"])
        with tab_routes:
            rows = []
            for r in analysis.routes:
                if view.subjects is not None and r.subject not in view.subjects:
                    continue
                for n, s in enumerate(r.stops, start=1):
                    kind = Status(s.status).phase
                    if kind not in view.statuses:
                        continue
                    rows.append({"subject": r.subject, "trip": r.label,
                                 "#": n, "stop": s.name, "date": s.date or "", "time": s.time or "", "status": str(s.status),
                                 "sources": ", ".join(titles.get(a, a)[:30] for a in s.articles)})
            if rows:
                st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
            else:
                st.write("No routes: no subject has two or more known stops.")
            claims = [(r.subject, c) for r in analysis.routes for c in r.claims]
            if claims:
                st.caption("Superseded claims, kept with their sources: " + "; ".join(
                    f"{escape(s)} → {escape(c.place)} ({escape(c.status)}, {escape(titles.get(c.article, c.article)[:30])})" for s, c in claims))
        with tab_matrix:
            matrix = entity_matrix(digest, tuple(sorted(sel_labels)), analysis)
            if not matrix.empty:
                st.dataframe(matrix, width="stretch")
        with tab_unresolved:
            if analysis.unresolved:
                st.dataframe(pd.DataFrame([{"article": titles.get(u.article, u.article)[:40], "text": u.text, "reason": u.reason}
                                           for u in analysis.unresolved]), hide_index=True, width="stretch")
            else:
                st.write("Every place name was resolved.")
        with tab_claims:
            claims_table(analysis, titles)
        with tab_downloads:
            files_out = downloads(digest, analysis)
            st.download_button("GeoJSON of places and routes", files_out["geojson"], file_name="places-routes.geojson", mime="application/geo+json")
            st.download_button("CSV of entities", files_out["entities"], file_name="entities.csv", mime="text/csv")
            st.download_button("CSV of places", files_out["places"], file_name="places.csv", mime="text/csv")
            st.download_button("CSV of quotations", files_out["quotes"], file_name="quotes.csv", mime="text/csv")
            st.download_button("CSV of claims", files_out["claims"], file_name="claims.csv", mime="text/csv")

    set_qp(corpus=corpus, article=article_id, place=selected_place, entity=selected_entity,
           articles=sel_articles if set(sel_articles) != set(article_ids) else None,
           labels=sel_labels if tuple(sel_labels) != MAIN_LABELS else None,
           subjects=sel_subjects if set(sel_subjects) != set(subjects) else None,
           status=sel_status if set(sel_status) != {"done", "expected"} else None,
           metonyms=None if show_metonyms else "0", tiles="1" if tiles else None)
    st.sidebar.caption("Share this view: copy the page URL; it holds the corpus, article, selection and filters.")


def show_failure(exc: Exception) -> None:
    """The page's error boundary: one line for the user, the traceback in the server log (never on the page)."""
    if isinstance(exc, GeoError):
        log.warning("%s", exc)
        st.error(escape(str(exc)))
        return
    log.error("the page failed", exc_info=exc)
    st.error(f"Something went wrong while showing this page ({type(exc).__name__}); the details are in the server log. "
             "Reload the page or choose another view.")


# Streamlit runs this file as __main__; the analysis worker (spawned by geo.jobs) imports it as __mp_main__ and must
# not render a page ("safe importing of the main module" in the multiprocessing docs).
if __name__ == "__main__":
    st.set_page_config(page_title="Geopolitical entity map", page_icon="🗺️", layout="wide")
    server_logging()
    try:
        main()
    except Exception as exc:  # noqa: BLE001  whatever fails, the user gets one line and the server the traceback
        show_failure(exc)
