"""Place-name keys: the lookup form of a name, and the designators ("Oblast", "Airport") written around names."""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .config import DATA_DIR

DESIGNATORS_FILE = DATA_DIR / "gazetteer" / "designators.csv"


_POSSESSIVE = re.compile(r"'s\b")
_DROPPED = re.compile(r"[.'`]")
_SEPARATORS = re.compile(r"[^\w]+")


@lru_cache(maxsize=200_000)
def normalize(name: str) -> str:
    """Lookup key of a place name: case, accents, punctuation and possessives folded ("Quito's" -> "quito")."""
    if name.isascii():
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.lower().replace("’", "'").replace("‘", "'")
    text = _DROPPED.sub("", _POSSESSIVE.sub("", text))
    text = " ".join(_SEPARATORS.sub(" ", text).split())
    return text[4:] if text.startswith("the ") else text


def is_latin(name: str) -> bool:
    """Whether a name is written in Latin letters (with diacritics), so a reader of English text may meet it."""
    return all(ord(ch) < 0x250 or unicodedata.category(ch).startswith("M") or ch in "’‘ʼ" for ch in name)


@dataclass(frozen=True)
class Designator:
    """A word written with a name that says what kind of place it is."""

    key: str  # normalised form: "air force base"
    kind: str  # region, district, airport, air_base, station
    before: bool  # written before the name ("Joint Base Andrews") instead of after it ("Amur Oblast")
    stored: bool  # names of its kind are stored written with it ("X region"); the others are stripped at lookup


@lru_cache(maxsize=1)
def designators() -> tuple[Designator, ...]:
    """The designator lexicon, longest first so "international airport" is stripped before "airport"."""
    with DESIGNATORS_FILE.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        found = [Designator(normalize(r["designator"]), r["kind"], r["position"] == "before", r["stored"] == "1") for r in rows]
    return tuple(sorted(found, key=lambda d: -len(d.key)))


@lru_cache(maxsize=50_000)
def strip_designator(name: str, kinds: frozenset[str] | None = None) -> tuple[str, Designator | None]:
    """(normalised bare name, the designator removed or None): "Amur Oblast" -> ("amur", oblast)."""
    key = normalize(name)
    for d in designators():
        if kinds is not None and d.kind not in kinds:
            continue
        if not d.before and key.endswith(" " + d.key) and len(key) > len(d.key) + 2:
            return key[: -len(d.key) - 1], d
        if d.before and key.startswith(d.key + " ") and len(key) > len(d.key) + 2:
            return key[len(d.key) + 1:], d
    return key, None


def designated_forms(bare: str, kind: str, own: str = "") -> list[str]:
    """The bare name written with the stored designators of its kind and its own type word ("amur" -> "amur region",
    "amur oblast")."""
    own_key = normalize(own)
    out = []
    for d in designators():
        if d.kind == kind and (d.stored or d.key == own_key):
            out.append(f"{d.key} {bare}" if d.before else f"{bare} {d.key}")
    return out
