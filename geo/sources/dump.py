"""Rows of a GeoNames dump the user downloaded (allCountries.zip, cities500.zip, XX.txt), in GeoNames' own format."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Iterator

from ..errors import GazetteerError
from ..placenames import is_latin
from . import Entry, PlaceRow
from .geonames import feature_for_population

MIN_COLUMNS = 15  # up to the population column; GeoNames writes 19
MAX_ALTERNATE_NAME = 60
STATION_CODES = frozenset({"RSTN", "RSTP", "MTRO", "RSD"})
OTHER_AREA_CLASSES = frozenset({"L", "V", "U", "R"})  # parks and areas, forests, undersea, roads: regions here


def geonames_feature(fclass: str, fcode: str, population: int) -> str | None:
    """Our feature for a GeoNames feature class and code, None for kinds the gazetteer leaves out."""
    if fclass == "P":
        return feature_for_population(population, fcode == "PPLC")
    if fclass == "A":
        if fcode.startswith("PCL"):
            return "country"
        if fcode in ("ADM2", "ADM3"):
            return "district"
        return "region" if fcode in ("ADM1", "ADMD") else None
    if fclass == "S":
        return "station" if fcode in STATION_CODES else "facility"
    if fclass == "H":
        return "water"
    if fclass == "T":
        return "landform"
    return "region" if fclass in OTHER_AREA_CLASSES else None


def _lines(path: Path) -> Iterator[str]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            for member in zf.namelist():
                if member.endswith(".txt") and not member.lower().startswith("readme"):
                    with zf.open(member) as fh:
                        yield from io.TextIOWrapper(fh, encoding="utf-8")
    else:
        with path.open(encoding="utf-8") as fh:
            yield from fh


def dump_entries(dump: Path) -> Iterator[Entry]:
    """One entry per line of a kind the gazetteer keeps; a line that is not GeoNames' format raises GazetteerError."""
    if not dump.exists():
        raise GazetteerError(f"{dump}: no such file")
    for line_no, line in enumerate(_lines(dump), start=1):
        cols = line.rstrip("\n").split("\t")
        if len(cols) < MIN_COLUMNS:
            raise GazetteerError(f"{dump} line {line_no}: not GeoNames format (expected 19 tab-separated columns)")
        try:
            lat, lon, pop = float(cols[4]), float(cols[5]), int(cols[14] or 0)
        except ValueError:
            raise GazetteerError(f"{dump} line {line_no}: bad coordinates or population") from None
        feature = geonames_feature(cols[6], cols[7], pop)
        if feature is None:
            continue
        alts = [a for a in cols[3].split(",")
                if 2 < len(a) <= MAX_ALTERNATE_NAME and is_latin(a) and not any(ch.isdigit() for ch in a)]
        row = PlaceRow(f"geonames:{cols[0]}", cols[1], feature, cols[7], cols[8], cols[10], lat, lon, pop,
                       int(cols[7] == "PPLC"), f"geonames:{cols[0]}", "import")
        yield Entry(row, [cols[1], cols[2]] + alts)
