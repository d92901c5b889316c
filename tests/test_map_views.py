"""The map's views without a browser: the day control's cut, areas drawn as outlines, what a click hit, URL checks."""
from __future__ import annotations

import html

from geo.geocode import Place, PlaceMention
from geo.mapstate import MapView, day_events, route_days, stop_key, stops_until
from geo.mapview import build_map, clicked_target
from geo.route import Leg, Route, Stop, Trip
from geo.status import Status
from geo.viewstate import FIT_ALL, Choices, read_view


def _place(pid: str, name: str, feature: str, country: str, lat: float, lon: float, n: int = 1) -> Place:
    mentions = tuple(PlaceMention("a1", k, k + len(name), name, False, False, k, k + len(name), f"{name} sentence.") for k in range(n))
    return Place(pid, name, feature, feature, country, lat, lon, "test", 0.9, mentions)


def _stop(name: str, lat: float, lon: float, date: str | None, status: str = "arrived") -> Stop:
    return Stop(f"p-{name}", name, lat, lon, date, None, Status(status), (), ("a1",), ())


def _route() -> Route:
    stops = [_stop("Lyon", 45.76, 4.84, "2021-03-01", "departed"), _stop("Dijon", 47.32, 5.04, None, "passed"),
             _stop("Paris", 48.86, 2.35, "2021-03-02"), _stop("Lille", 50.63, 3.06, "2021-03-04", "expected")]
    legs = tuple(Leg(a.name, b.name, km, "done" if b.status != "expected" else "expected") for a, b, km in zip(stops, stops[1:], (150.0, 260.0, 200.0)))
    return Route("A traveller", "c1", Trip(start="2021-03-01"), tuple(stops), legs, True)


PLACES = [_place("country:FR", "France", "country", "FR", 46.6, 2.4, 3), _place("city:lyon", "Lyon", "city", "FR", 45.76, 4.84, 2),
          _place("city:paris", "Paris", "city", "FR", 48.86, 2.35)]


def test_the_day_control_cuts_each_route_at_its_last_stop_dated_on_or_before_the_day():
    route = _route()
    assert route_days([route]) == ["2021-03-01", "2021-03-02", "2021-03-04"]
    assert [s.name for s in stops_until(route, "2021-03-02").stops] == ["Lyon", "Dijon", "Paris"]  # undated stop between kept
    assert len(stops_until(route, "2021-03-02").legs) == 2
    assert [s.name for s in stops_until(route, "2021-03-01").stops] == ["Lyon"] and stops_until(route, "2021-03-01").legs == ()
    assert stops_until(route, None) is route
    assert [(n, s.name) for _, n, s in day_events([route], "2021-03-04")] == [(4, "Lille")]


def test_countries_are_drawn_as_shaded_outlines_and_towns_as_points():
    out = build_map(PLACES, [_route()], MapView(), {"a1": "An article"}).get_root().render()
    assert out.count("geo-area geo-country geo-id-country-FR") == 1 and "France (3 mentions)" in out
    assert "geo-place geo-city geo-id-city-lyon" in out and "geo-place geo-country" not in out
    assert "geo-leg-done" in out and "geo-leg-expected" in out  # done legs solid, the expected one dashed
    cut = build_map(PLACES, [_route()], MapView(day="2021-03-02"), {"a1": "An article"}).get_root().render()
    assert "Lille" not in cut and "geo-leg-expected" not in cut


def test_the_map_fits_the_chosen_travellers_route_else_every_place():
    route = _route()
    far = _place("city:far", "Far Town", "city", "XX", -30.0, 150.0)
    fitted = build_map([*PLACES, far], [route], MapView(fit="A traveller"), {}).get_root().render()
    every = build_map([*PLACES, far], [route], MapView(), {}).get_root().render()
    assert "[[45.76, 2.35], [50.63, 5.04]]" in fitted
    assert "-30.0" in every.split("fitBounds")[1][:80]


def test_a_click_is_told_by_its_tooltip_else_by_the_outline_that_holds_it():
    route = _route()
    view = MapView()
    stop_tip = "A traveller: 3. Paris — arrived, 2021-03-02"
    assert clicked_target(PLACES, [route], view, 48.0, 2.0, stop_tip) == ("stop", stop_key(route, 3))
    # The pointer is never exactly on the marker: the tooltip names it.
    assert clicked_target(PLACES, [route], view, 45.0, 5.5, "Lyon (2 mentions)") == ("place", "city:lyon")
    assert clicked_target(PLACES, [route], view, 44.0, 1.0, None) == ("place", "country:FR")  # inside France
    assert clicked_target(PLACES, [route], view, 0.0, -30.0, None) is None  # the ocean


def test_day_stop_and_fit_come_from_the_url_and_unknown_values_are_dropped_with_a_note():
    route = _route()
    choices = Choices(["a1"], {}, {}, ["A traveller"], days=route_days([route]), stops=[stop_key(route, 1)])
    view = read_view({"day": "2021-03-02", "stop": stop_key(route, 1), "fit": FIT_ALL}, choices)
    assert (view.day, view.stop, view.fit, view.notes) == ("2021-03-02", stop_key(route, 1), FIT_ALL, ())
    bad = read_view({"day": "2021-13-40", "stop": "<b>x</b>", "fit": "Nobody"}, choices)
    assert (bad.day, bad.stop, bad.fit) == (None, None, None)
    assert [n.split(" '")[0] for n in bad.notes] == ["unknown day", "unknown stop", "unknown fit"]


def test_area_tooltips_and_stop_labels_are_escaped():
    hostile = _place("country:FR", "<img src=x onerror=alert(1)>", "country", "FR", 46.6, 2.4)
    out = build_map([hostile], [], MapView(), {}).get_root().render()
    assert "<img src=x" not in out and html.escape("<img src=x", quote=True)[:8] in out


def test_a_clustered_map_sends_escaped_names_and_titles_once_and_builds_popups_in_the_browser():
    from geo.mapview import CLUSTER_THRESHOLD

    hostile = "<img src=x onerror=alert(1)>"
    many = [_place(f"town:{k}", f"{hostile}{k}", "town", "FR", 44 + k * 0.01, 2.0, 2) for k in range(CLUSTER_THRESHOLD + 5)]
    script = build_map(many, [], MapView(), {"a1": "Title " + hostile}).get_root().render()
    assert hostile not in script and "&lt;img src=x onerror=alert(1)&gt;" in script
    assert script.count("Title &lt;img") == 1  # the shared title list, not a copy per marker
    assert "geo-popup" in script and "geo-mentions" in script and "L.markerClusterGroup" in script
