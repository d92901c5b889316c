"""Word lists the pipeline reads from data/: the geocoder's lists in data/lexicons/ and the travel lexicon in
data/travel_lexicon.toml (each file says where its words come from)."""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .config import DATA_DIR

LEXICON_DIR = DATA_DIR / "lexicons"
LEXICON_FILE = DATA_DIR / "travel_lexicon.toml"
SPEECH_FILE = DATA_DIR / "speech_lexicon.toml"


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


@dataclass(frozen=True)
class TravelLexicon:
    """Lemma sets and role tables for movement, status, order and travellers (see the data file's comments)."""

    move_verbs: frozenset[str]
    presence_verbs: frozenset[str]
    host_verbs: frozenset[str]
    send_verbs: frozenset[str]
    move_nouns: frozenset[str]
    light_verbs: frozenset[str]
    particles: Mapping[str, str]
    role_by_prep: Mapping[str, str]
    role_by_object: Mapping[str, str]
    for_verbs: frozenset[str]
    stop_nouns: frozenset[str]
    origin_nouns: frozenset[str]
    via_nouns: frozenset[str]
    return_words: frozenset[str]
    speech_verbs: frozenset[str]
    hedges: frozenset[str]
    sentence_hedges: frozenset[str]
    modal_hedges: frozenset[str]
    plan_words: frozenset[str]
    expect_words: frozenset[str]
    cancel_words: frozenset[str]
    later: frozenset[str]
    earlier: frozenset[str]
    after_marks: frozenset[str]
    before_marks: frozenset[str]
    last_ordinals: frozenset[str]
    first_ordinals: frozenset[str]
    groups: frozenset[str]
    vehicles: frozenset[str]
    role_adjectives: Mapping[str, str]
    vessel_prefixes: frozenset[str]
    head_nouns: frozenset[str]
    head_verbs: frozenset[str]
    roles: frozenset[str]
    leader_roles: frozenset[str]
    counterpart_roles: Mapping[str, str]
    visitor_words: frozenset[str]
    host_words: frozenset[str]
    other_people: frozenset[str]
    generic_place_nouns: frozenset[str]
    entry_nouns: frozenset[str]
    facility_heads: frozenset[str]
    vessel_markers: frozenset[str]
    collective_nouns: frozenset[str]
    aircraft_verbs: frozenset[str]
    person_nouns: frozenset[str]
    presence_nouns: frozenset[str]
    itinerary_verbs: frozenset[str]
    journey_nouns: frozenset[str]


def _speech_verbs(path: Path = SPEECH_FILE) -> frozenset[str]:
    """The attribution verbs, from their one home (the speech lexicon that quotes and speakers read too)."""
    with open(path, "rb") as fh:
        return frozenset(tomllib.load(fh)["speech"]["verbs"])


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_FILE) -> TravelLexicon:
    """The lexicon in `path`, read once per process."""
    with open(path, "rb") as fh:
        d = tomllib.load(fh)
    mv, ro, st, od, tr = d["movement"], d["roles"], d["status"], d["order"], d["travellers"]
    return TravelLexicon(
        frozenset(mv["verbs"]), frozenset(mv["presence"]), frozenset(mv["host_verbs"]), frozenset(mv["send"]), frozenset(mv["nouns"]),
        frozenset(mv["light_verbs"]), MappingProxyType(dict(mv["particles"])),
        MappingProxyType(dict(ro["by_preposition"])), MappingProxyType(dict(ro["by_object"])), frozenset(ro["for_verbs"]),
        frozenset(ro["stop_nouns"]), frozenset(ro["origin_nouns"]), frozenset(ro["via_nouns"]), frozenset(ro["return_words"]),
        _speech_verbs(), frozenset(st["hedges"]), frozenset(st["sentence_hedges"]), frozenset(st["modal_hedges"]),
        frozenset(st["plan_words"]), frozenset(st["expect_words"]), frozenset(st["cancel_words"]),
        frozenset(od["later"]), frozenset(od["earlier"]), frozenset(od["after_marks"]), frozenset(od["before_marks"]),
        frozenset(od["last_ordinals"]), frozenset(od["first_ordinals"]),
        frozenset(tr["groups"]), frozenset(tr["vehicles"]), MappingProxyType(dict(tr["role_adjectives"])),
        frozenset(tr["vessel_prefixes"]), frozenset(tr["head_nouns"]), frozenset(tr["head_verbs"]), frozenset(tr["roles"]),
        frozenset(tr["leader_roles"]), MappingProxyType(dict(tr["counterpart_roles"])), frozenset(tr["visitor_words"]), frozenset(tr["host_words"]), frozenset(tr["other_people"]),
        frozenset(d["places"]["generic_nouns"]), frozenset(d["places"]["entry_nouns"]), frozenset(d["places"]["facility_heads"]),
        frozenset(tr["vessel_markers"]), frozenset(tr["collective_nouns"]), frozenset(tr["aircraft_verbs"]),
        frozenset(tr["person_nouns"]), frozenset(mv["presence_nouns"]), frozenset(ro["itinerary_verbs"]),
        frozenset(mv["journey_nouns"]),
    )


LEXICON = load_lexicon()
