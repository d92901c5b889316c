"""The sidebar's Geocoder settings: an expander whose widgets are built only while it is open.

A closed expander still sent its four widgets, and the browser built them (and fetched their code) before the map;
the choices live in session state (tiles in the URL), so they hold while the expander is closed."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from geo.config import Settings
from panels.urlstate import show_widget_value

BACKENDS = ("gazetteer", "nominatim")


class GeocoderChoice(NamedTuple):
    backend: str
    url: str
    user_agent: str
    tiles: bool


def _keep(name: str) -> None:
    """on_change callback: the widget's value outlives the widget (it is not built while the expander is closed)."""
    st.session_state[name] = st.session_state["w_" + name]


def _tiles_to_url() -> None:
    if st.session_state["w_tiles"]:
        st.query_params["tiles"] = "1"
    else:
        st.query_params.pop("tiles", None)


def geocoder_settings(settings: Settings) -> GeocoderChoice:
    """The Geocoder expander in the sidebar; returns the chosen backend, its URL and user agent, and whether tiles show."""
    st.session_state.setdefault("backend", settings.geocoder if settings.geocoder in BACKENDS else BACKENDS[0])
    st.session_state.setdefault("geocoder_url", settings.geocoder_url)
    st.session_state.setdefault("user_agent", settings.user_agent)
    box = st.sidebar.expander("Geocoder", key="geocoder_box", on_change="rerun")
    if box.open:
        with box:
            offline = st.session_state["backend"] == "gazetteer"
            show_widget_value("w_backend", st.session_state["backend"])
            st.selectbox("Backend", BACKENDS, key="w_backend", on_change=_keep, args=("backend",),
                         help="gazetteer works offline; an online geocoder is tried first and its answers are cached.")
            show_widget_value("w_geocoder_url", st.session_state["geocoder_url"])
            st.text_input("Geocoder URL (self-hosted Nominatim, optional)", key="w_geocoder_url", on_change=_keep,
                          args=("geocoder_url",), disabled=offline)
            show_widget_value("w_user_agent", st.session_state["user_agent"])
            st.text_input("User agent (required online)", key="w_user_agent", on_change=_keep, args=("user_agent",), disabled=offline)
            show_widget_value("w_tiles", st.query_params.get("tiles") == "1")
            st.checkbox("OpenStreetMap tiles (needs network)", key="w_tiles", on_change=_tiles_to_url)
    return GeocoderChoice(st.session_state["backend"], st.session_state["geocoder_url"], st.session_state["user_agent"],
                          st.query_params.get("tiles") == "1")
