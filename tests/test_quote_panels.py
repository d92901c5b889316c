"""Quotes and claims panels: the article's Quotes tab, a speaker across the corpus, claims side by side."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.quotes import Quote
from panels.quotes import quote_html

from .conftest import ROOT


def test_quote_html_marks_the_quotation_and_escapes_the_article():
    text = 'Intro <b>.\n\nShe said "<script>alert(1)</script> is fine" today.'
    start = text.index("<script>")
    q = Quote("a", "direct", text[start:text.index(" today") - 1], start, start + 10, start, text.index(" today") - 1,
              ((start, start + 10),), "say", "She", None, None, None)
    out = quote_html(text, q)
    assert "<script>" not in out and "<b>" not in out
    assert out.count("<mark class='quote'") == 1 and "&#60;script&#62;alert" in out.split("<mark")[1]


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.full
def test_quotes_tab_highlights_and_lists_a_speaker_across_the_corpus(cache_dir, seed_analysis):
    peskov = next(c for q in seed_analysis.quotes if "As you know" in q.text for c in seed_analysis.clusters if c.id == q.speaker_id)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.query_params["article"] = "003_d0d42ebe6f756096"
    at.query_params["entity"] = peskov.id
    at.session_state["article_tab"] = "Quotes"  # tabs are lazy: only the open tab's content is built
    at.session_state["corpus_tab"] = "Claims"
    at.run()
    assert not at.exception
    pick = next(s for s in at.selectbox if s.label == "Highlight a quotation in the text")
    pick.select(next(o for o in pick.options if "As you know" in o))
    at.run()
    assert not at.exception
    marked = [m.value for m in at.markdown if "<mark class='quote'" in m.value]
    assert len(marked) == 1 and "As you know" in marked[0].split("<mark class='quote'")[1].split("</mark>")[0]
    assert "Mr Peskov was quoted" not in marked[0].split("<mark class='quote'")[1].split("</mark>")[0]  # the attribution is not marked
    link = dict(at.query_params)  # the chosen quotation is in the URL: a copied link opens on it
    assert "quote" in link
    other = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    for key, value in link.items():
        other.query_params[key] = value[0] if isinstance(value, list) else value
    other.run()
    assert not other.exception
    shown = [m.value for m in other.markdown if "<mark class='quote'" in m.value]
    assert len(shown) == 1 and "As you know" in shown[0].split("<mark class='quote'")[1].split("</mark>")[0]
    assert any(f"{peskov.name} across the corpus" in m.value for m in at.markdown)
    frames = [d.value for d in at.dataframe]
    shared = next(f for f in frames if "sources" in f.columns and "quotation" in f.columns)
    assert any(";" in s for s in shared["sources"])  # a quotation carried by two outlets, shown once
    claims = next(f for f in frames if "map check" in f.columns)
    assert claims["map check"].str.startswith("consistent with a route by land").any()
