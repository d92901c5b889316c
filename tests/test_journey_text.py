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
    text = ("Pope Lino landed in Uruguay on Tuesday for his first visit as pope.\n\nThousands of families gathered at "
            "Montevideo airport in the rain to greet the Peruvian pontiff, who waved from the steps of the aircraft."
            "\n\nLino will fly to Salto on Friday.")
    result = run_text(text, dates={"story": "2023-01-31"})
    [route] = [r for r in result.routes if "Lino" in r.subject]
    assert any(abs(s.lat + 34.84) < 0.06 and abs(s.lon + 56.03) < 0.06 for s in route.stops)  # the city's airport


def test_a_leader_who_investigated_a_town_and_a_capital_named_by_apposition_was_at_both(run_text):
    text = ("President Lars Holm flew to Oslo on Monday. During the visit, Holm also investigated Bergen and the "
            "regional capital Trondheim, as well as key projects.")
    result = run_text(text, dates={"story": "2024-03-05"})
    [route] = [r for r in result.routes if "Holm" in r.subject]
    assert [(s.name, s.status) for s in route.stops] == [("Oslo", "arrived"), ("Trondheim", "visited")]
