"""Journeys in texts written here: order cues, undated articles, trips, groups, descriptions, wire verbs, labels."""
from __future__ import annotations

import datetime as dt

import pytest
from spacy.tokens import Span

from geo.dates import narrative_offset, resolve_date, text_anchor, year_by_weekday
from geo.entities import fix_entities
from geo.route import Route, Status, Stop, Trip, trip_label

DONE = {"departed", "arrived", "visited", "passed"}


def _routes(result, word):
    return [r for r in result.routes if word.lower() in r.subject.lower()]


def _names(route):
    return [s.name for s in route.stops]


# ---------------------------------------------------------------- dates (item 5)


def test_year_from_weekday_date_agreement():
    assert year_by_weekday(19, 2, 6, 2024) == 2023  # 19 February was a Sunday in 2023
    assert year_by_weekday(14, 3, 1, 2026, latest=2026) == 2023


def test_day_month_dated_by_the_weekday_beside_it_without_an_article_date():
    sentence = "She left on Sunday morning (19 February) for the coast."
    assert resolve_date("19 February", None, False, sentence, 2024) == "2023-02-19"
    assert text_anchor("They met on Tuesday, 14 March, in the capital.", None, dt.date(2026, 1, 1)) == dt.date(2023, 3, 14)


def test_narrative_days_and_relative_expressions():
    assert narrative_offset("the next day") == 1 and narrative_offset("two days later") == 2
    assert narrative_offset("the previous evening") == -1 and narrative_offset("on Monday") is None
    assert resolve_date("three days ago", "2024-05-15", False) == "2024-05-12"


def test_undated_article_dated_by_its_weekday_dates(run_text):
    text = ("President visits Angola\n\n"
            "President Maria Duarte left Lisbon on Sunday morning (19 February) and arrived in Luanda on Monday (20 February). "
            "She flew on to Windhoek on Wednesday (22 February).")
    [route] = _routes(run_text(text), "Duarte")
    assert _names(route) == ["Lisbon", "Luanda", "Windhoek"]
    assert [s.date for s in route.stops] == ["2023-02-19", "2023-02-20", "2023-02-22"]


def test_a_date_of_another_verb_or_of_an_event_noun_does_not_date_the_move(run_text):
    text = ("President Ana Silva arrived in Montevideo on Sunday ahead of a summit with her hosts on Tuesday. "
            "Silva flew on from Montevideo to reach Asunción, where she is to open a trade fair on 14 March.")
    [route] = _routes(run_text(text, dates={"story": "2024-03-10"}), "Silva")
    assert _names(route) == ["Montevideo", "Asunción"]
    assert route.stops[0].date == "2024-03-10" and route.stops[1].date != "2024-03-14"


def test_the_following_day_outranks_the_date_of_the_clause_it_joins(run_text):
    text = "Premier Tomas Novak flew into Debrecen on Thursday and took a train to Szeged the following day."
    [route] = _routes(run_text(text, dates={"story": "2024-05-10"}), "Novak")
    assert [(s.name, s.date) for s in route.stops] == [("Debrecen", "2024-05-09"), ("Szeged", "2024-05-10")]


# ---------------------------------------------------------------- order (item 4)


def test_return_told_first_and_flashback_come_out_in_time_order(run_text):
    text = ("Prime minister home after tour\n\n"
            "Prime Minister Anna Lindqvist returned to Stockholm on Friday after a three-day tour. "
            "She had flown to Oslo on Tuesday and then travelled to Copenhagen.")
    [route] = _routes(run_text(text, dates={"story": "2024-03-16"}), "Lindqvist")
    assert _names(route) == ["Oslo", "Copenhagen", "Stockholm"]


def test_after_clause_happened_before_its_main_clause(run_text):
    text = "Foreign Minister Paul Girard flew to Nice on Thursday evening after visiting Lyon in the morning."
    [route] = _routes(run_text(text, dates={"story": "2024-04-20"}), "Girard")
    assert _names(route) == ["Lyon", "Nice"]


def test_a_final_stop_told_first_comes_last(run_text):
    text = ("Senator Liis Tamm made her final stop of the campaign tour in Tartu. "
            "Senator Liis Tamm travelled from Tallinn to Narva and Viljandi.")
    [route] = _routes(run_text(text, dates={"story": "2024-06-07"}), "Tamm")
    assert _names(route)[0] == "Tallinn" and _names(route)[-1] == "Tartu"  # the cue itself: tests/test_order.py


def test_undated_departure_comes_before_a_dated_arrival(run_text):
    text = ("Minister arrives\n\n"
            "Trade Minister Ewa Nowak arrived in Vilnius on Tuesday. Nowak had set off from Warsaw by car.")
    [route] = _routes(run_text(text, dates={"story": "2024-04-10"}), "Nowak")
    assert _names(route) == ["Warsaw", "Vilnius"]
    assert route.stops[0].status == "departed" and route.stops[1].date == "2024-04-09"


# ---------------------------------------------------------------- trips and subjects (item 6)


def test_two_trips_years_apart_stay_two_trips_when_one_article_is_undated(run_text):
    texts = {"old": "Chancellor Hans Weber arrived in Vienna on Thursday and travelled to Graz on Friday.",
             "new": "Chancellor Hans Weber left Munich on Tuesday (14 March) and arrived in Innsbruck the same day. "
                    "He visited Salzburg on Wednesday (15 March)."}
    routes = _routes(run_text(texts, dates={"old": "2019-05-11"}), "Weber")
    trips = [set(_names(r)) for r in routes]
    assert {"Vienna", "Graz"} in trips
    assert any({"Innsbruck", "Salzburg"} <= t and "Graz" not in t for t in trips)


def test_recap_of_another_persons_journey_is_not_the_subjects(run_text):
    text = ("President Lee Joon arrived in Hanoi on Monday and flew on to Bangkok on Tuesday. "
            "His father made a similar journey in 1998, when he travelled by train to Beijing and then to Ulaanbaatar.")
    routes = _routes(run_text(text, dates={"story": "2024-06-12"}), "Lee Joon")
    assert routes and all(not {"Beijing", "Ulaanbaatar"} & set(_names(r)) for r in routes)
    assert _names(routes[0]) == ["Hanoi", "Bangkok"]


def test_a_city_used_as_an_actor_is_never_a_stop(run_text):
    text = ("Foreign Minister Kenji Sato arrived in Manila on Monday and flew to Jakarta on Tuesday. "
            "Tokyo said the talks had gone well, and Beijing criticised the trip.")
    [route] = _routes(run_text(text, dates={"story": "2024-07-03"}), "Sato")
    assert _names(route) == ["Manila", "Jakarta"]


def test_expected_stop_reported_done_later_becomes_done(run_text):
    texts = {"a": "Prime Minister Ola Berg left Oslo on Wednesday. Berg is expected to visit Reykjavik next week.",
             "b": "Prime Minister Ola Berg arrived in Reykjavik on Tuesday for talks."}
    [route] = _routes(run_text(texts, dates={"a": "2024-05-02", "b": "2024-05-08"}), "Berg")
    assert _names(route)[0] == "Oslo" and _names(route)[1].startswith("Reykjav")
    assert route.stops[1].status == "arrived" and route.stops[1].date == "2024-05-07"


# ---------------------------------------------------------------- travellers (items 7 and 8)


def test_a_delegation_travels_and_is_tied_to_its_head(run_text):
    text = ("Delegation crosses the gulf\n\n"
            "The Finnish trade delegation left Helsinki aboard a ferry on Monday and reached Tallinn in the evening. "
            "Delegation head Mikko Laine told reporters the talks would start on Tuesday.")
    [route] = _routes(run_text(text, dates={"story": "2024-05-15"}), "delegation")
    assert _names(route) == ["Helsinki", "Tallinn"]
    assert "Mikko Laine" in route.subject and all(s.status in DONE for s in route.stops)


def test_evacuees_and_their_ship_are_one_traveller(run_text):
    text = ("Evacuees reach safety\n\n"
            "About 300 evacuees boarded a ship in Latakia on Friday. The ship carrying the evacuees docked in Limassol "
            "on Saturday, and the evacuees travelled on to Larnaca by bus.")
    [route] = _routes(run_text(text, dates={"story": "2024-08-11"}), "evacuee")
    assert _names(route)[1:] == ["Limassol", "Larnaca"]
    assert route.stops[0].lat == pytest.approx(35.5, abs=0.2) and route.stops[0].status == "departed"  # Latakia


def test_a_description_resolves_to_the_person_and_wire_verbs_count(run_text):
    text = ("Nigerian leader in Ghana\n\n"
            "Nigerian President Ahmed Bello left Abuja on Sunday. The plane carrying the Nigerian leader touched down "
            "in Accra on Monday, where Bello got a red carpet welcome. The visiting president jetted to Lome on Tuesday.")
    [route] = _routes(run_text(text, dates={"story": "2024-02-14"}), "Bello")
    assert _names(route) == ["Abuja", "Accra", "Lomé"] or _names(route) == ["Abuja", "Accra", "Lome"]
    assert route.stops[1].date == "2024-02-12"


def test_train_pulled_into_and_set_off(run_text):
    text = ("Prime Minister Viktor Nagy set off from Budapest by train on Friday morning. "
            "His train pulled into Vienna four hours later.")
    [route] = _routes(run_text(text, dates={"story": "2024-10-05"}), "Nagy")
    assert _names(route) == ["Budapest", "Vienna"]


# ---------------------------------------------------------------- mislabelled places (item 9)


def test_a_place_after_a_movement_verb_is_a_place_whatever_the_label(nlp):
    doc = nlp("The minister will fly to Qaanaaq on Monday to meet hunters.")
    town = next(t for t in doc if t.text == "Qaanaaq")
    doc.ents = [Span(doc, town.i, town.i + 1, label="PRODUCT")]
    known = {"qaanaaq"}
    spans = fix_entities(doc, lambda name: False, set(), is_known=lambda name: name.lower() in known)
    assert (town.i, town.i + 1, "GPE") in [(s, e, label) for s, e, label, _ in spans]
    untouched = fix_entities(doc, lambda name: False, set())
    assert (town.i, town.i + 1, "PRODUCT") in [(s, e, label) for s, e, label, _ in untouched]


# ---------------------------------------------------------------- trip label (item 10)


def _stop(name, date):
    return Stop(name.lower(), name, 0.0, 0.0, date, None, Status.ARRIVED, ("stop",), ("a",), ())


@pytest.mark.parametrize("dates,current,label", [
    (("2023-09-10", "2023-09-13"), True, "Bergen → Oslo, 10–13 Sep 2023"),
    (("2024-04-29", "2024-05-02"), True, "Bergen → Oslo, 29 Apr – 2 May 2024"),
    ((None, None), False, "Bergen → Oslo, dates not stated (earlier trip)"),
])
def test_trip_label_names_first_and_last_stop_and_dates(dates, current, label):
    route = Route("X", "person-x", Trip(dates[0], dates[1]),
                  (_stop("Bergen", dates[0]), _stop("Voss", None), _stop("Oslo", dates[1])), (), current)
    assert trip_label(route) == label == route.label


# ---------------------------------------------------------------- vessels, passages, corpus years, datelines


def test_a_named_vessel_travels_and_is_she_later(run_text):
    text = ("Grain ship reaches Arabia\n\n"
            "The bulk carrier Nordic Star left Rotterdam on Monday with 30,000 tonnes of wheat. "
            "The Nordic Star crossed the Suez Canal on Wednesday. She docked in Jeddah on Saturday.")
    [route] = _routes(run_text(text, dates={"story": "2024-03-10"}), "Nordic Star")
    assert _names(route) == ["Rotterdam", "Suez Canal", "Jeddah"]
    assert route.stops[1].status == "passed"


def test_day_month_without_a_year_takes_the_corpus_year(run_text):
    texts = {"dated": "Prime Minister Marta Reyes left Bogota on 4 March for a regional tour.",
             "undated": "Prime Minister Marta Reyes arrived in Quito on 5 March and flew on to Lima on 7 March."}
    [route] = _routes(run_text(texts, dates={"dated": "2024-03-06"}), "Reyes")
    assert [(s.name, s.date) for s in route.stops] == [("Bogotá", "2024-03-04"), ("Quito", "2024-03-05"), ("Lima", "2024-03-07")]


def test_an_unplaceable_airport_lands_in_the_dateline_city(run_text):
    text = ("President back from Ethiopia\n\n"
            "NAIROBI, Kenya – President Samuel Otieno arrived at the airport on Tuesday after flying in from Addis Ababa.")
    [route] = _routes(run_text(text, dates={"story": "2024-05-22"}), "Otieno")
    assert _names(route) == ["Addis Ababa", "Nairobi"]


def test_travellers_named_together_share_the_journey(run_text):
    text = "Chancellor Karl Huber and Prime Minister Jana Novak arrived in Zagreb on Friday after travelling from Ljubljana."
    result = run_text(text, dates={"story": "2024-09-14"})
    for name in ("Huber", "Novak"):
        [route] = _routes(result, name)
        assert _names(route) == ["Ljubljana", "Zagreb"]


def test_a_short_name_after_a_title_joins_the_full_name_with_that_title(run_text):
    text = ("US President Walter Grant and First Lady Helen Grant landed in Manila on Monday. "
            "President Grant then flew to Hanoi, while Mrs Grant stayed in Manila.")
    result = run_text(text, dates={"story": "2024-11-06"})
    [route] = _routes(result, "Walter Grant")
    assert _names(route) == ["Manila", "Hanoi"]


def test_one_stop_reached_by_a_journey_is_a_route_and_nearby_towns_stay_apart(run_text):
    result = run_text("Foreign Minister Lea Weiss arrived in Kyiv on Thursday. She will visit Brovary on Friday.",
                      dates={"story": "2024-04-12"})
    [route] = _routes(result, "Weiss")
    assert _names(route) == ["Kyiv", "Brovary"] and route.stops[1].status == "expected"
    alone = run_text("Foreign Minister Lea Weiss arrived in Vilnius on Thursday for talks.", dates={"story": "2024-04-12"})
    [single] = _routes(alone, "Weiss")
    assert _names(single) == ["Vilnius"]


def test_a_lede_in_the_present_perfect_is_the_latest_stop(run_text):
    text = ("Minister in Tallinn\n\n"
            "Foreign Minister Jonas Berg has arrived in Tallinn for talks. "
            "Berg left Stockholm on Monday and stopped in Mariehamn overnight.")
    [route] = _routes(run_text(text, dates={"story": "2024-10-09"}), "Berg")
    assert _names(route) == ["Stockholm", "Mariehamn", "Tallinn"]


def test_what_one_article_expects_comes_after_what_another_reports(run_text):
    texts = {"a": "Prime Minister Ana Ruiz flew from Madrid to Rabat on Monday. She will travel to Dakar next week.",
             "b": "Ana Ruiz toured Rabat and then drove to Casablanca."}
    [route] = _routes(run_text(texts, dates={"a": "2024-06-04", "b": "2024-06-05"}), "Ruiz")
    names = _names(route)
    assert names[:3] == ["Madrid", "Rabat", "Casablanca"] and names[-1] == "Dakar"


def test_a_region_is_a_stop_only_when_nothing_finer_is_near(run_text):
    alone = run_text("President Tomas Lind left Helsinki on Monday and arrived in Lapland on Tuesday.", dates={"story": "2024-02-08"})
    [route] = _routes(alone, "Lind")
    assert _names(route) == ["Helsinki", "Lapland"]
    finer = run_text("President Tomas Lind left Helsinki on Monday and arrived in Rovaniemi in Lapland on Tuesday. "
                     "He will travel on to Lapland's ski resorts.", dates={"story": "2024-02-08"})
    [route] = _routes(finer, "Lind")
    assert _names(route) == ["Helsinki", "Rovaniemi"]


def test_route_on_the_vehicle_and_nationals_as_a_group(run_text):
    text = ("Evacuation by rail\n\n"
            "Hundreds of Canadians were evacuated from Lviv on Sunday. The Canadians travelled on a special train "
            "from Lviv to Przemysl and were flown on to Warsaw.")
    [route] = _routes(run_text(text, dates={"story": "2022-03-01"}), "Canadians")
    assert _names(route)[:2] == ["Lviv", "Przemyśl"] or _names(route)[:2] == ["Lviv", "Przemysl"]
    assert _names(route)[-1] == "Warsaw"


def test_places_two_phrases_deep_journey_began_and_showed_up(run_text):
    text = ("Minister in Sri Lanka\n\n"
            "Foreign Minister Ravi Menon landed at the VIP lounge of the main airport in Colombo on Monday. "
            "His journey had begun at Chennai. Menon then showed up at a summit in Male on Tuesday.")
    [route] = _routes(run_text(text, dates={"story": "2024-07-17"}), "Menon")
    assert _names(route) == ["Chennai", "Colombo", "Malé"] or _names(route) == ["Chennai", "Colombo", "Male"]
    assert route.stops[0].status == "departed"


def test_a_name_ending_in_a_facility_head_is_a_facility_whatever_the_label(nlp):
    doc = nlp("The charter landed at Dag Varne International Airport after midnight.")
    start = next(t.i for t in doc if t.text == "Dag")
    doc.ents = [Span(doc, start, start + 4, label="PERSON")]
    spans = fix_entities(doc, lambda name: False, set())
    assert (start, start + 4, "FAC") in [(s, e, label) for s, e, label, _ in spans]


def test_a_small_name_and_its_head_noun_the_gazetteer_knows_together(nlp):
    doc = nlp("His plane touched down at Kastrup airport on Sunday.")
    name = next(t for t in doc if t.text == "Kastrup")
    doc.ents = [Span(doc, name.i, name.i + 1, label="PERSON")]
    known = {"kastrup airport"}
    spans = fix_entities(doc, lambda name: False, set(), is_known=lambda name: name.lower() in known)
    assert (name.i, name.i + 2, "FAC") in [(s, e, label) for s, e, label, _ in spans]


def test_after_a_movement_verb_a_large_city_outranks_the_region_of_its_name(nlp, gazetteer):
    from geo.articles import article_from_text
    from geo.disambiguate import Weights
    from geo.entities import Entity
    from geo.gazetteer import normalize
    from geo.geocode import resolve_article

    article = article_from_text("t", "t.txt", "The Belgian premier flew to Quebec on Monday for talks on trade.")
    doc = nlp(article.text)
    start = article.text.index("Quebec")
    raw_start, raw_end = article.raw_span(start, start + 6)
    ents = [Entity(article.id, "GPE", "Quebec", normalize("Quebec"), start, start + 6, raw_start, raw_end, 0, len(article.text))]
    [(_, city, _, _)] = resolve_article(article, doc, ents, gazetteer)[0]
    assert city.feature == "city" and abs(city.lat - 46.8) < 0.3, city
    [(_, region, _, _)] = resolve_article(article, doc, ents, gazetteer, weights=Weights(destination_city=0.0))[0]
    assert region.feature == "region", region  # without the rule the province of that name


def test_an_untagged_name_ending_in_a_facility_head_after_a_preposition_is_a_facility(nlp):
    doc = nlp("The open-air service was held at the Kallax Air Base near the coast.")
    doc.ents = []
    spans = fix_entities(doc, lambda name: False, set())
    start = next(t.i for t in doc if t.text == "Kallax")
    assert (start, start + 3, "FAC") in [(s, e, label) for s, e, label, _ in spans]


def test_the_object_of_a_travel_verb_is_where_one_travels(nlp):
    from geo.entities import travel_place

    doc = nlp("The convoy reached Tromso at dusk, and the officials hit Bergen hard in a speech.")
    assert travel_place(doc, next(t.i for t in doc if t.text == "Tromso"))
    assert not travel_place(doc, next(t.i for t in doc if t.text == "Bergen"))


def test_a_lone_name_in_a_list_of_places_is_a_place(nlp):
    doc = nlp("The senator held rallies in Ottumwa, Oskaloosa and Knoxville on Monday.")
    i = {t.text: t.i for t in doc}
    doc.ents = [Span(doc, i["Ottumwa"], i["Ottumwa"] + 1, label="GPE"), Span(doc, i["Oskaloosa"], i["Oskaloosa"] + 1, label="GPE"),
                Span(doc, i["Knoxville"], i["Knoxville"] + 1, label="PERSON")]
    known = {"ottumwa", "oskaloosa", "knoxville"}
    spans = fix_entities(doc, lambda name: False, set(), is_known=lambda name: name.lower() in known)
    assert (i["Knoxville"], i["Knoxville"] + 1, "GPE") in [(s, e, label) for s, e, label, _ in spans]


def test_capitalised_words_before_a_place_that_make_a_longer_place_name(nlp):
    doc = nlp("Floods cut roads across Upper Glenmoor Vale this week.")
    i = {t.text: t.i for t in doc}
    doc.ents = [Span(doc, i["Vale"], i["Vale"] + 1, label="GPE")]
    spans = fix_entities(doc, lambda name: name.lower() == "upper glenmoor vale", set())
    assert (i["Upper"], i["Vale"] + 1, "GPE") in [(s, e, label) for s, e, label, _ in spans]


def test_places_a_visit_spans_or_includes_are_its_stops(run_text):
    text = "Pope Leo arrived in Brasilia on Tuesday for a five-day visit that spans Brasilia, Sao Paulo and Recife."
    route = _routes(run_text(text), "Leo")[0]
    assert _names(route)[0] == "Brasília" and "Recife" in _names(route)
    assert route.stops[-1].status == "expected"  # the programme, not yet done
    done = _routes(run_text("Pope Leo flew home on Monday after a visit that spanned Salvador and Recife."), "Leo")[0]
    assert {"Salvador", "Recife"} <= set(_names(done)) and {s.status for s in done.stops if s.name == "Recife"} == {"visited"}


def test_a_trip_said_of_no_one_continues_the_journey_told_just_before(run_text):
    text = ("Pope Leo landed in Lusaka on Tuesday. The tour of the region includes a trip on Thursday to Lilongwe.")
    route = _routes(run_text(text, dates={"story": "2024-03-04"}), "Leo")[0]
    assert _names(route) == ["Lusaka", "Lilongwe"] and route.stops[-1].status == "expected"
    other = run_text("Pope Leo landed in Lusaka on Tuesday. A trip by students to Lilongwe was cancelled last year.")
    assert "Lilongwe" not in _names(_routes(other, "Leo")[0])


def test_a_subject_whose_apposition_names_an_aircraft_travels_as_that_aircraft(run_text):
    text = ("A plane carrying 150 Canadian evacuees left Kathmandu on Monday and landed in Delhi. "
            "The airline, a chartered Airbus A330, then took off for Toronto Pearson airport.")
    [route] = _routes(run_text(text, dates={"story": "2015-05-04"}), "evacuees")
    assert _names(route)[:2] == ["Kathmandu", "Delhi"] and "Toronto" in _names(route)[-1]


def test_evacuees_transitioned_to_a_camp_move_there(run_text):
    text = ("Two flights with Haitian evacuees reached Miami on Tuesday, officials said, and the evacuees will then be "
            "transitioned to Fort Dix in New Jersey.")
    [route] = _routes(run_text(text, dates={"story": "2010-01-20"}), "evacuees")
    assert _names(route) == ["Miami", "Fort Dix"] and route.stops[-1].status == "expected"


def test_pairs_of_towns_in_one_tour_sentence_are_all_stops_in_text_order(run_text):
    text = ("A rally in Omaha closed the three-day Nebraska tour, which carried the group from Scottsbluff to Kearney, "
            "North Platte to Lincoln and Fremont to Omaha.")
    [route] = _routes(run_text(text, dates={"story": "2020-10-20"}), "group")
    names = _names(route)
    assert [n for n in names if n != "North Platte"] == ["Scottsbluff", "Kearney", "Lincoln", "Fremont", "Omaha"]


def test_a_landmark_is_never_a_small_namesake_town_abroad_of_a_word_in_its_name(run_text):
    # "Sagrada" is a small town in the Philippines; the landmark is in Kenya, whose towns the story names.
    text = ("Philippine President Rosa Lim arrived at the Sagrada Kenyatta on Monday, on her visit to Kenya. "
            "She later flew to Kisumu and Mombasa.")
    result = run_text(text, dates={"story": "2024-05-08"})
    landmark = [p for p in result.places if any(m.text == "Sagrada Kenyatta" for m in p.mentions)]
    assert all(p.country == "KE" for p in landmark)
    assert {p.name for p in result.places} >= {"Kisumu", "Mombasa"}
    assert not any(s.name == "Sagrada" for r in result.routes for s in r.stops)


def test_a_tour_starting_with_a_town_has_that_town_as_its_next_stop(run_text):
    text = ("Cardinal Paolo Rossi will arrive in Lisbon on 12 May to say an open-air mass. He will then tour Spain, "
            "starting with Madrid, then Barcelona, and end the tour in Valencia.")
    [route] = _routes(run_text(text, dates={"story": "2024-05-08"}), "Rossi")
    assert _names(route)[:2] == ["Lisbon", "Madrid"]
    assert all(s.status == "expected" for s in route.stops)
