"""The dashboard in a real browser (Debian's chromium via Playwright), served on 127.0.0.1, with no network."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from geo.mapview import css_id

from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(cache_dir, gazetteer):
    port = _free_port()
    log = open(ARTIFACTS.mkdir(exist_ok=True) or ARTIFACTS / "streamlit-server.log", "w")
    env = {**os.environ, "GEO_CACHE_DIR": str(cache_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start; see test-artifacts/streamlit-server.log")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (the test command installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                               "--disable-background-networking", "--disable-component-update"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = context.new_page()
    pg.external_requests = []

    def guard(route):
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            pg.external_requests.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    yield pg
    context.close()


def _map_frame(page, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.locator("path.geo-place").count() > 0:
                    return frame
            except Exception:
                continue
        time.sleep(0.25)
    page.screenshot(path=str(ARTIFACTS / "map-missing.png"))
    pytest.fail("no map markers appeared")


def test_map_shows_every_gold_place_and_the_route_offline(server, page, seed_analysis, gold):
    page.goto(server + "/?corpus=seeds")
    frame = _map_frame(page)
    for g in gold["places"]:
        names = {g["name"].lower(), *(a.lower() for a in g.get("aliases", []))}
        place = next(p for p in seed_analysis.places if p.feature != "country" and any(m.text.lower() in names for m in p.mentions))
        assert frame.locator(f"path.{css_id(place.id)}").count() >= 1, g["name"]
    kim = next(r for r in seed_analysis.routes if r.subject == "Kim Jong Un" and r.current)
    assert frame.locator(f"path.{css_id('route-' + kim.key)}").count() == len(kim.stops) - 1
    assert frame.locator(".geo-stop").count() >= len(kim.stops)
    page.screenshot(path=str(ARTIFACTS / "dashboard-seeds.png"), full_page=True)
    assert page.external_requests == []


def test_clicking_a_marker_shows_its_mentions(server, page, seed_analysis):
    page.goto(server + "/?corpus=seeds")
    frame = _map_frame(page)
    dubai = next(p for p in seed_analysis.places if p.name == "Dubai")
    frame.locator(f"path.{css_id(dubai.id)}").first.dispatch_event("click")
    popup = frame.locator(".geo-popup")
    popup.wait_for(state="visible", timeout=10_000)
    assert "Dubai" in popup.inner_text() and frame.locator(".geo-mentions li").count() >= 1
    assert page.external_requests == []


def test_shared_url_opens_the_chosen_article(server, page, gold):
    page.goto(server + "/?corpus=seeds&article=003_d0d42ebe6f756096&labels=PERSON,GPE")
    title = gold["articles"]["003_d0d42ebe6f756096.txt"]["title"]
    page.get_by_role("heading", name=title).wait_for(timeout=60_000)
    _map_frame(page)
    assert page.locator("mark.ent-ORG").count() == 0 and page.locator("mark.ent-PERSON").count() > 0
    page.screenshot(path=str(ARTIFACTS / "dashboard-shared-url.png"))
    assert page.external_requests == []
