"""One request rate for every process on a machine: online geocoder calls taken in turn under a lock file."""
from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


class SharedRateLimiter:
    """At most one call per `min_delay` seconds for `backend`, across every process that uses the same folder.

    A call takes an exclusive lock on `<folder>/rate-<backend>.lock`, waits until `min_delay` after the end of the
    previous call (the time stored in the file), runs, and stores its own end. Counting from the end of the previous
    call, not its start, keeps the gap at the server at least `min_delay` however late a loaded machine sends a request.
    geopy's RateLimiter spaces the calls of one process only, so N Dask workers would make N requests per second; this
    keeps Nominatim's 1 request/s for the whole run. The clock is wall time so that processes agree on it; tests inject
    `clock` and `sleep`.
    """

    def __init__(self, folder: Path, backend: str, min_delay: float,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.path = folder / f"rate-{backend}.lock"
        self.min_delay = min_delay
        self.clock = clock
        self.sleep = sleep
        folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the backend's turn: no other process calls it until `min_delay` after this block ends."""
        if self.min_delay <= 0:
            yield
            return
        with open(self.path, "a+", encoding="ascii") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                fh.seek(0)
                stored = fh.read().strip()
                delay = (float(stored) if stored else 0.0) + self.min_delay - self.clock()
                if delay > 0:
                    self.sleep(delay)
                try:
                    yield
                finally:
                    fh.seek(0)
                    fh.truncate()
                    fh.write(repr(self.clock()))
                    fh.flush()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
