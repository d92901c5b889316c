"""Named places the gazetteer lacks (facilities, streets, neighbourhoods), placed approximately at the town the text
anchors them to: the town it is "in", "near" or "X, Y" of, the town named before it in its sentence or in the sentence
just before, else the article's one clear local town; never placed when the text offers no such town."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from .candidates import CONTAINER, IN_TOWN, POSSESSOR, SETTLEMENT_FEATURES, Toponym, facility_at
from .disambiguate import Weights, km
from .gazetteer import Candidate, normalize
from .lexicon import words

APPROXIMATE = "approximate"  # feature of a named place the gazetteer lacks, placed at its anchor town
ANCHOR_FEATURES = SETTLEMENT_FEATURES | {"district"}
# What placed an approximate place, recorded in its source so the dashboard and exports can say so.
BY_TEXT, BY_SENTENCE, BY_FOCUS = "named beside it", "named in its sentence", "the article's town"

# A proper name: capitalised words, joined by a few lowercase particles ("Isle of X", "Rue de la Y").
PROPER_NAME = re.compile(r"[A-Z][\w'’.&-]*(?:[ -](?:(?:of|on|upon|de|la|le|du|des|al|el|the|and)[ -])*[A-Z0-9][\w'’.&-]*)*")
MIN_LETTERS = 4  # shorter names are initials or titles ("Dr", "OT") far more often than unlisted places
PART_HOWS = ("part", "landmark part", "facility name")  # candidates found from a place named inside the mention's name
Settled = tuple[Toponym, Candidate]  # a mention resolved to a town or district, and that entry


@dataclass(frozen=True)
class Anchors:
    """The towns an article's resolved mentions name, and the article's main town and countries."""

    settled: tuple[Settled, ...]
    top_countries: frozenset[str]
    main_town: Candidate | None
    focus_town: Candidate | None  # the main town when the article has one clear local focus

    @classmethod
    def of(cls, settled: Sequence[Settled], top_countries: set[str], w: Weights) -> Anchors:
        """The anchors of an article from its resolved towns and its top countries."""
        towns = [c for _, c in settled]
        main = _main_town(towns)
        return cls(tuple(settled), frozenset(top_countries), main, _focus_town(towns, w))


def _main_town(towns: list[Candidate]) -> Candidate | None:
    """The settlement the article names most often (first named on a tie)."""
    if not towns:
        return None
    counts = Counter(c.id for c in towns)
    return max(towns, key=lambda c: counts[c.id])


def _focus_town(towns: list[Candidate], w: Weights) -> Candidate | None:
    """The town the article names at least `focus_town_mentions` times and more often than any other together."""
    counts = Counter(c.id for c in towns)
    if not counts:
        return None
    (best, n), *rest = counts.most_common()
    if n < w.focus_town_mentions or n <= sum(k for _, k in rest) * w.focus_town_share:
        return None
    return next(c for c in towns if c.id == best)


def _adjacent(text: str, end: int, start: int) -> bool:
    """Whether the sentence ending at `end` is the one just before the sentence starting at `start`."""
    return end <= start and not text[end:start].strip()


def sentence_town(t: Toponym, text: str, anchors: Anchors) -> Candidate | None:
    """The last town of the article's top country named before the mention in its own sentence, else the last town
    named in the sentence just before ("In X, he was welcomed by Y. They attended an event in Z Stadium.")."""
    home = {anchors.main_town.country} if anchors.main_town is not None else set()
    e = t.entity
    own = [(o.entity.clean_start, c) for o, c in anchors.settled if o.entity.clean_sent_start == e.clean_sent_start
           and o.entity.clean_start < e.clean_start and c.country in anchors.top_countries]
    previous = [(o.entity.clean_start, c) for o, c in anchors.settled if c.country in anchors.top_countries | home
                and _adjacent(text, o.entity.clean_sent_end, e.clean_sent_start)]
    return max(own or previous, key=lambda x: x[0])[1] if own or previous else None


def text_town(t: Toponym, text: str, anchors: Anchors) -> Candidate | None:
    """The resolved town the text puts the mention in: "X in Y", "X near Y", "X, Y", "Y's X"."""
    e = t.entity
    spans = []
    for pattern, offset in ((IN_TOWN, e.clean_end), (CONTAINER, e.clean_end)):
        m = pattern.match(text[offset:offset + 80])
        if m:
            spans.append((offset + m.start(1), offset + m.end(1)))
    start = max(0, e.clean_start - 60)
    m = POSSESSOR.search(text[start:e.clean_start])
    if m:
        spans.append((start + m.start(1), start + m.end(1)))
    for lo, hi in spans:
        for o, c in anchors.settled:
            if lo <= o.entity.clean_start < hi and o is not t:
                return c
    return None


def approximately_at(town: Candidate, t: Toponym, how: str) -> Candidate:
    """A named place the gazetteer lacks, at the town that anchors it, under its own name and kind `approximate`."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(t.entity.text)).strip("-")
    return Candidate(f"{town.id}~{slug}", t.entity.text, APPROXIMATE, "unlisted place", town.country, town.admin1,
                     town.lat, town.lon, 0, False, f"{town.source} (placed at {town.name}, approximate: {how})")


def place_facility(t: Toponym, text: str, anchors: Anchors) -> Candidate | None:
    """A facility no town was found for: at its sentence's town, else at the town the article names most."""
    town = sentence_town(t, text, anchors) or anchors.main_town
    return facility_at(town, t) if town is not None else None


def looks_like_a_name(text: str) -> bool:
    """Whether a mention reads as a proper place name: capitalised words, long enough, not only everyday words."""
    key = normalize(text)
    return (bool(PROPER_NAME.fullmatch(text)) and sum(ch.isalpha() for ch in text) >= MIN_LETTERS
            and not set(key.split()) <= words("generic_name_words"))


def text_town_instead(t: Toponym, chosen: Candidate, text: str, anchors: Anchors, w: Weights) -> Candidate | None:
    """A place found inside a mention's name that lies far from the town the text puts the mention in ("the X Chapel
    in Y", "X Point, Y"): the mention is placed at Y instead (as a facility when it names one)."""
    if t.how not in PART_HOWS or t.embedded:
        return None
    town = text_town(t, text, anchors)
    if town is None or km(town, chosen) <= w.coherence_km:
        return None
    return facility_at(town, t) if t.facility else approximately_at(town, t, BY_TEXT)


def place_unlisted(t: Toponym, text: str, anchors: Anchors) -> Candidate | None:
    """A named place the gazetteer lacks: at the town beside it, in its sentence, else the article's clear focus."""
    if not looks_like_a_name(t.entity.text):
        return None
    for how, town in ((BY_TEXT, text_town(t, text, anchors)), (BY_SENTENCE, sentence_town(t, text, anchors)),
                      (BY_FOCUS, anchors.focus_town)):
        if town is not None:
            return approximately_at(town, t, how)
    return None
