"""Links that no longer match: the view read from any query string is valid, and what was dropped is said in one line."""
from __future__ import annotations

import html
import string

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from streamlit.testing.v1 import AppTest

from geo.viewstate import ALL_LABELS, MAIN_LABELS, STATUSES, Choices, note_line, read_corpus_choice, read_view

from .conftest import ROOT, seed_id

CHOICES = Choices(articles=("a1", "a2", "a3"), places={"p-oslo": ("a2",), "p-riga": ("a1", "a3")},
                  entities={"c-ann": ("a3",), "c-bob": ("a1",)}, subjects=("Ann", "Bob"), quotes={"a1": ("10-42",), "a2": ("5-9",)})
PARAMS = ("corpus", "article", "place", "entity", "articles", "labels", "subjects", "status", "metonyms", "tiles", "quote")
HOSTILE = ["<b>x</b>", "<script>alert(1)</script>", "\u202e", "a,,b", "", ",", "%00", "PERSON<img src=x>", "x" * 300]


def _value(known: list[str]):
    piece = st.one_of(st.sampled_from(known), st.sampled_from(HOSTILE), st.text(max_size=12))
    return st.lists(piece, max_size=4).map(",".join)


def _params(corpus_values: list[str], choices: Choices):
    known = {"corpus": corpus_values, "article": list(choices.articles), "place": list(choices.places),
             "entity": list(choices.entities), "articles": list(choices.articles), "labels": list(ALL_LABELS),
             "subjects": list(choices.subjects), "status": list(STATUSES), "metonyms": ["0", "1"], "tiles": ["0", "1"],
             "quote": ["10-42", "5-9"]}
    return st.dictionaries(st.sampled_from(PARAMS), st.just(None), max_size=6).flatmap(
        lambda keys: st.fixed_dictionaries({k: _value(known[k]) for k in keys}))


@hsettings(max_examples=100, deadline=None)
@given(params=_params(["seeds", "upload"], CHOICES))
def test_any_query_string_gives_a_valid_view(params):
    view = read_view(params, CHOICES)
    assert view.article in CHOICES.articles
    assert view.place is None or view.place in CHOICES.places
    assert view.entity is None or view.entity in CHOICES.entities
    assert view.articles is None or (view.articles and set(view.articles) < set(CHOICES.articles))
    assert view.labels and set(view.labels) <= set(ALL_LABELS)
    assert view.subjects is None or (view.subjects and set(view.subjects) < set(CHOICES.subjects))
    assert view.statuses and set(view.statuses) <= set(STATUSES)
    assert view.quote is None or view.quote in CHOICES.quotes.get(view.article, ())
    assert "\n" not in note_line(view.notes)
    single = {"article", "place", "entity", "metonyms", "tiles"}
    unknown = any((v not in CHOICES.quotes.get(view.article, ())) if k == "quote" else (v not in _known(k)) if k in single
                  else any(x not in _known(k) for x in v.split(",") if x)
                  for k, v in params.items() if k != "corpus" and v)
    assert bool(view.notes) == unknown, (params, view.notes)


def _known(key: str) -> set[str]:
    return {"article": set(CHOICES.articles), "place": set(CHOICES.places), "entity": set(CHOICES.entities),
            "articles": set(CHOICES.articles), "labels": set(ALL_LABELS), "subjects": set(CHOICES.subjects),
            "status": set(STATUSES), "metonyms": {"0", "1"}, "tiles": {"0", "1"}}[key]


def test_a_quotation_is_kept_only_for_its_own_article():
    assert read_view({"article": "a1", "quote": "10-42"}, CHOICES).quote == "10-42"
    moved = read_view({"article": "a2", "quote": "10-42"}, CHOICES)
    assert moved.quote is None and moved.notes == ("unknown quotation '10-42' in this article",)


def test_the_nearest_view_keeps_what_applies():
    view = read_view({"article": "gone", "entity": "c-ann", "labels": "PERSON,<b>x</b>", "status": "done,maybe"}, CHOICES)
    assert view.article == "a3"  # the article that mentions the chosen entity
    assert view.entity == "c-ann" and view.labels == ("PERSON",) and view.statuses == ("done",)
    assert view.notes == ("unknown article 'gone'", "unknown label '<b>x</b>'", "unknown status 'maybe'")
    view = read_view({"place": "p-riga", "labels": "<b>x</b>"}, CHOICES)
    assert view.article == "a1" and view.labels == MAIN_LABELS
    assert view.notes == ("unknown label '<b>x</b>'", "no label left, showing all")
    assert read_view({}, CHOICES) == read_view({"labels": ",".join(MAIN_LABELS), "status": "done,expected", "metonyms": "1"}, CHOICES)
    assert read_corpus_choice({"corpus": "<i>old</i>"}, ["seeds", "upload"]) == ("seeds", ("unknown corpus '<i>old</i>'",))


# --------------------------------------------------------------------------- through the dashboard (AppTest)

SEED_ARTICLES = ["000_21f0b4b1d586a0f9", "001_07a353d0804c85f7", "002_66dd75581f08acab", "003_d0d42ebe6f756096", "004_82e0a735bc12403f"]
SEED_IDS = {label: seed_id(label) for label in SEED_ARTICLES}  # links may name an article by its label
URL_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "<>/=\"' _-.,%&;", max_size=20)


def _dashboard_params():
    known = {"corpus": ["seeds", "upload"], "article": SEED_ARTICLES, "place": ["gn:2038632", "no-such-place"],
             "entity": ["person-kim-jong-un", "gone"], "articles": SEED_ARTICLES, "labels": list(ALL_LABELS),
             "subjects": ["Kim Jong Un"], "status": list(STATUSES), "metonyms": ["0", "1"], "tiles": ["0", "1"],
             "quote": ["10-42", "5-9"]}
    piece = lambda k: st.one_of(st.sampled_from(known[k]), st.sampled_from(HOSTILE[:5]), URL_TEXT)  # noqa: E731
    return st.dictionaries(st.sampled_from([p for p in PARAMS if p != "corpus"]), st.just(None), min_size=1, max_size=5).flatmap(
        lambda keys: st.fixed_dictionaries({k: st.lists(piece(k), min_size=1, max_size=3).map(",".join) for k in keys}))


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.full
@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(params=_dashboard_params())
def test_hand_edited_links_open_the_nearest_view(params, cache_dir):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.query_params["corpus"] = "seeds"
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    article = next(s for s in at.selectbox if s.label == "Article")
    assert article.value in SEED_IDS.values()
    wanted = params.get("article")
    if wanted in SEED_ARTICLES:
        assert article.value == SEED_IDS[wanted]
    notes = [html.unescape(i.value) for i in at.info if i.value.startswith("This link did not fully match")]
    assert len(notes) <= 1
    labels = set(next(m for m in at.multiselect if m.label == "Entity types").value)
    assert labels and labels <= set(ALL_LABELS)
    asked = set(params.get("labels", "").split(",")) - {""}
    if asked - set(ALL_LABELS):
        assert notes and "unknown label" in notes[0]
    if asked & set(ALL_LABELS):
        assert labels == asked & set(ALL_LABELS)
    for m in [*at.markdown, *at.html]:
        assert "<b>x</b>" not in m.value and "<script>" not in m.value


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.full
def test_the_issue_link_shows_people_and_one_line(cache_dir):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.query_params["corpus"] = "seeds"
    at.query_params["labels"] = "PERSON,<b>x</b>"
    at.query_params["article"] = "999_gone"
    at.run()
    assert not at.exception and not at.error
    assert [html.unescape(i.value) for i in at.info if "This link" in i.value] == [
        "This link did not fully match the corpus, so the nearest view is shown: unknown article '999_gone'; unknown label '<b>x</b>'."]
    assert next(m for m in at.multiselect if m.label == "Entity types").value == ["PERSON"]
    assert next(s for s in at.selectbox if s.label == "Article").value == SEED_IDS[SEED_ARTICLES[0]]
    assert "<b>x</b>" not in str(at.query_params.get("labels")) and "999_gone" not in str(at.query_params.get("article"))
