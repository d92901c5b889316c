"""One measurement in a fresh process; prints JSON with wall seconds and this process's peak memory.

python bench/measure.py pipeline PATH...   the full `python -m geo analyze` work, cold (imports and model load included)
python bench/measure.py dask PATH...       the same work with --engine dask on a local cluster (workers' figures from run.json)
python bench/measure.py floor PATH...      a bare script: load the same spaCy model, nlp.pipe over the same (cleaned) texts
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

START = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent


def measured(mode: str, paths: list[str], env: dict, workers: int = 1) -> dict:
    """One measurement in a fresh process: its JSON, the wall seconds seen from here and the 1-minute load average
    before and after (a loaded machine stretches wall time; CPU seconds say what the work itself cost)."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "measure.py"), mode, f"--workers={workers}", *paths],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    result["load"] = [round(load, 1), round(os.getloadavg()[0], 1)]
    return result


# The floor's runs per (corpus, number of processes) in one bench run, so every section comparing against it reuses them.
_FLOORS: dict[tuple[tuple[str, ...], int], list[dict]] = {}


def floor_of(sources: list[str], cleaned: list[str], env: dict, workers: int, repeat: int) -> list[dict]:
    """`repeat` floor runs (nlp.pipe with `workers` processes) on the cleaned texts of `sources`, measuring only the
    runs this bench run has not measured yet."""
    runs = _FLOORS.setdefault((tuple(sources), workers), [])
    while len(runs) < repeat:
        runs.append(measured("floor", cleaned, env, workers))
    return runs[:repeat]


def remember_floor(sources: list[str], workers: int, runs: list[dict]) -> None:
    _FLOORS.setdefault((tuple(sources), workers), []).extend(runs)


def texts_of(paths):
    for p in paths:
        p = Path(p)
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            yield f.read_text(encoding="utf-8", errors="replace")


def main() -> None:
    mode, paths = sys.argv[1], sys.argv[2:]
    workers = 1
    if paths and paths[0].startswith("--workers="):
        workers = int(paths.pop(0).split("=", 1)[1])
    if mode == "pipeline":
        from geo.cli import main as geo_main

        # BENCH_JSON keeps the results (the Dask figures compare them with the engine's); else they are thrown away
        code = geo_main(["analyze", *paths, "--workers", str(workers), "--json", os.environ.get("BENCH_JSON") or "/dev/null"])
        assert code == 0
    elif mode == "dask":  # --engine dask on a LocalCluster of `workers` processes; run.json holds the workers' figures
        import tempfile

        from geo.cli import main as geo_main

        with tempfile.TemporaryDirectory() as tmp:
            out = os.environ.get("BENCH_DATASET") or tmp  # where to keep the dataset for the dashboard figures
            code = geo_main(["analyze", *paths, "--engine", "dask", "--workers", str(workers), "--parquet", out])
            assert code == 0
            run = json.loads((Path(out) / "run.json").read_text(encoding="utf-8"))
    elif mode == "floor":
        import importlib

        from geo.parsing import MODEL_PREFERENCE

        for name in MODEL_PREFERENCE:
            try:
                nlp = importlib.import_module(name).load()
                break
            except ImportError:
                continue
        for _ in nlp.pipe(texts_of(paths), batch_size=32, n_process=workers):
            pass
    else:
        raise SystemExit(f"unknown mode {mode}")
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime  # this process and its joined workers
    print(json.dumps({"mode": mode, "seconds": time.perf_counter() - START, "cpu": cpu, "sys": me.ru_stime + children.ru_stime,
                      "peak_mb": max(me.ru_maxrss, children.ru_maxrss) / 1024, "client_peak_mb": me.ru_maxrss / 1024,
                      "client_cpu": me.ru_utime + me.ru_stime,
                      **({"run": run} if mode == "dask" else {})}))


if __name__ == "__main__":
    main()
