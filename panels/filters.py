"""The sidebar's filters: their values are read before the map is drawn, their widgets are built after it.

The browser builds the page's elements in tree order and fetches each kind's code on first use; the sidebar comes
first in that order, so the filters' widgets are sent after the map (into a sidebar slot kept in place) and their
values are taken from session state, or from the URL on a session's first run, exactly as the widgets will show them."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.viewstate import ALL_LABELS, STATUSES, View


class Filters(NamedTuple):
    articles: list[str]
    labels: list[str]
    subjects: list[str]
    statuses: list[str]
    metonyms: bool


def _keys(digest: str) -> tuple[str, str, str, str, str]:
    """The widgets' session keys, in the fields' order (the article and subject lists belong to one corpus)."""
    return f"f_articles_{digest}", "f_labels", f"f_subjects_{digest}", "f_status", "f_metonyms"


def _defaults(wanted: View) -> Filters:
    return Filters(list(wanted.articles or []), list(wanted.labels), list(wanted.subjects or []), list(wanted.statuses), wanted.metonyms)


def current_filters(digest: str, wanted: View) -> Filters:
    """What the filter widgets hold (or will show on their first run)."""
    return Filters(*(st.session_state.get(key, default) for key, default in zip(_keys(digest), _defaults(wanted))))


def filter_widgets(box: DeltaGenerator, digest: str, wanted: View, article_ids: list[str], labels: dict[str, str],
                   titles: dict[str, str], subjects: list[str]) -> None:
    """The filters' widgets in `box` (a sidebar slot made before the map)."""
    (articles, labels_key, subjects_key, statuses, metonyms), defaults = _keys(digest), _defaults(wanted)
    box.title("Filters")
    # None chosen means all: a multiselect holding every article (1,135 chips on a large corpus) cost the browser more
    # than the map itself, and the URL never carried the full list anyway.
    box.multiselect("Articles on the map", article_ids, default=defaults.articles, placeholder="All articles",
                    format_func=lambda a: f"{labels[a][:24]} · {titles[a][:40]}", key=articles)
    box.multiselect("Entity types", list(ALL_LABELS), default=defaults.labels, key=labels_key)
    box.multiselect("Route subjects", subjects, default=defaults.subjects, placeholder="All subjects", key=subjects_key)
    box.multiselect("Route stops", list(STATUSES), default=defaults.statuses, key=statuses,
                    help="done: departed, arrived, visited, passed; expected: expected, planned, speculated")
    # A select box rather than a checkbox: one kind of widget fewer for the browser to fetch and build.
    box.selectbox("Non-literal mentions (\"Ottawa warned\", \"Air Zimbabwe\")", (True, False), index=0 if defaults.metonyms else 1,
                  format_func=lambda on: "counted" if on else "not counted", key=metonyms)
