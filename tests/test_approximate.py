"""Named places the gazetteer lacks (streets, neighbourhoods, halls) placed approximately at the town the text anchors
them to, on an invented gazetteer and texts written for these tests; never placed without a local anchor."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from geo.approximate import APPROXIMATE
from geo.articles import article_from_text
from geo.entities import Entity
from geo.gazetteer import Candidate, Gazetteer, build_index, normalize
from geo.geocode import resolve_article
from geo.sources import Entry, PlaceRow
from geo.sources import index as index_module


def _row(pid: str, name: str, feature: str, country: str, admin1: str, lat: float, lon: float, population: int) -> PlaceRow:
    return PlaceRow(f"inv:{pid}", name, feature, "populated place", country, admin1, lat, lon, population, 0, "test", "base")


# Invented towns of an invented country (QA is user-assigned in ISO 3166, so no real country), far apart.
ROWS = [
    (_row("dunmere", "Dunmere", "city", "QA", "N1", 50.0, 10.0, 250_000), ["Dunmere"]),
    (_row("hollin", "Hollin", "town", "QA", "N1", 52.0, 14.0, 40_000), ["Hollin"]),
    (_row("caskby", "Caskby", "town", "QA", "S2", 46.0, 6.0, 30_000), ["Caskby"]),
    (_row("pellam", "Pellam", "village", "QB", "01", 10.0, 40.0, 500), ["Pellam"]),  # QB: another invented country
]
POINTS = {"Dunmere": (50.0, 10.0), "Hollin": (52.0, 14.0), "Caskby": (46.0, 6.0)}


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gazetteer]:
    path: Path = tmp_path_factory.mktemp("approximate") / "gazetteer.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(index_module, "_source_entries", lambda: (Entry(row, names) for row, names in ROWS))
        build_index(path)
    g = Gazetteer(path)
    yield g
    g.close()


def _resolve(gazetteer: Gazetteer, text: str, spans: list[tuple[str, str]]) -> tuple[dict[str, tuple[Candidate, float]], list[str]]:
    """({phrase: (entry, confidence)}, unresolved phrases) for hand-placed entities in one-sentence-per-full-stop text."""
    article = article_from_text("t", "t.txt", text)
    entities, cursor = [], 0
    for phrase, label in spans:
        start = article.text.index(phrase, cursor)
        end = cursor = start + len(phrase)
        sent_start = article.text.rfind(". ", 0, start) + 2 if ". " in article.text[:start] else 0
        sent_end = article.text.find(". ", end)
        sent_end = len(article.text) if sent_end < 0 else sent_end + 1
        raw_start, raw_end = article.raw_span(start, end)
        entities.append(Entity(article.id, label, phrase, normalize(phrase), start, end, raw_start, raw_end, sent_start, sent_end))
    resolved, unresolved = resolve_article(article, None, entities, gazetteer)
    return {t.entity.text: (c, conf) for t, c, conf, _ in resolved}, [u.text for u in unresolved]


def _at(place: Candidate, town: str) -> bool:
    return (place.lat, place.lon) == POINTS[town] and f"placed at {town}, approximate" in place.source


@pytest.mark.parametrize("text,spans", [
    ("Police closed Wexley Gardens in Hollin after the storm.", [("Wexley Gardens", "FAC"), ("Hollin", "GPE")]),
    ("A fire broke out on Wexley Gardens near Hollin overnight.", [("Wexley Gardens", "FAC"), ("Hollin", "GPE")]),
    ("The parade starts at Wexley Gardens, Hollin, at noon.", [("Wexley Gardens", "FAC"), ("Hollin", "GPE")]),
    ("Traffic slowed through Hollin's Wexley Gardens all morning.", [("Hollin", "GPE"), ("Wexley Gardens", "FAC")]),
])
def test_a_place_the_text_puts_in_a_town_lands_on_that_town(invented: Gazetteer, text: str,
                                                             spans: list[tuple[str, str]]) -> None:
    found, _ = _resolve(invented, "Dunmere held its budget vote on Monday. " + text, [("Dunmere", "GPE"), *spans])
    place, confidence = found["Wexley Gardens"]
    assert place.feature == APPROXIMATE and _at(place, "Hollin") and confidence < found["Hollin"][1], place
    assert place.name == "Wexley Gardens" and place.country == "QA"


def test_a_place_lands_on_the_town_named_before_it_in_its_sentence(invented: Gazetteer) -> None:
    text = "Volunteers from Dunmere drove to Caskby, where they cleared the Brackwater Flats of debris."
    found, _ = _resolve(invented, text, [("Dunmere", "GPE"), ("Caskby", "GPE"), ("Brackwater Flats", "LOC")])
    assert _at(found["Brackwater Flats"][0], "Caskby"), found["Brackwater Flats"]


def test_a_place_lands_on_the_town_of_the_sentence_before(invented: Gazetteer) -> None:
    text = "Crews worked in Caskby through the night. Residents of Ormsby Heights were told to stay indoors."
    found, _ = _resolve(invented, text, [("Caskby", "GPE"), ("Ormsby Heights", "GPE")])
    assert _at(found["Ormsby Heights"][0], "Caskby"), found["Ormsby Heights"]


def test_a_place_far_from_any_town_lands_on_the_articles_clear_local_town(invented: Gazetteer) -> None:
    text = ("The Dunmere council met on Tuesday. Dunmere will repave its roads. The mayor thanked Hollin for its help. "
            "Nobody spoke. Later the crowd gathered at Kestrel Green to listen.")
    spans = [("Dunmere", "GPE"), ("Dunmere", "GPE"), ("Hollin", "GPE"), ("Kestrel Green", "FAC")]
    found, _ = _resolve(invented, text, spans)
    assert _at(found["Kestrel Green"][0], "Dunmere") and "the article's town" in found["Kestrel Green"][0].source


def test_no_local_anchor_leaves_the_place_unresolved(invented: Gazetteer) -> None:
    """Two towns named once each, far from the mention's sentence: no clear local focus, so no guess."""
    text = "Dunmere and Hollin signed a pact. Nobody objected. Weeks later Kestrel Green filled with people."
    found, unresolved = _resolve(invented, text, [("Dunmere", "GPE"), ("Hollin", "GPE"), ("Kestrel Green", "FAC")])
    assert "Kestrel Green" not in found and "Kestrel Green" in unresolved


def test_a_direction_is_not_placed(invented: Gazetteer) -> None:
    found, unresolved = _resolve(invented, "In Hollin, rain fell across the North.", [("Hollin", "GPE"), ("North", "LOC")])
    assert "North" not in found and "North" in unresolved


def test_a_far_town_inside_the_name_yields_to_the_town_the_text_puts_it_in(invented: Gazetteer) -> None:
    """"The Caskby Rooms in Hollin" is in Hollin, not in Caskby 800 km away."""
    text = "Dunmere traders met on Friday. The dinner was served at the Caskby Rooms in Hollin."
    found, _ = _resolve(invented, text, [("Dunmere", "GPE"), ("Caskby Rooms", "FAC"), ("Hollin", "GPE")])
    assert _at(found["Caskby Rooms"][0], "Hollin"), found["Caskby Rooms"]


def test_a_near_town_inside_the_name_keeps_its_reading(invented: Gazetteer) -> None:
    text = "The dinner was served at the Hollin Rooms in Hollin."
    found, _ = _resolve(invented, text, [("Hollin Rooms", "FAC"), ("Hollin", "GPE")])
    assert found["Hollin Rooms"][0].feature != APPROXIMATE and (found["Hollin Rooms"][0].lat, found["Hollin Rooms"][0].lon) == POINTS["Hollin"]


@pytest.mark.parametrize("phrase", ["red counties", "Dr", "Grand Central"])
def test_what_does_not_read_as_a_place_name_is_not_placed(invented: Gazetteer, phrase: str) -> None:
    """Lowercase phrases, short initials and names of everyday words only stay unresolved, even beside a town."""
    found, unresolved = _resolve(invented, f"In Hollin, they spoke of {phrase} for hours.", [("Hollin", "GPE"), (phrase, "GPE")])
    assert phrase not in found and phrase in unresolved


@pytest.mark.parametrize("text", [
    "Anglers gathered in Hollin on Sunday. The Pellam River rose overnight.",
    "Anglers gathered in Hollin on Sunday. The Pellam River rose overnight. The Pellam River is still rising.",
])
def test_a_river_is_not_the_small_far_village_of_its_name(invented: Gazetteer, text: str) -> None:
    """"The Pellam River" beside Hollin is no village called Pellam in another country, however often it is named."""
    spans = [("Hollin", "GPE")] + [("Pellam River", "LOC")] * text.count("Pellam River")
    found, _ = _resolve(invented, text, spans)
    assert _at(found["Pellam River"][0], "Hollin"), found["Pellam River"]
