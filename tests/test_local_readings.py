"""Readings of a name that the article's own evidence decides, on an invented gazetteer and texts written for these
tests: a region and the large city of its name, a country's name that is also a town's in local news, same-name
counties placed among the article's other places."""
from __future__ import annotations

from pathlib import Path

import pytest

from geo.articles import article_from_text
from geo.entities import Entity
from geo.gazetteer import Gazetteer, build_index, normalize
from geo.geocode import resolve_article
from geo.sources import Entry, PlaceRow
from geo.sources import index as index_module


def _row(pid: str, name: str, feature: str, category: str, country: str, admin1: str, lat: float, lon: float,
         population: int = 0) -> PlaceRow:
    return PlaceRow(f"inv:{pid}", name, feature, category, country, admin1, lat, lon, population, 0, "test", "base")


# Invented places in two invented countries (QA and QB codes are user-assigned in ISO 3166, so no real country).
ROWS = [
    (_row("veldoria", "Veldoria", "region", "state", "QA", "VD", 40.0, -80.0), ["Veldoria"]),
    (_row("veldoria-city", "Veldoria City", "city", "populated place", "QA", "VD", 39.5, -79.0, 4_000_000),
     ["Veldoria City", "Veldoria"]),
    (_row("marrakand", "Marrakand", "country", "country", "QB", "", 10.0, 40.0, 9_000_000), ["Marrakand"]),
    (_row("marrakand-town", "Marrakand", "town", "populated place", "QA", "OS", 45.0, -100.0, 12_000), ["Marrakand"]),
    (_row("brindle", "Brindle", "town", "populated place", "QA", "OS", 45.2, -100.3, 8_000), ["Brindle"]),
    (_row("ostler-os", "Ostler County", "district", "county", "QA", "OS", 45.1, -100.1), ["Ostler County"]),
    (_row("ostler-vd", "Ostler County", "district", "county", "QA", "VD", 41.1, -82.2), ["Ostler County"]),
    (_row("ostler-kt", "Ostler County", "district", "county", "QA", "KT", 35.0, -90.0), ["Ostler County"]),
    (_row("tamsin", "Tamsin", "town", "populated place", "QA", "VD", 40.4, -81.2, 30_000), ["Tamsin"]),
    (_row("saint-orlan", "Saint Orlan", "city", "populated place", "QB", "01", 11.0, 41.0, 600_000), ["Saint Orlan"]),
    (_row("quillon", "Quillon", "town", "populated place", "QA", "VD", 40.2, -80.8, 25_000), ["Quillon"]),
    (_row("corvania", "Corvania", "region", "state", "QA", "CV", 30.0, -95.0), ["Corvania"]),
    (_row("corvania-village", "Corvania", "village", "populated place", "QA", "VD", 40.3, -80.9, 2_900), ["Corvania"]),
]


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    path: Path = tmp_path_factory.mktemp("invented") / "gazetteer.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(index_module, "_source_entries", lambda: (Entry(row, names) for row, names in ROWS))
        build_index(path)
    g = Gazetteer(path)
    yield g
    g.close()


def _resolve(gazetteer: Gazetteer, text: str, spans: list[tuple[str, str]]) -> dict[str, str]:
    """{phrase: chosen entry id} for hand-placed entities (phrase, label) in one-sentence-per-full-stop text."""
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
    resolved, _ = resolve_article(article, None, entities, gazetteer)
    return {t.entity.text: c.id for t, c, _, _ in resolved}


def test_a_bare_name_a_region_shares_with_its_large_city_is_the_city(invented: Gazetteer) -> None:
    """The city carries the region's name only as another name; read bare, the name is still the city."""
    found = _resolve(invented, "Tourists crowded the museums of Veldoria over the holiday.", [("Veldoria", "GPE")])
    assert found["Veldoria"] == "inv:veldoria-city"


@pytest.mark.parametrize("text", [
    "Farmers across upstate Veldoria waited for rain.",
    "Veldoria lawmakers passed the budget on Friday.",
    "The flood reached Quillon, Veldoria, before dawn.",
])
def test_a_word_of_the_regions_reading_keeps_the_region(invented: Gazetteer, text: str) -> None:
    spans = [("Quillon", "GPE"), ("Veldoria", "GPE")] if "Quillon" in text else [("Veldoria", "GPE")]
    assert _resolve(invented, text, spans)["Veldoria"] == "inv:veldoria"


def test_a_countrys_name_in_local_news_is_the_local_town(invented: Gazetteer) -> None:
    text = ("The Ostler County board met in Marrakand on Monday. Brindle residents asked for a new road. "
            "Marrakand police closed the bridge.")
    found = _resolve(invented, text, [("Ostler County", "GPE"), ("Marrakand", "GPE"), ("Brindle", "GPE"), ("Marrakand", "GPE")])
    assert found["Marrakand"] == "inv:marrakand-town"


def test_a_countrys_name_stays_the_country_without_local_evidence(invented: Gazetteer) -> None:
    found = _resolve(invented, "Talks with Marrakand resumed on Monday.", [("Marrakand", "GPE")])
    assert found["Marrakand"] == "inv:marrakand"


def test_a_county_is_the_namesake_among_the_articles_towns(invented: Gazetteer) -> None:
    text = "Deputies from Ostler County searched the woods between Tamsin and Quillon."
    found = _resolve(invented, text, [("Ostler County", "GPE"), ("Tamsin", "GPE"), ("Quillon", "GPE")])
    assert found["Ostler County"] == "inv:ostler-vd"


def test_st_and_saint_are_one_name(invented: Gazetteer) -> None:
    assert [c.id for c in invented.saint_variants("St. Orlan")] == ["inv:saint-orlan"]
    assert [c.id for c in invented.saint_variants("Ste Orlan")] == []  # "Ste" is "Sainte", another name
    found = _resolve(invented, "Trade fairs returned to St. Orlan this spring.", [("St. Orlan", "GPE")])
    assert found["St. Orlan"] == "inv:saint-orlan"


def test_a_bare_region_name_is_the_region_not_a_small_namesake_town_near_the_articles_places(invented: Gazetteer) -> None:
    text = "Quillon and Tamsin sold the most tickets. A winner in Corvania claimed the prize last month."
    found = _resolve(invented, text, [("Quillon", "GPE"), ("Tamsin", "GPE"), ("Corvania", "GPE")])
    assert found["Corvania"] == "inv:corvania"


def test_a_word_beside_the_name_keeps_the_small_namesake_town(invented: Gazetteer) -> None:
    text = "Quillon and Tamsin sold the most tickets. A winner in the village of Corvania claimed the prize."
    found = _resolve(invented, text, [("Quillon", "GPE"), ("Tamsin", "GPE"), ("village of Corvania", "GPE")])
    assert found["village of Corvania"] == "inv:corvania-village"
