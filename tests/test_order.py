"""Stop order and stop hygiene on events built by hand (no model): ordinals, listed places, dates from the article."""
from __future__ import annotations

from geo.movement import Event
from geo.route import build_routes

# Real towns' coordinates; an invented traveller.
TOWNS = {"Narva": (59.377, 28.190), "Rakvere": (59.346, 26.355), "Paide": (58.885, 25.557),
         "Viljandi": (58.363, 25.590), "Tartu": (58.378, 26.729), "Line": (59.10, 26.90)}


def _event(place, role="destination", clause=100, order=100, status="arrived", date=None, sentence="", **kw) -> Event:
    lat, lon = TOWNS[place]
    fields = dict(subject="p1", place_id=place.lower(), place=place, lat=lat, lon=lon, feature="town", role=role,
                  verb="travel", status=status, date=date, time=None, article="a1", article_date="2024-06-05",
                  sentence=sentence or f"Senator Liis Tamm went to {place}.", raw_start=0, raw_end=10, order=order,
                  clause=clause, date_source="text" if date else "article")
    fields.update(kw)
    return Event(**fields)


def _stops(events):
    [route] = build_routes(events, {"p1": "Liis Tamm"}, {"a1": "2024-06-05"})
    return route


def test_a_final_stop_told_first_comes_last_and_a_listed_clause_keeps_its_text_order():
    events = [_event("Tartu", role="stop", clause=10, order=10, sequence="last"),
              _event("Narva", role="origin", clause=50, order=50, status="departed"),
              *[_event(t, clause=50, order=50) for t in ("Rakvere", "Paide", "Viljandi")]]
    assert [s.name for s in _stops(events).stops] == ["Narva", "Rakvere", "Paide", "Viljandi", "Tartu"]


def test_an_undated_done_stop_takes_the_articles_date_when_it_fits_the_order():
    events = [_event("Narva", role="origin", clause=10, order=10, status="departed", date="2024-06-03"),
              _event("Tartu", clause=20, order=20),
              _event("Paide", clause=30, order=30, status="expected")]
    route = _stops(events)
    assert [(s.name, s.date) for s in route.stops] == [("Narva", "2024-06-03"), ("Tartu", "2024-06-05"), ("Paide", None)]
    # A later stop dated before the article's date: the undated one between them stays undated.
    events[2] = _event("Paide", clause=30, order=30, date="2024-06-04", sequence="later")
    assert [(s.name, s.date) for s in _stops(events).stops] == [("Narva", "2024-06-03"), ("Tartu", None), ("Paide", "2024-06-04")]


def test_a_word_of_a_longer_name_resolved_as_a_town_is_no_stop():
    sentence = "The delegation crossed the border via the Kunda Line and rode on to Tartu."
    events = [_event("Line", role="via", status="passed", sentence=sentence),
              _event("Tartu", clause=100, order=101, sentence=sentence),
              _event("Narva", role="origin", clause=5, order=5, status="departed", sentence="They left Narva at dawn.")]
    assert [s.name for s in _stops(events).stops] == ["Narva", "Tartu"]
    # The same word standing alone is a place.
    events[0] = _event("Line", role="via", status="passed", sentence="The delegation passed through Line and rode on to Tartu.")
    assert "Line" in [s.name for s in _stops(events).stops]


def test_travellers_told_together_are_one_route_named_after_all_of_them():
    events = [_event("Narva", role="origin", status="departed", clause=10, order=10),
              _event("Tartu", clause=10, order=10)]
    both = events + [ev.__class__(**{**ev.__dict__, "subject": "p2"}) for ev in events]
    routes = build_routes(both, {"p1": "Liis Tamm", "p2": "Jaan Kask"}, {"a1": "2024-06-05"})
    [route] = routes
    assert route.subject == "Liis Tamm and Jaan Kask" and [s.name for s in route.stops] == ["Narva", "Tartu"]
    # Different stops stay two routes.
    apart = both + [_event("Paide", subject="p2", clause=20, order=20)]
    assert len(build_routes(apart, {"p1": "Liis Tamm", "p2": "Jaan Kask"}, {"a1": "2024-06-05"})) == 2


def test_a_group_is_named_by_the_words_that_say_who_it_is():
    kw = dict(subject="group-evacuee")
    events = [_event("Narva", role="origin", status="departed", clause=10, order=10, subject_name="the first groups", **kw),
              _event("Tartu", clause=10, order=10, subject_name="the first groups", **kw),
              _event("Tartu", clause=30, order=30, subject_name="Chilean evacuees", **kw),
              _event("Tartu", clause=40, order=40, subject_name="tired passengers", **kw)]
    [route] = build_routes(events, {}, {"a1": "2024-06-05"})
    assert route.subject == "Chilean evacuees"


def test_a_date_resolved_against_a_guessed_article_date_does_not_outvote_the_trips_origin():
    stated = [_event("Narva", role="origin", status="departed", date="2024-06-03", clause=10, order=10),
              _event("Paide", date="2024-06-04", clause=20, order=20)]
    weekday = _event("Tartu", date="2024-06-01", article="b1", sentence="The senator arrived in Tartu on Saturday.")
    guessed = {"b1"}
    [route] = build_routes(stated + [weekday], {"p1": "Liis Tamm"}, {"a1": "2024-06-05", "b1": "2024-06-02"}, guessed)
    assert route.stops[0].name == "Narva"
    assert next(s for s in route.stops if s.name == "Tartu").date is None  # "Saturday" of the wrong week
    # The same date written in full stands on its own; with a stated article date, so does the weekday.
    full = _event("Tartu", date="2024-06-01", article="b1", sentence="The senator arrived in Tartu on 1 June 2024.")
    for tartu, known in ((full, guessed), (weekday, set())):
        [route] = build_routes(stated + [tartu], {"p1": "Liis Tamm"}, {"a1": "2024-06-05", "b1": "2024-06-02"}, known)
        assert [(s.name, s.date) for s in route.stops][0] == ("Tartu", "2024-06-01")


def test_a_base_the_gazetteer_files_as_a_town_is_one_stop_with_the_town_it_serves():
    from dataclasses import replace

    town = _event("Tartu", order=10)
    base = replace(_event("Tartu", order=20), place_id="base", place="Tartu Air Base", lat=58.31, lon=26.69)  # ~8 km out
    assert [s.name for s in _stops([town, base]).stops] == ["Tartu Air Base"]
    other_town = replace(base, place_id="other", place="Tartu Parish")
    assert len(_stops([town, other_town, _event("Narva", order=30)]).stops) == 3  # two towns 8 km apart stay two


def test_a_place_the_article_reaches_and_then_leaves_gets_no_departure_vote():
    # "crossed at Narva and rode to Rakvere. From Rakvere she took the train and arrived in Tartu": Rakvere is on the way.
    events = [_event("Narva", role="via", clause=10, order=10, status="passed"),
              _event("Rakvere", clause=20, order=20),
              _event("Rakvere", role="origin", clause=30, order=30, status="departed"),
              _event("Tartu", clause=30, order=31)]
    assert [s.name for s in _stops(events).stops] == ["Narva", "Rakvere", "Tartu"]


def test_an_older_plan_that_the_newest_article_repeats_stays_and_one_it_drops_is_superseded():
    older = dict(article="a0", article_date="2024-06-01", status="expected")
    events = [_event("Tartu", clause=10, order=10, date="2024-06-05"),
              _event("Paide", clause=20, order=20, **older),
              _event("Viljandi", clause=30, order=30, **older),
              _event("Paide", clause=40, order=40, status="expected")]
    [route] = build_routes(events, {"p1": "Liis Tamm"}, {"a0": "2024-06-01", "a1": "2024-06-05"})
    paide = next(s for s in route.stops if s.name == "Paide")
    assert "a0" in paide.articles and "Viljandi" not in [s.name for s in route.stops]
    assert [c.place for c in route.claims] == ["Viljandi"]


def test_a_plan_dated_only_by_month_stays_with_the_trip_its_article_reports():
    # "She sailed from Narva and reached Tartu; she intends to attend a conference in Paide in December."
    events = [_event("Narva", role="origin", clause=10, order=10, status="departed", date="2024-06-01"),
              _event("Tartu", clause=20, order=20, date="2024-06-05"),
              _event("Paide", role="stop", clause=30, order=30, status="planned", date="2024-12", verb="attend")]
    route = _stops(events)
    assert [s.name for s in route.stops] == ["Narva", "Tartu", "Paide"] and route.stops[-1].status == "planned"


def test_an_event_at_the_start_on_the_day_of_the_way_back_is_told_of_the_return():
    # "From Narva she rode to Tartu, and will return to Narva on Monday." / "On Monday she will inspect halls in Narva."
    events = [_event("Narva", role="origin", clause=10, order=10, status="departed", date="2024-06-02"),
              _event("Tartu", clause=20, order=20, date="2024-06-02"),
              _event("Narva", clause=30, order=30, status="expected", date="2024-06-03", leg="return"),
              _event("Narva", role="stop", clause=40, order=40, status="planned", date="2024-06-03", article="a2")]
    [route] = build_routes(events, {"p1": "Liis Tamm"}, {"a1": "2024-06-02", "a2": "2024-06-03"})
    assert [s.name for s in route.stops] == ["Narva", "Tartu", "Narva"]
    assert "a2" in route.stops[-1].articles and "a2" not in route.stops[0].articles
