"""The seam where stored corrections apply: after places are resolved (per article) and after routes are built."""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence

from .articles import Article
from .entities import MentionKey
from .gazetteer import Gazetteer
from .geocode import Resolution
from .route import Route

CORRECTED_CONFIDENCE = 1.0  # a place an analyst chose is as sure as the pipeline gets


class Corrections(Protocol):
    """What `analyze` calls between resolving and extracting events, and after building routes; each returns a new value."""

    def mentions(self, article: Article, resolved: Sequence[Resolution], gazetteer: Gazetteer) -> list[Resolution]:
        """The article's resolved place mentions after corrections (moved to another entry, or dropped)."""
        ...

    def routes(self, routes: Sequence[Route]) -> list[Route]:
        """The routes after corrections (stops added, removed, reordered, restated)."""
        ...


class NoCorrections:
    """The default: what the pipeline found, unchanged."""

    def mentions(self, article: Article, resolved: Sequence[Resolution], gazetteer: Gazetteer) -> list[Resolution]:
        return list(resolved)

    def routes(self, routes: Sequence[Route]) -> list[Route]:
        return list(routes)


class MentionPlaces(NoCorrections):
    """Place corrections by mention key: the gazetteer id a mention refers to, or None for "not a place"."""

    def __init__(self, places: Mapping[MentionKey, str | None]):
        self.places = dict(places)

    def mentions(self, article: Article, resolved: Sequence[Resolution], gazetteer: Gazetteer) -> list[Resolution]:
        out: list[Resolution] = []
        for toponym, chosen, confidence, metonym in resolved:
            key = toponym.entity.key
            if key not in self.places:
                out.append((toponym, chosen, confidence, metonym))
                continue
            place_id = self.places[key]
            if place_id is None:
                continue  # "not a place"
            entry = gazetteer.get(place_id)
            # An entry the gazetteer no longer has (another version) leaves the mention as resolved.
            out.append((toponym, entry, CORRECTED_CONFIDENCE, metonym) if entry is not None else (toponym, chosen, confidence, metonym))
        return out


NO_CORRECTIONS = NoCorrections()
