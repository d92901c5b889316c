"""Airports and air bases from the pip package airportsdata (MIT): names as written, the name with each designator
("X Airport", "X Air Base"), the city's airport ("Bergen airport"), and ICAO/IATA codes as codes."""
from __future__ import annotations

import csv
import re
from typing import Iterator

from ..placenames import designated_forms, normalize, strip_designator
from . import Entry, PlaceRow, package_dir

FACILITY_KINDS = frozenset({"airport", "air_base"})
# Abbreviations written inside airportsdata names, expanded so the designator lexicon recognises them.
ABBREVIATIONS = {"afb": "Air Force Base", "nas": "Naval Air Station", "aaf": "Army Air Field", "ab": "Air Base",
                 "arb": "Air Reserve Base", "angb": "Air National Guard Base"}
MIN_CORE = 3


def _clean(name: str) -> str:
    """The name without parenthesised remarks ("(BA 120)") and with abbreviations spelt out."""
    name = re.sub(r"\s*\([^)]*\)", "", name).strip()
    words = [ABBREVIATIONS.get(w.lower(), w) for w in name.split()]
    return re.sub(r"\bAir Field\b", "Airfield", " ".join(words))


def _category(name: str) -> str:
    if re.search(r"heliport", name, re.I):
        return "heliport"
    _, designator = strip_designator(name, FACILITY_KINDS)
    military = re.search(r"\b(air base|airbase|air force|air reserve|air national guard|army air|naval air|joint base|raf|military)\b", name, re.I)
    return "air_base" if military or (designator is not None and designator.kind == "air_base") else "airport"


def _cores(name: str) -> list[str]:
    """Normalised names with every designator removed ("joint base andrews airport" -> "andrews")."""
    key, cores = normalize(name), []
    while True:
        bare, designator = strip_designator(key, FACILITY_KINDS)
        if designator is None:
            break
        key = bare
        cores.append(key)
    return cores[-1:] if cores else []


def _city(city: str) -> str:
    return re.split(r"\s*[/(]", city)[0].strip()


def airport_entries() -> Iterator[Entry]:
    """One entry per ICAO code."""
    path = package_dir("airportsdata", "") / "airports.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            try:
                lat, lon = float(rec["lat"]), float(rec["lon"])
            except (TypeError, ValueError):
                continue
            written, clean = rec["name"].strip(), _clean(rec["name"])
            category = _category(clean)
            city = _city(rec["city"])
            city_key = normalize(city)
            names = [clean] + ([written] if written != clean else [])
            base = re.sub(r"\s+Airport$", "", clean)
            if base != clean and _category(base) == "air_base":
                names.append(base)  # "Grissom Arb Airport" is written "Grissom Air Reserve Base"
            cores = [c for c in _cores(clean) if len(c) >= MIN_CORE]
            if city_key and cores and cores[0].startswith(city_key + " "):
                cores.append(cores[0][len(city_key) + 1:])  # "london heathrow" -> "heathrow"
            for core in cores:
                names += designated_forms(core, "airport")
                if category == "air_base":
                    names += designated_forms(core, "air_base")
            if rec["iata"] and city_key and len(city_key) >= MIN_CORE:
                names += [f"{city} airport", f"{city} international airport"]
            codes = [("icao", rec["icao"])] + ([("iata", rec["iata"])] if rec["iata"] else [])
            pid = f"airport:{rec['icao']}"
            row = PlaceRow(pid, clean, "facility", category, rec["country"], "", lat, lon, 0, 0, f"airportsdata:{rec['icao']}", "base")
            yield Entry(row, names, tuple(codes), tuple(c for c in cores if c != city_key))
