"""Mentioned countries and first-level regions as map outlines: one static GeoJSON file per outline, fetched by the
browser after the map's markers are drawn, so the map's script carries names and styles, not coordinates."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .basemap import STATIC_DIR, STATIC_URL, round_coords
from .geocode import Place

AREA_FEATURES = ("country", "region")  # drawn as outlines when the outline table has them
AREA_SIMPLIFY_DEGREES = 0.02
AREA_SIMPLIFY_COARSE_DEGREES = 0.1
AREAS_FINE_LIMIT = 40  # more mentioned areas than this are drawn with the coarse tolerance
AREAS_FOLDER = "outlines/areas"
AREA_PANE_Z = 390  # under the markers and routes (overlay pane, 400), over the base map (250)

AREA_LAYER_JS = """{% macro script(this, kwargs) %}
(function (group, map) {
    var pane = map.getPane("geo-areas") || map.createPane("geo-areas");
    pane.style.zIndex = {{ this.pane_z }};
    {{ this.areas }}.forEach(function (a) {
        fetch(a[0]).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; }).then(function (geometry) {
            if (!geometry) { return; }
            var style = Object.assign({pane: "geo-areas"}, a[1]);
            var layer = L.geoJSON({type: "Feature", properties: {}, geometry: geometry}, {style: style, pane: "geo-areas",
                onEachFeature: function (_f, part) {
                    part.bindTooltip(a[2], {sticky: true});
                    part.on("mouseover", function () { part.setStyle({weight: 3}); });
                    part.on("mouseout", function () { part.setStyle({weight: a[1].weight}); });
                }});
            layer.addTo(group);
            if (a[3]) { layer.bringToBack(); }
        });
    });
})({{ this._parent.get_name() }}, {{ this._parent._parent.get_name() }});
{% endmacro %}"""


def area_key(place: Place) -> str | None:
    """The outline key of a mentioned country or first-level region ("country:FR"), or None (points, macro-regions)."""
    from .outlines import default_outlines

    key = default_outlines().key_of(place) if place.feature in AREA_FEATURES else None
    return key if key and not key.startswith("macro:") else None


@lru_cache(maxsize=2048)
def area_geometry(key: str, tolerance: float) -> dict[str, Any] | None:
    """The outline of an area as GeoJSON, simplified for drawing and rounded to 0.01°; None when the table has none."""
    import shapely
    from shapely.geometry import mapping

    from .outlines import default_outlines

    geom = default_outlines().shape(key)
    if geom is None:
        return None
    shape = mapping(shapely.simplify(geom, tolerance, preserve_topology=True))
    return {"type": shape["type"], "coordinates": round_coords(shape["coordinates"])}


def area_url(key: str, tolerance: float, target: Path = STATIC_DIR) -> str | None:
    """The static URL of the area's outline file, written under static/ on first use; None when it has no outline.

    The file depends only on the key and the tolerance, so sessions share it and browsers revalidate it (304)."""
    name = f"{AREAS_FOLDER}/{tolerance:g}/{key.replace(':', '_')}.json"
    out = target / name
    if not out.exists():
        geometry = area_geometry(key, tolerance)
        if geometry is None:
            return None
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}")
        tmp.write_text(json.dumps(geometry, separators=(",", ":")), encoding="utf-8")
        tmp.replace(out)  # atomic: a concurrent session never serves half a file
    return f"{STATIC_URL}/{name}"


def area_layer(areas: Iterable[tuple[str, dict[str, Any], str, bool]], count: int) -> Any:
    """A map child (add it to a FeatureGroup) that draws (key, style, tooltip, is a country) outlines in their own pane
    under the markers; countries go behind regions. `count` areas in all choose the simplification."""
    from branca.element import MacroElement
    from jinja2 import Template

    tolerance = AREA_SIMPLIFY_DEGREES if count <= AREAS_FINE_LIMIT else AREA_SIMPLIFY_COARSE_DEGREES
    rows = [[url, style, tip, country] for key, style, tip, country in areas if (url := area_url(key, tolerance)) is not None]

    class AreaLayer(MacroElement):
        _template = Template(AREA_LAYER_JS)

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "AreaLayer"
            self.areas = json.dumps(rows, ensure_ascii=False).replace("</", "<\\/")
            self.pane_z = AREA_PANE_Z

    return AreaLayer()
