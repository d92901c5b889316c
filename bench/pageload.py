"""Page loads in chromium, the dashboard beside its floors in one run (bench/run.py --only pageload).

Three servers on 127.0.0.1, each warmed by one load: a bare Streamlit page (`apps/bare_page.py`), a bare st_folium map
of one CircleMarker with Leaflet from static/ (`apps/bare_map.py`), and the dashboard. Loads are interleaved so a slow
spell of the (shared) machine hits all three alike; each figure is the median of `loads` loads.
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = Path(__file__).resolve().parent / "apps"
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
MARKERS = "path.geo-place, .marker-cluster"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: Path, env: dict) -> tuple[str, subprocess.Popen]:
    """A headless Streamlit server for `script` (cwd = the project, so its config and static/ serving apply)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT,
                            env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return url, proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"streamlit did not start for {script}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def load(browser, url: str, markers: bool, timeout: float = 600) -> dict:
    """Seconds from navigation to the first heading shown and (when `markers`) to the first map marker."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    try:
        t = time.perf_counter()
        page.goto(url, wait_until="commit")
        first = None
        while time.perf_counter() - t < timeout:
            if first is None and page.locator("h1").count() > 0:
                first = time.perf_counter() - t
                if not markers:
                    return {"first": first}
            if markers:
                for frame in page.frames[1:]:
                    try:
                        if frame.locator(MARKERS).count() > 0:
                            return {"first": first if first is not None else time.perf_counter() - t,
                                    "markers": time.perf_counter() - t}
                    except Exception:  # noqa: BLE001  a frame may detach while the page builds
                        continue
            page.wait_for_timeout(20)  # not time.sleep: Playwright handles routed requests only while it runs
        raise RuntimeError(f"nothing shown on {url} after {timeout} s")
    finally:
        page.close()


def page_loads(env: dict, corpora: dict[str, dict], loads: int = 5) -> dict:
    """Medians of `loads` loads: bare page, bare map and the dashboard on each corpus (name -> extra env and query)."""
    from playwright.sync_api import sync_playwright

    # The bare map takes Leaflet from static/, which the dashboard writes on its first run: a fresh checkout has none yet.
    subprocess.run([sys.executable, "-c", "from geo.basemap import assets_installed, install_static_assets\n"
                    "if not assets_installed(): install_static_assets()"], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, check=True)
    tmp = Path(tempfile.mkdtemp(prefix="geo-pageload-"))
    # Streamlit serves static/ beside the script: the bare apps get the project's static/ the same way.
    (tmp / "static").symlink_to(ROOT / "static")
    for app in ("bare_page.py", "bare_map.py"):
        shutil.copy(APPS / app, tmp / app)
    servers = {"bare page": start_server(tmp / "bare_page.py", env), "bare st_folium map": start_server(tmp / "bare_map.py", env)}
    for name, spec in corpora.items():
        servers[name] = start_server(ROOT / "dashboard.py", {**env, **spec.get("env", {})})
    queries = {name: spec.get("query", "") for name, spec in corpora.items()}
    samples: dict[str, list[dict]] = {name: [] for name in servers}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, (url, _) in servers.items():  # warm: model, analysis, caches
                load(browser, url + "/" + queries.get(name, ""), markers=name != "bare page")
            for _ in range(loads):
                for name, (url, _) in servers.items():
                    samples[name].append(load(browser, url + "/" + queries.get(name, ""), markers=name != "bare page"))
            browser.close()
    finally:
        for _, proc in servers.values():
            stop_server(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    rows = {}
    for name, runs in samples.items():
        row = {"first_s": round(statistics.median(r["first"] for r in runs), 2)}
        if "markers" in runs[0]:
            row["markers_s"] = round(statistics.median(r["markers"] for r in runs), 2)
        rows[name] = row
    floor_first, floor_markers = rows["bare page"]["first_s"], rows["bare st_folium map"]["markers_s"]
    for name in corpora:
        rows[name]["first_x"] = round(rows[name]["first_s"] / floor_first, 2)
        rows[name]["markers_x"] = round(rows[name]["markers_s"] / floor_markers, 2)
    return {"loads": loads, "load_average": os.getloadavg(), "rows": rows}
