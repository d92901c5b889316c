"""Word lists of the geocoder, read from data/lexicons/ (each file says where its words come from)."""
from __future__ import annotations

import csv
from functools import lru_cache

from .config import DATA_DIR

LEXICON_DIR = DATA_DIR / "lexicons"


def _lines(name: str) -> list[str]:
    text = (LEXICON_DIR / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=None)
def words(name: str) -> frozenset[str]:
    """The whitespace-separated words of data/lexicons/<name>.txt, lower case."""
    return frozenset(w.lower() for line in _lines(f"{name}.txt") for w in line.split())


@lru_cache(maxsize=None)
def table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of data/lexicons/<name>.csv as dicts, in file order."""
    return tuple(csv.DictReader(_lines(f"{name}.csv")))
