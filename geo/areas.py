"""Mentioned countries and first-level regions as map outlines: one static file per set of outlines, fetched by the
browser once the map's markers are painted, so the map's script carries names and styles, not coordinates."""
from __future__ import annotations

import hashlib
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
AREAS_PER_TASK = 40  # outlines drawn per browser task, so the page answers clicks and paints while hundreds are drawn

# One request for every outline of the view (the 1,135 benchmark articles' 409 areas were 409 requests to the
# Streamlit server), after the markers are painted (window.geoLater, geo/mapdefer.py), drawn a batch per task.
AREA_LAYER_JS = """{% macro script(this, kwargs) %}
(function (group, map) {
    var pane = map.getPane("geo-areas") || map.createPane("geo-areas");
    pane.style.zIndex = {{ this.pane_z }};
    var areas = {{ this.areas }};
    if (!areas.length) { return; }
    function draw(shapes, a) {
        var geometry = shapes[a[0]];
        if (!geometry) { return; }
        var layer = L.geoJSON({type: "Feature", properties: {}, geometry: geometry}, {style: Object.assign({pane: "geo-areas"}, a[1]),
            pane: "geo-areas", onEachFeature: function (_f, part) {
                part.bindTooltip(a[2], {sticky: true});
                part.on("mouseover", function () { part.setStyle({weight: 3}); });
                part.on("mouseout", function () { part.setStyle({weight: a[1].weight}); });
            }});
        layer.addTo(group);
        if (a[3]) { layer.bringToBack(); }
    }
    window.geoLater.add(function () {
        fetch("{{ this.url }}").then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; }).then(function (shapes) {
            if (!shapes) { return; }
            for (var i = 0; i < areas.length; i += {{ this.per_task }}) {
                (function (batch) { window.geoLater.add(function () { batch.forEach(function (a) { draw(shapes, a); }); }); })(
                    areas.slice(i, i + {{ this.per_task }}));
            }
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


def area_set_url(keys: Iterable[str], tolerance: float, target: Path = STATIC_DIR) -> tuple[str, frozenset[str]] | None:
    """The static URL of one file holding the outlines of `keys` ({key: GeoJSON geometry}), written under static/ on
    first use, and the keys it holds (those with an outline); None when none has one.

    The file depends only on the keys and the tolerance, so sessions showing the same view share it and browsers
    revalidate it (304)."""
    wanted = sorted(set(keys))
    digest = hashlib.sha256(json.dumps([wanted, tolerance]).encode()).hexdigest()[:20]
    name = f"{AREAS_FOLDER}/{tolerance:g}/set-{digest}.json"
    out = target / name
    if out.exists():
        return f"{STATIC_URL}/{name}", frozenset(json.loads(out.read_text(encoding="utf-8")))
    shapes = {key: geometry for key in wanted if (geometry := area_geometry(key, tolerance)) is not None}
    if not shapes:
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}")
    tmp.write_text(json.dumps(shapes, separators=(",", ":")), encoding="utf-8")
    tmp.replace(out)  # atomic: a concurrent session never serves half a file
    return f"{STATIC_URL}/{name}", frozenset(shapes)


def area_layer(areas: Iterable[tuple[str, dict[str, Any], str, bool]], count: int) -> Any:
    """A map child (add it to a FeatureGroup) that draws (key, style, tooltip, is a country) outlines in their own pane
    under the markers; countries go behind regions. `count` areas in all choose the simplification."""
    from branca.element import MacroElement
    from jinja2 import Template

    tolerance = AREA_SIMPLIFY_DEGREES if count <= AREAS_FINE_LIMIT else AREA_SIMPLIFY_COARSE_DEGREES
    areas = list(areas)
    found = area_set_url([key for key, *_ in areas], tolerance)
    url, held = found if found is not None else ("", frozenset())
    rows = [[key, style, tip, country] for key, style, tip, country in areas if key in held]

    class AreaLayer(MacroElement):
        _template = Template(AREA_LAYER_JS)

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "AreaLayer"
            self.areas = json.dumps(rows, ensure_ascii=False).replace("</", "<\\/")
            self.url = url
            self.pane_z = AREA_PANE_Z
            self.per_task = AREAS_PER_TASK

    return AreaLayer()
