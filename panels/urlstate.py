"""The view state in the URL: writing it, widgets that show the URL's value and write theirs back, map clicks."""
from __future__ import annotations

from typing import Any

import streamlit as st

from geo.mapstate import stop_key
from geo.pipeline import Analysis

# What belongs to one corpus's view: dropped when another corpus or the uploaded articles open.
CORPUS_VIEW_PARAMS = ("article", "place", "entity", "quote", "articles", "subjects", "day", "stop", "fit")
# The two lazy tab groups (session state keys and labels); a map click opens the tab that shows what it focused.
ARTICLE_TAB, ARTICLE_TABS = "article_tab", ("Text", "Entities", "Alias clusters", "Quotes")
CORPUS_TAB, CORPUS_TABS = "corpus_tab", ("Route timeline", "Entity × article", "Unresolved places", "Claims", "Downloads")


def set_qp(**values: Any) -> None:
    """Write the view state into the URL so a copied link reproduces the view."""
    for key, value in values.items():
        if value in (None, "", [], False) and key in st.query_params:
            del st.query_params[key]
        elif value not in (None, "", []):
            text = ",".join(value) if isinstance(value, (list, tuple, set)) else str(value)
            if st.query_params.get(key) != text:
                st.query_params[key] = text


def show_widget_value(key: str, value: Any) -> None:
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
    if param == "corpus":  # another corpus starts at its own first article
        for stale in CORPUS_VIEW_PARAMS:
            st.query_params.pop(stale, None)


def open_uploads() -> None:
    """on_change callback of the uploader and the paste box: switch to the uploaded articles and open the first one."""
    st.query_params["corpus"] = st.session_state["corpus"] = "upload"
    for param in CORPUS_VIEW_PARAMS:
        st.query_params.pop(param, None)


def focus_from_click(target: tuple[str, str], analysis: Analysis, article_id: str) -> None:
    """A map click focuses what it hit: a place, or a route stop and its place; the open article changes to one that
    mentions the place when it does not."""
    kind, value = target
    st.session_state[ARTICLE_TAB] = "Text"
    if kind == "stop":
        st.session_state[CORPUS_TAB] = "Route timeline"
        st.query_params["stop"] = value
        stop = next(r.stops[n - 1] for r in analysis.routes for n in range(1, len(r.stops) + 1) if stop_key(r, n) == value)
        place = next((p for p in analysis.places if p.id == stop.place_id), None)
        if place is None:
            return
    else:
        st.query_params.pop("stop", None)
        place = next(p for p in analysis.places if p.id == value)
    st.query_params["place"] = place.id
    if article_id not in place.articles and place.articles:
        st.query_params["article"] = place.articles[0]
        st.query_params.pop("entity", None)
