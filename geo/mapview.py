"""The folium map of places and routes, wired to locally served Leaflet/jQuery assets so it works offline."""
from __future__ import annotations

import html
import json
import math
import re
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .config import PROJECT_DIR
from .errors import GeoError
from .geocode import Place
from .route import Route
from .status import Status, phase_of

STATIC_DIR = PROJECT_DIR / "static"
STATIC_URL = "/app/static"
CLUSTER_THRESHOLD = 60  # more markers than this are clustered
LAYERS_PER_ARTICLE_LIMIT = 12  # more articles than this share one layer
OSM_TILES = "OpenStreetMap"

# (package, file inside the package's data folder, file under static/)
ASSETS = [
    ("leaflet", "leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "leaflet.css", "leaflet/leaflet.css"),
    ("leaflet", "images", "leaflet/images"),
    ("jquery", "jquery.min.js", "jquery/jquery.min.js"),
    ("leaflet_markercluster", "leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    ("leaflet_markercluster", "MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("leaflet_markercluster", "MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css"),
    ("font_awesome", "css", "fontawesome/css"),
    ("font_awesome", "webfonts", "fontawesome/webfonts"),
]
MAP_JS = [("leaflet", f"{STATIC_URL}/leaflet/leaflet.js"), ("jquery", f"{STATIC_URL}/jquery/jquery.min.js")]
# Font Awesome is installed into static/ for user styles but not loaded by default: the map's icons are
# plain HTML (DivIcons), and skipping its CSS and web fonts makes the map appear sooner.
MAP_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{STATIC_URL}/markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [("markerclustercss", f"{STATIC_URL}/markercluster/MarkerCluster.css"),
               ("markerclusterdefaultcss", f"{STATIC_URL}/markercluster/MarkerCluster.Default.css")]

FEATURE_COLOURS = {"country": "#6a3d9a", "region": "#b15928", "continent": "#6a3d9a", "city": "#1f78b4", "town": "#1f78b4",
                   "village": "#1f78b4", "station": "#e31a1c", "facility": "#ff7f00", "landmark": "#33a02c",
                   "water": "#a6cee3"}
ROUTE_COLOURS = ["#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


def _round_coords(coords, digits: int = 2):
    if isinstance(coords, (int, float)):
        return round(coords, digits)
    return [_round_coords(c, digits) for c in coords]


@lru_cache(maxsize=1)
def country_outlines() -> dict | None:
    """World country outlines from the pip-installed countryinfo data (offline background), or None if absent."""
    import importlib.util

    spec = importlib.util.find_spec("countryinfo")
    if spec is None or not spec.origin:
        return None
    features = []
    for path in sorted((Path(spec.origin).parent / "data").glob("*.json")):
        try:
            shape = json.loads(path.read_text(encoding="utf-8")).get("geoJSON") or {}
        except (OSError, ValueError):
            continue
        for feature in shape.get("features", []):
            geometry = feature.get("geometry") or {}
            if geometry.get("coordinates"):
                features.append({"type": "Feature", "properties": {"name": (feature.get("properties") or {}).get("name", "")},
                                 "geometry": {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"])}})
    return {"type": "FeatureCollection", "features": features} if features else None


OUTLINES_FILE = "outlines/countries.geojson"


def _outline_layer():
    """A layer that fetches the country outlines from static/ in the browser, behind everything else.

    Served as a file rather than embedded, so reruns do not re-send 190 KB and markers appear before it loads."""
    from branca.element import MacroElement
    from jinja2 import Template

    class OutlineLayer(MacroElement):
        _template = Template("""{% macro script(this, kwargs) %}
fetch("{{ this.url }}").then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
    if (!data) { return; }
    L.geoJSON(data, {style: {color: "#8a9bb0", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1.0},
                     interactive: false}).addTo({{ this._parent.get_name() }}).bringToBack();
});
{% endmacro %}""")

        def __init__(self, url: str):
            super().__init__()
            self._name = "OutlineLayer"
            self.url = url

    return OutlineLayer(f"{STATIC_URL}/{OUTLINES_FILE}")


def install_static_assets(target: Path = STATIC_DIR) -> list[Path]:
    """Copy Leaflet, jQuery, MarkerCluster and Font Awesome from their pip-installed XStatic packages into static/."""
    import importlib

    written = []
    for package, source, dest in ASSETS:
        try:
            module = importlib.import_module(f"xstatic.pkg.{package}")
        except ImportError as exc:
            raise GeoError(f"map asset package xstatic-{package.replace('_', '-')} is not installed: run pip install -r requirements.txt") from exc
        src = Path(module.BASE_DIR) / source
        out = target / dest
        out.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, out, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, out)
        written.append(out)
    outlines = country_outlines()
    if outlines is not None:
        out = target / OUTLINES_FILE
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(outlines, separators=(",", ":")), encoding="utf-8")
        written.append(out)
    return written


def assets_installed(target: Path = STATIC_DIR) -> bool:
    return all((target / dest).exists() for _, _, dest in ASSETS) and (target / OUTLINES_FILE).exists()


@dataclass
class MapView:
    """What the map shows: filters and the selection."""

    articles: set[str] | None = None  # None: all
    subjects: set[str] | None = None
    statuses: set[str] = field(default_factory=lambda: {"done", "expected"})
    show_metonyms: bool = True
    selected_place: str | None = None
    tiles: bool = False


def css_id(value: str) -> str:
    """A CSS class naming a place or route, so the browser test and user styles can find its marker."""
    return "geo-id-" + re.sub(r"[^A-Za-z0-9_-]+", "-", value)


def _e(text: object) -> str:
    from .render import visible_controls

    return html.escape(visible_controls(str(text)), quote=True)


def place_popup(place: Place, articles: set[str] | None, titles: dict[str, str], limit: int = 8) -> str:
    """Popup HTML: every value from an article is escaped."""
    rows, hidden = [], 0
    for m in place.mentions:
        if articles is not None and m.article not in articles:
            continue
        if len(rows) == limit:
            hidden += 1  # counted, not rendered: escaping every mention of a frequent place dominated big maps
            continue
        snippet = m.sentence.strip().replace("\n", " ")
        if len(snippet) > 220:
            snippet = snippet[:217] + "..."
        tag = (" <i>(metonym)</i>" if m.metonym else " <i>(part of a name)</i>" if m.embedded
               else " <i>(demonym)</i>" if m.demonym else "")
        rows.append(f"<li><b>{_e(titles.get(m.article, m.article))}</b>{tag}: {_e(snippet)}</li>")
    more = f"<li>... {hidden} more</li>" if hidden else ""
    return (f"<div class='geo-popup' data-place-id='{_e(place.id)}'><h4>{_e(place.name)}</h4>"
            f"<div>{_e(place.feature)}{' · ' + _e(place.country) if place.country else ''} · "
            f"{place.lat:.4f}, {place.lon:.4f}</div><div>source {_e(place.source)} · confidence {place.confidence:.2f}</div>"
            f"<ul class='geo-mentions'>{''.join(rows)}{more}</ul></div>")


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    dlon = math.radians(b[1] - a[1])
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def visible_places(places: Iterable[Place], view: MapView) -> list[Place]:
    out = []
    for p in places:
        mentions = [m for m in p.mentions if (view.articles is None or m.article in view.articles)
                    and (view.show_metonyms or m.literal)]
        if mentions:
            out.append(p)
    return out


def visible_routes(routes: Iterable[Route], view: MapView) -> list[Route]:
    out = []
    for r in routes:
        if view.subjects is not None and r.subject not in view.subjects:
            continue
        stops = [s for s in r.stops if Status(s.status).phase in view.statuses
                 and (view.articles is None or set(s.articles) & view.articles)]
        if len(stops) >= 2 or (len(stops) == 1 and len(r.stops) >= 2):
            out.append(r)
    return out


FAST_CLUSTER_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: row[4], color: row[5], fillColor: row[5], fillOpacity: 0.75, weight: 1.5, className: row[6]});
    marker.bindPopup(row[2], {maxWidth: 380});
    marker.bindTooltip(row[3]);
    return marker;
}"""


class _RawScript:
    """A script added to the page as it is."""

    def __init__(self, text: str):
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


@lru_cache(maxsize=1)
def _cluster_class():
    """FastMarkerCluster whose page render does not compile its own output again.

    branca renders a layer's script and then compiles the result as a Jinja template, which for a layer carrying a
    thousand escaped popups took about 0.4 s per dashboard rerun. streamlit-folium takes the script from the template
    macro directly, so only the full-page render needs this.
    """
    from branca.element import CssLink, JavascriptLink
    from folium.elements import ElementAddToElement
    from folium.plugins import FastMarkerCluster

    class QuickFastMarkerCluster(FastMarkerCluster):
        def render(self, **kwargs):
            figure = self.get_root()
            for name, url in self.default_js:
                figure.header.add_child(JavascriptLink(url), name=name)
            for name, url in self.default_css:
                figure.header.add_child(CssLink(url), name=name)
            if self.show:
                self.add_child(ElementAddToElement(element_name=self.get_name(), element_parent_name=self._parent.get_name()),
                               name=self.get_name() + "_add")
            figure.script.add_child(_RawScript(self._template.module.script(self, kwargs)), name=self.get_name())
            for element in self._children.values():
                element.render(**kwargs)

    return QuickFastMarkerCluster


def _fast_cluster(places: list[Place], view: MapView, titles: dict[str, str]):
    """Thousands of places as one clustered layer whose markers are built in the browser from a data array."""
    rows = []
    for p in places:
        mentions = [m for m in p.mentions if view.articles is None or m.article in view.articles]
        count = len(mentions) if view.show_metonyms else len([m for m in mentions if m.literal])
        radius = min(5 + 2.5 * math.sqrt(max(count, 1)), 24)
        rows.append([p.lat, p.lon, place_popup(p, view.articles, titles, limit=3), f"{_e(p.name)} ({count})", round(radius, 1),
                     FEATURE_COLOURS.get(p.feature, "#555555"), f"geo-place geo-{_e(p.feature)} {css_id(p.id)}"])
    cluster = _cluster_class()(rows, callback=FAST_CLUSTER_CALLBACK, name="Places (clustered)", options={"maxClusterRadius": 40})
    cluster.default_js = list(CLUSTER_JS)
    cluster.default_css = list(CLUSTER_CSS)
    return cluster


def build_map(places: list[Place], routes: list[Route], view: MapView, titles: dict[str, str]):
    """A folium Map with one layer per article (or clustered markers for large corpora) and one per route."""
    import folium
    shown = visible_places(places, view)
    shown_routes = visible_routes(routes, view)
    fmap = folium.Map(location=[20, 0], zoom_start=2, tiles=OSM_TILES if view.tiles else None, max_zoom=18,
                      control_scale=True, prefer_canvas=False)
    # Without a tile layer Leaflet has no maxZoom, and MarkerCluster refuses to start ("Map has no maxZoom").
    fmap.options["maxZoom"] = 18
    fmap.default_js = list(MAP_JS)
    fmap.default_css = list(MAP_CSS)
    if not view.tiles:
        folium.Element("<style>.leaflet-container{background:#cfe0ee;}</style>").add_to(fmap.get_root().header)
        if (STATIC_DIR / OUTLINES_FILE).exists():
            fmap.add_child(_outline_layer())

    article_ids = sorted({m.article for p in shown for m in p.mentions})
    per_article = 1 < len(article_ids) <= LAYERS_PER_ARTICLE_LIMIT and len(shown) <= CLUSTER_THRESHOLD
    layers: dict[str, folium.FeatureGroup] = {}
    if per_article:
        for aid in article_ids:
            layers[aid] = folium.FeatureGroup(name=f"Article: {_e(titles.get(aid, aid))[:60]}", show=True).add_to(fmap)
    else:
        group = folium.FeatureGroup(name="Places", show=True).add_to(fmap)
        target = group
        if len(shown) > CLUSTER_THRESHOLD:
            _fast_cluster(shown, view, titles).add_to(group)
            shown_markers: list[Place] = []
        else:
            shown_markers = shown

    for p in (shown if per_article else shown_markers):
        mentions = [m for m in p.mentions if view.articles is None or m.article in view.articles]
        literal = [m for m in mentions if m.literal]
        count = len(mentions) if view.show_metonyms else len(literal)
        radius = min(5 + 2.5 * math.sqrt(max(count, 1)), 24)
        if p.feature in ("country", "continent", "region"):
            radius = min(radius, 14)  # areas are context; points carry the story
        colour = FEATURE_COLOURS.get(p.feature, "#555555")
        selected = p.id == view.selected_place
        kwargs = dict(location=[p.lat, p.lon], radius=radius + (4 if selected else 0), color="#000000" if selected else colour,
                      weight=3 if selected else 1.5, fill=True, fill_color=colour,
                      fill_opacity=0.25 if not literal else 0.75, dash_array="4 3" if not literal else None,
                      tooltip=f"{_e(p.name)} ({count} mention{'s' if count != 1 else ''})",
                      class_name=f"geo-place geo-{_e(p.feature)} {css_id(p.id)}")
        if per_article:
            for aid in sorted({m.article for m in mentions}):
                folium.CircleMarker(popup=folium.Popup(place_popup(p, {aid}, titles), max_width=380), **kwargs).add_to(layers[aid])
        else:
            folium.CircleMarker(popup=folium.Popup(place_popup(p, view.articles, titles), max_width=380), **kwargs).add_to(target)

    for k, route in enumerate(shown_routes):
        colour = ROUTE_COLOURS[k % len(ROUTE_COLOURS)]
        layer = folium.FeatureGroup(name=f"Route: {_e(route.subject)}", show=True).add_to(fmap)
        for a, b, leg in zip(route.stops, route.stops[1:], route.legs):
            done = phase_of(a.status, b.status) == "done"
            tip = f"{_e(a.name)} → {_e(b.name)}: {leg.km:,.0f} km" + (f", {leg.days} days" if leg.days is not None else "") + ("" if done else " (expected)")
            folium.PolyLine([[a.lat, a.lon], [b.lat, b.lon]], color=colour, weight=4, opacity=0.85,
                            dash_array=None if done else "8 8", tooltip=tip,
                            class_name=f"geo-route-leg {css_id('route-' + route.key)}").add_to(layer)
            mid = ((a.lat + b.lat) / 2, (a.lon + b.lon) / 2)
            angle = _bearing((a.lat, a.lon), (b.lat, b.lon)) - 90
            folium.Marker(mid, icon=folium.DivIcon(html=f"<div class='geo-arrow' style='transform:rotate({angle:.0f}deg);color:{colour};"
                                                            f"font-size:20px;line-height:20px'>&#10148;</div>",
                                                   icon_size=(20, 20), icon_anchor=(10, 10)), tooltip=tip).add_to(layer)
        for n, s in enumerate(route.stops, start=1):
            label = f"{n}. {_e(s.name)} — {_e(s.status)}" + (f", {_e(s.date)}" if s.date else "") + (f" {_e(s.time)}" if s.time else "")
            folium.Marker([s.lat, s.lon], icon=folium.DivIcon(
                html=f"<div class='geo-stop' style='background:{colour};color:#fff;border-radius:10px;width:20px;height:20px;"
                     f"text-align:center;font:bold 12px/20px sans-serif;border:1px solid #fff'>{n}</div>",
                icon_size=(20, 20), icon_anchor=(10, 10)), tooltip=f"{_e(route.subject)}: {label}").add_to(layer)

    folium.LayerControl(collapsed=True).add_to(fmap)
    points = [[p.lat, p.lon] for p in shown] + [[s.lat, s.lon] for r in shown_routes for s in r.stops]
    focus = next((p for p in shown if p.id == view.selected_place), None)
    if focus is not None:
        fmap.location = [focus.lat, focus.lon]
        fmap.options["zoom"] = 6
        fmap.fit_bounds([[focus.lat - 2, focus.lon - 2], [focus.lat + 2, focus.lon + 2]])
    elif points:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    return fmap


def map_asset_urls(fmap) -> list[str]:
    """Every JS/CSS URL the map's elements ask for (what streamlit-folium passes to the browser)."""
    from folium.elements import JSCSSMixin

    urls = []

    def walk(el):
        if isinstance(el, JSCSSMixin):
            urls.extend(u for _, u in getattr(el, "default_js", []))
            urls.extend(u for _, u in getattr(el, "default_css", []))
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(fmap)
    return urls
