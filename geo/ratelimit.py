"""One request rate for every process on a machine: online geocoder slots reserved in a SQLite file."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Callable


class SharedRateLimiter:
    """At most one call per `min_delay` seconds for `backend`, across every process that opens the same file.

    Each caller reserves the next free slot in one IMMEDIATE transaction (SQLite's write lock makes the reservation
    atomic between processes), then sleeps until its slot. geopy's RateLimiter spaces the calls of one process only, so
    N Dask workers would make N requests per second; this keeps Nominatim's 1 request/s for the whole run. The clock is
    wall time (`time.time`) so that processes agree on it; tests inject `clock` and `sleep`.
    """

    def __init__(self, path: Path, backend: str, min_delay: float,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.path = path
        self.backend = backend
        self.min_delay = min_delay
        self.clock = clock
        self.sleep = sleep
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute("CREATE TABLE IF NOT EXISTS slots (backend TEXT PRIMARY KEY, next_at REAL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60, isolation_level=None)

    def reserve(self) -> float:
        """Reserve the next slot and return the time it starts (now, or later when another call holds the current one)."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute("SELECT next_at FROM slots WHERE backend=?", (self.backend,)).fetchone()
            start = max(self.clock(), row[0] if row else 0.0)
            con.execute("INSERT OR REPLACE INTO slots VALUES (?, ?)", (self.backend, start + self.min_delay))
            con.execute("COMMIT")
        finally:
            con.close()
        return start

    def wait(self) -> None:
        """Block until this caller's slot."""
        if self.min_delay <= 0:
            return
        delay = self.reserve() - self.clock()
        if delay > 0:
            self.sleep(delay)
