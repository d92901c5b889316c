"""Workspace panel: uploads and pasted texts stored in a shared workspace named by `ws=<id>` in the URL; rename, export,
delete; the editor key entered once per browser session. Every write goes through geo.workspaces, which checks the key."""
from __future__ import annotations

import json
from dataclasses import dataclass

import streamlit as st

from geo.articles import EXTENSIONS, content_id, decode_bytes
from geo.config import Settings
from geo.errors import ArticleError, FetchError, GeoError
from geo.fetch import fetch_article
from geo.render import escape
from geo.viewstate import read_workspace_id
from geo.workspaces import Workspace, WorkspaceStore

PASTED_LABEL = "pasted.txt"


@dataclass(frozen=True)
class WorkspaceCorpus:
    """What the page analyses and shows for the upload corpus: (file name, raw bytes) of its articles, notes."""

    workspace: Workspace | None
    files: tuple[tuple[str, bytes], ...]
    link_notes: tuple[str, ...]  # what the link named that does not exist
    problems: tuple[str, ...]  # uploads refused: unreadable, over a limit, or no editor key
    can_write: bool


@st.cache_resource(show_spinner=False)
def workspace_store(url: str, editor_key: str, max_files: int, max_bytes: int, max_file_bytes: int) -> WorkspaceStore:
    """One store (engine and connection pool) per server and database."""
    return WorkspaceStore(url, editor_key, max_files, max_bytes, max_file_bytes)


def open_store(settings: Settings) -> WorkspaceStore:
    return workspace_store(settings.workspace_url, settings.editor_key, settings.max_files, settings.max_corpus_bytes, settings.max_file_bytes)


def editor_key(store: WorkspaceStore) -> str:
    """The key this browser session entered (asked for once, kept in the session); empty when none is set on the server."""
    if store.can_write(""):
        return ""
    with st.sidebar.expander("Editing", expanded=False):
        st.text_input("Editor key", type="password", key="editor_key", help="Ask the server's operator (setting editor_key). Viewing needs only the link.")
    return st.session_state.get("editor_key", "")


def _readable(items: list[tuple[str, bytes]], settings: Settings) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The uploads that can be read as articles, and one line for each that cannot (nothing of it is stored)."""
    good, problems = [], []
    for label, data in items:
        try:
            suffix = "." + label.rsplit(".", 1)[-1].lower() if "." in label else ""
            if suffix not in EXTENSIONS:
                raise ArticleError(label, f"unknown extension {suffix or '(none)'}; expected one of {', '.join(EXTENSIONS)}")
            decode_bytes(label, data, settings)
        except ArticleError as exc:
            problems.append(f"{exc.path}: {exc.reason}")
        else:
            good.append((label, data))
    return good, problems


def fetched_urls(settings: Settings) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Pages fetched from the URLs pasted in the sidebar when its button is pressed, and one line per refused URL."""
    urls = st.sidebar.text_area("... or article URLs, one per line", key="urls", height=68)
    if not st.sidebar.button("Fetch the URLs", key="fetch_urls"):
        return [], []
    items, problems = [], []
    for url in dict.fromkeys(u.strip() for u in urls.splitlines() if u.strip()):
        try:
            page = fetch_article(url, settings)
        except FetchError as exc:
            problems.append(str(exc))
        else:
            items.append((page.label, page.data))
    return items, problems


def workspace_corpus(settings: Settings, uploads, pasted: str) -> WorkspaceCorpus:
    """The upload corpus: new uploads stored in the URL's workspace (a new one when there is none), then its articles."""
    store = open_store(settings)
    key = editor_key(store)
    can_write = store.can_write(key)
    ws_id, link_notes = read_workspace_id(st.query_params.to_dict(), store.exists)
    fetched, notes = fetched_urls(settings)
    items = [(u.name, u.getvalue()) for u in (uploads or [])] + fetched
    if pasted.strip():
        items.append((PASTED_LABEL, pasted.encode("utf-8")))
    present = {a.id for a in store.articles(ws_id)} if ws_id else set()
    new = [(label, data) for label, data in items if content_id(data) not in present]
    if new and not can_write:
        notes.append("this session can only view: enter the editor key to add articles")
    elif new:
        good, problems = _readable(new, settings)
        if good:
            if ws_id is None:
                ws_id = store.create(good[0][0].rsplit(".", 1)[0], key).id
            problems += store.add_articles(ws_id, good, key).problems
        notes += problems
    if ws_id is None:
        return WorkspaceCorpus(None, (), link_notes, tuple(notes), can_write)
    if st.query_params.get("ws") != ws_id:
        st.query_params["ws"] = ws_id
    stored = store.articles(ws_id)
    return WorkspaceCorpus(store.get(ws_id), tuple((a.label, a.data) for a in stored), link_notes, tuple(notes), can_write)


def workspace_sidebar(settings: Settings, corpus: WorkspaceCorpus) -> None:
    """Name, size and link of the workspace; rename, export and delete for editors."""
    ws = corpus.workspace
    if ws is None:
        return
    store = open_store(settings)
    st.sidebar.markdown(f"**Workspace:** {escape(ws.name)} · {ws.files} files · {ws.bytes:,} bytes")
    st.sidebar.caption("Anyone with this page's link sees this workspace; keep the link private.")
    st.sidebar.download_button("Export workspace (JSON)", json.dumps(store.export(ws.id)), file_name=f"workspace-{ws.id[:8]}.json",
                               mime="application/json", key="ws_export")
    if not corpus.can_write:
        return
    key = st.session_state.get("editor_key", "")
    with st.sidebar.expander("Manage workspace", expanded=False):
        name = st.text_input("Name", ws.name, key=f"ws_name_{ws.id}")
        if st.button("Rename", key="ws_rename") and name.strip() and name != ws.name:
            if _write(lambda: store.rename(ws.id, name, key, expected_version=ws.version)):
                st.rerun()
        if st.button("Delete workspace", key="ws_delete", help="Deletes its articles and corrections for everyone."):
            if _write(lambda: store.delete(ws.id, key)):
                st.query_params.pop("ws", None)
                st.rerun()


def _write(action) -> bool:
    """Run one write; a refused or conflicting write becomes one line on the page."""
    try:
        action()
    except GeoError as exc:
        st.error(escape(str(exc)))
        return False
    return True
