"""The folium map of places, areas and routes over the offline base map (geo/basemap.py), and what a click on it hit."""
from __future__ import annotations

import html
import json
import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from .areas import area_key, area_layer
from .basemap import BASE_CSS, CLUSTER_CSS, CLUSTER_JS, MAP_CSS, MAP_JS, STATIC_DIR, assets_installed, base_layer, install_static_assets
from .geocode import Place
from .mapdefer import later_queue, open_later
from .mapstate import MapView, stop_key, visible_places, visible_routes
from .route import Route, Stop
from .status import phase_of

if TYPE_CHECKING:
    import folium
    from branca.element import Element

__all__ = ["assets_installed", "build_map", "clicked_target", "install_static_assets", "place_popup", "STATIC_DIR"]

CLUSTER_THRESHOLD = 60  # more markers than this are clustered
LAYERS_PER_ARTICLE_LIMIT = 12  # more articles than this share one layer
POPUP_ARTICLES = 3  # articles named in a clustered marker's popup
OSM_TILES = "OpenStreetMap"

FEATURE_COLOURS = {"country": "#6a3d9a", "region": "#b15928", "continent": "#6a3d9a", "city": "#1f78b4", "town": "#1f78b4",
                   "village": "#1f78b4", "station": "#e31a1c", "facility": "#ff7f00", "landmark": "#33a02c",
                   "water": "#a6cee3"}
ROUTE_COLOURS = ["#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


FOCUS_PAD_DEGREES = 2.0


def css_id(value: str) -> str:
    """A CSS class naming a place or route, so the browser test and user styles can find its marker."""
    return "geo-id-" + re.sub(r"[^A-Za-z0-9_-]+", "-", value)


def _e(text: object) -> str:
    from .render import visible_controls

    return html.escape(visible_controls(str(text)), quote=True)


def place_popup(place: Place, articles: set[str] | None, titles: dict[str, str], limit: int = 8) -> str:
    """Popup HTML: every value from an article is escaped."""
    rows: list[str] = []
    hidden = 0
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


# Each row: lat, lon, escaped name, escaped place id, escaped feature, mention count, radius, colour, article numbers (up
# to three), further mentions. The popup and tooltip are built in the browser from the row and the escaped titles.
FAST_CLUSTER_CALLBACK = """(function (titles) {
  return function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {radius: row[6], color: row[7], fillColor: row[7],
        fillOpacity: 0.75, weight: 1.5, className: "geo-place geo-" + row[4] + " geo-id-" + row[3]});
    var tip = row[2] + " (" + row[5] + " mention" + (row[5] === 1 ? "" : "s") + ")";
    marker.bindPopup(function () {
      var items = row[8].map(function (a) { return "<li><b>" + titles[a] + "</b></li>"; }).join("");
      return "<div class='geo-popup'><h4>" + row[2] + "</h4><div>" + row[4] + " · " + row[0].toFixed(4) + ", " +
          row[1].toFixed(4) + "</div><ul class='geo-mentions'>" + items + (row[9] ? "<li>... " + row[9] + " more</li>" : "") + "</ul></div>";
    }, {maxWidth: 380});
    marker.bindTooltip(tip);
    return marker;
  };
})(%s)"""


class _RawScript:
    """A script added to the page as it is."""

    def __init__(self, text: str):
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


@lru_cache(maxsize=1)
def _cluster_class() -> type[Any]:
    """FastMarkerCluster whose page render does not compile its own output again.

    branca renders a layer's script and then compiles the result as a Jinja template, which for a layer carrying a
    thousand escaped popups took about 0.4 s per dashboard rerun. streamlit-folium takes the script from the template
    macro directly, so only the full-page render needs this.
    """
    from branca.element import CssLink, Figure, JavascriptLink
    from folium.elements import ElementAddToElement
    from folium.plugins import FastMarkerCluster

    class QuickFastMarkerCluster(FastMarkerCluster):
        def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement.render: branca types Element's as str
            figure = cast(Figure, self.get_root())
            for name, url in self.default_js:
                figure.header.add_child(JavascriptLink(url), name=name)
            for name, url in self.default_css:
                figure.header.add_child(CssLink(url), name=name)
            if self.show:
                self.add_child(ElementAddToElement(element_name=self.get_name(), element_parent_name=cast("Element", self._parent).get_name()),
                               name=self.get_name() + "_add")
            figure.script.add_child(_RawScript(self._template.module.script(self, kwargs)),  # type: ignore[arg-type]  # only render() is called
                                    name=self.get_name())
            for element in self._children.values():
                element.render(**kwargs)

    return QuickFastMarkerCluster


def _fast_cluster(places: list[Place], view: MapView, titles: dict[str, str]) -> Any:
    """Thousands of places as one clustered layer whose markers (and popups, on first opening) are built in the browser
    from a data array."""
    # Popups name up to three articles, by number in one shared list of escaped titles; a click lists the mentions in
    # the panel. Full popups (sentences, escaped once per place and JSON-escaped again) were 1.1 MB of the 1,135
    # benchmark articles' 1.9 MB map script, which the browser receives and parses before any marker.
    numbers: dict[str, int] = {}
    rows = []
    for p in places:
        mentions = [m for m in p.mentions if view.articles is None or m.article in view.articles]
        count = len(mentions) if view.show_metonyms else len([m for m in mentions if m.literal])
        radius = min(5 + 2.5 * math.sqrt(max(count, 1)), 24)
        shown = list(dict.fromkeys(m.article for m in mentions))[:POPUP_ARTICLES]
        rows.append([p.lat, p.lon, _e(p.name), css_id(p.id).removeprefix("geo-id-"), _e(p.feature), count, round(radius, 1),
                     FEATURE_COLOURS.get(p.feature, "#555555"), [numbers.setdefault(a, len(numbers)) for a in shown],
                     len(mentions) - sum(1 for m in mentions if m.article in shown)])
    article_titles = [_e(titles.get(a, a)) for a in numbers]
    # Not chunkedLoading: MarkerCluster shows no marker before its last chunk is clustered, so slices only delayed them.
    cluster = _cluster_class()(rows, callback=FAST_CLUSTER_CALLBACK % json.dumps(article_titles), name="Places (clustered)",
                               options={"maxClusterRadius": 40})
    cluster.default_js = list(CLUSTER_JS)
    cluster.default_css = list(CLUSTER_CSS)
    return cluster


def _mention_count(p: Place, view: MapView) -> tuple[int, bool]:
    mentions = [m for m in p.mentions if view.articles is None or m.article in view.articles]
    literal = [m for m in mentions if m.literal]
    return (len(mentions) if view.show_metonyms else len(literal)), bool(literal)


def _tip(name: str, count: int) -> str:
    return f"{_e(name)} ({count} mention{'s' if count != 1 else ''})"


def _draw_areas(fmap: folium.Map, areas: list[tuple[Place, str]], view: MapView) -> None:
    """Mentioned countries and first-level regions as outlines shaded by mention count (hover: name and count)."""
    import folium

    group = folium.FeatureGroup(name="Areas", show=True).add_to(fmap)
    counts = {p.id: _mention_count(p, view)[0] for p, _ in areas}
    most = max(counts.values(), default=1) or 1
    rows = []
    for p, key in areas:
        colour = FEATURE_COLOURS.get(p.feature, "#555555")
        selected = p.id == view.selected_place
        style = {"color": "#000000" if selected else colour, "weight": 3 if selected else 1.2, "fillColor": colour,
                 "fillOpacity": round(0.12 + 0.45 * counts[p.id] / most, 3), "className": f"geo-area geo-{_e(p.feature)} {css_id(p.id)}"}
        rows.append((key, style, _tip(p.name, counts[p.id]), p.feature == "country"))
    area_layer(rows, len(areas)).add_to(group)


def _fit(fmap: folium.Map, view: MapView, shown: list[Place], shown_routes: list[Route]) -> None:
    """Fit the map to the focused place or stop, else the chosen traveller's route, else every place and stop."""
    focus = next(([p.lat, p.lon] for p in shown if p.id == view.selected_place), None)
    stops = {stop_key(r, n): s for r in shown_routes for n, s in enumerate(r.stops, start=1)}
    if focus is None and view.selected_stop in stops:
        focus = [stops[view.selected_stop].lat, stops[view.selected_stop].lon]
    if focus is not None:
        fmap.fit_bounds([[focus[0] - FOCUS_PAD_DEGREES, focus[1] - FOCUS_PAD_DEGREES],
                         [focus[0] + FOCUS_PAD_DEGREES, focus[1] + FOCUS_PAD_DEGREES]])
        return
    route_points = [[s.lat, s.lon] for r in shown_routes if r.subject == view.fit for s in r.stops]
    points = route_points or [[p.lat, p.lon] for p in shown] + [[s.lat, s.lon] for r in shown_routes for s in r.stops]
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))


def _stop_tip(route: Route, n: int, s: Stop) -> str:
    label = f"{n}. {_e(s.name)} — {_e(s.status)}" + (f", {_e(s.date)}" if s.date else "") + (f" {_e(s.time)}" if s.time else "")
    label += " (corrected)" if "corrected" in s.roles else ""  # an analyst's correction (geo.corrections)
    return f"{_e(route.subject)}: {label}"


def build_map(places: list[Place], routes: list[Route], view: MapView, titles: dict[str, str]) -> folium.Map:
    """A folium Map: mentioned areas as shaded outlines, other places as points (one layer per article, or clustered
    for large corpora), one layer per route drawn up to the view's day, over the offline base map."""
    import folium
    shown = visible_places(places, view)
    shown_routes = visible_routes(routes, view)
    fmap = folium.Map(location=[20, 0], zoom_start=2, tiles=OSM_TILES if view.tiles else None, max_zoom=18,
                      control_scale=True, prefer_canvas=False)
    # Without a tile layer Leaflet has no maxZoom, and MarkerCluster refuses to start ("Map has no maxZoom").
    fmap.options["maxZoom"] = 18
    fmap.default_js = list(MAP_JS)
    fmap.default_css = list(MAP_CSS)
    fmap.add_child(later_queue())  # the base map and area outlines wait in it until the markers are painted
    if not view.tiles:
        folium.Element(BASE_CSS).add_to(cast(folium.Figure, fmap.get_root()).header)
        if assets_installed():
            fmap.add_child(base_layer())

    areas = [(p, key) for p in shown if (key := area_key(p)) is not None]
    if areas:
        _draw_areas(fmap, areas, view)
    area_ids = {p.id for p, _ in areas}
    points = [p for p in shown if p.id not in area_ids]
    article_ids = sorted({m.article for p in points for m in p.mentions})
    per_article = 1 < len(article_ids) <= LAYERS_PER_ARTICLE_LIMIT and len(points) <= CLUSTER_THRESHOLD
    layers: dict[str, folium.FeatureGroup] = {}
    if per_article:
        for aid in article_ids:
            layers[aid] = folium.FeatureGroup(name=f"Article: {_e(titles.get(aid, aid))[:60]}", show=True)
            layers[aid].add_to(fmap)
    else:
        target = folium.FeatureGroup(name="Places", show=True).add_to(fmap)
        if len(points) > CLUSTER_THRESHOLD:
            _fast_cluster(points, view, titles).add_to(target)
            points = []

    for p in points:
        count, literal = _mention_count(p, view)
        radius = min(5 + 2.5 * math.sqrt(max(count, 1)), 24)
        if p.feature in ("country", "continent", "region"):
            radius = min(radius, 14)  # areas without an outline are context; points carry the story
        colour = FEATURE_COLOURS.get(p.feature, "#555555")
        selected = p.id == view.selected_place
        kwargs: dict[str, Any] = dict(location=[p.lat, p.lon], radius=radius + (4 if selected else 0), color="#000000" if selected else colour,
                      weight=3 if selected else 1.5, fill=True, fill_color=colour,
                      fill_opacity=0.25 if not literal else 0.75, dash_array="4 3" if not literal else None,
                      tooltip=_tip(p.name, count), class_name=f"geo-place geo-{_e(p.feature)} {css_id(p.id)}")
        if per_article:
            for aid in sorted({m.article for m in p.mentions if view.articles is None or m.article in view.articles}):
                folium.CircleMarker(popup=folium.Popup(place_popup(p, {aid}, titles), max_width=380), **kwargs).add_to(layers[aid])
        else:
            folium.CircleMarker(popup=folium.Popup(place_popup(p, view.articles, titles), max_width=380), **kwargs).add_to(target)

    for k, route in enumerate(shown_routes):
        colour = ROUTE_COLOURS[k % len(ROUTE_COLOURS)]
        layer = folium.FeatureGroup(name=f"Route: {_e(route.subject)}", show=True).add_to(fmap)
        for a, b, leg in zip(route.stops, route.stops[1:], route.legs):
            done = phase_of(a.status, b.status) == "done"
            tip = f"{_e(a.name)} → {_e(b.name)}: {leg.km:,.0f} km" + (f", {leg.days} days" if leg.days is not None else "") + ("" if done else " (expected)")
            folium.PolyLine([[a.lat, a.lon], [b.lat, b.lon]],  # type: ignore[no-untyped-call]  # folium 0.20 leaves PolyLine's __init__ unannotated color=colour, weight=4, opacity=0.85,
                            dash_array=None if done else "8 8", tooltip=tip,
                            class_name=f"geo-route-leg geo-leg-{'done' if done else 'expected'} {css_id('route-' + route.key)}").add_to(layer)
            mid = ((a.lat + b.lat) / 2, (a.lon + b.lon) / 2)
            angle = _bearing((a.lat, a.lon), (b.lat, b.lon)) - 90
            folium.Marker(mid, icon=folium.DivIcon(html=f"<div class='geo-arrow' style='transform:rotate({angle:.0f}deg);color:{colour};"
                                                            f"font-size:20px;line-height:20px'>&#10148;</div>",
                                                   icon_size=(20, 20), icon_anchor=(10, 10)), tooltip=tip).add_to(layer)
        for n, s in enumerate(route.stops, start=1):
            corrected = "corrected" in s.roles  # an analyst's correction (geo.corrections)
            ring = "3px solid #000" if stop_key(route, n) == view.selected_stop else "1px solid #fff"
            folium.Marker([s.lat, s.lon], icon=folium.DivIcon(
                html=f"<div class='geo-stop{' geo-corrected' if corrected else ''} {css_id('stop-' + stop_key(route, n))}' "
                     f"style='background:{colour};color:#fff;border-radius:10px;"
                     f"width:20px;height:20px;text-align:center;font:bold 12px/20px sans-serif;border:{ring}'>{n}</div>",
                icon_size=(20, 20), icon_anchor=(10, 10)), tooltip=_stop_tip(route, n, s)).add_to(layer)

    folium.LayerControl(collapsed=True).add_to(fmap)
    _fit(fmap, view, shown, shown_routes)
    fmap.add_child(open_later())
    return fmap


def clicked_target(places: list[Place], routes: list[Route], view: MapView, lat: float, lon: float,
                   tooltip: str | None) -> tuple[str, str] | None:
    """What a map click hit: ("stop", stop key) or ("place", id) told by the clicked object's tooltip (the nearest of
    same-named places), else the smallest mentioned area whose outline holds the click; None for the bare map.

    A click reports the pointer's position, not the marker's, so a position alone cannot tell two nearby markers apart."""
    from .outlines import default_outlines

    tip = (tooltip or "").strip()
    shown = visible_places(places, view)
    if tip:
        for r in visible_routes(routes, view):
            for n, s in enumerate(r.stops, start=1):
                if html.unescape(_stop_tip(r, n, s)).strip() == tip:
                    return ("stop", stop_key(r, n))
        named = [p for p in shown if html.unescape(_tip(p.name, _mention_count(p, view)[0])).strip() == tip]
        if named:
            return ("place", min(named, key=lambda p: abs(p.lat - lat) + abs(p.lon - lon)).id)
    holding = [(p, key) for p in shown if (key := area_key(p)) and default_outlines().contains(p, lat, lon)]
    if holding:
        return ("place", min(holding, key=lambda h: (h[0].feature == "country", _area_size(h[1])))[0].id)
    return None


def _area_size(key: str) -> float:
    """The area of an outline in square degrees (0 without one)."""
    from .outlines import default_outlines

    shape = default_outlines().shape(key)
    return float(shape.area) if shape is not None else 0.0


def map_asset_urls(fmap: folium.Map) -> list[str]:
    """Every JS/CSS URL the map's elements ask for (what streamlit-folium passes to the browser)."""
    from folium.elements import JSCSSMixin

    urls: list[str] = []

    def walk(el: Any) -> None:
        if isinstance(el, JSCSSMixin):
            urls.extend(u for _, u in getattr(el, "default_js", []))
            urls.extend(u for _, u in getattr(el, "default_css", []))
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(fmap)
    return urls
