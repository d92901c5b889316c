"""Corrections panel: editors move a place mention, mark it not a place, edit, add, move or remove a stop, merge alias
clusters, and undo from the history; viewers see the history only. Writes go through geo.corrections and the store."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from geopy.distance import geodesic

from geo.config import Settings
from geo.corrections import STATUSES, Applied, apply_corrections, record_correction, workspace_corrections
from geo.errors import GeoError
from geo.gazetteer import Gazetteer, open_gazetteer
from geo.render import escape
from geo.workspaces import WorkspaceStore

SEARCH_LIMIT = 12


@st.cache_resource(show_spinner=False)
def _gazetteer(path: str, _settings: Settings) -> Gazetteer:
    return open_gazetteer(_settings)


def search_gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer for searches in the corrections panel (the analysis itself runs in a worker process)."""
    return _gazetteer(str(settings.gazetteer_path), settings)


def corrected(analysis, store: WorkspaceStore, ws_id: str) -> Applied:
    """The analysis with the workspace's active corrections applied."""
    return apply_corrections(analysis, workspace_corrections(store, ws_id))


def _write(store: WorkspaceStore, ws_id: str, kind: str, payload: dict, key: str) -> None:
    try:
        record_correction(store, ws_id, kind, payload, st.session_state.get("author") or "anonymous", key)
    except GeoError as exc:
        st.error(escape(str(exc)))
        return
    st.rerun()


def _candidates(settings: Settings, name: str, near: tuple[float, float] | None) -> list:
    found = list(search_gazetteer(settings).candidates(name.strip()))[:SEARCH_LIMIT] if name.strip() else []
    return sorted(found, key=lambda c: -c.population) if near is None else sorted(found, key=lambda c: geodesic(near, (c.lat, c.lon)).km)


def _candidate_label(c, near: tuple[float, float] | None) -> str:
    km = f" · {geodesic(near, (c.lat, c.lon)).km:,.0f} km from the current placement" if near else ""
    return f"{c.name} ({c.feature}, {c.country or '—'}, population {c.population:,}){km}"


def place_corrections(settings: Settings, store: WorkspaceStore, ws_id: str, key: str, analysis, article_id: str) -> None:
    """Move one of the article's place mentions to another gazetteer entry, or mark it not a place."""
    mentions = [(p, m) for p in analysis.places for m in p.mentions if m.article == article_id]
    if not mentions:
        st.write("No place mention in this article.")
        return
    pick = st.selectbox("Place mention", range(len(mentions)), key="corr_mention",
                        format_func=lambda i: f"“{mentions[i][1].text}” → {mentions[i][0].name} ({mentions[i][0].source})")
    place, mention = mentions[pick]
    where = {"article": mention.article, "start": mention.raw_start, "end": mention.raw_end}
    query = st.text_input("Search the gazetteer", mention.text, key=f"corr_search_{pick}")
    options = [c for c in _candidates(settings, query, (place.lat, place.lon)) if c.id != place.id]
    if options:
        choice = st.selectbox("Move to", range(len(options)), key=f"corr_target_{pick}",
                              format_func=lambda i: _candidate_label(options[i], (place.lat, place.lon)))
        if st.button("Move the mention here", key="corr_move"):
            c = options[choice]
            _write(store, ws_id, "place_move", {**where, "place": c.id, "name": c.name, "lat": c.lat, "lon": c.lon,
                                                "feature": c.feature, "category": c.category, "country": c.country}, key)
    else:
        st.caption("No other gazetteer entry has this name.")
    if st.button("Not a place", key="corr_not_place"):
        _write(store, ws_id, "not_a_place", where, key)


def stop_corrections(settings: Settings, store: WorkspaceStore, ws_id: str, key: str, analysis) -> None:
    """Edit, move, remove or add a stop of a route."""
    routes = [r for r in analysis.routes if r.stops]
    if not routes:
        st.write("No route to correct.")
        return
    r = st.selectbox("Route", range(len(routes)), key="corr_route", format_func=lambda i: f"{routes[i].subject} · {routes[i].label}")
    route = routes[r]
    s = st.selectbox("Stop", range(len(route.stops)), key=f"corr_stop_{r}", format_func=lambda i: f"{i + 1}. {route.stops[i].name} ({route.stops[i].status})")
    stop = route.stops[s]
    target = {"subject": route.subject_id, "place": stop.place_id}
    status = st.selectbox("Status", STATUSES, index=STATUSES.index(stop.status) if stop.status in STATUSES else 0, key=f"corr_status_{r}_{s}")
    date = st.text_input("Date (YYYY-MM-DD)", stop.date or "", key=f"corr_date_{r}_{s}")
    time = st.text_input("Time (HH:MM)", stop.time or "", key=f"corr_time_{r}_{s}")
    if st.button("Save the stop", key="corr_stop_save"):
        _write(store, ws_id, "stop_edit", {**target, "status": status, "date": date.strip(), "time": time.strip()}, key)
    after = st.selectbox("Move after", [""] + [x.place_id for x in route.stops if x.place_id != stop.place_id], key=f"corr_after_{r}_{s}",
                         format_func=lambda pid: "(first)" if not pid else next(x.name for x in route.stops if x.place_id == pid))
    if st.button("Move the stop", key="corr_stop_move"):
        _write(store, ws_id, "stop_move", {**target, "after": after or None}, key)
    if st.button("Remove the stop", key="corr_stop_remove"):
        _write(store, ws_id, "stop_remove", target, key)
    name = st.text_input("Add a stop: place name", "", key=f"corr_add_name_{r}")
    found = _candidates(settings, name, None)
    if found:
        pick = st.selectbox("Add which place", range(len(found)), key=f"corr_add_pick_{r}", format_func=lambda i: _candidate_label(found[i], None))
        add_status = st.selectbox("Status of the new stop", STATUSES, key=f"corr_add_status_{r}")
        if st.button("Add the stop after the selected one", key="corr_stop_add"):
            c = found[pick]
            _write(store, ws_id, "stop_add", {"subject": route.subject_id, "place": c.id, "name": c.name, "lat": c.lat, "lon": c.lon,
                                              "status": add_status, "after": stop.place_id}, key)


def cluster_corrections(store: WorkspaceStore, ws_id: str, key: str, analysis) -> None:
    """Merge one alias cluster into another, or split mentions off one."""
    clusters = sorted(analysis.clusters, key=lambda c: (-c.mentions, c.name))[:200]
    if len(clusters) < 2:
        return
    names = {c.id: f"{c.name} ({c.label}, {c.mentions})" for c in clusters}
    into = st.selectbox("Keep", list(names), key="corr_into", format_func=names.get)
    other = st.selectbox("Merge into it", [c for c in names if c != into], key="corr_other", format_func=names.get)
    if st.button("Merge the clusters", key="corr_merge"):
        _write(store, ws_id, "cluster_merge", {"into": into, "other": other}, key)
    split = st.selectbox("Split a cluster", list(names), key="corr_split", format_func=names.get)
    members = [e for e in analysis.entities if analysis.cluster_of(e) == split]
    chosen = st.multiselect("Mentions that form a cluster of their own", range(len(members)), key=f"corr_split_pick_{split}",
                            format_func=lambda i: f"“{members[i].text}” in {members[i].article[:12]} at {members[i].raw_start}")
    if st.button("Split them off", key="corr_split_go") and chosen:
        _write(store, ws_id, "cluster_split", {"cluster": split, "mentions": [[members[i].article, members[i].raw_start, members[i].raw_end]
                                                                               for i in chosen]}, key)


def history(store: WorkspaceStore, ws_id: str, key: str, can_write: bool) -> None:
    """Every correction with who and when; editors can undo an active one."""
    rows = store.corrections(ws_id, include_undone=True)
    if not rows:
        st.write("No corrections yet.")
        return
    st.dataframe(pd.DataFrame([{"#": c.id, "what": c.kind, "details": ", ".join(f"{k}={v}" for k, v in sorted(c.payload.items()))[:120],
                                "who": c.author, "when": f"{c.created_at:%Y-%m-%d %H:%M}",
                                "undone": f"by {c.undone_by} {c.undone_at:%Y-%m-%d %H:%M}" if c.undone_at else ""} for c in rows]),
                 hide_index=True, width="stretch")
    active = [c.id for c in rows if c.undone_at is None]
    if can_write and active:
        undo = st.selectbox("Undo correction", active, key="corr_undo_pick", format_func=lambda i: f"#{i}")
        if st.button("Undo", key="corr_undo"):
            try:
                store.undo_correction(ws_id, undo, st.session_state.get("author") or "anonymous", key)
            except GeoError as exc:
                st.error(escape(str(exc)))
            else:
                st.rerun()


def corrections_tab(settings: Settings, store: WorkspaceStore, ws_id: str, key: str, can_write: bool, analysis, article_id: str) -> None:
    """The Corrections tab: the editing controls for editors, the history for everyone."""
    if can_write:
        st.text_input("Your name (kept with each correction)", key="author")
        place_tab, stop_tab, cluster_tab = st.tabs(["Place", "Stop", "Clusters"])
        with place_tab:
            place_corrections(settings, store, ws_id, key, analysis, article_id)
        with stop_tab:
            stop_corrections(settings, store, ws_id, key, analysis)
        with cluster_tab:
            cluster_corrections(store, ws_id, key, analysis)
    st.markdown("**History**")
    history(store, ws_id, key, can_write)
