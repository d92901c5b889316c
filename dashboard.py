"""Streamlit dashboard: renders what geo/ computes. Run with `streamlit run dashboard.py`."""
from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.config import load_settings
from geo.entities import MentionKey
from geo.errors import GeoError
from geo.mapstate import MapView
from geo.mapview import assets_installed, install_static_assets
from geo.render import escape
from geo.workspace_places import place_rows
from geo.viewstate import FIT_ALL, MAIN_LABELS, Choices, note_line, read_corpus_choice, read_view
from panels.article import article_text, place_mentions
from panels.mapframe import show_map
from panels.quotes import article_quotes, claims_table
from panels.tables import downloads_tab, matrix_tab, unresolved_tab
from panels.timeline import ALL_DAYS, day_control, timeline
from panels.corrections import corrected, corrections_tab
from panels.filters import current_filters, filter_widgets
from panels.geocoder import geocoder_settings
from panels.resources import analyse, corpus_index, load_results, seed_files, server_logging
from panels.urlstate import (ARTICLE_TAB, ARTICLE_TABS, CORPUS_TAB, CORPUS_TABS, focus_from_click, open_uploads, set_qp,
                             show_widget_value, url_from_widget)
from panels.workspace import WorkspaceCorpus, open_store, workspace_corpus, workspace_sidebar

log = logging.getLogger("dashboard")
CORPORA = {"seeds": "Embedded seed articles", "upload": "Uploaded / pasted articles"}
PAGE_SIZE = 50


# --------------------------------------------------------------------------- page


def main() -> None:
    """The whole page: corpus, analysis, the view from the URL, then the map before the heavier panels."""

    if not assets_installed():
        install_static_assets()
    base_settings = load_settings()

    st.sidebar.title("Corpus")
    corpora = dict(CORPORA)
    if base_settings.results_dir:
        corpora["results"] = f"Saved results ({Path(base_settings.results_dir).name})"
    corpus_keys = list(corpora)
    corpus, corpus_notes = read_corpus_choice(st.query_params.to_dict(), corpus_keys, default="upload" if st.query_params.get("ws") else "seeds")
    show_widget_value("corpus", corpus)
    # A select box, not a radio: the page shows select boxes anyway, and each further kind of widget is code the browser
    # fetches and builds (in the page's order, the sidebar first) before the map's frame is made.
    corpus = st.sidebar.selectbox("Articles", corpus_keys, format_func=corpora.get, key="corpus", on_change=url_from_widget,
                                  args=("corpus", "corpus"))
    # On the uploaded articles the uploader and paste box are in the sidebar; elsewhere the uploader is in an expander
    # built only when opened (an upload there switches to the uploaded articles): the browser fetched and built their
    # widgets' code before the map on every first load.
    uploads, pasted = None, ""
    adder = st.sidebar if corpus == "upload" else st.sidebar.expander("Add articles", key="add_articles", on_change="rerun")
    if corpus == "upload" or adder.open:
        uploads = adder.file_uploader("Upload .txt, .md or .html articles", type=["txt", "md", "markdown", "html", "htm"],
                                      accept_multiple_files=True, key="uploads", on_change=open_uploads)
    if corpus == "upload":
        pasted = st.sidebar.text_area("... or paste an article (first line is the headline)", key="pasted", height=120, on_change=open_uploads)

    files: tuple[tuple[str, bytes], ...]
    stored: WorkspaceCorpus | None = None
    if corpus == "seeds":
        files = seed_files()
    elif corpus == "results":
        files = (("results", b""),)
    else:
        stored = workspace_corpus(base_settings, uploads, pasted)
        files, corpus_notes = stored.files, corpus_notes + stored.link_notes
        for problem in stored.problems:
            st.error(escape(problem))
        workspace_sidebar(base_settings, stored)

    backend, geocoder_url, user_agent, tiles = geocoder_settings(base_settings)

    if not files:
        if corpus_notes:
            st.info(escape(note_line(corpus_notes)))
        st.info("No articles yet: upload files or paste a text in the sidebar, or choose the embedded seed articles.")
        set_qp(corpus=corpus)
        st.stop()

    geocoder_key = (backend, geocoder_url.strip(), user_agent.strip()) if backend != "gazetteer" else ("gazetteer", "", "")
    if corpus == "results":
        folder = Path(base_settings.results_dir)
        if (folder / "articles").is_dir():  # a partitioned dataset (--engine dask): queried in place, never loaded whole
            from panels.results import render_results

            set_qp(corpus=corpus)
            render_results(str(folder), max((f.stat().st_mtime for f in folder.glob("*/part-*.parquet")), default=0.0))
            st.stop()
        stamp = max((f.stat().st_mtime for f in folder.glob("*.parquet")), default=0.0)
        digest = hashlib.sha256(f"{folder.resolve()}:{stamp}".encode()).hexdigest()[:16]
        analysis = load_results(str(folder), stamp)
    else:
        digest = hashlib.sha256(b"".join(hashlib.sha256(n.encode() + b"\0" + d).digest() for n, d in files)).hexdigest()[:16]
        settings = replace(base_settings, geocoder=geocoder_key[0], geocoder_url=geocoder_key[1], user_agent=geocoder_key[2],
                           geocoder_scheme="http" if geocoder_key[1].startswith("http://") else base_settings.geocoder_scheme)
        # A workspace's own gazetteer rows change the analysis itself: they are part of its key.
        rows = place_rows(open_store(base_settings), stored.workspace.id) if stored is not None and stored.workspace is not None else ()
        rows_key = tuple((r.id, r.name, r.place_id) for r in rows)
        analysis = analyse(hashlib.sha256(repr((digest, geocoder_key) + ((rows_key,) if rows else ())).encode()).hexdigest(), files,
                           settings, rows)

    workspace = stored.workspace if stored is not None else None
    if workspace is not None:  # the workspace's corrections, applied on every analysis; the digest follows its version
        analysis = corrected(analysis, open_store(base_settings), workspace.id).analysis
        digest = hashlib.sha256(f"{digest}:{workspace.version}".encode()).hexdigest()[:16]

    for problem in analysis.problems:
        st.error(escape(f"{problem.path}: {problem.reason}"))
    for warning in analysis.warnings:
        st.warning(escape(warning))
    if not analysis.articles:
        st.stop()

    index = corpus_index(digest, analysis)
    titles = index["titles"]
    labels = index["labels"]
    article_ids = list(titles)
    clusters = analysis.cluster_by_id()
    subjects = list(index["subjects"])
    place_ids = index["place_ids"]
    wanted = read_view(st.query_params.to_dict(), Choices(article_ids, index["place_articles"], index["cluster_articles"], subjects,
                                                          index["quotes"], index["article_labels"], index["entity_aliases"],
                                                          days=index["days"], stops=index["stops"]))
    if corpus_notes or wanted.notes:
        st.info(escape(note_line(corpus_notes + wanted.notes)))

    filters_slot = st.sidebar.container()  # filled after the map (panels/filters.py)
    sel_articles, sel_labels, sel_subjects, sel_status, show_metonyms = current_filters(digest, wanted)
    selected_place = wanted.place
    selected_entity = wanted.entity
    # The map opens fitted to the chosen traveller's route: the one named in the link, else the only subject shown,
    # else the traveller with the most stops; fit=all fits every place.
    main_traveller = (sel_subjects[0] if len(sel_subjects) == 1 else index["main_traveller"]
                      if index["main_traveller"] in (sel_subjects or subjects) else None)
    fit = None if wanted.fit == FIT_ALL else wanted.fit or main_traveller

    st.title("Geopolitical entity map")
    st.caption(f"{len(analysis.articles)} articles · {len(analysis.entities)} entity mentions · {len(analysis.places)} places · "
               f"{len(analysis.routes)} routes · model {analysis.model}")

    left, right = st.columns([3, 2], gap="medium")
    article_id = wanted.article
    view = MapView(articles=set(sel_articles) if sel_articles and set(sel_articles) != set(article_ids) else None,
                   subjects=set(sel_subjects) if sel_subjects and set(sel_subjects) != set(subjects) else None,
                   statuses=set(sel_status), show_metonyms=show_metonyms, selected_place=selected_place, tiles=tiles,
                   day=wanted.day, fit=fit, selected_stop=wanted.stop)

    # The map first, straight under the title: the browser builds the page's elements in order and fetches each kind's
    # code on first use, so every widget above the map delayed its frame; the day and fit controls follow it.
    with left:
        target = show_map(digest, analysis, view, titles, st.session_state.get("refit", 0))
        filter_widgets(filters_slot, digest, wanted, article_ids, labels, titles, subjects)  # built before a rerun can stop the run
        if target is not None and target != ("place", selected_place) and target != ("stop", wanted.stop):
            focus_from_click(target, analysis, article_id)
            st.rerun()
        show_widget_value("w_day", wanted.day or ALL_DAYS)
        day_control(index["days"], analysis.routes)
        fit_col, refit_col = st.columns([3, 1])
        show_widget_value("w_fit", fit or FIT_ALL)
        fit_col.selectbox("Fit the map to", [FIT_ALL, *subjects], key="w_fit", on_change=url_from_widget, args=("fit", "w_fit"),
                          format_func=lambda s: "Fit to all places" if s == FIT_ALL else f"Fit to {s}'s route", label_visibility="collapsed")
        refit_col.button("Refit map", help="Back to the fitted view after panning or zooming", on_click=_refit)

    with right:
        if len(article_ids) > PAGE_SIZE:
            # The search box is built when its expander opens: a text input's code is one more kind the first load fetches.
            finder = st.expander("Search articles", key="article_finder", on_change="rerun")
            query = finder.text_input("Title, label or id contains", key="article_search") if finder.open else ""
            options = [a for a in article_ids if query.lower() in (titles[a] + labels[a] + a).lower()][:PAGE_SIZE] or [article_id]
            if article_id not in options:
                options = [article_id] + options
        else:
            options = article_ids
        # The URL is the source of truth for the article, place and entity: each widget shows the URL's value and
        # writes its choice back to the URL in a callback, so map clicks, shared links and widgets never disagree.
        show_widget_value("w_article", article_id)
        st.selectbox("Article", options, format_func=lambda a: titles[a], key="w_article",
                     on_change=url_from_widget, args=("article", "w_article"))
        article = index["articles"][article_id]
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
            place_mentions(place_ids[selected_place], titles, article_id)
        if selected_entity:
            marked |= {e.key for e in ents if analysis.cluster_of(e) == selected_entity}
        if ARTICLE_TAB not in st.session_state and wanted.quote:  # a shared link to a quotation opens on it
            st.session_state[ARTICLE_TAB] = "Quotes"
        # Lazy tabs: only the open tab's content is built and sent, so the browser builds one panel beside the map
        # instead of every table of every hidden tab (a tab click reruns the script, which is cheap).
        tab_text, tab_entities, tab_clusters, tab_quotes, *tab_corrections = st.tabs(
            list(ARTICLE_TABS) + (["Corrections"] if workspace is not None else []), key=ARTICLE_TAB, on_change="rerun")
        if tab_text.open:
            with tab_text:
                article_text(article, ents, marked, set(sel_labels), scroll=bool(selected_place))
        if tab_entities.open:
            with tab_entities:
                rows = Counter((e.label, analysis.cluster_of(e) or e.text) for e in ents if e.label in sel_labels)
                table = pd.DataFrame([{"type": label, "entity": clusters[c].name if c in clusters else c, "mentions": n}
                                      for (label, c), n in rows.items()])
                if not table.empty:
                    st.dataframe(table.sort_values(["type", "mentions"], ascending=[True, False]), hide_index=True, width="stretch")
        if tab_clusters.open:
            with tab_clusters:
                used = {analysis.cluster_of(e) for e in ents}
                table = pd.DataFrame([{"name": c.name, "type": c.label, "aliases": ", ".join(c.aliases), "mentions": c.mentions,
                                       "articles": len(c.articles)} for c in analysis.clusters if c.id in used and c.label in sel_labels])
                if not table.empty:
                    st.dataframe(table, hide_index=True, width="stretch")
        if tab_quotes.open:
            with tab_quotes:
                article_quotes(analysis, article, titles, selected_entity, wanted.quote if wanted.article == article.id else None)
        if workspace is not None and stored is not None and tab_corrections[0].open:
            with tab_corrections[0]:
                corrections_tab(base_settings, open_store(base_settings), workspace.id, st.session_state.get("editor_key", ""),
                                stored.can_write, analysis, article_id)

    with left:
        tab_routes, tab_matrix, tab_unresolved, tab_claims, tab_downloads = st.tabs(list(CORPUS_TABS), key=CORPUS_TAB, on_change="rerun")
        if tab_routes.open:
            with tab_routes:
                timeline(analysis.routes, view, titles, wanted.stop)
        if tab_matrix.open:
            with tab_matrix:
                matrix_tab(digest, analysis, tuple(sorted(sel_labels)))
        if tab_unresolved.open:
            with tab_unresolved:
                unresolved_tab(analysis, titles)
        if tab_claims.open:
            with tab_claims:
                claims_table(analysis, titles)
        if tab_downloads.open:
            with tab_downloads:
                downloads_tab(digest, analysis)

    set_qp(corpus=corpus, article=article_id, place=selected_place, entity=selected_entity,
           articles=sel_articles if sel_articles and set(sel_articles) != set(article_ids) else None,
           labels=sel_labels if tuple(sel_labels) != MAIN_LABELS else None,
           subjects=sel_subjects if sel_subjects and set(sel_subjects) != set(subjects) else None,
           status=sel_status if set(sel_status) != {"done", "expected"} else None,
           metonyms=None if show_metonyms else "0", tiles="1" if tiles else None,
           day=wanted.day, stop=wanted.stop, fit=wanted.fit)
    st.sidebar.caption("Share this view: copy the page URL; it holds the corpus, article, selection and filters.")


def _refit() -> None:
    """on_click callback of "Refit map": a new map key, so the map starts again at its fitted view."""
    st.session_state["refit"] = st.session_state.get("refit", 0) + 1


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
