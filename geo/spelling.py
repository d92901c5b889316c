"""Spelling variants and transliterations of a place name, and close fuzzy matches, looked up only inside the
countries the article is about, so that a variant never sends a place to a namesake on another continent."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from .gazetteer import Candidate, Gazetteer, normalize
from .lexicon import table

FUZZY_FEATURES = ("city", "town", "village", "region", "district")
MIN_FUZZY_LENGTH = 7  # shorter names are too often everyday words one letter away from a place ("Easter")
FUZZY_CUTOFF = 88.0  # rapidfuzz ratio (0-100): one wrong, missing or extra letter in a name of 8 or more


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r["pattern"]), r["replacement"]) for r in table("transliteration"))


@lru_cache(maxsize=20_000)
def variant_keys(name: str) -> frozenset[str]:
    """Lookup keys of the name's spelling variants: each transliteration rule alone and in pairs ("harkiv" -> "kharkiv")."""
    key = normalize(name)
    once = {rule.sub(repl, key) for rule, repl in _rules()}
    twice = {rule.sub(repl, v) for v in once for rule, repl in _rules()}
    return frozenset(v for v in once | twice if v and v != key)


def variants_in(name: str, countries: Iterable[str], gazetteer: Gazetteer) -> list[Candidate]:
    """Entries in `countries` named by a spelling variant of `name`, and countries named by one anywhere ("Russsia")."""
    wanted = set(countries)
    found: dict[str, Candidate] = {}
    for key in sorted(variant_keys(name)):
        for c in gazetteer.candidates(key):
            if c.country in wanted or c.feature == "country":
                found.setdefault(c.id, c)
    return list(found.values())


class FuzzyIndex:
    """Main names of each country's places, matched with rapidfuzz; per country, one list per first letter, built on
    first use (a match must keep the name's first letter, so only that letter's names are compared)."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        # per country, per first letter of the folded main name: folded main names, place ids
        self._names: dict[str, dict[str, tuple[list[str], list[str]]]] = {}
        self.match = lru_cache(maxsize=20_000)(self._match)

    def _country_names(self, iso2: str) -> dict[str, tuple[list[str], list[str]]]:
        from rapidfuzz import utils

        if iso2 not in self._names:
            by_letter: dict[str, tuple[list[str], list[str]]] = {}
            for name, pid in self.gazetteer.main_names_in(iso2, FUZZY_FEATURES):
                folded = utils.default_process(name)
                keys, ids = by_letter.setdefault(folded[:1], ([], []))
                keys.append(folded)
                ids.append(pid)
            self._names[iso2] = by_letter
        return self._names[iso2]

    def _match(self, name: str, countries: tuple[str, ...]) -> tuple[Candidate, ...]:
        """The places in `countries` whose main name, with the same first letter, is closest to `name` (at or above the
        cut-off), best first."""
        from rapidfuzz import fuzz, process, utils

        key = utils.default_process(normalize(name))
        if len(key) < MIN_FUZZY_LENGTH:
            return ()
        out: list[tuple[float, str]] = []
        for iso2 in countries:
            keys, ids = self._country_names(iso2).get(key[:1], ([], []))
            for _, score, i in process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5):
                out.append((score, ids[i]))
        top = max((s for s, _ in out), default=0.0)
        found = (self.gazetteer.get(pid) for s, pid in sorted(out, key=lambda x: -x[0]) if s >= top - 1e-9)
        return tuple(c for c in found if c is not None)
