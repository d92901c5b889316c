"""Who travels, in texts written here: ships named by description, groups by their fullest name, aircraft by name."""
from __future__ import annotations


def _routes(result, word):
    return [r for r in result.routes if word.lower() in r.subject.lower()]


def _names(route):
    return [s.name for s in route.stops]


def test_a_ship_named_only_by_apposition_or_flag_travels(run_text):
    text = ("Fuel tanker reaches Greece\n\n"
            "Ocean Pearl, the first fuel tanker to leave the port since March, sailed from Constanta on Monday. "
            "On Wednesday the Liberia-flagged Ocean Pearl crossed the Bosphorus and the Dardanelles. "
            "Ocean Pearl docked in Piraeus on Friday.")
    [route] = _routes(run_text(text, dates={"story": "2024-04-20"}), "Ocean Pearl")
    names = _names(route)
    assert names[0] == "Constanța" or names[0] == "Constanta"
    assert names[-1] == "Piraeus" and "Bosphorus" in names
    assert len(names) == 4  # both straits of one "crossed X and Y" are passed


def test_a_group_goes_by_its_full_name_and_counted_groups_are_the_group(run_text):
    text = ("Evacuees reach Lima\n\n"
            "The first groups of Chilean evacuees arrived in Lima on Sunday after leaving Caracas on Saturday. "
            "A high-level government delegation left Quito on Monday and arrived in Bogota on Tuesday.")
    result = run_text(text, dates={"story": "2024-05-06"})
    [evacuees] = _routes(result, "Chilean evacuees")
    assert _names(evacuees) == ["Caracas", "Lima"]
    [delegation] = _routes(result, "high-level government delegation")
    assert _names(delegation) == ["Quito", "Bogotá"] or _names(delegation) == ["Quito", "Bogota"]


def test_a_country_owning_a_facility_is_not_where_it_is(run_text):
    text = ("Prime Minister Ines Moreau landed at the French air base in Niamey on Monday. "
            "Moreau then flew to Bamako on Tuesday.")
    [route] = _routes(run_text(text, dates={"story": "2024-03-06"}), "Moreau")
    assert _names(route) == ["Niamey", "Bamako"]


def test_an_aircraft_called_by_its_name_carries_the_person_followed(run_text):
    text = ("President in Panama\n\n"
            "President Elena Vargas left Cartagena on Sunday for a two-day visit. "
            "Condor One landed in Panama City on Sunday evening, where Vargas was greeted by the foreign minister.")
    [route] = _routes(run_text(text, dates={"story": "2024-08-12"}), "Vargas")
    assert _names(route) == ["Cartagena", "Panama City"]
