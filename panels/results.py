"""The large saved-results view: article search, filters, entity x article matrix and an aggregated map, each one
DuckDB query over the Parquet dataset (geo.resultsdb), so a rerun reads only what the view shows."""
from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import streamlit as st

from branca.element import MacroElement
from jinja2 import Template

from geo.mapview import MAP_CSS, MAP_JS
from geo.resultsdb import ArticleRow, EntityMatrix, PlaceTotal, ResultsDB, ResultsFilter

MATRIX_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC")
ARTICLES_SHOWN = 50
MAP_PLACES = 1500  # the most mentioned places within the filter; the rest would be dots under dots at world scale


@st.cache_resource(show_spinner=False, max_entries=2)
def results_db(folder: str, stamp: float) -> ResultsDB:
    """One DuckDB connection per dataset version, shared by sessions (it only reads)."""
    return ResultsDB(folder)


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def results_filter(db: ResultsDB) -> tuple[ResultsFilter, tuple[str, ...]]:
    """The sidebar's search and filters, and the entity types of the matrix."""
    st.sidebar.title("Search and filters")
    text = st.sidebar.text_input("Search titles and texts", key="r_text")
    outlets = st.sidebar.multiselect("Outlets", [o for o, _ in db.outlets()], key="r_outlets")
    low, high = db.date_range()
    dates = st.sidebar.date_input("Dates", value=(), min_value=dt.date.fromisoformat(low) if low else None,
                                  max_value=dt.date.fromisoformat(high) if high else None, key="r_dates")
    labels = st.sidebar.multiselect("Entity types in the matrix", list(MATRIX_LABELS), default=["PERSON", "ORG", "GPE"], key="r_labels")
    start = _iso(dates[0]) if len(dates) > 0 else None
    end = _iso(dates[1]) if len(dates) > 1 else start
    return ResultsFilter(text=text, outlets=tuple(outlets), date_from=start, date_to=end), tuple(labels)


class PlaceCircles(MacroElement):
    """Every circle of the aggregated map as one element: one JSON array drawn by one loop in the browser.

    folium renders each element's template on every st_folium call; one CircleMarker per place made a rerun's server
    time grow with the places shown (1,500 templates), this stays one template whatever their number."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.rows|tojson }}.forEach(function (r) {
            L.circleMarker([r[0], r[1]], {radius: r[2], weight: 1, fill: true, fillOpacity: 0.6, className: "geo-place"})
             .bindTooltip(r[3]).addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
    """)

    def __init__(self, rows: list[tuple[float, float, float, str]]):
        super().__init__()
        self._name = "PlaceCircles"
        self.rows = rows


def aggregated_map(places: list[PlaceTotal]):
    """A folium map of the most mentioned places in the filter, circles sized by mentions, offline assets."""
    import folium

    fmap = folium.Map(location=[20, 0], zoom_start=2, tiles=None, control_scale=True, prefer_canvas=True)
    fmap.options["maxZoom"] = 18
    fmap.default_js = list(MAP_JS)
    fmap.default_css = list(MAP_CSS)
    folium.Element("<style>.leaflet-container{background:#cfe0ee;}</style>").add_to(fmap.get_root().header)
    top = max((p.mentions for p in places), default=1)
    # The tooltip is HTML in Leaflet: the name is escaped here; tojson escapes what would end the script.
    PlaceCircles([(p.lat, p.lon, round(3 + 17 * (p.mentions / top) ** 0.5, 1),
                   html.escape(f"{p.name}: {p.mentions} mentions in {p.articles} articles")) for p in places]).add_to(fmap)
    return fmap


@st.cache_data(show_spinner=False, max_entries=64)
def filtered(folder: str, stamp: float, f: ResultsFilter) -> tuple[int, list[ArticleRow], list[PlaceTotal]]:
    """What one filter shows: its article count, the newest articles, the map's places (kept per filter, so changing
    only the matrix's entity types, or going back to an earlier filter, asks nothing again)."""
    db = results_db(folder, stamp)
    return db.count(f), db.articles(f, limit=ARTICLES_SHOWN), db.place_totals(f, limit=MAP_PLACES)


@st.cache_data(show_spinner=False, max_entries=64)
def matrix_of(folder: str, stamp: float, f: ResultsFilter, labels: tuple[str, ...]) -> EntityMatrix:
    return results_db(folder, stamp).entity_matrix(f, labels, shown=filtered(folder, stamp, f)[1])


def render_results(folder: str, stamp: float) -> None:
    """The whole large-results page."""
    from streamlit_folium import st_folium

    f, labels = results_filter(results_db(folder, stamp))
    total, rows, places = filtered(folder, stamp, f)
    st.title("Saved results")
    st.caption(f"{total:,} articles match · dataset {html.escape(folder)} (queried in place with DuckDB)")
    st.dataframe(pd.DataFrame([{"article": r.id, "title": r.title, "outlet": r.outlet, "date": r.date, "entities": r.entities} for r in rows]),
                 hide_index=True, width="stretch")
    left, right = st.columns([3, 2])
    with left:
        st.caption(f"{len(places):,} most mentioned places in the matching articles")
        st_folium(aggregated_map(places), key="results_map", height=520, width=None, returned_objects=[])
    with right:
        matrix = matrix_of(folder, stamp, f, labels)
        st.subheader("Entities × articles")
        table = pd.DataFrame([{"article": title[:50], **{name: matrix.counts.get((aid, cid), 0) for cid, name, _ in matrix.clusters}}
                              for aid, title in matrix.articles])
        if table.empty:
            st.info("No entity of these types in the matching articles.")
        else:
            st.dataframe(table, hide_index=True, width="stretch")
