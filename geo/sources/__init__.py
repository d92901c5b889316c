"""Readers that turn each installed data source into gazetteer entries (one module per source family)."""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import NamedTuple

from ..errors import GazetteerError


class PlaceRow(NamedTuple):
    """One row of the index's places table, in its column order (a tuple, so it is inserted as it is)."""

    id: str
    name: str
    feature: str  # country, region, district, continent, city, town, village, facility, station, landmark, water
    category: str  # finer kind: airport, air_base, county, oblast, macro_region, sea, capital ...
    country: str  # ISO 3166-1 alpha-2, "" for continents and oceans
    admin1: str
    lat: float
    lon: float
    population: int
    capital: int  # 1 for a country's capital
    source: str  # where the row comes from ("geonames:2643743", "airportsdata:EGLL")
    origin: str  # base (installed sources), curated, custom or import (a GeoNames dump)
    parent: str = ""  # id of the containing subdivision


class Entry(NamedTuple):
    """One place as a source gives it: its row, its names (the first is the main one), codes and bare names."""

    row: PlaceRow
    names: list[str]
    codes: tuple[tuple[str, str], ...] = ()  # (kind, code): ("iata", "LHR"), ("iso3166-2", "RU-AMU")
    cores: tuple[str, ...] = ()  # the name without its designator ("Heathrow"), for facility lookups only


def package_dir(module: str, sub: str = "data") -> Path:
    """The folder of an installed data package (its `data/` folder by default)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        raise GazetteerError(f"data package {module} is not installed: run pip install -r requirements.txt")
    base = Path(spec.origin).parent
    return base / sub if sub else base


def fingerprint_files(h: "hashlib._Hash", paths: list[Path]) -> None:
    """Feed names and sizes of the given files (or the files inside given folders) into `h`."""
    for path in paths:
        try:
            files = sorted(path.iterdir()) if path.is_dir() else [path]
            h.update(str([(p.name, p.stat().st_size) for p in files]).encode())
        except OSError:
            h.update(b"missing")
