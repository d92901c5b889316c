"""The dashboard in a real browser (Debian's chromium via Playwright), served on 127.0.0.1, with no network."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from geo.articles import content_id
from geo.mapview import css_id

from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.model]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(cache_dir, log_name: str, script: Path = ROOT / "dashboard.py", **env_extra):
    port = _free_port()
    log = open(ARTIFACTS.mkdir(exist_ok=True) or ARTIFACTS / log_name, "w")
    env = {**os.environ, "GEO_CACHE_DIR": str(cache_dir), **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
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
        pytest.fail(f"streamlit did not start; see test-artifacts/{log_name}")
    return url, proc, log


@pytest.fixture(scope="module")
def server(cache_dir, gazetteer):
    url, proc, log = _start_server(cache_dir, "streamlit-server.log")
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
    # The offline country outlines arrive from static/ after the markers.
    frame.wait_for_function("() => document.querySelectorAll('svg path').length > 150", timeout=30_000)
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


HOSTILE_ARTICLE = ("Protest in Paris <script>window.__pwned=1</script>\n\n"
                   "Protesters marched in Paris on Monday <img src=x onerror=\"window.__pwned=1\"> and later in Lyon, "
                   "[click](javascript:window.__pwned=1) police said. </textarea><b>bold</b> \u202eevil\u202c.\n")


def _pwned(page) -> list:
    flags = []
    for frame in page.frames:
        try:
            flags.append(frame.evaluate("() => window.__pwned === undefined ? null : window.__pwned"))
        except Exception:
            continue
    return [f for f in flags if f is not None]


def test_hostile_upload_is_shown_literally_and_runs_nothing(server, page, tmp_path):
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE_ARTICLE, encoding="utf-8")
    page.goto(server + "/?corpus=upload")
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text("window.__pwned=1</script>", exact=False).first.wait_for(timeout=90_000)
    frame = _map_frame(page)
    paris = frame.locator("path.geo-place").first
    paris.dispatch_event("click")
    frame.locator(".geo-popup").wait_for(state="visible", timeout=10_000)
    time.sleep(1)
    assert _pwned(page) == []
    body = page.inner_text("body")
    assert "<img src=x" in body and "[click](javascript:" in body
    assert page.locator("a[href^='javascript']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "dashboard-hostile.png"))
    assert page.external_requests == []


def test_concurrent_sessions(server, browser, tmp_path, gold):
    """Several sessions at once from a shared link: all render their own view, no server errors, bounded memory."""
    import json

    articles = ["000_21f0b4b1d586a0f9", "001_07a353d0804c85f7", "002_66dd75581f08acab", "003_d0d42ebe6f756096"]
    rounds = 2
    results = []
    started = time.monotonic()
    # Playwright's sync API is not thread-safe: pages are driven from this thread, loads overlap on the server.
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in articles]
    external = []
    for ctx in contexts:
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else (external.append(r.request.url), r.abort()))
    for _ in range(rounds):
        pages = [ctx.new_page() for ctx in contexts]
        for pg, aid in zip(pages, articles):
            pg.goto(f"{server}/?corpus=seeds&article={aid}", wait_until="commit")
        for pg, aid in zip(pages, articles):
            t = time.monotonic()
            _map_frame(pg)
            pg.get_by_text(gold["articles"][aid + ".txt"]["title"]).first.wait_for(timeout=90_000)
            results.append({"article": aid, "seconds": round(time.monotonic() - t, 2), "url": pg.url})
            assert f"article={content_id((ROOT / 'seeds' / f'{aid}.txt').read_bytes())}" in pg.url  # a link by file label opens the article under its content id
            pg.close()
    for ctx in contexts:
        ctx.close()
    # Access-log lines name the page's code files (one is ErrorOutline.esm.js): only the server's own lines are checked.
    log = "\n".join(line for line in (ARTIFACTS / "streamlit-server.log").read_text(errors="replace").splitlines() if '"GET /' not in line)
    assert "Traceback" not in log and "Error" not in log
    pid = subprocess.run(["pgrep", "-f", f"server.port {server.rsplit(':', 1)[1]}"], capture_output=True, text=True).stdout.split()
    peak_mb = None
    if pid:
        status = Path(f"/proc/{pid[0]}/status").read_text()
        peak_mb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
        assert peak_mb < 2000
    figures = {"sessions": len(articles), "page_loads": len(results), "errors": 0, "external_requests": len(external),
               "seconds": round(time.monotonic() - started, 1), "server_peak_mb": round(peak_mb or 0), "loads": results}
    (ARTIFACTS / "load-test.json").write_text(json.dumps(figures, indent=1))
    assert external == [] and len(results) == rounds * len(articles)


def test_large_corpus_map_is_clustered(cache_dir, seed_analysis, browser, tmp_path):
    """Past the clustering threshold the map must still draw (MarkerCluster needs maxZoom without tiles)."""
    from dataclasses import replace

    from geo.export import write_parquet
    from geo.mapview import CLUSTER_THRESHOLD

    many = [replace(p, id=f"{p.id}-{k}", lat=p.lat + k * 0.5) for k in range(CLUSTER_THRESHOLD // len(seed_analysis.places) + 2)
            for p in seed_analysis.places]
    write_parquet(replace(seed_analysis, places=many), tmp_path / "results")
    url, proc, log = _start_server(cache_dir, "streamlit-large.log", GEO_RESULTS_DIR=str(tmp_path / "results"))
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(url + "/?corpus=results")
        deadline = time.monotonic() + 90
        found = False
        while time.monotonic() < deadline and not found:
            for frame in page.frames:
                try:
                    found = found or frame.locator("div.marker-cluster").count() > 0
                except Exception:
                    continue
            time.sleep(0.25)
        page.screenshot(path=str(ARTIFACTS / "dashboard-clustered.png"))
        assert found, "no marker clusters on the map"
        context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


# --------------------------------------------------------------------------- failures, stale links, progress


def test_a_failure_shows_one_short_line_and_the_traceback_stays_in_the_server_log(cache_dir, gazetteer, browser):
    """The map is made to fail (tests/failing_dashboard.py): the page says so in one line, without paths or traceback."""
    url, proc, log = _start_server(cache_dir, "streamlit-failing.log", script=ROOT / "tests" / "failing_dashboard.py")
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(url + "/?corpus=seeds&article=003_d0d42ebe6f756096")
        page.get_by_text("Something went wrong while showing this page", exact=False).wait_for(timeout=180_000)
        page.screenshot(path=str(ARTIFACTS / "dashboard-failure.png"))
        body = page.inner_text("body")
        assert "RuntimeError" in body and "server log" in body
        for leaked in ("Traceback", "forced failure", "secret", str(ROOT), "File \""):
            assert leaked not in body, leaked
        assert not re.search(r"line \d+", body)
        assert page.get_by_text("Articles", exact=True).count() >= 1  # the sidebar and the article panel are still there
        context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    server_log = (ARTIFACTS / "streamlit-failing.log").read_text(errors="replace")
    assert "Traceback" in server_log and "forced failure reading" in server_log


def test_a_stale_link_opens_the_nearest_view(server, page):
    from urllib.parse import quote

    page.goto(server + "/?corpus=seeds&article=999_gone&labels=" + quote("PERSON,<b>x</b>"))
    page.get_by_text("This link did not fully match the corpus", exact=False).wait_for(timeout=120_000)
    _map_frame(page)
    body = page.inner_text("body")
    assert "unknown article '999_gone'; unknown label '<b>x</b>'" in body
    assert "StreamlitDefaultNotInOptionsError" not in body and "Traceback" not in body
    assert page.locator("mark.ent-PERSON").count() > 0 and page.locator("mark.ent-ORG").count() == 0
    assert page.locator("b", has_text="x").count() == 0
    page.screenshot(path=str(ARTIFACTS / "dashboard-stale-link.png"))
    assert page.external_requests == []


def test_a_long_upload_shows_progress_with_the_stage(server, page, tmp_path):
    from .longtext import long_article

    path = tmp_path / "long.txt"
    path.write_text(long_article(150_000), encoding="utf-8")
    page.goto(server + "/?corpus=upload")
    page.locator("input[type=file]").first.set_input_files(str(path))
    bar = page.locator("[data-testid=stProgress]")
    bar.first.wait_for(timeout=60_000)
    seen = set()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and bar.count():
        try:
            seen.add(bar.first.inner_text(timeout=1000))
        except Exception:
            break
        time.sleep(0.3)
    page.screenshot(path=str(ARTIFACTS / "dashboard-progress.png"))
    assert any("parsing" in s and " of 1 articles" in s for s in seen), seen
    assert any("left" in s for s in seen), seen
    _map_frame(page, timeout=120)
