"""The dashboard through streamlit's AppTest: panels, filters, uploads, URL state, local map assets."""
from __future__ import annotations

import html

import pytest
from streamlit.testing.v1 import AppTest

from geo.mapstate import MapView
from geo.mapview import build_map, map_asset_urls, place_popup

from .conftest import ROOT, seed_id

pytestmark = [pytest.mark.slow, pytest.mark.model, pytest.mark.full]


@pytest.fixture
def app(cache_dir):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    return at


def _select(at, label):
    return next(s for s in at.selectbox if s.label == label)


def _multiselect(at, label):
    return next(s for s in at.multiselect if s.label == label)


def _shown(at) -> str:
    """The page's Markdown and HTML elements (the article text is an st.html element)."""
    return " ".join(m.value for m in [*at.markdown, *at.html])


def test_seed_dashboard_renders_panels(app, gold):
    app.run()
    assert not app.exception and not app.error
    article = _select(app, "Article")
    assert len(article.options) == 5
    assert app.query_params["corpus"] == ["seeds"] or app.query_params["corpus"] == "seeds"
    markdown = _shown(app)
    assert "ent-PERSON" in markdown and "Kim Jong Un" in markdown
    titles = {facts["title"] for facts in gold["articles"].values()}
    assert any(html.unescape(h.value) in titles for h in app.subheader)


def test_selecting_an_article_updates_the_url_and_panel(app, gold):
    app.run()
    _select(app, "Article").set_value(seed_id("002_66dd75581f08acab"))
    app.run()
    assert not app.exception
    assert seed_id("002_66dd75581f08acab") in str(app.query_params.get("article"))
    assert any("N. Korea" in html.unescape(h.value) for h in app.subheader)


def test_url_restores_the_view(app):
    app.query_params["article"] = "003_d0d42ebe6f756096"
    app.query_params["labels"] = "PERSON,GPE"
    app.query_params["status"] = "done"
    app.run()
    assert not app.exception
    assert _select(app, "Article").value == seed_id("003_d0d42ebe6f756096")  # the link named the file label
    assert set(_multiselect(app, "Entity types").value) == {"PERSON", "GPE"}
    assert _multiselect(app, "Route stops").value == ["done"]
    markdown = _shown(app)
    assert "ent-PERSON" in markdown and "ent-ORG" not in markdown


def test_entity_filter_changes_highlighting(app):
    app.run()
    _multiselect(app, "Entity types").set_value(["GPE"])
    app.run()
    markdown = _shown(app)
    assert "ent-GPE" in markdown and "ent-PERSON" not in markdown
    assert "GPE" in str(app.query_params.get("labels"))


def test_selecting_a_place_centres_the_map_and_lists_mentions(app, seed_analysis):
    app.run()
    focus = _select(app, "Focus a place on the map")
    pyongyang = next(p.id for p in seed_analysis.places if p.name == "Pyongyang")
    assert any("Pyongyang" in o for o in focus.options)
    focus.set_value(pyongyang)
    app.run()
    assert not app.exception
    assert pyongyang in str(app.query_params.get("place"))
    assert any("Pyongyang" in html.unescape(i.value) for i in app.info)


def test_pasted_and_uploaded_articles(app):
    app.run()
    _select(app, "Articles").set_value("upload").run()  # the paste box is in the sidebar of the uploaded articles
    app.text_area(key="pasted").input("Minister visits Nairobi\n\nThe Kenyan foreign minister flew from Nairobi to Addis Ababa on Monday for talks, officials said.")
    app.run()
    assert not app.exception
    assert len(_select(app, "Article").options) == 1
    assert any("Minister visits Nairobi" in html.unescape(h.value) for h in app.subheader)


def test_bad_upload_gets_an_error_and_the_rest_is_shown(cache_dir):
    from geo.articles import Problem  # noqa: F401  (the dashboard reports geo's Problem lines)

    script = f"""
import streamlit as st

class FakeUpload:
    def __init__(self, name, data):
        self.name, self._data = name, data
    def getvalue(self):
        return self._data

from streamlit.delta_generator import DeltaGenerator

real = DeltaGenerator.file_uploader
DeltaGenerator.file_uploader = lambda self, *a, **k: [
    FakeUpload("good.txt", b"Flood in Dhaka\\n\\nHeavy rain flooded Dhaka on Monday, officials said."),
    FakeUpload("broken.txt", b"\\x00\\x01\\x02" * 40),
    FakeUpload("empty.md", b"")]
st.query_params["corpus"] = "upload"
try:
    exec(open({str(ROOT / "dashboard.py")!r}, encoding="utf-8").read())
finally:
    DeltaGenerator.file_uploader = real
"""
    at = AppTest.from_string(script, default_timeout=180)
    at.run()
    assert not at.exception
    errors = [html.unescape(e.value) for e in at.error]
    assert any("broken.txt" in e and "binary" in e for e in errors)
    assert any("empty.md" in e and "empty file" in e for e in errors)
    assert len(_select(at, "Article").options) == 1


def test_map_assets_are_local(seed_analysis):
    titles = {a.id: a.title for a in seed_analysis.articles}
    fmap = build_map(seed_analysis.places, seed_analysis.routes, MapView(), titles)
    urls = map_asset_urls(fmap)
    assert urls and all(u.startswith("/app/static/") for u in urls), urls
    html = fmap.get_root().render()
    assert "cdn." not in html and "https://" not in html.split("<body>")[0]
    many = build_map(seed_analysis.places * 5, [], MapView(), titles)  # clustered layout
    many_urls = map_asset_urls(many)
    assert many_urls and all(u.startswith("/app/static/") for u in many_urls)
    page = many.get_root().render()  # the clustered layer's script is on the page once, with every place in it
    assert page.count("L.markerClusterGroup(") == 1 and "Vostochny Cosmodrome" in page


def test_popup_lists_a_few_mentions_and_counts_the_rest(seed_analysis):
    place = max(seed_analysis.places, key=lambda p: len(p.mentions))
    popup = place_popup(place, None, {}, limit=3)
    assert popup.count("<li>") == 4 and f"... {len(place.mentions) - 3} more" in popup


def test_popup_escapes_article_text(seed_analysis):
    place = seed_analysis.places[0]
    from dataclasses import replace

    evil = replace(place, name="<script>alert(1)</script>", mentions=tuple(
        replace(m, sentence="<img src=x onerror=alert(1)>") for m in place.mentions[:1]))
    popup = place_popup(evil, None, {place.mentions[0].article: "</textarea><b>t</b>"})
    assert "<script>" not in popup and "<img" not in popup and "</textarea>" not in popup
    assert "&lt;script&gt;" in popup


def test_saved_results_open_without_reanalysis(seed_analysis, tmp_path, monkeypatch, cache_dir):
    from geo.export import write_parquet

    write_parquet(seed_analysis, tmp_path / "results")
    monkeypatch.setenv("GEO_RESULTS_DIR", str(tmp_path / "results"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.query_params["corpus"] = "results"
    at.run()
    assert not at.exception and not at.error
    assert len(_select(at, "Article").options) == 5
    assert "Kim Jong Un" in _shown(at)


def test_place_from_the_url_survives_other_changes(app, seed_analysis):
    pyongyang = next(p.id for p in seed_analysis.places if p.name == "Pyongyang")
    app.query_params["place"] = pyongyang  # what a map click or a shared link sets
    app.run()
    assert _select(app, "Focus a place on the map").value == pyongyang
    _multiselect(app, "Entity types").set_value(["PERSON", "GPE"])
    app.run()
    assert not app.exception
    assert pyongyang in str(app.query_params.get("place"))
    _select(app, "Article").set_value(seed_id("004_82e0a735bc12403f"))
    app.run()
    assert pyongyang in str(app.query_params.get("place")) and seed_id("004_82e0a735bc12403f") in str(app.query_params.get("article"))
