"""Shared workspaces in a real browser: A uploads with the editor key, B opens the copied link and sees the article and
its marker without any editing control; after a server restart the link still shows them."""
from __future__ import annotations

import time

import pytest

from geo.workspaces import WorkspaceStore

from .test_browser import ARTIFACTS, LOCAL, _map_frame, _start_server, browser  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.model]
KEY = "browser-editor-key"
TITLE = "Minister tours the Baltic"
ARTICLE = (f"{TITLE}\n\nForeign Minister Maria Lindqvist flew from Helsinki to Tallinn on Monday for talks. "
           "Lindqvist then travelled to Riga on Tuesday, her office said.\n")


def _wait_count(page, selector: str, expected: int, timeout: float = 120) -> None:
    """Wait until the map shows exactly `expected` elements matching `selector`."""
    deadline = time.monotonic() + timeout
    count = -1
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.locator("path.geo-place").count() and (count := frame.locator(selector).count()) == expected:
                    return
            except Exception:
                continue
        time.sleep(0.5)
    page.screenshot(path=str(ARTIFACTS / "workspace-count.png"))
    pytest.fail(f"the map shows {count} {selector}, expected {expected}")


def _click_correction(page, subtab: str | None, button: str, timeout: float = 90) -> None:
    """Open the Corrections tab (and a sub-tab) and click a button there; a rerun may reset the tabs, so retry."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            page.get_by_role("tab", name="Corrections").click(timeout=5_000)
            if subtab:
                page.get_by_role("tab", name=subtab).click(timeout=5_000)
            page.get_by_role("button", name=button).click(timeout=5_000)
            return
        except Exception:
            if time.monotonic() > deadline:
                page.screenshot(path=str(ARTIFACTS / "workspace-click.png"))
                raise
            time.sleep(1)


def _stop(proc, log) -> None:
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def _context(browser):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    ctx.external = []
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else (ctx.external.append(r.request.url), r.abort()))
    return ctx


def test_a_shared_workspace_link_shows_the_upload_to_another_browser_and_after_a_restart(cache_dir, gazetteer, browser, tmp_path):  # noqa: F811
    data_dir = tmp_path / "data"
    url, proc, log = _start_server(cache_dir, "streamlit-workspace.log", GEO_DATA_DIR=str(data_dir), GEO_EDITOR_KEY=KEY)
    try:
        article = tmp_path / "ferry.txt"
        article.write_text(ARTICLE, encoding="utf-8")
        a = _context(browser)
        page_a = a.new_page()
        page_a.goto(url + "/?corpus=upload")
        page_a.get_by_text("Editing").first.click()
        key_box = page_a.get_by_role("textbox", name="Editor key")
        key_box.fill(KEY)
        key_box.press("Enter")
        page_a.locator("input[type=file]").first.set_input_files(str(article))
        page_a.get_by_text(TITLE).first.wait_for(timeout=180_000)
        _map_frame(page_a)
        page_a.wait_for_url("**ws=**", timeout=30_000)
        link = page_a.url
        assert page_a.get_by_text("Manage workspace").count() == 1
        frame = _map_frame(page_a)
        places, stops = frame.locator("path.geo-place").count(), frame.locator(".geo-stop").count()
        assert places >= 3 and stops >= 2
        # One place correction and one stop correction, by clicks in the Corrections tab.
        page_a.get_by_role("tab", name="Corrections").click()
        name_box = page_a.get_by_role("textbox", name="Your name (kept with each correction)")
        name_box.fill("Ana")
        name_box.press("Enter")
        _click_correction(page_a, None, "Not a place")
        _wait_count(page_a, "path.geo-place", places - 1)
        _click_correction(page_a, "Stop", "Remove the stop")
        _wait_count(page_a, ".geo-stop", stops - 1)
        page_a.screenshot(path=str(ARTIFACTS / "workspace-editor.png"))
        store = WorkspaceStore(f"sqlite:///{data_dir / 'workspaces.sqlite'}")
        ws_id = link.split("ws=")[1][:32]
        assert [(c.kind, c.author) for c in store.corrections(ws_id)] == [("not_a_place", "Ana"), ("stop_remove", "Ana")]
        store.close()

        b = _context(browser)
        page_b = b.new_page()
        page_b.goto(link)
        page_b.get_by_text(TITLE).first.wait_for(timeout=180_000)
        _wait_count(page_b, "path.geo-place", places - 1)  # both corrections, seen by another browser
        _wait_count(page_b, ".geo-stop", stops - 1)
        assert page_b.get_by_text("Manage workspace").count() == 0  # a viewer has no editing control
        page_b.get_by_role("tab", name="Corrections").click()
        page_b.get_by_text("History").first.wait_for(timeout=30_000)
        assert page_b.get_by_role("button", name="Not a place").count() == 0
        assert page_b.get_by_role("button", name="Undo").count() == 0
        assert "ws=" in page_b.url and link.split("ws=")[1][:32] in page_b.url
        page_b.screenshot(path=str(ARTIFACTS / "workspace-viewer.png"))
        assert a.external == [] and b.external == []
        a.close()
        b.close()
    finally:
        _stop(proc, log)

    url2, proc2, log2 = _start_server(cache_dir, "streamlit-workspace-restart.log", GEO_DATA_DIR=str(data_dir), GEO_EDITOR_KEY=KEY)
    try:
        c = _context(browser)
        page_c = c.new_page()
        page_c.goto(url2 + "/?" + link.split("?", 1)[1])
        page_c.get_by_text(TITLE).first.wait_for(timeout=180_000)
        _wait_count(page_c, "path.geo-place", places - 1)
        _wait_count(page_c, ".geo-stop", stops - 1)
        c.close()
        _twenty_viewers(browser, url2 + "/?" + link.split("?", 1)[1], places - 1, proc2.pid)
    finally:
        _stop(proc2, log2)
    # Access-log lines name the page's code files (one is ErrorOutline.esm.js): only the server's own lines are checked.
    restart_log = "\n".join(line for line in (ARTIFACTS / "streamlit-workspace-restart.log").read_text(errors="replace").splitlines()
                            if '"GET /' not in line)
    assert "Traceback" not in restart_log and "Error" not in restart_log
    server_log = (ARTIFACTS / "streamlit-workspace.log").read_text(errors="replace")
    assert "Traceback" not in server_log


VIEWERS = 20


def _twenty_viewers(browser, link: str, places: int, server_pid: int) -> None:  # noqa: F811
    """20 viewers open the workspace link at once (one bounded round, 127.0.0.1 only): all see its map, and the
    Streamlit process stays under 800 MB."""
    contexts = [_context(browser) for _ in range(VIEWERS)]
    pages = [ctx.new_page() for ctx in contexts]
    started = time.monotonic()
    for pg in pages:
        pg.goto(link, wait_until="commit")
    for pg in pages:
        pg.get_by_text(TITLE).first.wait_for(timeout=300_000)
        _wait_count(pg, "path.geo-place", places, timeout=300)
    seconds = time.monotonic() - started
    status = open(f"/proc/{server_pid}/status").read()
    peak_mb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
    (ARTIFACTS / "workspace-viewers.json").write_text(f'{{"viewers": {VIEWERS}, "seconds": {seconds:.1f}, "server_peak_mb": {peak_mb:.0f}}}\n')
    assert all(ctx.external == [] for ctx in contexts)
    for ctx in contexts:
        ctx.close()
    assert peak_mb < 800


EXPECTED_TITLE = "Minister heads for Vilnius"
EXPECTED_ARTICLE = (f"{EXPECTED_TITLE}\n\nForeign Minister Maria Lindqvist flew from Helsinki to Tallinn on Monday for talks. "
                    "She is expected to travel to Vilnius on Thursday, her office said.\n")


def _in_stop_tab(page, action, timeout: float = 90) -> None:
    """Open Corrections > Stop and run `action(page)` there; a rerun may reset the tabs, so retry."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            page.get_by_role("tab", name="Corrections").click(timeout=5_000)
            page.get_by_role("tab", name="Stop").click(timeout=5_000)
            action(page)
            return
        except Exception:
            if time.monotonic() > deadline:
                page.screenshot(path=str(ARTIFACTS / "workspace-stop-tab.png"))
                raise
            time.sleep(1)


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label` by clicking it open and clicking the option."""
    page.get_by_role("combobox", name=label, exact=True).click(timeout=5_000)
    page.get_by_role("option", name=option, exact=True).click(timeout=5_000)


def _idle(page, timeout: float = 120_000) -> None:
    """Wait until the app has finished its rerun (Streamlit's running indicator is gone), so a click is not lost to it."""
    page.wait_for_timeout(300)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=timeout)


def _stop_tooltip(page, text: str, timeout: float = 120) -> str:
    """Hover the map's corrected stop until its tooltip shows `text`; the tooltip's text."""
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                stop = frame.locator(".geo-stop.geo-corrected")
                if stop.count() != 1:
                    continue
                stop.hover(timeout=5_000)
                seen = frame.locator(".leaflet-tooltip").last.inner_text(timeout=5_000)
                if text in seen:
                    return seen
            except Exception:
                continue
        time.sleep(1)
    page.screenshot(path=str(ARTIFACTS / "workspace-stop-tooltip.png"))
    pytest.fail(f"the corrected stop's tooltip says {seen!r}, expected {text!r}")


def test_an_editor_changes_a_stop_s_status_and_date_and_imports_corrections_another_browser_sees_them(cache_dir, gazetteer, browser, tmp_path):  # noqa: F811
    """Real clicks: an editor turns an expected stop into an arrival with a date, a bad corrections file gets one line
    and stores nothing, a good one is imported; a second browser opening the link sees the status, date and time."""
    import json

    data_dir = tmp_path / "data"
    url, proc, log = _start_server(cache_dir, "streamlit-workspace-stop.log", GEO_DATA_DIR=str(data_dir), GEO_EDITOR_KEY=KEY)
    try:
        article = tmp_path / "vilnius.txt"
        article.write_text(EXPECTED_ARTICLE, encoding="utf-8")
        a = _context(browser)
        page_a = a.new_page()
        page_a.goto(url + "/?corpus=upload")
        page_a.get_by_text("Editing").first.click(timeout=180_000)  # the first page of a new server imports the pipeline
        key_box = page_a.get_by_role("textbox", name="Editor key")
        key_box.fill(KEY)
        key_box.press("Enter")
        page_a.locator("input[type=file]").first.set_input_files(str(article))
        page_a.get_by_text(EXPECTED_TITLE).first.wait_for(timeout=180_000)
        _map_frame(page_a)
        page_a.wait_for_url("**ws=**", timeout=30_000)
        link = page_a.url
        ws_id = link.split("ws=")[1][:32]

        _in_stop_tab(page_a, lambda p: _choose(p, "Stop", "3. Vilnius (expected)"))
        _in_stop_tab(page_a, lambda p: _choose(p, "Status", "arrived"))

        def set_date(p) -> None:
            box = p.get_by_role("textbox", name="Date (YYYY-MM-DD)")
            box.fill("2031-05-08")
            box.press("Enter")

        _in_stop_tab(page_a, set_date)
        _in_stop_tab(page_a, lambda p: p.get_by_role("button", name="Save the stop").click(timeout=5_000))
        _stop_tooltip(page_a, "Vilnius — arrived, 2031-05-08 (corrected)")
        store = WorkspaceStore(f"sqlite:///{data_dir / 'workspaces.sqlite'}")
        [edit] = store.corrections(ws_id)
        assert edit.kind == "stop_edit" and (edit.payload["status"], edit.payload["date"]) == ("arrived", "2031-05-08")

        # The import control: a damaged file is one line and stores nothing; a good one is stored whole.
        bad, good = tmp_path / "bad.json", tmp_path / "good.json"
        bad.write_text("{ not json", encoding="utf-8")
        good.write_text(json.dumps({"format": "geo-corrections", "corrections": [
            {"kind": "stop_edit", "payload": {**edit.payload, "time": "10:15"}, "author": "Ben"}]}), encoding="utf-8")
        importer = page_a.locator("[data-testid=stFileUploader]").filter(has_text="Import corrections")
        page_a.get_by_role("tab", name="Corrections").click()
        importer.locator("input[type=file]").set_input_files(str(bad))
        importer.get_by_text("bad.json").wait_for(timeout=30_000)  # uploaded before the button is pressed
        _idle(page_a)
        page_a.get_by_role("button", name="Import the corrections").click()
        page_a.get_by_text("not a corrections export: the file is not JSON").wait_for(timeout=60_000)
        assert len(store.corrections(ws_id)) == 1
        page_a.get_by_role("tab", name="Corrections").click()
        importer.locator("input[type=file]").set_input_files(str(good))
        importer.get_by_text("good.json").wait_for(timeout=30_000)
        _idle(page_a)
        page_a.get_by_role("button", name="Import the corrections").click()
        deadline = time.monotonic() + 60
        while len(store.corrections(ws_id)) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(store.corrections(ws_id)) == 2, "the import button stored nothing"
        _stop_tooltip(page_a, "Vilnius — arrived, 2031-05-08 10:15 (corrected)")
        assert [(c.kind, c.author) for c in store.corrections(ws_id)] == [("stop_edit", "anonymous"), ("stop_edit", "Ben")]
        store.close()
        page_a.screenshot(path=str(ARTIFACTS / "workspace-stop-editor.png"))

        b = _context(browser)
        page_b = b.new_page()
        page_b.goto(link)
        page_b.get_by_text(EXPECTED_TITLE).first.wait_for(timeout=180_000)
        tip = _stop_tooltip(page_b, "Vilnius — arrived, 2031-05-08 10:15 (corrected)")
        assert "expected" not in tip
        page_b.get_by_role("tab", name="Corrections").click()
        page_b.get_by_text("History").first.wait_for(timeout=30_000)
        assert page_b.get_by_role("button", name="Save the stop").count() == 0
        assert page_b.get_by_role("button", name="Import the corrections").count() == 0
        page_b.screenshot(path=str(ARTIFACTS / "workspace-stop-viewer.png"))
        assert a.external == [] and b.external == []
        a.close()
        b.close()
    finally:
        _stop(proc, log)
    assert "Traceback" not in (ARTIFACTS / "streamlit-workspace-stop.log").read_text(errors="replace")
