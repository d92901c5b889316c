"""The map panel: the folium map drawn once per (corpus, view) and handed to streamlit-folium's component; clicks read back."""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

import streamlit as st
import streamlit_folium as stf

from geo.mapstate import MapView
from geo.mapview import build_map, clicked_target

MAP_HEIGHT = 560
# Only what a click needs: fewer returned objects means fewer reruns (bounds and zoom would rerun on every pan).
RETURNED = ["last_object_clicked", "last_object_clicked_tooltip"]


# cache_resource, not cache_data: the arguments are only read, and cache_data unpickled a copy of the map's script on
# every load (most of a warm load's script time in py-spy); shared by sessions, so read-only.
@st.cache_resource(show_spinner=False, max_entries=64)
def map_frame(digest: str, view_key: str, _places, _routes, _view: MapView, _titles) -> Mapping[str, object]:
    """The component's arguments for one view of one corpus, built and rendered once.

    streamlit-folium (0.27.4, pinned) renders every folium element's template on each call: with tens of markers and
    their popups that was most of a rerun's server time, so the rendered strings are kept here instead, made with the
    same steps `st_folium` takes (a folium map renders correctly only once, so the strings, not the map, are cached)."""
    fmap = build_map(_places, _routes, _view, _titles)
    fmap.get_root().render()
    fmap.render()
    html = stf._get_html(fmap)
    header = stf._get_header(fmap)
    leaflet = stf._get_map_string(fmap)
    css, js = [], []
    for elem in _walk(fmap):
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    return MappingProxyType({"script": leaflet, "header": header, "html": html, "id": stf.get_full_id(fmap),
                             "css_links": tuple(dict.fromkeys(css)), "js_links": tuple(dict.fromkeys(js))})


def _walk(element):
    from folium.elements import JSCSSMixin

    if isinstance(element, JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def show_map(digest: str, analysis, view: MapView, titles: dict[str, str], refit: int = 0) -> tuple[str, str] | None:
    """Draw the map; returns what a new click hit (("place", id) or ("stop", key)), else None."""
    parts = map_frame(digest, view.key(), analysis.places, analysis.routes, view, titles)
    # A new key per refit makes the component start again at the fitted view after the reader panned away.
    key = stf.generate_js_hash(parts["script"], f"map-{refit}", False)
    defaults = {k: None for k in RETURNED}
    clicked = stf._component_func(**parts, key=key, height=MAP_HEIGHT, width=None, returned_objects=RETURNED, default=defaults,
                                  zoom=None, center=None, feature_group=None, return_on_hover=False, layer_control=None,
                                  pixelated=False, wrap_longitude=False)
    point = (clicked or {}).get("last_object_clicked")
    if not point:  # a new map (another view) starts without a click: the same marker may be clicked again
        st.session_state.pop("last_click", None)
        return None
    if st.session_state.get("last_click") == (point, clicked.get("last_object_clicked_tooltip")):
        return None
    st.session_state["last_click"] = (point, clicked.get("last_object_clicked_tooltip"))
    return clicked_target(analysis.places, analysis.routes, view, point["lat"], point["lng"], clicked.get("last_object_clicked_tooltip"))
