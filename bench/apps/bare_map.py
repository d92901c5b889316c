"""The floor of a map load: a bare Streamlit page with an st_folium map of one CircleMarker, Leaflet from static/."""
import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.basemap import MAP_CSS, MAP_JS

st.title("Bare map")
fmap = folium.Map(location=[40, 100], zoom_start=3, tiles=None)
fmap.default_js = list(MAP_JS)
fmap.default_css = list(MAP_CSS)
folium.CircleMarker([40, 100], radius=8, class_name="geo-place").add_to(fmap)
st_folium(fmap, key="map", height=560, width=None, returned_objects=[])
