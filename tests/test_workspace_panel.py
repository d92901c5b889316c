"""The workspace panel through AppTest, without the model: who may upload, limits in the dashboard, unknown links."""
from __future__ import annotations

import html

import pytest
from streamlit.testing.v1 import AppTest

from geo.placenames import normalize
from geo.workspaces import WorkspaceStore

from .conftest import ROOT

KEY = "panel-key"
GOOD = b"Ferry talks\n\nThe ferry operator met officials on Monday."


def _script(uploads: list[tuple[str, bytes]], params: dict[str, str]) -> str:
    return f"""
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

class FakeUpload:
    def __init__(self, name, data):
        self.name, self._data = name, data
    def getvalue(self):
        return self._data

real = DeltaGenerator.file_uploader
DeltaGenerator.file_uploader = lambda self, *a, **k: [FakeUpload(n, d) for n, d in {uploads!r}]
for k, v in {params!r}.items():
    st.query_params[k] = v
try:
    exec(open({str(ROOT / "dashboard.py")!r}, encoding="utf-8").read())
finally:
    DeltaGenerator.file_uploader = real
"""


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_EDITOR_KEY", KEY)
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_DATABASE_URL", raising=False)
    return tmp_path / "data"


def _store(data_dir) -> WorkspaceStore:
    return WorkspaceStore(f"sqlite:///{data_dir / 'workspaces.sqlite'}", editor_key=KEY)


def test_a_viewer_without_the_key_cannot_upload(data_dir):
    at = AppTest.from_string(_script([("ferry.txt", GOOD)], {"corpus": "upload"}), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("this session can only view: enter the editor key" in html.unescape(e.value) for e in at.error)
    assert "ws" not in at.query_params
    store = _store(data_dir)
    assert store.list() == []
    store.close()


def test_a_viewer_of_a_shared_workspace_cannot_add_to_it(data_dir):
    store = _store(data_dir)
    ws = store.create("Shared", KEY)
    at = AppTest.from_string(_script([("other.txt", b"Another story\n\nSomething else happened.")], {"ws": ws.id}), default_timeout=60)
    at.run(timeout=5)  # stops at the analysis of the stored (empty) workspace or renders; either way nothing is written
    assert any("can only view" in html.unescape(e.value) for e in at.error)
    assert store.get(ws.id).files == 0 and store.get(ws.id).version == ws.version
    store.close()


def test_uploads_obey_the_corpus_limits_in_the_dashboard(data_dir, monkeypatch):
    monkeypatch.setenv("GEO_MAX_FILES", "1")
    uploads = [("a.txt", GOOD), ("b.txt", b"Second story\n\nAnother text about the ferry."), ("bin.txt", b"\x00\x01" * 50)]
    panel_only = f"""
import streamlit as st
from geo.config import load_settings
from panels.workspace import workspace_corpus

class FakeUpload:
    def __init__(self, name, data):
        self.name, self._data = name, data
    def getvalue(self):
        return self._data

stored = workspace_corpus(load_settings(), [FakeUpload(n, d) for n, d in {uploads!r}], "")
for problem in stored.problems:
    st.error(problem)
st.write(sorted(name for name, _ in stored.files))
"""
    at = AppTest.from_string(panel_only, default_timeout=60)
    at.session_state["editor_key"] = KEY
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("b.txt:") and "setting max_files" in e for e in errors)
    assert any(e.startswith("bin.txt:") and "binary" in e for e in errors)
    store = _store(data_dir)
    [ws] = store.list()
    assert [a.label for a in store.articles(ws.id)] == ["a.txt"] and at.query_params["ws"] == ws.id
    store.close()


def test_an_unknown_workspace_link_says_so_in_one_line(data_dir):
    at = AppTest.from_string(_script([], {"ws": "Z" * 32, "article": "x"}), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("unknown workspace 'ZZZZZZZZ…'" in html.unescape(i.value) for i in at.info)


PANEL_ONLY = """
import streamlit as st
from geo.config import load_settings
from panels.workspace import workspace_corpus

stored = workspace_corpus(load_settings(), [], "")
for problem in stored.problems:
    st.error(problem)
st.write(sorted(name for name, _ in stored.files))
"""


def test_article_urls_are_fetched_into_the_workspace_and_refusals_are_one_line(data_dir, monkeypatch):
    import http.server
    import threading

    from .test_fetch import Handler

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        monkeypatch.setenv("GEO_ALLOW_PRIVATE_URLS", "true")
        at = AppTest.from_string(PANEL_ONLY, default_timeout=60)
        at.session_state["editor_key"] = KEY
        at.run()
        at.text_area(key="urls").input(f"{base}/article\n{base}/image\nhttp://169.254.169.254/latest/")
        at.button(key="fetch_urls").click().run()
        assert not at.exception
        errors = [e.value for e in at.error]
        assert len(errors) == 2 and "content type image/png" in errors[0] and "link-local" in errors[1]
        store = _store(data_dir)
        [ws] = store.list()
        [article] = store.articles(ws.id)
        assert article.label == "127-0-0-1-article.html" and b"Harbour talks" in article.data
        store.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


def _places(at) -> int:
    """The number of places in the page's summary line ("1 articles · 7 entity mentions · 3 places · ...")."""
    line = next(c.value for c in at.caption if " places · " in c.value)
    return int(line.split(" places")[0].rsplit("· ", 1)[1])


@pytest.mark.model
@pytest.mark.full
def test_an_editor_corrects_a_place_and_a_stop_in_the_dashboard(cache_dir, gazetteer, monkeypatch, tmp_path):
    """The whole page with a workspace (real model, full gazetteer): the Corrections tab renders for an editor, its
    buttons store corrections, and the corrected analysis is what the page shows."""
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_EDITOR_KEY", KEY)
    text = ("Minister tours the Baltic\n\nForeign Minister Maria Lindqvist flew from Helsinki to Tallinn on Monday for talks. "
            "Lindqvist then travelled to Riga on Tuesday, her office said.")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.session_state["editor_key"] = KEY
    at.query_params["corpus"] = "upload"
    at.run()
    at.text_area(key="pasted").input(text)
    at.run()
    assert not at.exception
    places = _places(at)
    assert "corr_not_place" not in [b.key for b in at.button]  # lazy tabs: the Corrections buttons exist once it is open
    at.session_state["article_tab"] = "Corrections"
    at.run()
    at.text_input(key="author").input("Ana")
    at.button(key="corr_not_place").click().run()
    assert not at.exception
    assert _places(at) == places - 1
    at.button(key="corr_stop_remove").click().run()
    assert not at.exception
    store = _store(tmp_path / "data")
    [ws] = store.list()
    assert [(c.kind, c.author) for c in store.corrections(ws.id)] == [("not_a_place", "Ana"), ("stop_remove", "Ana")]
    store.close()


@pytest.mark.model
@pytest.mark.full
def test_an_editor_moves_a_mention_to_a_considered_candidate_and_promotes_it(cache_dir, gazetteer, monkeypatch, tmp_path):
    """The Place tab lists the candidates the resolver weighed (scores and distances from the analysis); moving to one
    stores a place move, which an editor promotes to the workspace gazetteer and removes again."""
    from geo.workspace_places import place_rows

    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_EDITOR_KEY", KEY)
    text = "Minister in France\n\nForeign Minister Maria Lindqvist flew from Paris to Tallinn on Monday for talks."
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.session_state["editor_key"] = KEY
    at.query_params["corpus"] = "upload"
    at.run()
    at.text_area(key="pasted").input(text)
    at.run()
    assert not at.exception
    at.session_state["article_tab"] = "Corrections"  # tabs are lazy: the Corrections tab's widgets exist once it is open
    at.run()
    mention = at.selectbox(key="corr_mention")
    mention.set_value(next(i for i, label in enumerate(mention.options) if label.startswith("“Paris”"))).run()
    considered = next(d.value for d in at.dataframe if "km from its choice" in d.value.columns)
    assert considered["name"].map(lambda n: "paris" in normalize(n)).all() and len(considered) > 1  # "París" too
    assert list(considered["score"]) == sorted(considered["score"], reverse=True) and considered["km from its choice"].iloc[0] == 0
    assert any(b.key == "corr_move" for b in at.button)  # the gazetteer search is still there
    at.button(key="corr_move_considered").click().run()
    assert not at.exception
    store = _store(tmp_path / "data")
    [ws] = store.list()
    [move] = store.corrections(ws.id)
    paris = {c.id for c in gazetteer.candidates("Paris")}
    assert move.kind == "place_move" and move.payload["place"] in paris and move.payload["text"] == "Paris"
    assert move.payload["name"] == considered["name"].iloc[1]
    at.button(key="corr_promote").click().run()
    assert not at.exception
    [row] = place_rows(store, ws.id)
    assert (row.name, row.place_id, row.correction) == ("Paris", move.payload["place"], move.id)
    at.button(key="corr_row_remove").click().run()
    assert not at.exception and place_rows(store, ws.id) == ()
    store.close()
