"""Geocoder backends: the offline gazetteer, or any geopy geocoder with a rate limit, a timeout and a SQLite answer cache."""
from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from .config import Settings
from .errors import ConfigError
from .gazetteer import Candidate, Gazetteer

log = logging.getLogger(__name__)


class Geocoder(Protocol):
    """A source of candidates for a place name."""

    name: str

    def candidates(self, query: str) -> Sequence[Candidate]: ...


class GazetteerGeocoder:
    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    def candidates(self, query: str) -> Sequence[Candidate]:
        return self.gazetteer.candidates(query)


class GeocodeCache:
    """A SQLite cache of online geocoder answers (WAL mode, one transaction per write); failures are never stored."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = self._open()
        except sqlite3.DatabaseError as exc:
            log.warning("geocoder cache %s is damaged (%s); starting a new one", path, exc)
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            self._con = self._open()

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS answers (backend TEXT, query TEXT, answer TEXT, created REAL, PRIMARY KEY (backend, query))")
        con.execute("SELECT count(*) FROM answers").fetchone()
        con.commit()
        return con

    def get(self, backend: str, query: str) -> list[dict[str, Any]] | None:
        with self._lock:
            row = self._con.execute("SELECT answer FROM answers WHERE backend=? AND query=?", (backend, query)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, backend: str, query: str, answer: list[dict[str, Any]]) -> None:
        with self._lock, self._con:
            self._con.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?)", (backend, query, json.dumps(answer), time.time()))

    def __len__(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT count(*) FROM answers").fetchone()[0])

    def close(self) -> None:
        self._con.close()


def _nominatim_feature(raw: dict[str, Any]) -> str:
    kind = (raw.get("addresstype") or raw.get("type") or "").lower()
    cls = (raw.get("class") or "").lower()
    if kind == "country":
        return "country"
    if kind in ("state", "province", "region", "county"):
        return "region"
    if kind in ("city", "town", "village", "hamlet", "suburb"):
        return {"hamlet": "village", "suburb": "town"}.get(kind, kind)
    if cls == "railway" or kind == "station":
        return "station"
    if cls in ("waterway", "natural") or kind in ("river", "sea", "bay"):
        return "water"
    return "facility" if cls in ("amenity", "aeroway", "building", "man_made", "landuse", "tourism") else "place"


class OnlineGeocoder:
    """Any geopy geocoder by service name, rate-limited, with a timeout and a SQLite answer cache.

    The first failure (unreachable, timeout, 429, 5xx, malformed answer) turns it off for the rest of the run
    with one warning, so the pipeline falls back to the gazetteer and never waits past one timeout.
    """

    def __init__(self, settings: Settings, cache: GeocodeCache | None, on_warning: Callable[[str], None] = log.warning):
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import get_geocoder_for_service

        if not settings.user_agent:
            raise ConfigError(f"setting user_agent (GEO_USER_AGENT) is required for the online geocoder {settings.geocoder}")
        try:
            cls = get_geocoder_for_service(settings.geocoder)
        except Exception as exc:  # geopy raises GeocoderNotFound listing nothing; we list the names
            from geopy.geocoders import SERVICE_TO_GEOCODER

            raise ConfigError(f"setting geocoder: unknown geocoder {settings.geocoder!r}; valid: gazetteer, "
                              f"{', '.join(sorted(SERVICE_TO_GEOCODER))}") from exc
        from geopy.adapters import URLLibAdapter

        # geopy's default RequestsAdapter retries and honours Retry-After (30 s+ on a 429); one failure must
        # cost at most one timeout here, so use the plain urllib adapter, which never retries.
        kwargs = {"user_agent": settings.user_agent, "timeout": settings.geocoder_timeout, "scheme": settings.geocoder_scheme,
                  "adapter_factory": URLLibAdapter}
        if settings.geocoder_url:
            kwargs["domain"] = re.sub(r"^https?://", "", settings.geocoder_url).rstrip("/")
        self.name = settings.geocoder
        self.geocoder = cls(**kwargs)
        self._call = RateLimiter(self.geocoder.geocode, min_delay_seconds=settings.geocoder_min_delay, max_retries=0,
                                 swallow_exceptions=False)
        self.cache = cache
        self.on_warning = on_warning
        self.failed: str | None = None
        self.requests = 0

    def candidates(self, query: str) -> Sequence[Candidate]:
        cached = self.cache.get(self.name, query) if self.cache else None
        if cached is None:
            if self.failed:
                return ()
            try:
                self.requests += 1
                locations = self._call(query, exactly_one=False, timeout=self.geocoder.timeout) or []
                cached = [{"lat": loc.latitude, "lon": loc.longitude, "address": loc.address, "raw": loc.raw} for loc in locations]
            except Exception as exc:  # geopy's GeopyError tree plus JSON/value errors from a broken answer
                self.failed = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
                self.on_warning(f"online geocoder {self.name} failed ({self.failed}); using the offline gazetteer")
                return ()
            if self.cache is not None:
                self.cache.put(self.name, query, cached)
        out = []
        for rank, hit in enumerate(cached):
            raw = hit.get("raw") or {}
            ident = raw.get("osm_id") or raw.get("place_id") or f"{hit['lat']:.4f},{hit['lon']:.4f}"
            cc = ((raw.get("address") or {}).get("country_code") or "").upper()
            out.append(Candidate(f"{self.name}:{raw.get('osm_type', '')[:1]}{ident}", (hit.get("address") or query).split(",")[0],
                                 _nominatim_feature(raw), "online", cc, "", float(hit["lat"]), float(hit["lon"]),
                                 int(float(raw.get("importance", 0) or 0) * 1e7) if rank == 0 else 0, False, f"{self.name}:{ident}"))
        return out


def make_geocoder(settings: Settings, gazetteer: Gazetteer, on_warning: Callable[[str], None] = log.warning) -> Geocoder | None:
    """The online geocoder named by the settings, or None for the offline gazetteer alone."""
    if settings.geocoder in ("gazetteer", "offline", ""):
        return None
    cache = GeocodeCache(settings.geocode_cache_path)
    return OnlineGeocoder(settings, cache, on_warning)

