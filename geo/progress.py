"""Progress of a corpus analysis: stage records, an estimate of the time left, and a one-line terminal display."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, TextIO

# Stages in the order the pipeline runs them, each with the share of the total time it usually takes
# (measured on the 1,135 benchmark articles: parsing dominates, geocoding with movements is most of the rest).
STAGE_SHARE = {"reading": 0.03, "parsing": 0.70, "corpus": 0.05, "geocoding": 0.20, "routes": 0.02}
STAGE_TEXT = {"reading": "reading {done} of {total} files", "parsing": "parsing {done} of {total} articles",
              "corpus": "corpus steps (names, labels, alias clusters)", "geocoding": "geocoding {done} of {total} articles",
              "routes": "building routes"}
# No estimate before this share of the work or this many seconds: early rates are mostly start-up cost.
MIN_FRACTION_FOR_ESTIMATE = 0.02
MIN_SECONDS_FOR_ESTIMATE = 1.0


@dataclass(frozen=True)
class Progress:
    """`done` of `total` units of one stage of the analysis."""

    stage: str
    done: int
    total: int
    part: float = 0.0  # share of the next unit already done (the pieces of a long article parsed so far)

    @property
    def fraction(self) -> float:
        """Share of the whole analysis finished, from the stage shares."""
        before = 0.0
        for stage, share in STAGE_SHARE.items():
            if stage == self.stage:
                return min(1.0, before + share * ((self.done + self.part) / self.total if self.total else 1.0))
            before += share
        raise ValueError(f"unknown stage {self.stage!r}")

    def describe(self) -> str:
        text = STAGE_TEXT[self.stage].format(done=self.done, total=self.total)
        return text + (f" ({self.part:.0%} of article {self.done + 1})" if self.part else "")


OnProgress = Callable[[Progress], None]


def format_duration(seconds: float) -> str:
    """'about 40 s', 'about 3 min', 'about 1 h 20 min'."""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"


class Estimate:
    """Time left from the share done so far and the time spent; the clock is injectable so tests are exact."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.started = clock()

    def seconds_left(self, progress: Progress) -> float | None:
        spent = self.clock() - self.started
        f = progress.fraction
        if f < MIN_FRACTION_FOR_ESTIMATE or spent < MIN_SECONDS_FOR_ESTIMATE:
            return None
        return spent * (1 - f) / f

    def line(self, progress: Progress) -> str:
        """'parsing 12 of 300 articles · about 3 min left' (no estimate at the start)."""
        left = self.seconds_left(progress)
        return progress.describe() + (f" · {format_duration(left)} left" if left is not None and progress.fraction < 1 else "")


class TerminalProgress:
    """Callable progress display: a bar and the stage on one rewritten line of `stream`, silent unless it is a terminal."""

    WIDTH = 24

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.active = bool(getattr(stream, "isatty", lambda: False)())
        self.estimate = Estimate(clock)
        self.shown = False

    def __call__(self, progress: Progress) -> None:
        if not self.active:
            return
        filled = int(self.WIDTH * progress.fraction)
        self.stream.write(f"\r\x1b[K[{'#' * filled}{'.' * (self.WIDTH - filled)}] {progress.fraction:4.0%} {self.estimate.line(progress)}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the line so what follows starts on a clean one."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
