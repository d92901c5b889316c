"""The candidates the resolver considered for each resolved place mention, with the scores it chose by, as records.

`resolve_article` leaves on every toponym the final ranking of its name's candidates (after the coherence pass, the
scores the choice was made on); `considered_of` turns the article's resolutions into `Considered` records, with each
candidate's distance from the entry the resolver chose, measured as the resolver measures (`disambiguate.km`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .disambiguate import km
from .entities import MentionKey
from .geocode import Resolution

KEPT_CANDIDATES = 10  # the best-scored candidates kept per name: enough to correct a choice, bounded for long articles


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """One gazetteer entry the resolver weighed for a name: its final score and its distance from the chosen entry."""

    place_id: str
    name: str
    feature: str
    category: str
    country: str
    lat: float
    lon: float
    population: int
    source: str
    score: float
    km_from_chosen: float


@dataclass(frozen=True, slots=True)
class Considered:
    """What the resolver weighed for one mention: its key, the entry it chose, and the candidates best first."""

    article: str
    raw_start: int
    raw_end: int
    text: str
    chosen: str
    candidates: tuple[ScoredCandidate, ...]

    @property
    def key(self) -> MentionKey:
        return (self.article, self.raw_start, self.raw_end)


def considered_of(resolved: Sequence[Resolution]) -> tuple[Considered, ...]:
    """One record per resolved mention; mentions of one name in one article share their candidates' tuple."""
    shared: dict[tuple[int, str], tuple[ScoredCandidate, ...]] = {}
    out = []
    for toponym, chosen, _confidence, _metonym in resolved:
        e = toponym.entity
        group = (id(toponym.ranking), chosen.id)
        if group not in shared:
            shared[group] = tuple(
                ScoredCandidate(c.id, c.name, c.feature, c.category, c.country, c.lat, c.lon, c.population, c.source,
                                round(score, 3), round(km(chosen, c), 1))
                for c, score in toponym.ranking[:KEPT_CANDIDATES])
        out.append(Considered(e.article, e.raw_start, e.raw_end, e.text, chosen.id, shared[group]))
    return tuple(out)
