"""Places of journeys (issue 17, items 1, 2, 3, 9) on short texts written for these tests: buildings and landmarks
placed at their town, datelines with a country, a country adjective before a name, Korean
romanisations, and facility names with a lower-case head noun."""
from __future__ import annotations

from spacy.tokens import Span

from geo.entities import fix_entities
from geo.spelling import variant_keys
from tests.test_resolution import _near, _resolve


def _labels(spans):
    return [(s, e, label) for s, e, label, _ in spans]


# --------------------------------------------------------------------------- landmarks and buildings (items 1, 2)


def test_a_house_the_text_places_in_a_town_lands_on_that_town(gazetteer):
    found, _ = _resolve(gazetteer, "The envoys then headed to Hartwell House in Bergen for talks.",
                        [("Hartwell House", "ORG"), ("Bergen", "GPE")])
    place, _ = found["Hartwell House"]
    assert place.category == "residence" and place.country == "NO" and _near(place, 60.39, 5.32, 10), place


def test_a_statue_with_no_town_in_its_sentence_lands_on_the_article_town(gazetteer):
    text = "The yacht docked in Split on Monday. Crowds waited by the Statue of the Fisherman to cheer the crew."
    found, _ = _resolve(gazetteer, text, [("Split", "GPE"), ("Statue of the Fisherman", "FAC")])
    place, conf = found["Statue of the Fisherman"]
    assert place.category == "monument" and _near(place, 43.51, 16.44, 10) and conf < found["Split"][1], place


def test_a_building_named_after_a_far_town_waits_for_the_articles_town(gazetteer):
    text = "The prime minister landed in Oslo on Monday and met the king. Talks followed at the Tromso Marina on Tuesday."
    found, _ = _resolve(gazetteer, text, [("Oslo", "GPE"), ("Tromso Marina", "FAC")])
    place, _ = found["Tromso Marina"]
    assert _near(place, 59.91, 10.75, 20) and "placed at Oslo" in place.source, place


def test_an_airport_named_after_a_far_town_keeps_that_town(gazetteer):
    text = "The prime minister landed in Oslo on Monday. On Tuesday she flew on to the Narvik Cargo Airport by the coast."
    found, _ = _resolve(gazetteer, text, [("Oslo", "GPE"), ("Narvik Cargo Airport", "FAC")])
    place, _ = found["Narvik Cargo Airport"]
    assert _near(place, 68.44, 17.43, 30), place


def test_the_town_a_facility_is_in_ends_at_the_full_stop(gazetteer):
    text = "Fans filled the Nagyerdei Park Arena in Debrecen. Police closed the roads."
    found, _ = _resolve(gazetteer, text, [("Nagyerdei Park Arena", "FAC")])
    place, _ = found["Nagyerdei Park Arena"]
    assert place.country == "HU" and _near(place, 47.53, 21.63, 10), place


# --------------------------------------------------------------------------- words before a name (items 2, 3)


def test_a_country_adjective_before_port_of_names_the_namesakes_country(gazetteer):
    text = "The grain carrier is bound for the Canadian city of Kingston, its owners said."
    found, _ = _resolve(gazetteer, text, [("Kingston", "GPE")])
    assert found["Kingston"][0].country == "CA"
    found, _ = _resolve(gazetteer, "The grain carrier is bound for Kingston, its owners said.", [("Kingston", "GPE")])
    assert found["Kingston"][0].country != "CA"  # without the adjective the larger namesake


def test_a_countrys_possessive_before_county_of_names_its_country(gazetteer):
    found, _ = _resolve(gazetteer, "The skiers stayed in Austria's western province of Tyrol.", [("Tyrol", "GPE")])
    assert found["Tyrol"][0].country == "AT"


def test_korean_revised_romanisation_matches_the_older_spelling(gazetteer):
    assert "pyongyang" in variant_keys("Pyeongyang") and "kumgang" in variant_keys("Keumgang")
    text = "The train left Seoul and crossed into North Korea, reaching Pyeongyang at dusk."
    found, _ = _resolve(gazetteer, text, [("Seoul", "GPE"), ("North Korea", "GPE"), ("Pyeongyang", "GPE")])
    assert found["Pyeongyang"][0].country == "KP" and _near(found["Pyeongyang"][0], 39.03, 125.75, 20)


# --------------------------------------------------------------------------- entity spans (items 1, 9)


def test_a_dateline_with_its_country_names_the_place(nlp):
    doc = nlp("PORTO, Portugal — The president arrived on Monday for two days of talks.")
    doc.ents = []
    spans = fix_entities(doc, lambda name: name.lower() in {"porto", "portugal"}, set())
    assert (0, 1, "GPE") in _labels(spans)


def test_a_name_and_a_lower_case_facility_head_after_a_preposition_is_a_facility(nlp):
    doc = nlp("The jet landed at the Brnik-1 airport, and fans gathered at the Kovacs stadium in Debrecen.")
    i = {t.text: t.i for t in doc}
    doc.ents = [Span(doc, i["Kovacs"], i["Kovacs"] + 1, label="PERSON")]
    spans = _labels(fix_entities(doc, lambda name: False, set(), is_known=lambda name: name.lower() == "brnik"))
    airport = doc.char_span(doc.text.index("Brnik"), doc.text.index(" airport,") + len(" airport"))
    assert (airport.start, airport.end, "FAC") in spans
    assert (i["Kovacs"], i["stadium"] + 1, "FAC") in spans


def test_an_adjective_a_town_a_date_or_an_unknown_word_before_a_lower_case_head_stays_as_it_is(nlp):
    doc = nlp("The freighter left the Maltese port, anchored in the Valletta harbour and sailed past the Easter market "
              "to the Zorvik dam.")
    i = {t.text: t.i for t in doc}
    doc.ents = [Span(doc, i["Maltese"], i["Maltese"] + 1, label="NORP"), Span(doc, i["Valletta"], i["Valletta"] + 1, label="GPE"),
                Span(doc, i["Easter"], i["Easter"] + 1, label="DATE")]
    spans = _labels(fix_entities(doc, lambda name: False, set(), is_known=lambda name: False))
    assert (i["Maltese"], i["Maltese"] + 1, "NORP") in spans and (i["Valletta"], i["Valletta"] + 1, "GPE") in spans
    assert not [s for s in spans if s[2] == "FAC"]


def test_a_house_tagged_as_an_organisation_is_a_place_only_after_a_place_word(gazetteer):
    text = "A statement from Carrow House praised the plan. The mayor later drove to Carrow House in Bergen."
    article_spans = [("Carrow House", "ORG"), ("Carrow House", "ORG"), ("Bergen", "GPE")]
    found, _ = _resolve(gazetteer, text, article_spans)
    assert "Carrow House" in found
    found, _ = _resolve(gazetteer, "The proposal was welcomed by Carrow House, officials said.", [("Carrow House", "ORG")])
    assert "Carrow House" not in found


def test_an_autonomous_region_run_on_into_a_persons_name_and_named_by_its_adjective(gazetteer):
    text = "Talks were chaired by the president of the Sicilian Autonomous Region Marco Ferri on Monday."
    found, _ = _resolve(gazetteer, text, [("Sicilian Autonomous Region Marco Ferri", "GPE")])
    region, _ = found["Sicilian Autonomous Region Marco Ferri"]
    assert region.feature == "region" and region.country == "IT" and _near(region, 37.6, 14.2, 100), region
