"""Resolution rules on short texts written for these tests: facilities, compass words, designators, spelling
variants, a country's part of a wider region, and same-name places chosen from the article's own evidence."""
from __future__ import annotations

from dataclasses import replace

import pytest
from geopy.distance import geodesic

from geo.articles import article_from_text
from geo.disambiguate import Weights
from geo.entities import Entity
from geo.gazetteer import normalize
from geo.geocode import resolve_article
from geo.spelling import variant_keys


def _resolve(gazetteer, text: str, spans: list[tuple[str, str]], outlet: str | None = None, weights: Weights | None = None):
    """Resolve hand-placed entities (phrase, label) in `text`: {phrase: (place, confidence)} and the unresolved texts."""
    article = article_from_text("t", "t.txt", text)
    if outlet:
        article = replace(article, outlet=outlet)
    entities, cursor = [], 0
    for phrase, label in spans:
        start = article.text.index(phrase, cursor)
        end = start + len(phrase)
        cursor = end
        sent_start = max(article.text.rfind(". ", 0, start) + 2, 0) if ". " in article.text[:start] else 0
        sent_end = article.text.find(". ", end)
        sent_end = len(article.text) if sent_end < 0 else sent_end + 1
        raw_start, raw_end = article.raw_span(start, end)
        entities.append(Entity(article.id, label, phrase, normalize(phrase), start, end, raw_start, raw_end, sent_start, sent_end))
    kwargs = {"weights": weights} if weights else {}
    resolved, unresolved = resolve_article(article, None, entities, gazetteer, **kwargs)
    return {t.entity.text: (c, conf) for t, c, conf, _ in resolved}, [u.text for u in unresolved]


def _near(place, lat: float, lon: float, km: float) -> bool:
    return geodesic((place.lat, place.lon), (lat, lon)).km <= km


# --------------------------------------------------------------------------- facilities


@pytest.mark.parametrize("text,spans,mention,category,point", [
    ("The tanker aircraft landed at Aviano Air Base before dawn.", [("Aviano Air Base", "FAC")], "Aviano Air Base",
     "air_base", (46.03, 12.60)),
    ("The minister flew home from Entebbe International Airport on Sunday.", [("Entebbe International Airport", "FAC")],
     "Entebbe International Airport", "airport", (0.04, 32.44)),
    ("After a short flight the delegation touched down at Gardermoen.", [("Gardermoen", "GPE")], "Gardermoen", "airport",
     (60.19, 11.10)),
    ("Passengers on flights out of BKK faced long delays.", [("BKK", "ORG")], "BKK", "airport", (13.69, 100.75)),
    ("The evacuees were flown on to Aviano U.S. Air Base in Italy.", [("Aviano U.S. Air Base", "FAC"), ("Italy", "GPE")],
     "Aviano U.S. Air Base", "air_base", (46.03, 12.60)),
])
def test_airports_and_air_bases_from_the_gazetteer(gazetteer, text, spans, mention, category, point):
    found, _ = _resolve(gazetteer, text, spans)
    place, _ = found[mention]
    assert place.feature == "facility" and place.category == category and _near(place, *point, 10), place


def test_a_code_outside_air_travel_is_not_an_airport(gazetteer):
    found, _ = _resolve(gazetteer, "The BKK committee met to discuss the budget.", [("BKK", "ORG")])
    assert "BKK" not in found


@pytest.mark.parametrize("text,spans,mention,town,category", [
    # the town in the facility's name
    ("The night train pulled into Orsha railway station at dawn.", [("Orsha railway station", "FAC")],
     "Orsha railway station", (54.51, 30.42), "station"),
    ("Inspectors toured the Kozloduy power plant on Tuesday.", [("Kozloduy power plant", "FAC")], "Kozloduy power plant",
     (43.78, 23.72), "power_plant"),
    ("Two frigates returned to Narvik naval base.", [("Narvik naval base", "FAC")], "Narvik naval base", (68.44, 17.43),
     "naval_base"),
    # a university tagged ORG is a place after "at"
    ("She gave a lecture at Uppsala University on Friday.", [("Uppsala University", "ORG")], "Uppsala University",
     (59.86, 17.64), "university"),
    # the town it is in
    ("The delegation stayed at the Grand Hotel in Tromsø.", [("Grand Hotel", "FAC"), ("Tromsø", "GPE")], "Grand Hotel",
     (69.65, 18.96), "hotel"),
    ("Tourists queued outside the Kingsholm Castle near Hamar.", [("Kingsholm Castle", "FAC"), ("Hamar", "GPE")],
     "Kingsholm Castle", (60.79, 11.07), "castle"),
    # its possessor
    ("Crowds filled Sintra's Pena Palace all weekend.", [("Sintra", "GPE"), ("Pena Palace", "FAC")], "Pena Palace",
     (38.80, -9.38), "palace"),
    ("Crowds filled Sintra's restored old Pena Palace all weekend.", [("Sintra", "GPE"), ("Pena Palace", "FAC")], "Pena Palace",
     (38.80, -9.38), "palace"),
])
def test_facilities_the_gazetteer_lacks_land_on_their_town(gazetteer, text, spans, mention, town, category):
    found, unresolved = _resolve(gazetteer, text, spans)
    assert mention not in unresolved
    place, confidence = found[mention]
    assert place.name == mention and place.category == category and place.feature in ("facility", "station")
    assert _near(place, *town, 15), place
    towns = [c for m, (c, _) in found.items() if m != mention]
    assert all(confidence < conf for m, (c, conf) in found.items() if m != mention) or not towns


def test_an_organisation_named_after_a_university_is_not_a_place(gazetteer):
    found, _ = _resolve(gazetteer, "Uppsala University said the grant would be renewed.", [("Uppsala University", "ORG")])
    assert "Uppsala University" not in found and "Uppsala" in found  # the town inside the name, marked embedded


def test_a_street_with_no_town_lands_on_the_article_town(gazetteer):
    found, _ = _resolve(gazetteer, "Floods hit Dubbo overnight. By morning water covered Talbragar Street.",
                        [("Dubbo", "GPE"), ("Talbragar Street", "FAC")])
    street, confidence = found["Talbragar Street"]
    town, town_confidence = found["Dubbo"]
    assert street.name == "Talbragar Street" and street.category == "street" and (street.lat, street.lon) == (town.lat, town.lon)
    assert confidence < town_confidence


# --------------------------------------------------------------------------- names written with other words


def test_compass_words_before_a_place_name(gazetteer):
    found, unresolved = _resolve(gazetteer, "Snow closed roads in north west Lillehammer and across the north.",
                                 [("north west Lillehammer", "GPE"), ("north", "LOC")])
    assert _near(found["north west Lillehammer"][0], 61.11, 10.47, 15)
    assert "north" in unresolved


def test_a_place_inside_an_unknown_name(gazetteer):
    found, _ = _resolve(gazetteer, "Tickets for Darwin Harbour Ferries sold out.", [("Darwin Harbour Ferries", "GPE")])
    assert _near(found["Darwin Harbour Ferries"][0], -12.46, 130.84, 20)


def test_autonomous_region_with_an_ethnic_qualifier(gazetteer):
    found, _ = _resolve(gazetteer, "Floods hit the Ningxia Hui Autonomous Region.", [("Ningxia Hui Autonomous Region", "GPE")])
    place, _ = found["Ningxia Hui Autonomous Region"]
    assert place.feature == "region" and place.country == "CN"


def test_island_written_with_its_designator(gazetteer):
    found, _ = _resolve(gazetteer, "Ferries carried tourists to Hvar Island.", [("Hvar Island", "LOC")])
    assert _near(found["Hvar Island"][0], 43.17, 16.44, 20)


def test_a_countrys_part_of_a_wider_region(gazetteer):
    found, _ = _resolve(gazetteer, "Sea ice is thinning across the Canadian Arctic.", [("Canadian Arctic", "LOC")])
    place, _ = found["Canadian Arctic"]
    assert place.country == "CA" and place.lat > 60 and place.name == "Canadian Arctic"


def test_water_bodies_and_macro_regions_resolve_to_a_point(gazetteer):
    found, _ = _resolve(gazetteer, "Storms over the North Sea delayed ships bound for the Middle East.",
                        [("North Sea", "LOC"), ("Middle East", "LOC")])
    assert found["North Sea"][0].feature == "water" and _near(found["North Sea"][0], 56, 3, 500)
    assert found["Middle East"][0].feature == "region" and _near(found["Middle East"][0], 29, 42, 1000)


# --------------------------------------------------------------------------- spelling


def test_variant_keys_cover_transliterations():
    assert "khanty mansiysk" in variant_keys("Hanty-Mansiysk")
    assert "novosibirsk" in variant_keys("Novosibirskiy")
    assert "norway" in variant_keys("Norwway")


def test_a_spelling_variant_is_found_only_inside_the_articles_countries(gazetteer):
    text = "Flights from Hanty-Mansiysk reached Surgut in Russia, officials said."
    found, _ = _resolve(gazetteer, text, [("Hanty-Mansiysk", "GPE"), ("Russia", "GPE")])
    place, confidence = found["Hanty-Mansiysk"]
    assert place.country == "RU" and _near(place, 61.00, 69.02, 20) and confidence < 1
    _, unresolved = _resolve(gazetteer, "Flights from Hanty-Mansiysk were cancelled, officials said.", [("Hanty-Mansiysk", "GPE")])
    assert unresolved == ["Hanty-Mansiysk"]  # no country in sight: no guessing


def test_a_misspelt_town_matches_closely_inside_the_focus(gazetteer):
    found, _ = _resolve(gazetteer, "Fishing boats left Trondhiem for the coast of Norway.", [("Trondhiem", "GPE"), ("Norway", "GPE")])
    assert _near(found["Trondhiem"][0], 63.43, 10.40, 20)


def test_a_close_match_keeps_the_first_letter(gazetteer):
    from geo.spelling import FuzzyIndex

    index = FuzzyIndex(gazetteer)
    found = index.match("Trondhiem", ("NO",))
    assert found and {(c.name, c.country) for c in found} == {("Trondheim", "NO")}
    assert index.match("Drondheim", ("NO",)) == ()  # one letter away, but the first: a different name


def test_a_country_with_a_tripled_letter(gazetteer):
    found, _ = _resolve(gazetteer, "Fishing boats left Bergen for the coast of Norwway.", [("Bergen", "GPE"), ("Norwway", "GPE")])
    assert found["Norwway"][0].feature == "country" and found["Norwway"][0].country == "NO"


# --------------------------------------------------------------------------- same-name places


def test_a_nearby_place_chooses_between_namesakes(gazetteer):
    found, _ = _resolve(gazetteer, "Flood warnings were issued for Perth and Dundee after the river rose overnight.",
                        [("Perth", "GPE"), ("Dundee", "GPE")])
    assert found["Perth"][0].country == "GB" and _near(found["Perth"][0], 56.40, -3.43, 20)
    found, _ = _resolve(gazetteer, "Flood warnings were issued for Perth after the river rose overnight.", [("Perth", "GPE")])
    assert found["Perth"][0].country == "AU"


def test_a_region_named_in_the_article_chooses_between_namesakes(gazetteer):
    found, _ = _resolve(gazetteer, "Council workers in Launceston cleared fallen trees. Roads across Cornwall stayed shut.",
                        [("Launceston", "GPE"), ("Cornwall", "GPE")])
    assert found["Launceston"][0].country == "GB"


def test_the_outlets_home_chooses_between_namesakes(gazetteer):
    text = "Council workers in Launceston cleared fallen trees after the storm."
    found, _ = _resolve(gazetteer, text, [("Launceston", "GPE")])
    assert found["Launceston"][0].country == "AU"
    found, _ = _resolve(gazetteer, text, [("Launceston", "GPE")], outlet="Cornwall Gazette")
    assert found["Launceston"][0].country == "GB"


def test_weights_are_named_and_change_the_outcome(gazetteer):
    text = "Flood warnings were issued for Perth and Dundee after the river rose overnight."
    spans = [("Perth", "GPE"), ("Dundee", "GPE")]
    found, _ = _resolve(gazetteer, text, spans, weights=Weights(coherence=0.0, anchor_near=0.0, anchor_far=0.0, holds=0.0,
                                                                         region_named=0.0, region_named_sentence=0.0,
                                                                         focus_share=0.0, focus_present=0.0,
                                                                         country_named_sentence=0.0))
    assert found["Perth"][0].country == "AU"  # without the article's evidence, population decides


def test_a_name_after_a_place_and_a_comma_is_its_region(gazetteer):
    found, _ = _resolve(gazetteer, "Orchards near Wenatchee, Washington, lost their crop to frost.",
                        [("Wenatchee", "GPE"), ("Washington", "GPE")])
    assert found["Washington"][0].feature == "region" and found["Washington"][0].country == "US"
    assert _near(found["Wenatchee"][0], 47.42, -120.31, 20)


def test_a_small_town_named_twice_and_nowhere_else_is_resolved(gazetteer):
    text = "A storm cut power in Waimate overnight. Waimate residents were asked to boil water."
    found, _ = _resolve(gazetteer, text, [("Waimate", "GPE"), ("Waimate", "GPE")])
    assert found["Waimate"][0].country == "NZ"


def test_a_small_town_beside_the_articles_other_places_is_kept(gazetteer):
    found, unresolved = _resolve(gazetteer, "The Scottish climber was found at a farm in Geraldine, north of Timaru.",
                                 [("Scottish", "NORP"), ("Geraldine", "GPE"), ("Timaru", "GPE")])
    assert "Geraldine" not in unresolved and found["Geraldine"][0].country == "NZ"


def test_a_town_written_like_a_facility_is_the_town(gazetteer):
    found, _ = _resolve(gazetteer, "Floodwater closed roads in Lake Station, Indiana, overnight.",
                        [("Lake Station", "GPE"), ("Indiana", "GPE")])
    assert found["Lake Station"][0].feature == "town" and _near(found["Lake Station"][0], 41.58, -87.24, 15)


def test_a_towns_possessive_makes_a_bare_name_its_airport(gazetteer):
    found, _ = _resolve(gazetteer, "Baggage handlers at Oslo's Gardermoen walked out on Monday.",
                        [("Oslo", "GPE"), ("Gardermoen", "GPE")])
    assert found["Gardermoen"][0].category == "airport" and _near(found["Gardermoen"][0], 60.19, 11.10, 10)


def test_a_county_inside_an_organisation_name_chooses_the_town(gazetteer):
    text = "The Lanark County Historical Society opened a new museum in Perth on Saturday."
    found, _ = _resolve(gazetteer, text, [("Lanark County Historical Society", "ORG"), ("Perth", "GPE")])
    assert found["Perth"][0].country == "CA" and _near(found["Perth"][0], 44.90, -76.25, 20)
    assert found["Lanark County"][0].feature == "district"  # found inside the name, marked embedded


def test_a_city_state_is_its_capital(gazetteer):
    found, _ = _resolve(gazetteer, "The delegation arrived in Monaco on Tuesday.", [("Monaco", "GPE")])
    assert found["Monaco"][0].feature == "city" and found["Monaco"][0].country == "MC"


def test_a_region_several_countries_have_is_the_one_in_the_articles_country(gazetteer):
    text = "Hurricane crews from Texas and Georgia drove to Florida. Roads near Sebring were closed."
    spans = [("Texas", "GPE"), ("Georgia", "GPE"), ("Florida", "GPE"), ("Sebring", "GPE")]
    found, _ = _resolve(gazetteer, text, spans)
    assert found["Florida"][0].country == "US"
    assert found["Sebring"][0].country == "US" and _near(found["Sebring"][0], 27.50, -81.44, 20)


def test_fuzzy_matching_leaves_short_everyday_words_alone(gazetteer):
    _, unresolved = _resolve(gazetteer, "Shops in Norway close over Eastr.", [("Norway", "GPE"), ("Eastr", "LOC")])
    assert "Eastr" in unresolved


def test_a_country_name_is_the_country_beside_a_namesake_village(gazetteer):
    # Several US places in the article must not pull "China" to a US village of that name.
    found, _ = _resolve(gazetteer, "Soybean growers in Iowa, Texas and Ohio said their sales to China fell again.",
                        [("Iowa", "GPE"), ("Texas", "GPE"), ("Ohio", "GPE"), ("China", "GPE")])
    assert found["China"][0].feature == "country" and found["China"][0].country == "CN"


def test_a_region_is_not_evidence_for_a_town_of_its_own_name(gazetteer):
    found, _ = _resolve(gazetteer, "The choir of Bangor University, in Wales, sang at the festival on Sunday.",
                        [("Bangor University", "ORG"), ("Wales", "GPE")])
    assert found["Wales"][0].feature == "region" and found["Wales"][0].country == "GB"


def test_the_european_union_is_an_area_with_an_outline(gazetteer):
    from geo.outlines import contains

    found, _ = _resolve(gazetteer, "Trade ministers of the EU agreed new tariffs on steel imports.", [("EU", "ORG")])
    eu = found["EU"][0]
    assert eu.category == "macro_region" and _near(eu, 50, 10, 300)
    assert contains(eu, 48.86, 2.35) and contains(eu, 52.23, 21.01)  # Paris, Warsaw
    assert not contains(eu, 51.51, -0.13) and not contains(eu, 59.91, 10.75)  # London, Oslo


def test_a_language_named_after_a_place_is_a_demonym(gazetteer):
    found, _ = _resolve(gazetteer, "The leaflets were printed in English and handed out at the station.", [("English", "LANGUAGE")])
    assert found["English"][0].name == "England" and found["English"][0].feature == "region"


def test_the_outlets_home_is_the_namesake_near_the_articles_places(gazetteer):
    text = "Police in Paris arrested a driver after a chase that began in Murray and ended near Puryear."
    spans = [("Paris", "GPE"), ("Murray", "GPE"), ("Puryear", "GPE")]
    found, _ = _resolve(gazetteer, text, spans, outlet="The Paris Courier")
    assert found["Paris"][0].country == "US" and _near(found["Paris"][0], 36.30, -88.33, 30)  # Paris, Tennessee


@pytest.mark.parametrize("domain,outlet", [
    ("www.lakevillechronicle.com", "Lakeville Chronicle"),
    ("thedailypostlakeville.com", "The Daily Post Lakeville"),
    ("lakeville-news.co.uk", "Lakeville News"),
    ("example.com", "example"),
])
def test_an_outlets_name_from_its_domain(domain, outlet):
    from geo.geocode import masthead_of_domain

    assert masthead_of_domain(domain, lambda name: name == "lakeville") == outlet


def test_a_name_in_a_list_of_states_is_the_state(gazetteer):
    found, _ = _resolve(gazetteer, "Rents are lower here than in states such as Oregon or Washington, the report said.",
                        [("Oregon", "GPE"), ("Washington", "GPE")])
    assert found["Washington"][0].feature == "region" and found["Washington"][0].country == "US"


def test_compass_words_before_a_small_place_are_part_of_a_name(gazetteer):
    _, unresolved = _resolve(gazetteer, "Aides in the West Wing were told to stay quiet.", [("West Wing", "FAC")])
    assert "West Wing" in unresolved


def test_the_republic_of_a_country_is_the_country(gazetteer):
    found, _ = _resolve(gazetteer, "The Republic of Armenia signed the accord.", [("Republic of Armenia", "GPE")])
    assert found["Republic of Armenia"][0].feature == "country" and found["Republic of Armenia"][0].country == "AM"


def test_a_local_papers_own_town_outranks_a_country_of_that_name(gazetteer):
    text = "The Lebanon school board met on Tuesday; parents from Lebanon and Annville asked for a later start."
    spans = [("Lebanon", "GPE"), ("Lebanon", "GPE"), ("Annville", "GPE")]
    found, _ = _resolve(gazetteer, text, spans[1:])
    assert found["Lebanon"][0].feature == "country"
    found, _ = _resolve(gazetteer, text, spans[1:], outlet="Lebanon Daily News")
    assert found["Lebanon"][0].country == "US" and _near(found["Lebanon"][0], 40.34, -76.41, 30)  # Lebanon, Pennsylvania


# --------------------------------------------------------------------------- journeys, issue 17 items 1-3 and 9


def test_an_air_reserve_base_written_in_full_is_the_airportsdata_entry(gazetteer):
    found, _ = _resolve(gazetteer, "The tanker returned to Grissom Air Reserve Base in Indiana.",
                        [("Grissom Air Reserve Base", "ORG"), ("Indiana", "GPE")])
    place, _ = found["Grissom Air Reserve Base"]
    assert place.feature == "facility" and place.category == "air_base" and _near(place, 40.65, -86.15, 5), place


def test_a_facility_in_a_regions_county_lands_on_the_county(gazetteer):
    found, _ = _resolve(gazetteer, "The plane flew on to the Kessler Training Camp in Arizona's Maricopa County overnight.",
                        [("Kessler Training Camp", "FAC"), ("Arizona", "GPE"), ("Maricopa County", "GPE")])
    camp, _ = found["Kessler Training Camp"]
    assert camp.feature == "facility" and _near(camp, 33.35, -112.49, 60), camp


def test_a_town_inside_a_facility_name_abroad_gives_way_to_the_articles_town(gazetteer):
    found, unresolved = _resolve(gazetteer, "The envoys arrived in Nairobi, Kenya on Monday. They stayed at the Springfield Hotel.",
                                 [("Nairobi", "GPE"), ("Kenya", "GPE"), ("Springfield Hotel", "ORG")])
    hotel, confidence = found["Springfield Hotel"]
    assert hotel.category == "hotel" and hotel.country == "KE" and _near(hotel, -1.29, 36.82, 20), hotel
    assert confidence < found["Nairobi"][1]


def test_a_region_whose_official_name_starts_with_an_article(gazetteer):
    found, _ = _resolve(gazetteer, "Road blocks went up across Guajira in northern Colombia.", [("Guajira", "GPE"), ("Colombia", "GPE")])
    region, _ = found["Guajira"]
    assert region.feature == "region" and region.country == "CO", region


def test_a_much_larger_city_known_by_an_other_name_outranks_a_small_main_name(gazetteer):
    text, spans = "Silk traders shipped their bales from Canton every spring.", [("Canton", "GPE")]
    found, _ = _resolve(gazetteer, text, spans)
    assert found["Canton"][0].country == "CN"  # the city of 16 million known in English by that other name
    found, _ = _resolve(gazetteer, text, spans, weights=Weights(alternate_name_outweighs=1e9))
    assert found["Canton"][0].country == "US"  # without the rule a town of 87,000 that has it as main name wins


def test_a_country_named_in_the_sentence_chooses_between_large_namesakes(gazetteer):
    text = "Freight rates rose in Venezuela and Colombia this year. The ferry left the Spanish port of Valencia on Monday."
    found, _ = _resolve(gazetteer, text, [("Venezuela", "GPE"), ("Colombia", "GPE"), ("Spanish", "NORP"), ("Valencia", "GPE")],
                        weights=Weights(country_named_sentence=2.5))
    assert found["Valencia"][0].country == "ES"


def test_a_misspelt_name_is_matched_whole_before_a_place_inside_it(gazetteer):
    found, _ = _resolve(gazetteer, "The candidate spoke in Grand Rapid, Michigan, then drove to Lansing.",
                        [("Grand Rapid", "GPE"), ("Michigan", "GPE"), ("Lansing", "GPE")])
    place, _ = found["Grand Rapid"]
    assert place.name == "Grand Rapids" and _near(place, 42.96, -85.67, 10), place


def test_the_town_an_event_is_named_after(gazetteer):
    found, _ = _resolve(gazetteer, "Skiers from Norway arrived for the Lillehammer Winter Games.",
                        [("Norway", "GPE"), ("Lillehammer Winter Games", "EVENT")])
    town, _ = found["Lillehammer"]
    assert town.country == "NO" and _near(town, 61.12, 10.47, 10), town


def test_a_compass_word_before_a_region_names_that_part_of_it(gazetteer):
    found, _ = _resolve(gazetteer, "Wildfires spread across Northern Queensland this week.", [("Northern Queensland", "LOC")])
    part, _ = found["Northern Queensland"]
    whole = next(c for c in gazetteer.candidates("Queensland") if c.feature == "region")
    assert part.name == "Northern Queensland" and part.lat > whole.lat + 2, part


def test_a_region_named_in_the_sentence_names_its_country(gazetteer):
    text = "Freight rates rose in Venezuela and Colombia this year. The ferry left Valencia in Catalonia's neighbour on Monday."
    found, _ = _resolve(gazetteer, text, [("Venezuela", "GPE"), ("Colombia", "GPE"), ("Valencia", "GPE"), ("Catalonia", "GPE")],
                        weights=Weights(country_named_sentence=2.5))
    assert found["Valencia"][0].country == "ES"


def test_a_country_after_in_says_where_a_namesake_is(gazetteer):
    found, _ = _resolve(gazetteer, "The schooner left Perth in Scotland on Tuesday and sailed north.", [("Perth", "GPE"), ("Scotland", "GPE")])
    assert found["Perth"][0].country == "GB"


def test_the_town_an_organisation_named_event_is_named_after(gazetteer):
    found, _ = _resolve(gazetteer, "Skaters from Norway trained for the Lillehammer Winter Olympics.",
                        [("Norway", "GPE"), ("Lillehammer Winter Olympics", "ORG")])
    assert found["Lillehammer"][0].country == "NO"


def test_a_name_takes_the_entry_a_longer_name_of_the_article_resolved_to(gazetteer):
    text = "Traders in Guangzhou cut prices. Exporters from Canton say demand is weak."
    found, _ = _resolve(gazetteer, text, [("Guangzhou", "GPE"), ("Canton", "GPE")],
                        weights=Weights(alternate_name_outweighs=1e9, coherence=0.0, anchor_near=0.0, anchor_far=0.0,
                                        focus_share=0.0, focus_present=0.0))
    assert found["Canton"][0].id == found["Guangzhou"][0].id
    found, _ = _resolve(gazetteer, text, [("Guangzhou", "GPE"), ("Canton", "GPE")],
                        weights=Weights(alternate_name_outweighs=1e9, coherence=0.0, anchor_near=0.0, anchor_far=0.0,
                                        focus_share=0.0, focus_present=0.0, same_entry=0.0))
    assert found["Canton"][0].country == "US"


def test_a_facility_with_no_town_of_its_own_lands_on_the_town_of_its_sentence(gazetteer):
    text = "Fans filled Odense all day. Later Vejle hosted a concert, and the Riverside Arena sold out. Odense slept."
    found, _ = _resolve(gazetteer, text, [("Odense", "GPE"), ("Vejle", "GPE"), ("Riverside Arena", "FAC"), ("Odense", "GPE")])
    arena, _ = found["Riverside Arena"]
    assert _near(arena, 55.71, 9.53, 15), arena  # Vejle, not Odense which the article names twice
