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
