"""The journeys scorer: its arithmetic and matching on a tiny gold written here, --check, and one run through the pipeline."""
from __future__ import annotations

import hashlib
import json

import pytest

from geo.bench_routes import PredictedStop, RoutesReport, place_miss, place_right, predicted_stops, run_routes, score_excerpt, traveller_matches
from geo.journey_gold import GoldExcerpt, GoldPlace, GoldStop, Traveller, check_copies, parse_gold
from geo.route import Trip
from geo.errors import GeoError


# Places of an invented journey; coordinates are the real towns'.
LYON = GoldPlace("Lyon", ("Lyon",), 45.764, 4.836)
TURIN = GoldPlace("Turin", ("Turin",), 45.070, 7.687)
GENOA_PORT = GoldPlace("Port of Genoa", ("port of Genoa", "Genoa"), 44.405, 8.910)
TUSCANY = GoldPlace("Tuscany", ("Tuscany",), 43.35, 11.0, "region", 120.0)
ONTARIO = GoldPlace("Ontario", ("Ontario",), 50.0, -86.0, "region", 800.0)
ITALY = GoldPlace("Italy", ("Italy",), 42.8, 12.5, "country", 600.0)


def _excerpt(stops, places=(LYON, TURIN, GENOA_PORT, TUSCANY, ITALY)) -> GoldExcerpt:
    return GoldExcerpt("a1", "j1", "", "", "0" * 64, "2031-05-02", tuple(places), tuple(stops))


def _pred(name, lat, lon, status="arrived", date=None) -> PredictedStop:
    return PredictedStop(name, lat, lon, status, date)


def test_recall_precision_order_dates_and_status_of_one_article():
    gold = _excerpt([GoldStop(LYON, "departed", "2031-05-01"), GoldStop(TURIN, "arrived", "2031-05-01"),
                     GoldStop(GENOA_PORT, "expected", "2031-05-03")])
    preds = [_pred("Lyon", 45.76, 4.84, "departed", "2031-05-01"), _pred("Turin", 45.10, 7.70, "arrived", "2031-05-02"),
             _pred("Genoa", 44.41, 8.93, "arrived", None), _pred("Madrid", 40.42, -3.70, "arrived", None)]
    s = score_excerpt(gold, "person", preds, [])
    assert (s.gold_done, s.found_done) == (2, 2)  # the expected Genoa stop is not in the recall denominator
    assert (s.predicted, s.predicted_right) == (4, 3)  # Madrid matches no gold stop
    assert s.in_order and (s.concordant, s.discordant) == (3, 0)
    assert (s.dated, s.dated_right) == (3, 1)  # Turin's date is a day off, Genoa has none
    assert (s.statused, s.status_right) == (3, 2)  # Genoa came out done, the gold says expected
    assert s.missed == ()


def test_an_article_with_legs_swapped_is_not_in_order_and_a_missing_stop_breaks_full_order():
    gold = _excerpt([GoldStop(LYON, "departed", None), GoldStop(TURIN, "arrived", None), GoldStop(GENOA_PORT, "arrived", None)])
    swapped = [_pred("Turin", 45.07, 7.69), _pred("Lyon", 45.76, 4.84), _pred("Genoa", 44.40, 8.91)]
    s = score_excerpt(gold, "person", swapped, [])
    assert not s.in_order and (s.concordant, s.discordant) == (2, 1)
    partial = score_excerpt(gold, "person", [_pred("Lyon", 45.76, 4.84), _pred("Genoa", 44.40, 8.91)], [])
    assert not partial.in_order and partial.discordant == 0 and partial.missed == ("Turin",)
    report = RoutesReport([s, partial])
    assert report.kendall_tau == pytest.approx(((2 - 1) / 3 + 1.0) / 2)
    assert report.recall == pytest.approx(5 / 6) and report.in_order == 0
    assert "  j1: stops 5/6, in order 0/2, places 0/8" in report.table().splitlines()  # no mention was resolved
    # Ordering apart from recall: the swapped article has every stop, the partial one does not.
    assert (s.all_found, partial.all_found) == (True, False) and (report.all_found, report.in_order_when_found) == (1, 0)
    assert "  in order among articles whose stops were all found 0/1  (0%)" in report.table().splitlines()
    assert "NOT in order (1 pairs swapped)" in report.table()


def test_a_stop_expected_here_but_done_elsewhere_in_the_journey_is_judged_done_for_status():
    gold = _excerpt([GoldStop(TURIN, "arrived", None), GoldStop(GENOA_PORT, "expected", None)])
    preds = [_pred("Turin", 45.07, 7.69), _pred("Genoa", 44.41, 8.93, "arrived")]
    assert score_excerpt(gold, "vessel", preds, []).status_right == 1  # this article alone says Genoa is still ahead
    later = GoldPlace("Genoa harbour", ("Genoa",), 44.41, 8.92)
    s = score_excerpt(gold, "vessel", preds, [], journey_done=[later])
    assert s.status_right == 2 and s.gold_done == 1  # recall still counts this article's own done stops only


def test_stop_tolerance_is_50_km_or_the_region_size():
    gold = _excerpt([GoldStop(TURIN, "arrived", None), GoldStop(TUSCANY, "visited", None)])
    asti = _pred("Asti", 44.90, 8.21)  # 46 km from Turin
    novara = _pred("Novara", 45.45, 8.62)  # 83 km from Turin
    florence = _pred("Florence", 43.77, 11.25)  # inside Tuscany's 120 km, 52 km from its centre
    assert score_excerpt(gold, "group", [asti, florence], []).found_done == 2
    s = score_excerpt(gold, "group", [novara, florence], [])
    assert s.found_done == 1 and s.predicted_right == 1 and s.missed == ("Turin",)


def test_place_accuracy_judges_points_at_161_km_regions_at_their_size_and_skips_countries():
    assert place_right(TURIN, [("Turin", 45.07, 7.69)])
    assert not place_right(TURIN, [("Turin", 35.0, -80.0)])  # a namesake across the ocean
    assert not place_right(TURIN, [("Milan", 45.46, 9.19)])  # another place's mention does not count
    assert place_right(GENOA_PORT, [("the port of Genoa", 44.41, 8.93)])  # surface form inside a longer mention
    assert place_right(ONTARIO, [("Ontario", 46.0, -82.0)])  # about 530 km away: within the province's radius
    assert not place_right(ONTARIO, [("Ontario", 40.0, -75.0)])
    assert not place_right(TUSCANY, [("Tuscany", 41.9, 12.5)])  # a smaller region is judged at 161 km
    gold = _excerpt([], places=(TURIN, ITALY))
    s = score_excerpt(gold, "person", [], [("Turin", 45.07, 7.69), ("Italy", 10.0, 10.0)])
    assert (s.places, s.places_right) == (1, 1)  # the country is not scored


def test_missed_places_say_which_mention_chose_which_place_and_how_far():
    assert place_miss(TURIN, [("Turin", 45.07, 7.69, "Turin")]) is None
    assert place_miss(TURIN, [("Turin", 35.0, -80.0, "Turin, NC")]).startswith("Turin: 'Turin' -> Turin, NC at ")
    assert place_miss(TURIN, [("Milan", 45.46, 9.19, "Milan")]) == "Turin: no mention"
    gold = _excerpt([], places=(TURIN, ITALY))
    s = score_excerpt(gold, "person", [], [("Turin", 35.0, -80.0, "Turin, NC")])
    assert len(s.missed_places) == 1 and "Turin, NC" in s.missed_places[0]
    assert "Turin, NC" in RoutesReport([s]).missed_places_table()


def test_travellers_are_matched_by_listed_forms_and_multi_word_names_only():
    t = Traveller("Lena Varga", ("Varga", "President Varga"), ("the visiting president",), "person")
    assert traveller_matches("Lena Varga", t) and traveller_matches("Varga", t) and traveller_matches("the visiting president", t)
    assert traveller_matches("Hungarian President Lena Varga", t)
    assert traveller_matches("Várga’s", t)  # diacritics and a curly possessive are normalised away
    assert not traveller_matches("Mark Varga", t)  # a relative carrying the single-word alias is someone else
    assert not traveller_matches("the president", t)
    group = Traveller("the trade delegation", ("delegation",), (), "group")
    assert traveller_matches("The trade delegation", group) and traveller_matches("delegation", group)


class _Stop:
    def __init__(self, name, lat, lon, articles):
        self.name, self.lat, self.lon, self.status, self.date, self.articles = name, lat, lon, "arrived", None, articles


class _Route:
    def __init__(self, subject, start, stops):
        self.subject, self.trip, self.stops = subject, Trip(start), stops


def test_predicted_stops_are_the_travellers_stops_with_evidence_from_the_article_in_trip_order():
    later = _Route("Varga", "2031-06-01", [_Stop("Oslo", 59.9, 10.7, ["b"]), _Stop("Bergen", 60.4, 5.3, ["a"])])
    earlier = _Route("Lena Varga", "2031-05-01", [_Stop("Lyon", 45.8, 4.8, ["a", "b"])])
    other = _Route("Mark Varga", "2031-05-01", [_Stop("Turin", 45.1, 7.7, ["a"])])
    t = Traveller("Lena Varga", ("Varga",))
    assert [s.name for s in predicted_stops([later, other, earlier], t, "a")] == ["Lyon", "Bergen"]


def _gold_json(sha: dict[str, str]) -> dict:
    return {"journeys": [{"id": "j1", "traveller": {"name": "Lena Varga", "aliases": ["Varga"], "kind": "person"}}],
            "excerpts": [{"id": name, "journey": "j1", "url": f"https://example.org/{name}", "query": "varga lyon turin",
                          "sha256": digest, "date": "2031-05-02",
                          "places": [{"name": "Lyon", "lat": 45.764, "lon": 4.836}, {"name": "Turin", "lat": 45.070, "lon": 7.687}],
                          "stops": [{"place": "Lyon", "status": "departed", "date": "2031-05-01"},
                                    {"place": "Turin", "status": "arrived", "date": "2031-05-01"}]}
                         for name, digest in sha.items()]}


TEXT_A = ("Varga reaches Turin\n\nMay 2, 2031\n\nPresident Lena Varga left Lyon on Thursday morning by train and arrived in Turin "
          "on Thursday evening, where she met the mayor.\n")


def test_gold_errors_name_the_entry():
    bad = _gold_json({"a": "0" * 64})
    bad["excerpts"][0]["places"][0]["kind"] = "region"
    with pytest.raises(GeoError, match="excerpt a: region 'Lyon' needs a radius_km"):
        parse_gold(bad)
    bad = _gold_json({"a": "0" * 64})
    bad["excerpts"][0]["stops"][0]["place"] = "Paris"
    with pytest.raises(GeoError, match="stop 'Paris' is not among its places"):
        parse_gold(bad)
    bad = _gold_json({"a": "0" * 64})
    bad["excerpts"][0]["places"].append({"name": "Lyon", "lat": 45.0, "lon": 4.0})
    with pytest.raises(GeoError, match="lists a place name twice"):
        parse_gold(bad)


def test_check_lists_missing_and_changed_copies_and_exits_non_zero(tmp_path, capsys):
    from geo.cli import main

    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (texts / "b.txt").write_text("Varga reaches Turin, edited.\n", encoding="utf-8")
    digest = hashlib.sha256(TEXT_A.encode("utf-8")).hexdigest()
    gold_file = tmp_path / "gold.json"
    gold_file.write_text(json.dumps(_gold_json({"a": digest, "b": digest, "c": digest})), encoding="utf-8")
    assert [(e.id, state) for e, state in check_copies(texts, parse_gold(_gold_json({"a": digest, "b": digest, "c": digest})))] == \
        [("b", "changed"), ("c", "missing")]
    args = ["bench", "routes", str(texts), "--gold", str(gold_file), "--check"]
    assert main(args) == 1
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert any(line.startswith("changed:") and "b.txt" in line for line in lines), out.err
    assert any(line.startswith("missing:") and "c.txt" in line and "https://example.org/c" in line and "'varga lyon turin'" in line
               for line in lines)
    assert "1 of 3 local copies present and unchanged" in out.out
    gold_file.write_text(json.dumps(_gold_json({"a": digest})), encoding="utf-8")
    assert main(args) == 0 and "1 of 1 local copies present and unchanged" in capsys.readouterr().out


@pytest.mark.slow
def test_figures_run_scores_a_journey_through_the_pipeline_and_skips_missing_copies(tmp_path, settings, nlp, gazetteer):
    (tmp_path / "a.txt").write_text(TEXT_A, encoding="utf-8")
    digest = hashlib.sha256(TEXT_A.encode("utf-8")).hexdigest()
    warnings: list[str] = []
    report = run_routes(tmp_path, parse_gold(_gold_json({"a": digest, "gone": digest})), settings, nlp, gazetteer, warnings.append)
    assert report.skipped == ["gone"] and len(warnings) == 1 and "gone" in warnings[0]
    [s] = report.scores
    assert (s.places, s.places_right) == (2, 2)
    assert (s.gold_done, s.found_done) == (2, 2) and [r.split(" (")[0] for r in s.route] in (["Lyon", "Turin"], ["Turin", "Lyon"])
    assert s.in_order == s.route[0].startswith("Lyon") and s.discordant == (0 if s.in_order else 1)  # the scorer reads the route's order
    assert report.as_dict()["stop_recall"] == 1.0


def test_a_place_reached_twice_matches_the_visit_that_agrees_on_done_or_not():
    gold = _excerpt([GoldStop(LYON, "arrived", None), GoldStop(TURIN, "arrived", None), GoldStop(LYON, "expected", None)])
    there_and_back = [_pred("Lyon", 45.76, 4.84), _pred("Turin", 45.07, 7.69), _pred("Lyon", 45.76, 4.84, "planned")]
    s = score_excerpt(gold, "person", there_and_back, [])
    assert s.in_order and (s.concordant, s.discordant) == (3, 0)
    unplanned = score_excerpt(gold, "person", [_pred("Lyon", 45.76, 4.84), _pred("Turin", 45.07, 7.69)], [])
    assert not unplanned.in_order and unplanned.discordant == 1  # one Lyon for both visits: the way back is out of order
