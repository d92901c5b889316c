"""The offline base map: local Leaflet assets in static/, and country and first-level boundaries and town labels
written there from installed data, drawn by zoom level in the browser with no request off the machine."""
from __future__ import annotations

import gzip
import json
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import PROJECT_DIR
from .errors import GeoError

STATIC_DIR = PROJECT_DIR / "static"
STATIC_URL = "/app/static"
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

def round_coords(coords: Any, digits: int = 2) -> Any:
    """GeoJSON coordinates rounded to `digits` decimals (0.01° is about 1 km), for smaller files and scripts."""
    if isinstance(coords, (int, float)):
        return round(coords, digits)
    return [round_coords(c, digits) for c in coords]


@lru_cache(maxsize=1)
def country_outlines() -> dict[str, Any] | None:
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
                                 "geometry": {"type": geometry["type"], "coordinates": round_coords(geometry["coordinates"])}})
    return {"type": "FeatureCollection", "features": features} if features else None




def install_static_assets(target: Path = STATIC_DIR) -> list[Path]:
    """Copy Leaflet, jQuery, MarkerCluster and Font Awesome from their XStatic packages into static/, and write the base map."""
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
    written.extend(write_base_layers(target))
    return written


def assets_installed(target: Path = STATIC_DIR) -> bool:
    """Whether every map asset and base-map layer is in static/ (the dashboard installs them on first run otherwise)."""
    return all((target / dest).exists() for _, _, dest in ASSETS) and all((target / f).exists() for f in BASE_FILES)



OUTLINES_FILE = "outlines/countries.geojson"
REGIONS_FILE = "outlines/regions.geojson"
TOWNS_FILE = "outlines/towns.json"
BASE_FILES = (OUTLINES_FILE, REGIONS_FILE, TOWNS_FILE)
REGION_SIMPLIFY_DEGREES = 0.05  # first-level lines are drawn from zoom 4 up, where 0.05 degrees is under 3 pixels
TOWN_MIN_POPULATION = 50_000  # the smallest town that gets a label at the deepest label zoom
# (zoom, smallest population labelled from that zoom): a world view names only the largest cities.
TOWN_ZOOMS = ((0, 8_000_000), (3, 3_000_000), (4, 1_000_000), (5, 300_000), (6, 150_000), (7, TOWN_MIN_POPULATION))
REGION_MIN_ZOOM = 4


def region_outlines() -> dict[str, Any]:
    """First-level outlines from the committed Natural Earth table, simplified for drawing."""
    import shapely
    from shapely.geometry import mapping, shape

    from .outlines import OUTLINES_PATH

    with gzip.open(OUTLINES_PATH, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    features = []
    for f in data["features"]:
        if f["properties"]["kind"] != "region":
            continue
        geom = shapely.simplify(shape(f["geometry"]), REGION_SIMPLIFY_DEGREES, preserve_topology=True)
        if geom.is_empty:
            continue
        features.append({"type": "Feature", "properties": {"name": f["properties"].get("name", "")},
                         "geometry": {"type": geom.geom_type, "coordinates": round_coords(mapping(geom)["coordinates"])}})
    return {"type": "FeatureCollection", "features": features}


def major_towns() -> list[list[Any]]:
    """[name, lat, lon, population] of the gazetteer's towns of TOWN_MIN_POPULATION or more and every capital."""
    from .sources.geonames import city_entries

    rows = [e.row for e in city_entries()]
    towns = [[r.name, round(r.lat, 3), round(r.lon, 3), max(r.population, TOWN_ZOOMS[1][1]) if r.capital else r.population]
             for r in rows if r.population >= TOWN_MIN_POPULATION or r.capital]
    return sorted(towns, key=lambda t: -t[3])


def write_base_layers(target: Path = STATIC_DIR) -> list[Path]:
    """Write the base map's country outlines, first-level outlines and town labels under static/outlines/."""
    layers = {OUTLINES_FILE: country_outlines(), REGIONS_FILE: region_outlines(), TOWNS_FILE: major_towns()}
    written = []
    for name, data in layers.items():
        if data is None:
            continue
        out = target / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
        written.append(out)
    return written


# The fetches wait in window.geoLater (geo/mapdefer.py) until the markers are painted; the first-level lines, the
# largest file, are fetched and built only when the map first reaches their zoom.
BASE_LAYER_JS = """{% macro script(this, kwargs) %}
(function (map) {
    var pane = map.createPane("geo-base"); pane.style.zIndex = 250; pane.style.pointerEvents = "none";
    var labels = map.createPane("geo-base-labels"); labels.style.zIndex = 350; labels.style.pointerEvents = "none";
    var get = function (url) { return fetch(url).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; }); };
    window.geoLater.add(function () {
        get("{{ this.base }}/{{ this.countries }}").then(function (data) {
            if (data) { window.geoLater.add(function () { L.geoJSON(data, {pane: "geo-base", interactive: false,
                style: {color: "#8a9bb0", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1.0}}).addTo(map); }); }
        });
    });
    var regions = null, regionsAsked = false;
    function loadRegions() {
        regionsAsked = true;
        get("{{ this.base }}/{{ this.regions }}").then(function (data) {
            if (!data) { return; }
            window.geoLater.add(function () {
                regions = L.geoJSON(data, {pane: "geo-base", interactive: false, className: "geo-base-region",
                    style: {color: "#b3b9c4", weight: 0.6, dashArray: "3 3", fill: false}});
                show();
            });
        });
    }
    var zooms = {{ this.zooms }}, towns = [], shown = L.layerGroup().addTo(map), ready = false;
    window.geoLater.add(function () {
        ready = true;
        get("{{ this.base }}/{{ this.towns }}").then(function (data) { towns = data || []; window.geoLater.add(show); });
        show();
    });
    function minPopulation(zoom) {
        var pop = Infinity;
        zooms.forEach(function (z) { if (zoom >= z[0]) { pop = z[1]; } });
        return pop;
    }
    function show() {
        if (!ready) { return; }
        var zoom = map.getZoom(), bounds = map.getBounds().pad(0.2), pop = minPopulation(zoom);
        if (zoom >= {{ this.region_zoom }} && !regionsAsked) { loadRegions(); }
        if (regions) { if (zoom >= {{ this.region_zoom }}) { regions.addTo(map); } else { map.removeLayer(regions); } }
        shown.clearLayers();
        towns.forEach(function (t) {
            if (t[3] < pop || !bounds.contains([t[1], t[2]])) { return; }
            var label = document.createElement("span"); label.textContent = t[0];
            L.marker([t[1], t[2]], {pane: "geo-base-labels", interactive: false, keyboard: false,
                icon: L.divIcon({className: "geo-town", html: "<i class='geo-town-dot'></i>" + label.outerHTML,
                                 iconSize: null, iconAnchor: [3, 3]})}).addTo(shown);
        });
    }
    map.on("zoomend moveend", show);
})({{ this._parent.get_name() }});
{% endmacro %}"""

BASE_CSS = ("<style>.leaflet-container{background:#cfe0ee;}"
            ".geo-town{font:11px/1.2 sans-serif;color:#444;white-space:nowrap;text-shadow:0 0 2px #fff,0 0 2px #fff;}"
            ".geo-town-dot{display:inline-block;width:5px;height:5px;border-radius:3px;background:#666;margin-right:3px;}</style>")


def base_layer() -> Any:
    """A map child that draws the offline base map from static/: countries, then first-level lines and town labels by zoom."""
    from branca.element import MacroElement
    from jinja2 import Template

    class BaseLayer(MacroElement):
        _template = Template(BASE_LAYER_JS)

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "BaseLayer"
            self.base, self.countries, self.regions, self.towns = STATIC_URL, OUTLINES_FILE, REGIONS_FILE, TOWNS_FILE
            self.zooms = json.dumps([list(z) for z in TOWN_ZOOMS])
            self.region_zoom = REGION_MIN_ZOOM

    return BaseLayer()
