"""Journeys from short texts written here: what the present tense says about order, and where an unknown facility is."""
from __future__ import annotations


def test_a_stadium_after_a_sentence_naming_a_town_is_there_and_a_visit_in_progress_comes_last(run_text):
    text = ("Minister Ana Soto is currently visiting Leipzig. Leipzig has prepared for her visit, and Leipzig police "
            "closed roads.\n\nIn Cologne, she was welcomed by Chancellor Karl Ruiz after she arrived in Germany.\n\n"
            "Soto and Ruiz attended a rally in Vale Verde Stadium.")
    result = run_text(text, dates={"story": "2024-03-04"})
    stadium = next(p for p in result.places if p.name == "Vale Verde Stadium")
    assert abs(stadium.lat - 50.94) < 0.2 and abs(stadium.lon - 6.96) < 0.2  # Cologne, not Leipzig named most
    [route] = [r for r in result.routes if "Soto" in r.subject]
    assert [s.name for s in route.stops] == ["Vale Verde Stadium", "Leipzig"]


def test_the_trip_said_of_no_one_is_of_who_moved_just_before_not_of_the_person_named_most(run_text):
    text = ("Senator Lia Moreno praised the plan. Moreno said the talks matter, and Moreno thanked the hosts. "
            "Governor Rui Tavares flew to Paris on Monday. The trip to Lyon and Marseille will follow on Tuesday.")
    result = run_text(text, dates={"story": "2024-03-04"})
    [route] = [r for r in result.routes if "Tavares" in r.subject]
    assert [s.name for s in route.stops] == ["Paris", "Lyon", "Marseille"]
    assert not [r for r in result.routes if "Moreno" in r.subject]


def test_crowds_gathered_at_a_place_to_greet_a_described_visitor_put_the_visitor_there(run_text):
    # Who the pontiff is comes from the title; the text never says the country the adjective names is his.
    text = ("Pope Lino landed in Chile on Tuesday, hailing his trip to South America.\n\nLarge crowds gathered at "
            "Santiago airport, about 15 kilometres from the centre, to greet the Peruvian pontiff, whose plane touched "
            "down at 2:35 pm local time.\n\nLino will fly to Valparaiso on Friday.")
    result = run_text(text, dates={"story": "2023-01-31"})
    [route] = [r for r in result.routes if "Lino" in r.subject]
    assert any(abs(s.lat + 33.39) < 0.2 and abs(s.lon + 70.79) < 0.2 for s in route.stops)  # the city's airport
