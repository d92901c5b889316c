"""An offline gazetteer: a compact SQLite index built from pip-installed data, derived tables and curated rows."""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import GazetteerError
from .placenames import normalize, strip_designator
from .sources import PlaceRow
from .sources.geonames import curated_entries
from .sources.index import NAME_CORE, NAME_MAIN, NAME_OTHER, build_index, import_geonames, index_problem
from .sources.regions import REGION_KINDS

log = logging.getLogger(__name__)

__all__ = ["Candidate", "Gazetteer", "build_index", "import_geonames", "normalize", "open_gazetteer"]

ADMIN_FEATURES = ("country", "region", "continent")
SUBDIVISION_FEATURES = ("region", "district")
FACILITY_FEATURES = ("facility", "station")
SAINT_FORMS = {"st": "saint", "saint": "st", "ste": "sainte", "sainte": "ste"}  # normalised abbreviation <-> word


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
        """Whether the entry is a country, a first-level region or a continent."""
        return self.feature in ADMIN_FEATURES

    @classmethod
    def from_row(cls, row: PlaceRow) -> Candidate:
        """The candidate a source row gives (its main name looked up)."""
        return cls(row.id, row.name, row.feature, row.category, row.country, row.admin1, row.lat, row.lon, row.population,
                   bool(row.capital), row.source, True, row.parent)


# The place columns a Candidate reads, then each query adds the looked-up name's kind and the parent.
PLACE_SELECT = ", ".join(f"p.{c}" for c in PlaceRow._fields[:PlaceRow._fields.index("source") + 1])


def _candidate(r: tuple[Any, ...]) -> Candidate:
    """A Candidate from a query row: PLACE_SELECT's columns, the name's kind, the parent."""
    return Candidate(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "", float(r[6]), float(r[7]), int(r[8] or 0),
                     bool(r[9]), r[10], r[11] == NAME_MAIN, r[12] or "")


_BUILD_LOCK = threading.Lock()


class Gazetteer:
    """Read-only lookups of names in the index, plus the user's custom rows, which override everything."""

    def __init__(self, path: Path, custom: Path | None = None) -> None:
        self.path = path
        self.custom_path = custom
        self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._con.execute("PRAGMA cache_size=-2000")
        self._lock = threading.Lock()
        self.custom: dict[str, list[Candidate]] = {}
        self.custom_by_id: dict[str, Candidate] = {}
        if custom is not None and custom.exists():
            for entry in curated_entries(custom, "custom"):
                cand = Candidate.from_row(entry.row)
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

    def __getstate__(self) -> dict[str, Path | None]:
        """Pickled by path: the connection, lock and caches are not carried but reopened on unpickling."""
        return {"path": self.path, "custom_path": self.custom_path}

    def __setstate__(self, state: dict[str, Path]) -> None:
        self.__init__(state["path"], state["custom_path"])  # type: ignore[misc]

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
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

    def saint_variants(self, name: str) -> tuple[Candidate, ...]:
        """Entries whose main name is the other spelling of a leading "St."/"Saint" ("St. X" and "Saint X" are one name, whichever
        a source wrote) that the name itself does not find."""
        head, _, rest = normalize(name).partition(" ")
        if not rest or head not in SAINT_FORMS:
            return ()
        known = {c.id for c in self.candidates(name)}
        return tuple(c for c in self.candidates(f"{SAINT_FORMS[head]} {rest}") if c.primary and c.id not in known)

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
        args: tuple[str, ...] = (code.strip().upper(),)
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
        """Whether any entry (or custom row) is called `name`."""
        return bool(self.candidates(name))

    def _is_notable(self, name: str, min_population: int = 15_000) -> bool:
        """Whether `name` names a country, region, curated place or a town of at least `min_population`."""
        return any(c.is_admin or c.capital or c.population >= min_population or c.id.startswith(("curated:", "custom:"))
                   for c in self.candidates(name))

    def _is_country(self, name: str) -> bool:
        """Whether `name` names a country (by any of its names)."""
        return any(c.feature == "country" for c in self.candidates(name))

    def _is_area(self, name: str) -> bool:
        """Whether `name` is the main name of a country or first-level region ("Tamil Nadu")."""
        return any(c.primary and c.feature in ("country", "region") for c in self.candidates(name))

    def get(self, place_id: str) -> Candidate | None:
        """The entry with this id (custom rows first), or None."""
        if place_id in self.custom_by_id:
            return self.custom_by_id[place_id]
        rows = self._query(f"SELECT {PLACE_SELECT}, 1, p.parent FROM places p WHERE p.id = ?", (place_id,))
        return _candidate(rows[0]) if rows else None

    def _demonym(self, word: str) -> Candidate | None:
        """The place a demonym refers to ("Syrian" -> Syria, "European" -> Europe)."""
        rows = self._query("SELECT place_id FROM demonyms WHERE norm = ?", (normalize(word),))
        return self.get(rows[0][0]) if rows else None

    def country(self, iso2: str) -> Candidate | None:
        """The country with this ISO 3166-1 alpha-2 code, or None."""
        rows = self._query(f"SELECT {PLACE_SELECT}, 1, p.parent FROM places p WHERE p.feature = 'country' AND p.country = ?",
                           (iso2.upper(),))
        return _candidate(rows[0]) if rows else None

    def region(self, iso2: str, admin1: str) -> Candidate | None:
        """The first-level region of a country with this admin1 code, or None."""
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
        return [(name, pid) for name, pid in
                self._query(f"SELECT name, id FROM places WHERE country = ? AND feature IN ({marks})", (iso2.upper(), *features))]

    def stats(self) -> dict[str, int]:
        """Counts of places, names, codes and custom rows, and the index's size in bytes."""
        (places,), = self._query("SELECT count(*) FROM places", ())
        (names,), = self._query("SELECT count(*) FROM names", ())
        (codes,), = self._query("SELECT count(*) FROM codes", ())
        return {"places": places, "names": names, "codes": codes, "bytes": self.path.stat().st_size,
                "custom": len(self.custom_by_id)}

    def close(self) -> None:
        """Close the index's connection."""
        self._con.close()


def open_gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer index, built (or rebuilt, with one warning when it was damaged) on first use."""
    path = settings.gazetteer_path
    with _BUILD_LOCK:
        why = index_problem(path)
        if why:
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
