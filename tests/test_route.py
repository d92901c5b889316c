"""Routes: movement events from the parse, dates, status, merging across articles; general journeys."""
from __future__ import annotations

import pytest
from geopy.distance import geodesic

from geo.export import to_geojson
from geo.dates import resolve_date

DONE = {"departed", "arrived", "visited", "passed"}


def _route(analysis, subject, current=True):
    routes = [r for r in analysis.routes if r.subject == subject and (r.current or not current)]
    assert routes, (subject, [(r.subject, [s.name for s in r.stops]) for r in analysis.routes])
    return routes[0]


def _near(stop, lat, lon, km=25):
    return geodesic((stop.lat, stop.lon), (lat, lon)).km <= km


def _gold_place(gold, name):
    return next(p for p in gold["places"] if p["name"] == name)


def test_seed_routes_match_gold(seed_analysis, gold):
    for g in gold["routes"]:
        route = _route(seed_analysis, g["subject"])
        assert len(route.stops) == len(g["stops"]), [(s.name, s.status) for s in route.stops]
        for stop, want in zip(route.stops, g["stops"]):
            place = _gold_place(gold, want["place"])
            assert _near(stop, place["lat"], place["lon"], place["tolerance_km"]), (stop.name, want["place"])
            assert stop.status == want["status"], (stop.name, stop.status, want["status"])
            if "date" in want:
                assert stop.date == want["date"], (stop.name, stop.date)
            if "time" in want:
                assert stop.time and stop.time.startswith(want["time"])
            assert set(want["articles"]) <= {seed_analysis.labels()[a][:3] for a in stop.articles}, (stop.name, stop.articles, want["articles"])
        for name in g.get("not_stops", []):
            place = _gold_place(gold, name)
            assert not any(_near(s, place["lat"], place["lon"], place["tolerance_km"]) for s in route.stops), name


def test_earlier_trip_is_a_separate_route(seed_analysis):
    current = _route(seed_analysis, "Kim Jong Un")
    others = [r for r in seed_analysis.routes if r.subject == "Kim Jong Un" and r is not current]
    assert current.current and others
    for r in others:
        assert not r.current
        assert not {s.place_id for s in r.stops} & {s.place_id for s in current.stops if s.name != "Pyongyang"}


def test_disagreeing_claims_are_kept_with_sources(seed_analysis):
    route = _route(seed_analysis, "Kim Jong Un")
    superseded = [c for c in route.claims if c.place == "Vladivostok"]
    assert superseded and all(c.article and c.sentence and not c.status.done for c in superseded)


def test_legs_have_geodesic_distances(seed_analysis):
    route = _route(seed_analysis, "Vladimir Putin")
    [leg] = route.legs
    assert 950 <= leg.km <= 1100  # great-circle Vladivostok -> Vostochny, not the 1,500 km by rail
    kim = _route(seed_analysis, "Kim Jong Un")
    assert kim.legs[0].status == "done" and kim.legs[-1].status == "expected"
    assert kim.legs[0].days == 2


def test_route_geojson_contract(seed_analysis):
    gj = to_geojson(seed_analysis)
    lines = [f for f in gj["features"] if f["properties"]["kind"] == "route"]
    assert lines
    for f in lines:
        props = f["properties"]
        assert f["geometry"]["type"] == "LineString"
        assert f["geometry"]["coordinates"] == [[s["lon"], s["lat"]] for s in props["stops"]]
        assert {"subject", "trip", "stops", "legs"} <= set(props)
        for s in props["stops"]:
            assert {"name", "lat", "lon", "date", "time", "status", "articles", "evidence"} <= set(s)
            assert s["evidence"] and all(ev["sentence"] for ev in s["evidence"])


@pytest.mark.parametrize(
    "text,future,expected",
    [
        ("on Sunday", False, "2023-09-10"),
        ("on Wednesday", True, "2023-09-13"),
        ("Tuesday (12 September)", False, "2023-09-12"),
        ("Sept 10", False, "2023-09-10"),
        ("yesterday", False, "2023-09-11"),
        ("the day after tomorrow", True, "2023-09-14"),
        ("in July", False, "2023-07"),
        ("In 2019", False, "2019"),
        ("September 11, 2023", False, "2023-09-11"),
    ],
)
def test_relative_dates_resolve_against_the_article_date(text, future, expected):
    assert resolve_date(text, "2023-09-12", future) == expected


def _stops(result, subject):
    route = _route(result, subject)
    return [(s.name, s.status) for s in route.stops], route


def test_ferry_trip(run_text):
    text = ("Ferry carries minister across the Baltic\n\n"
            "Finnish Foreign Minister Elina Valtonen left Helsinki on Monday aboard a ferry and arrived in Tallinn "
            "two hours later, her office said. She then travelled to Riga, where she met Latvian officials on Tuesday.")
    stops, route = _stops(run_text(text, dates={"story": "2024-05-15"}), "Elina Valtonen")
    assert [n for n, _ in stops] == ["Helsinki", "Tallinn", "Riga"]
    assert stops[0][1] == "departed" and all(st in DONE for _, st in stops)
    assert route.stops[0].date == "2024-05-13"


def test_motorcade_tied_to_its_passenger(run_text):
    text = ("Motorcade reaches the capital\n\n"
            "President Emmanuel Macron's motorcade left Marseille on Thursday morning. "
            "The motorcade carrying Macron reached Lyon in the afternoon, police said.")
    stops, _ = _stops(run_text(text, dates={"story": "2024-06-07"}), "Emmanuel Macron")
    assert [n for n, _ in stops] == ["Marseille", "Lyon"]


def test_flight_with_a_layover(run_text):
    text = ("Envoy heads to Nairobi\n\n"
            "US envoy Molly Phee flew from Washington to Nairobi on Sunday, with a stopover in Doha, "
            "the State Department said. She arrived in Nairobi on Monday.")
    stops, route = _stops(run_text(text, dates={"story": "2024-03-05"}), "Molly Phee")
    names = [n for n, _ in stops]
    assert names[0] == "Washington" and names[-1] == "Nairobi" and "Doha" in names
    assert route.stops[-1].status == "arrived"


def test_trip_told_out_of_order(run_text):
    text = ("Pope ends Asia tour\n\n"
            "Pope Lino arrived in Bangkok on Wednesday, the last stop of his tour. "
            "He had flown to Manila on Tuesday, September 3, and travelled on to Suva on Friday, September 6. "
            "From Suva he flew to Apia on Monday, September 9.")
    stops, _ = _stops(run_text(text, dates={"story": "2024-09-11"}), "Pope Lino")
    assert [n for n, _ in stops] == ["Manila", "Suva", "Apia", "Bangkok"]


def test_planned_trip_that_was_cancelled(run_text):
    text = ("Visit called off\n\n"
            "Chancellor Olaf Scholz had planned to travel to Beijing next week, but the visit was cancelled on Friday. "
            "Scholz will instead fly to Paris on Monday.")
    result = run_text(text, dates={"story": "2024-04-12"})
    # Every route, whatever its subject is called: a loop over only "Olaf Scholz" routes passed when none had that name.
    assert "Beijing" not in [s.name for r in result.routes for s in r.stops]
    assert {p.name for p in result.places} >= {"Beijing", "Paris"}


def test_two_travellers_in_one_text(run_text):
    text = ("Leaders converge on Brussels\n\n"
            "Giorgia Meloni left Rome on Wednesday and arrived in Brussels in the evening. "
            "Pedro Sanchez flew from Madrid to Lisbon on Wednesday and then travelled to Brussels on Thursday.")
    result = run_text(text, dates={"story": "2024-06-27"})
    meloni, _ = _stops(result, "Giorgia Meloni")
    sanchez, _ = _stops(result, "Pedro Sanchez")
    assert [n for n, _ in meloni] == ["Rome", "Brussels"]
    assert [n for n, _ in sanchez] == ["Madrid", "Lisbon", "Brussels"]


def test_one_known_location_is_not_a_route(run_text):
    result = run_text("Protesters gathered in Santiago on Saturday, police said. Gabriel Boric visited Santiago's main square.",
                      dates={"story": "2024-05-20"})
    assert not result.routes
