"""Claims side by side: agreement groups, conflicts, and checks of distances and travel times against the map."""
from __future__ import annotations

import csv
import io
import re

import pytest

import spacy

from geo.claims import _times_agree, build_claims, check_distance, check_duration
from geo.facts import Fact, Place, _number_value
from geo.export import claims_csv, quotes_csv, to_json

PARIS = Place("p:paris", "Paris", 48.857, 2.352)
LYON = Place("p:lyon", "Lyon", 45.764, 4.836)  # about 392 km apart on the great circle


def _distance_fact(article: str, value: str, km: float, bound: str = "exactly") -> Fact:
    return Fact(article, "distance", ("distance", LYON.id, PARIS.id), "Lyon – Paris", value, km, bound, (LYON, PARIS),
                f"Lyon is {value} from Paris.", 0, 10)


def test_a_distance_near_the_great_circle_is_supported():
    assert check_distance(400, "exactly", PARIS, LYON).startswith("supported: the straight-line")


def test_a_distance_a_land_route_could_explain_is_consistent_not_wrong():
    verdict = check_distance(465, "exactly", PARIS, LYON)  # the rail line is longer than the straight line
    assert verdict.startswith("consistent with a route by land") and "392 km" in verdict


def test_a_distance_far_below_the_great_circle_is_not_supported():
    assert check_distance(250, "about", PARIS, LYON).startswith("not supported: shorter than the straight line")


def test_a_distance_far_beyond_any_land_route_is_not_supported():
    assert check_distance(900, "exactly", PARIS, LYON).startswith("not supported: longer than a land route")


def test_an_upper_bound_holds_when_the_great_circle_is_within_it():
    assert check_distance(500, "at most", PARIS, LYON).startswith("supported")
    assert check_distance(200, "at most", PARIS, LYON).startswith("not supported")


def test_a_travel_time_against_the_dates_of_two_stops():
    assert check_duration(30, "exactly", ("2024-05-03", "2024-05-05")).startswith("consistent with the stop dates")
    assert check_duration(5, "exactly", ("2024-05-03", "2024-05-06")).startswith("not supported by the stop dates")
    assert check_duration(60, "at least", ("2024-05-03", "2024-05-05")).startswith("consistent")


def test_sources_that_agree_share_a_group_and_a_differing_number_is_a_conflict():
    facts = [_distance_fact("a", "about 460 km", 460, "about"), _distance_fact("b", "470 km", 470),
             _distance_fact("c", "250 km", 250)]
    (claim,) = build_claims(facts, [], [])
    assert [r.group for r in claim.rows] == [0, 0, 1] and claim.conflict
    assert claim.rows[0].check.startswith("consistent with a route by land") and claim.rows[2].check.startswith("not supported")


def test_one_source_stating_a_distance_is_kept_for_its_check_and_one_meeting_source_is_not():
    meeting = Fact("a", "meeting", ("meeting", "p1", "p2", ""), "A – B", "met", None, "exactly", (), "A met B.", 0, 8)
    claims = build_claims([_distance_fact("a", "465 km", 465), meeting], [], [])
    assert [c.kind for c in claims] == ["distance"]


def test_meetings_conflict_only_when_a_source_denies_one():
    def meeting(article, value):
        return Fact(article, "meeting", ("meeting", "p1", "p2", ""), "A – B", value, None, "exactly", (), "s", 0, 1)

    (agreed,) = build_claims([meeting("a", "will meet"), meeting("b", "may meet"), meeting("c", "met")], [], [])
    assert not agreed.conflict and [r.group for r in agreed.rows] == [0, 0, 1]
    (denied,) = build_claims([meeting("a", "met"), meeting("b", "did not meet")], [], [])
    assert denied.conflict


@pytest.fixture(scope="module")
def blank():
    """A tokenizer-only English pipeline, made once: each spacy.blank call loads the language data again."""
    return spacy.blank("en")


@pytest.mark.parametrize("text, value", [("1,200", 1200), ("1.5 million", 1_500_000), ("two hundred", 200), ("forty", 40),
                                         ("3 thousand", 3000), ("dozen", 12)])
def test_numbers_written_in_digits_and_words(blank, text, value):
    assert _number_value(blank(text)) == value


@pytest.mark.parametrize("a, b, agree", [("09:30", "09:30 (UTC+09:00)", True), ("09:30", "10:00", False), ("morning", "09:30", True),
                                         ("evening", "09:30", False), ("night", "01:00", True), ("afternoon", "evening", True)])
def test_stated_times_of_day_agree_by_the_hours_they_cover(a, b, agree):
    assert _times_agree(a, b) is agree and _times_agree(b, a) is agree


def test_a_word_that_is_not_a_number_gives_no_count(blank):
    assert _number_value(blank("several")) is None


def test_exact_counts_must_be_equal_but_a_bounded_one_agrees_within_ten_percent():
    def count(article, value, amount, bound="exactly"):
        return Fact(article, "count", ("count", "passenger", ""), "number of passengers", value, amount, bound, (), "s", 0, 1)

    (claim,) = build_claims([count("a", "312 passengers", 312), count("b", "about 300 passengers", 300, "about"),
                             count("c", "310 passengers", 310)], [], [])
    assert [r.group for r in claim.rows] == [0, 0, 1] and claim.conflict


# ---------------------------------------------------------------- from texts written here (model, full gazetteer)


def test_counts_several_sources_state_are_lined_up(run_text):
    r = run_text({"one": "The ferry carried 312 passengers and 40 crew when it left the port. Two people were injured in the crush.\n",
                  "two": "There were 298 passengers aboard the ferry, officials said. Three people were injured.\n",
                  "three": "About 300 passengers were on board, with the two countries' flags on the mast.\n"})
    counts = {c.subject: c for c in r.claims if c.kind == "count"}
    passengers = counts["number of passengers"]
    assert {r.labels()[row.article]: row.value for row in passengers.rows} == {"one": "312 passengers", "two": "298 passengers",
                                                                   "three": "About 300 passengers"}
    assert passengers.conflict
    assert counts["number of people (injure)"].conflict  # "two" against "three" injured
    assert not any("countries" in subject for subject in counts)  # "the two countries" refers to them, it does not count them


def test_stated_distances_between_resolved_places_are_checked(run_text):
    r = run_text({"one": "The convoy left Madrid for Barcelona, about 620 km away by road, on Monday.\n",
                  "two": "The convoy reached Barcelona, 300 km from Madrid, on Tuesday.\n"})
    claims = [c for c in r.claims if c.kind == "distance"]
    assert len(claims) == 1 and claims[0].conflict
    checks = {r.labels()[row.article]: row.check for row in claims[0].rows}
    assert checks["one"].startswith("consistent with a route by land")
    assert checks["two"].startswith("not supported: shorter than the straight line")


def test_who_met_whom_across_sources(run_text):
    r = run_text({"one": "Prime Minister Lars Dahl met President Ana Costa in Lisbon on Monday.\n",
                  "two": "Prime Minister Lars Dahl held talks with President Ana Costa in Lisbon.\n",
                  "three": "Prime Minister Lars Dahl did not meet President Ana Costa in Lisbon.\n"})
    (claim,) = [c for c in r.claims if c.kind == "meeting"]
    assert {r.labels()[row.article]: row.value for row in claim.rows} == {"one": "met", "two": "met", "three": "did not meet"}
    assert claim.conflict and "Lars Dahl" in claim.subject and "Ana Costa" in claim.subject


def test_a_stop_date_two_outlets_disagree_on_is_a_conflict(run_text):
    r = run_text({"one": "Foreign Minister Ines Moreau arrived in Dakar on 3 May 2024 and flew to Bamako on 5 May 2024.\n",
                  "two": "Foreign Minister Ines Moreau arrived in Dakar on 4 May 2024 before flying to Bamako on 5 May 2024.\n"},
                 dates={"one": "2024-05-06", "two": "2024-05-06"})
    dates = [c for c in r.claims if c.kind == "stop date" and "Dakar" in c.subject]
    assert len(dates) == 1 and dates[0].conflict
    assert sorted(row.value for row in dates[0].rows) == ["2024-05-03", "2024-05-04"]


def test_a_stop_time_two_outlets_disagree_on_is_a_conflict(run_text):
    r = run_text({"one": "Foreign Minister Ines Moreau arrived in Dakar at 09:30 on 3 May 2024.\n",
                  "two": "Foreign Minister Ines Moreau arrived in Dakar on Friday evening, 3 May 2024.\n",
                  "three": "Foreign Minister Ines Moreau arrived in Dakar at 09:30 on 3 May 2024, officials said.\n"},
                 dates={"one": "2024-05-06", "two": "2024-05-06", "three": "2024-05-06"})
    (times,) = [c for c in r.claims if c.kind == "stop time" and "Dakar" in c.subject]
    assert {r.labels()[row.article]: row.value for row in times.rows} == {"one": "09:30", "two": "evening", "three": "09:30"}
    assert times.conflict and len({row.group for row in times.rows}) == 2


# ---------------------------------------------------------------- seeds (model, full gazetteer)


def test_seed_distance_claims_are_checked_against_the_great_circle(seed_analysis, gold):
    for item in gold["claims_to_check"]:
        rows = [r for c in seed_analysis.claims if c.kind == "distance" and item["from"].lower() in c.subject.lower()
                for r in c.rows if seed_analysis.labels()[r.article].startswith(item["article"])]
        assert len(rows) == 1, seed_analysis.claims
        great = float(re.search(r"great-circle ([\d,]+) km", rows[0].check).group(1).replace(",", ""))
        assert great == pytest.approx(1010, abs=30)
        assert rows[0].check.startswith("consistent with a route by land")  # more than the straight line, as by rail


def test_quotes_and_claims_in_the_json_and_csv_exports(seed_analysis):
    doc = to_json(seed_analysis)
    assert len(doc["quotes"]) == len(seed_analysis.quotes) > 0
    raw = {a.id: a.raw for a in seed_analysis.articles}
    assert all(raw[q["article"]][q["raw_start"]:q["raw_end"]].startswith(q["text"][:10]) for q in doc["quotes"])
    assert any(len(s["articles"]) > 1 for s in doc["shared_quotes"])
    assert [c["key"] for c in doc["claims"]] == [c.key for c in seed_analysis.claims]
    quotes = list(csv.DictReader(io.StringIO(quotes_csv(seed_analysis))))
    assert len(quotes) == len(seed_analysis.quotes) and {q["kind"] for q in quotes} == {"direct", "reported"}
    claims = list(csv.DictReader(io.StringIO(claims_csv(seed_analysis))))
    assert len(claims) == sum(len(c.rows) for c in seed_analysis.claims)
    assert any(row["check"].startswith("consistent with a route by land") for row in claims)
