"""Benchmark suite: pipeline vs its spaCy floor, gazetteer, dashboard. Prints a table, writes bench/results/latest.json.

    python bench/run.py            everything (about 10-15 minutes on 2 cores)
    python bench/run.py --quick    a tiny corpus, no dashboard: checks that the suite runs (used by the tests)
    python bench/run.py --only dask [--articles N] [--copies K] [--repeat R] [--big-floor scale] [--big-only] [--cache-dir DIR]
                                   the Dask engine beside its floor, on N benchmark articles and K times as many
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# This checkout's geo/, not whichever one an editable install points at; the measured subprocesses get the same path.
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpora import benchmark_texts, cleaned_copies  # noqa: E402  (bench/ is put on the path just above)
from dask_bench import dask_figures  # noqa: E402
from measure import measured as measure, remember_floor  # noqa: E402


def pipeline_vs_floor(name: str, paths: list[str], env: dict, repeat: int, workers: int = 1) -> dict:
    """Medians of `repeat` pipeline and floor runs, interleaved so a slow spell of the machine hits both alike."""
    pipe, floor = [], []
    with tempfile.TemporaryDirectory() as tmp:
        same_texts = cleaned_copies(paths, Path(tmp))
        for _ in range(repeat):
            floor.append(measure("floor", same_texts, env, workers))
            pipe.append(measure("pipeline", paths, env, workers))
    remember_floor(paths, workers, floor)
    p = statistics.median(r["wall"] for r in pipe)
    f = statistics.median(r["wall"] for r in floor)
    # CPU seconds (the process and its workers) are what a loaded machine distorts least: wall time waits for other jobs.
    pc, fc = statistics.median(r["cpu"] for r in pipe), statistics.median(r["cpu"] for r in floor)
    return {"corpus": name, "workers": workers, "repeat": repeat, "pipeline_s": round(p, 2), "floor_s": round(f, 2),
            "ratio": round(p / f, 2), "ratios": [round(a["wall"] / b["wall"], 2) for a, b in zip(pipe, floor)],
            "pipeline_cpu_s": round(pc, 1), "floor_cpu_s": round(fc, 1), "cpu_ratio": round(pc / fc, 2),
            "pipeline_peak_mb": round(max(r["peak_mb"] for r in pipe)), "floor_peak_mb": round(max(r["peak_mb"] for r in floor))}


def memory_scaling(folder: Path, env: dict, full: dict) -> list[dict]:
    """Peak memory of the pipeline on a quarter, a half and all of the articles: it should grow only with the results."""
    files = sorted(folder.glob("*.txt"))
    rows = []
    for share in (4, 2):
        subset = files[: len(files) // share]
        with tempfile.TemporaryDirectory() as sub:
            for f in subset:
                shutil.copy(f, sub)
            r = measure("pipeline", [sub], env)
        rows.append({"articles": len(subset), "pipeline_s": round(r["wall"], 1), "peak_mb": round(r["peak_mb"])})
    rows.append({"articles": len(files), "pipeline_s": full["pipeline_s"], "peak_mb": full["pipeline_peak_mb"]})
    return rows


def gazetteer_figures(env: dict) -> dict:
    code = r"""
import json, random, resource, sys, time
from pathlib import Path
from geo.config import load_settings
from geo.gazetteer import build_index, Gazetteer
import sqlite3
st = load_settings()
path = st.gazetteer_path
t, cpu = time.perf_counter(), time.process_time(); stats = build_index(path)
build, build_cpu = time.perf_counter() - t, time.process_time() - cpu
rss_before = int(open('/proc/self/statm').read().split()[1]) * 4096 / 1e6
g = Gazetteer(path)
names = [r[0] for r in sqlite3.connect(path).execute("SELECT norm FROM names ORDER BY random() LIMIT 20000")]
t = time.perf_counter()
for n in names: g._candidates(n)
cold = len(names) / (time.perf_counter() - t)
for n in names: g.candidates(n)  # fill the cache first, so "cached" times cache hits only
t = time.perf_counter()
for _ in range(5):
    for n in names: g.candidates(n)
warm = 5 * len(names) / (time.perf_counter() - t)
rss_after = int(open('/proc/self/statm').read().split()[1]) * 4096 / 1e6
print(json.dumps({"build_s": round(build, 1), "build_cpu_s": round(build_cpu, 1), "file_mb": round(stats["bytes"] / 1e6, 1), "places": stats["places"],
                  "lookups_per_s_uncached": round(cold), "lookups_per_s_cached": round(warm),
                  "resident_mb_added": round(rss_after - rss_before, 1)}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dashboard_figures(env: dict, corpus: str = "seeds") -> dict:
    """Time to markers visible (warm server, real browser), server rerun time after a filter change, peak RSS."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    denv = dict(env)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT, env=denv,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        timings = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                                    "--disable-background-networking", "--disable-component-update"])
            for attempt in range(3):  # the first load warms the server's caches (model, analysis)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else r.abort())
                t = time.perf_counter()
                page.goto(url + f"/?corpus={corpus}")
                found = False
                while time.perf_counter() - t < 600 and not found:
                    for frame in page.frames:
                        try:
                            if frame.locator("path.geo-place, .marker-cluster").count() > 0:
                                found = True
                                break
                        except Exception:
                            pass
                    time.sleep(0.05)
                timings.append(time.perf_counter() - t)
                page.close()
            browser.close()
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    rerun = rerun_time(denv, corpus)
    return {"first_load_s": round(timings[0], 2), "markers_visible_warm_s": round(statistics.median(timings[1:]), 2),
            "rerun_ms": rerun, "streamlit_peak_mb": round(peak)}


def rerun_time(env: dict, corpus: str) -> float:
    code = r"""
import json, os, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("dashboard.py", default_timeout=900)
at.query_params["corpus"] = sys.argv[1]
at.run()
times = []
for labels in (["GPE"], ["PERSON", "GPE"], ["GPE", "LOC", "FAC"], ["PERSON"], ["GPE"]):
    ms = next(m for m in at.multiselect if m.label == "Entity types")
    ms.set_value(labels)
    t = time.perf_counter(); at.run(); times.append(time.perf_counter() - t)
times.sort()
print(json.dumps({"rerun_ms": round(1000 * times[len(times) // 2])}))
"""
    out = subprocess.run([sys.executable, "-c", code, corpus], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["rerun_ms"]


def long_article_figures(env: dict, chars: int = 4_990_000) -> dict:
    """Peak memory and time of the pipeline on one article just under the 5 MB file limit, beside the bare model
    parsing the same pieces (spaCy alone cannot take the whole text: it stops at max_length)."""
    sys.path.insert(0, str(ROOT))
    from geo.chunks import pieces
    from tests.longtext import long_article

    text = long_article(chars)
    with tempfile.TemporaryDirectory() as whole, tempfile.TemporaryDirectory() as parts:
        (Path(whole) / "long.txt").write_text(text, encoding="utf-8")
        for n, piece in enumerate(pieces(text)):
            (Path(parts) / f"{n:05d}.txt").write_text(piece, encoding="utf-8")
        floor = measure("floor", [parts], env)
        pipe = measure("pipeline", [whole], env)
    return {"article_mb": round(len(text.encode()) / 1e6, 2), "pipeline_s": round(pipe["wall"], 1), "floor_s": round(floor["wall"], 1),
            "pipeline_peak_mb": round(pipe["peak_mb"]), "floor_peak_mb": round(floor["peak_mb"])}


def _markers_visible(page, url: str, timeout: float = 300) -> float:
    """Seconds from navigation to the first map marker."""
    t = time.perf_counter()
    page.goto(url)
    while time.perf_counter() - t < timeout:
        for frame in page.frames:
            try:
                if frame.locator("path.geo-place, .marker-cluster").count() > 0:
                    return time.perf_counter() - t
            except Exception:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"no markers on {url} after {timeout} s")


def concurrent_viewer(env: dict, folder: Path, articles: int = 300, loads: int = 3) -> dict:
    """Another viewer's page load (seeds, warm) while idle and while one session analyses `articles` uploaded files."""
    from playwright.sync_api import sync_playwright

    files = sorted(folder.glob("*.txt"))[:articles]
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    local = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                                    "--disable-background-networking", "--disable-component-update"])

            def viewer_load() -> float:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local) else r.abort())
                try:
                    return _markers_visible(page, url + "/?corpus=seeds")
                finally:
                    page.close()

            viewer_load()  # warms the model, the seeds' analysis and the server's caches
            idle = [viewer_load() for _ in range(loads)]
            analyst = browser.new_page(viewport={"width": 1400, "height": 1000})
            analyst.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local) else r.abort())
            analyst.goto(url + "/?corpus=upload")
            analyst.locator("input[type=file]").first.set_input_files([str(f) for f in files])
            bar = analyst.locator("[data-testid=stProgress]")
            bar.first.wait_for(timeout=300_000)
            started = time.perf_counter()
            busy = []
            while bar.count() and len(busy) < loads:
                busy.append(viewer_load())
            still_running = bar.count() > 0
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    idle_s, busy_s = statistics.median(idle), statistics.median(busy) if busy else float("nan")
    return {"articles": len(files), "idle_load_s": round(idle_s, 2), "busy_load_s": round(busy_s, 2), "ratio": round(busy_s / idle_s, 2),
            "busy_loads": [round(b, 2) for b in busy], "analysis_running_after_loads": still_running,
            "seconds_measured_during_analysis": round(time.perf_counter() - started, 1)}


def pageload_figures(env: dict, saved: str | None = None) -> dict:
    """Page loads of the dashboard beside a bare page and a bare st_folium map (bench/pageload.py), on the seeds and on
    the 1,135 benchmark articles read back from Parquet; and the server time of a rerun after a filter change."""
    from pageload import page_loads

    corpora = {"dashboard, seeds": {"query": "?corpus=seeds"}}
    folder = Path(saved) if saved else Path(tempfile.mkdtemp(prefix="geo-saved-"))
    if saved == "skip":
        figures = page_loads(env, corpora)
        figures["rerun_ms_seeds"] = rerun_time(env, "seeds")
        return figures
    if not (folder / "version.txt").exists():
        with tempfile.TemporaryDirectory() as tmp:
            benchmark_texts(Path(tmp))
            subprocess.run([sys.executable, "-m", "geo", "analyze", tmp, "--parquet", str(folder)], cwd=ROOT, env=env,
                           capture_output=True, check=True)
    corpora["dashboard, 1,135 saved articles"] = {"query": "?corpus=results", "env": {"GEO_RESULTS_DIR": str(folder)}}
    figures = page_loads(env, corpora)
    figures["rerun_ms_seeds"] = rerun_time(env, "seeds")
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny corpus, no dashboard and no large corpus")
    ap.add_argument("--no-dashboard", action="store_true")
    ap.add_argument("--only", choices=["gazetteer", "long-article", "concurrent", "pipeline", "dask", "pageload"], help="run one section and print its figures")
    ap.add_argument("--saved", help="with --only pageload: a Parquet results folder of the 1,135 benchmark articles to reuse "
                                    "(written there when missing), or 'skip' for the seeds only")
    ap.add_argument("--articles", type=int, help="with --only dask: the first N benchmark articles (default all 1,135)")
    ap.add_argument("--copies", type=int, default=10, help="with --only dask: the larger corpus is K copies of the articles (0: skip it)")
    ap.add_argument("--repeat", type=int, default=2, help="with --only dask: runs of the engine and the floor on the first corpus")
    ap.add_argument("--big-floor", choices=["measure", "scale"], default="measure",
                    help="with --only dask: measure the floor on the larger corpus, or scale its run on the first one (start-up once, parsing K times)")
    ap.add_argument("--big-only", action="store_true",
                    help="with --only dask: only the larger corpus's figures (with --big-floor scale, the floor runs once on the first corpus)")
    ap.add_argument("--cache-dir", help="reuse this cache folder (its gazetteer index is built once) instead of a new temporary one")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    cache = Path(args.cache_dir) if args.cache_dir else Path(tempfile.mkdtemp(prefix="geo-bench-"))
    env = {**os.environ, "GEO_CACHE_DIR": str(cache), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    # Build the gazetteer once so cold pipeline runs measure analysis, not the one-off index build. The Dask section
    # alone only needs the index (built when missing or out of date), not the build's figures.
    if args.only == "dask":
        subprocess.run([sys.executable, "-c", "from geo.config import load_settings; from geo.gazetteer import open_gazetteer; "
                        "open_gazetteer(load_settings())"], cwd=ROOT, env=env, check=True)
        gz: dict = {}
    else:
        gz = gazetteer_figures(env)
    if args.only:
        if args.only == "gazetteer":
            figures = {**gz, "load_average": os.getloadavg()[0]}
        elif args.only == "long-article":
            figures = long_article_figures(env)
        elif args.only == "pageload":
            figures = pageload_figures(env, args.saved)
        elif args.only == "dask":
            figures = dask_figures(env, copies=args.copies, articles=args.articles, repeat=args.repeat, big_floor=args.big_floor,
                                   big_only=args.big_only)
        elif args.only == "pipeline":
            with tempfile.TemporaryDirectory() as tmp:
                n = benchmark_texts(Path(tmp))
                figures = {"pipeline": [pipeline_vs_floor(f"benchmarks ({n} articles)", [tmp], env, repeat=3, workers=w) for w in (1, 2)],
                           "load_average": os.getloadavg()}
        else:
            with tempfile.TemporaryDirectory() as tmp:
                benchmark_texts(Path(tmp))
                figures = concurrent_viewer(env, Path(tmp))
        (RESULTS / f"{args.only}.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
        print(args.only, json.dumps(figures))
        return 0
    seeds = [str(p) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    results: dict = {"date": dt.date.today().isoformat(), "machine": {"cores": os.cpu_count(), "memory_gb": round(
        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30), "python": platform.python_version()}, "gazetteer": gz}
    if args.quick:
        results["pipeline"] = [pipeline_vs_floor("seeds (2 files)", seeds[:2], env, repeat=1)]
    else:
        results["pipeline"] = [pipeline_vs_floor("seeds (5 articles, cold)", seeds, env, repeat=3)]
        with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as saved:
            n = benchmark_texts(Path(tmp))
            results["pipeline"].append(pipeline_vs_floor(f"benchmarks ({n} articles)", [tmp], env, repeat=3))
            results["pipeline"].append(pipeline_vs_floor(f"benchmarks ({n} articles)", [tmp], env, repeat=3, workers=2))
            results["scaling"] = memory_scaling(Path(tmp), env, results["pipeline"][1])
            results["long_article"] = long_article_figures(env)
            results["dask"] = dask_figures(env, texts=tmp)
            if not args.no_dashboard:
                results["concurrent_viewer"] = concurrent_viewer(env, Path(tmp))
                results["dashboard"] = {"seeds": dashboard_figures(env)}
                subprocess.run([sys.executable, "-m", "geo", "analyze", tmp, "--parquet", saved], cwd=ROOT, env=env,
                               capture_output=True, check=True)
                results["dashboard"][f"{n} articles (saved results)"] = dashboard_figures({**env, "GEO_RESULTS_DIR": saved}, "results")
    (RESULTS / ("quick.json" if args.quick else "latest.json")).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"machine: {results['machine']}  date: {results['date']}")
    print(f"{'corpus':<34} {'workers':>7} {'pipeline s':>10} {'floor s':>8} {'ratio':>6} {'cpu ratio':>9} {'peak MB':>8} {'floor MB':>8}  each run")
    for r in results["pipeline"]:
        print(f"{r['corpus']:<34} {r['workers']:>7} {r['pipeline_s']:>10} {r['floor_s']:>8} {r['ratio']:>6} {r['cpu_ratio']:>9} "
              f"{r['pipeline_peak_mb']:>8} {r['floor_peak_mb']:>8}  {r['ratios']}")
    for r in results.get("scaling", []):
        print(f"memory scaling: {r['articles']:>5} articles  {r['pipeline_s']:>6} s  peak {r['peak_mb']} MB")
    if "long_article" in results:
        print("one 5 MB article:", json.dumps(results["long_article"]))
    if "concurrent_viewer" in results:
        print("another viewer's page load while a session analyses:", json.dumps(results["concurrent_viewer"]))
    print("gazetteer:", json.dumps(gz))
    if "dashboard" in results:
        print("dashboard:", json.dumps(results["dashboard"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
