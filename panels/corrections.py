"""Corrections panel: editors move a place mention (to a candidate the resolver weighed, or one found by searching the
gazetteer), mark it not a place, edit, add, move or remove a stop, merge alias clusters, promote a place correction to the
workspace gazetteer, import corrections from a file, and undo from the history; viewers see the history, the workspace
gazetteer and the export. Writes go through geo.corrections, geo.workspace_places and the store, which check the key."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from geopy.distance import geodesic

from geo.config import Settings
from geo.corrections import (STATUSES, Applied, Correction, apply_corrections, export_corrections, import_into, record_correction,
                              workspace_corrections)
from geo.errors import GeoError
from geo.gazetteer import Gazetteer, open_gazetteer
from geo.render import escape
from geo.workspace_places import place_rows, promote, remove_place_row
from geo.workspaces import WorkspaceStore, correction_json

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


def _author() -> str:
    return st.session_state.get("author") or "anonymous"


def _done(action) -> None:
    """Run one write; a refused or malformed one becomes one line on the page, a stored one reruns the page."""
    try:
        action()
    except GeoError as exc:
        st.error(escape(str(exc)))
        return
    st.rerun()


def _write(store: WorkspaceStore, ws_id: str, kind: str, payload: dict, key: str) -> None:
    _done(lambda: record_correction(store, ws_id, kind, payload, _author(), key))


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
    where = {"article": mention.article, "start": mention.raw_start, "end": mention.raw_end, "text": mention.text}
    considered_candidates(store, ws_id, key, analysis, place, mention, where)
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


def considered_candidates(store: WorkspaceStore, ws_id: str, key: str, analysis, place, mention, where: dict) -> None:
    """The candidates the resolver weighed for the mention (its own scores and distances, from the analysis), and a move
    to one of them."""
    record = next((c for c in getattr(analysis, "considered", ()) if c.key == mention.key), None)
    if record is None:
        st.caption("The resolver's candidates are not recorded for this mention (an analysis saved without them).")
        return
    st.markdown("**Candidates the resolver considered**")
    st.dataframe(pd.DataFrame([{"": "chosen" if c.place_id == record.chosen else "", "name": c.name, "feature": c.feature,
                                "country": c.country or "—", "population": c.population, "score": c.score,
                                "km from its choice": c.km_from_chosen, "source": c.source} for c in record.candidates]),
                 hide_index=True, width="stretch")
    options = [c for c in record.candidates if c.place_id != place.id]
    if not options:
        return
    choice = st.selectbox("Move to a considered candidate", range(len(options)), key=f"corr_considered_{mention.raw_start}",
                          format_func=lambda i: f"{options[i].name} ({options[i].feature}, {options[i].country or '—'}) · "
                                                f"score {options[i].score:g} · {options[i].km_from_chosen:,.0f} km")
    if st.button("Move to this candidate", key="corr_move_considered"):
        c = options[choice]
        _write(store, ws_id, "place_move", {**where, "place": c.place_id, "name": c.name, "lat": c.lat, "lon": c.lon,
                                            "feature": c.feature, "category": c.category, "country": c.country}, key)


def workspace_gazetteer(settings: Settings, store: WorkspaceStore, ws_id: str, key: str, can_write: bool, analysis) -> None:
    """The workspace's own gazetteer rows; editors promote a place move to a row (every later analysis sees it as a
    candidate of its name) or remove one."""
    rows = place_rows(store, ws_id)
    if rows:
        st.dataframe(pd.DataFrame([{"#": r.id, "name": r.name, "means": f"{r.place_name} ({r.feature}, {r.country or '—'})",
                                    "who": r.author, "when": f"{r.created_at:%Y-%m-%d %H:%M}"} for r in rows]), hide_index=True, width="stretch")
    else:
        st.caption("No rows yet: promote a place correction so that the name means that place in every article of this workspace.")
    if not can_write:
        return
    texts = {e.key: e.text for e in analysis.entities}
    moves = [c for c in workspace_corrections(store, ws_id) if c.kind == "place_move"]
    if moves:
        pick = st.selectbox("Place correction", range(len(moves)), key="corr_promote_pick",
                            format_func=lambda i: f"#{moves[i].id} “{_moved_text(moves[i], texts)}” → {moves[i].payload['name']}")
        move = moves[pick]
        name = st.text_input("Name the row answers to", _moved_text(move, texts), key=f"corr_promote_name_{move.id}")
        if st.button("Promote to the workspace gazetteer", key="corr_promote"):
            _done(lambda: promote(store, ws_id, move, name, search_gazetteer(settings), _author(), key))
    if rows:
        gone = st.selectbox("Row", [r.id for r in rows], key="corr_row_pick",
                            format_func=lambda i: next(f"#{r.id} {r.name} → {r.place_name}" for r in rows if r.id == i))
        if st.button("Remove the row", key="corr_row_remove"):
            _done(lambda: remove_place_row(store, ws_id, gone, key))


def _moved_text(move: Correction, texts: dict) -> str:
    """The text of the mention a place move corrected (stored with it, else read from the analysis)."""
    p = move.payload
    return str(p.get("text") or texts.get((p["article"], p["start"], p["end"])) or p["name"])


def import_export(store: WorkspaceStore, ws_id: str, key: str, can_write: bool) -> None:
    """Export the corrections as JSON (everyone); import a corrections file (editors): all of it or, with one line
    saying why, none."""
    rows = store.corrections(ws_id, include_undone=True)
    st.download_button("Export corrections (JSON)", export_corrections([correction_json(c) for c in rows]),
                       file_name=f"corrections-{ws_id[:8]}.json", mime="application/json", key="corr_export", disabled=not rows)
    if not can_write:
        return
    upload = st.file_uploader("Import corrections (a JSON file exported here)", type=["json"], key="corr_import_file")
    if st.button("Import the corrections", key="corr_import", disabled=upload is None) and upload is not None:
        _done(lambda: import_into(store, ws_id, upload.getvalue(), _author(), key))


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
        place_tab, stop_tab, cluster_tab, rows_tab = st.tabs(["Place", "Stop", "Clusters", "Workspace gazetteer"])
        with place_tab:
            place_corrections(settings, store, ws_id, key, analysis, article_id)
        with stop_tab:
            stop_corrections(settings, store, ws_id, key, analysis)
        with cluster_tab:
            cluster_corrections(store, ws_id, key, analysis)
        with rows_tab:
            workspace_gazetteer(settings, store, ws_id, key, can_write, analysis)
    else:
        st.markdown("**Workspace gazetteer**")
        workspace_gazetteer(settings, store, ws_id, key, can_write, analysis)
    st.markdown("**History**")
    history(store, ws_id, key, can_write)
    import_export(store, ws_id, key, can_write)
