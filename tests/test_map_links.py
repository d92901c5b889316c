"""Map and text linked both ways, in chromium with real clicks (Playwright's mouse, not dispatched events)."""
# ruff: noqa: F811  (the browser fixtures are imported from test_browser and used as arguments)
from __future__ import annotations

import time
from urllib.parse import unquote

import pytest

from geo.mapstate import stop_key
from geo.mapview import css_id

from .test_browser import ARTIFACTS, _map_frame, browser, page, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.model]


def _wait_url(page, fragment: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fragment in unquote(page.url):
            return unquote(page.url)
        page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "map-click-missed.png"))
    pytest.fail(f"{fragment!r} never reached the URL: {page.url}")


# Whether the element is what a pointer at its centre would hit (not covered by another marker).
ON_TOP = "el => { const b = el.getBoundingClientRect(); const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);" \
         " return b.width >= 6 && (hit === el || el.contains(hit)); }"


def _on_screen(frame, selector: str):
    """The first element matching `selector` that the map shows uncovered, so a real click at its centre reaches it."""
    for k in range(frame.locator(selector).count()):
        el = frame.locator(selector).nth(k)
        if el.evaluate(ON_TOP):
            return el
    pytest.fail(f"no uncovered {selector} on screen")


def test_a_click_on_a_place_marker_focuses_the_place_in_the_text(server, page, seed_analysis):
    page.goto(server + "/?corpus=seeds")
    frame = _map_frame(page, timeout=600)  # the first test of the module waits for the analysis too
    marker = _on_screen(frame, "path.geo-place")
    pid = next(p.id for p in seed_analysis.places if css_id(p.id) in marker.get_attribute("class").split())
    marker.click()
    _wait_url(page, f"place={pid}")
    first = page.locator("mark.ent-selected").first
    first.wait_for(timeout=60_000)
    place = next(p for p in seed_analysis.places if p.id == pid)
    page.get_by_text(f"{len(place.mentions)} mentions in", exact=False).first.wait_for(timeout=30_000)
    page.wait_for_function("() => { const m = document.querySelector('mark.ent-selected'); if (!m) return false;"
                           " const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "dashboard-place-clicked.png"))
    assert page.external_requests == []


def test_a_click_on_a_route_stop_focuses_it_in_the_timeline(server, page, seed_analysis):
    page.goto(server + "/?corpus=seeds")
    frame = _map_frame(page, timeout=600)
    stop = _on_screen(frame, ".geo-stop")
    stop.click()
    url = _wait_url(page, "stop=")
    key = url.split("stop=")[1].split("&")[0]
    route, n = next((r, n) for r in seed_analysis.routes for n in range(1, len(r.stops) + 1) if stop_key(r, n) == key)
    page.get_by_text(f"Stop {n} of {route.subject}", exact=False).first.wait_for(timeout=60_000)
    assert f"place={route.stops[n - 1].place_id}" in unquote(page.url)  # the stop's place is focused in the text too
    page.screenshot(path=str(ARTIFACTS / "dashboard-stop-clicked.png"))
    assert page.external_requests == []


def test_an_upload_switches_to_the_uploaded_articles_and_opens_the_first(server, page, tmp_path):
    path = tmp_path / "ferry.txt"
    path.write_text("Ferry resumes between Split and Ancona\n\nThe ferry left Split on Monday and reached Ancona on Tuesday, "
                    "the operator said.\n", encoding="utf-8")
    page.goto(server + "/?corpus=seeds")
    _map_frame(page, timeout=600)
    page.get_by_text("Add articles").click()  # the uploader of another corpus is built when its expander opens
    page.locator("input[type=file]").first.set_input_files(str(path), timeout=60_000)
    page.get_by_role("heading", name="Ferry resumes between Split and Ancona").wait_for(timeout=120_000)
    assert "corpus=upload" in page.url
    assert page.external_requests == []


def test_the_offline_base_map_names_towns_and_draws_first_level_lines_when_zoomed_in(server, page):
    page.goto(server + "/?corpus=seeds")
    frame = _map_frame(page, timeout=600)
    frame.locator(".geo-town").first.wait_for(timeout=30_000)
    frame.wait_for_function("() => document.querySelectorAll('path.geo-base-region').length > 100", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "dashboard-basemap.png"))
    assert page.external_requests == []
