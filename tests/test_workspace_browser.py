"""Shared workspaces in a real browser: A uploads with the editor key, B opens the copied link and sees the article and
its marker without any editing control; after a server restart the link still shows them."""
from __future__ import annotations

import pytest

from .test_browser import ARTIFACTS, LOCAL, _map_frame, _start_server, browser  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.model]
KEY = "browser-editor-key"
TITLE = "Ferry service resumes"
ARTICLE = f"{TITLE}\n\nThe ferry left Helsinki for Tallinn on Monday morning, the operator said.\n"


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
        key_box = page_a.get_by_label("Editor key")
        key_box.fill(KEY)
        key_box.press("Enter")
        page_a.locator("input[type=file]").first.set_input_files(str(article))
        page_a.get_by_text(TITLE).first.wait_for(timeout=180_000)
        _map_frame(page_a)
        page_a.wait_for_url("**ws=**", timeout=30_000)
        link = page_a.url
        assert page_a.get_by_text("Manage workspace").count() == 1
        page_a.screenshot(path=str(ARTIFACTS / "workspace-editor.png"))

        b = _context(browser)
        page_b = b.new_page()
        page_b.goto(link)
        page_b.get_by_text(TITLE).first.wait_for(timeout=180_000)
        frame = _map_frame(page_b)
        assert frame.locator("path.geo-place").count() >= 2  # the two ports
        assert page_b.get_by_text("Manage workspace").count() == 0  # a viewer has no editing control
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
        assert _map_frame(page_c).locator("path.geo-place").count() >= 2
        c.close()
    finally:
        _stop(proc2, log2)
    server_log = (ARTIFACTS / "streamlit-workspace.log").read_text(errors="replace")
    assert "Traceback" not in server_log
