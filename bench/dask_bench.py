"""The Dask engine's figures (`python bench/run.py --only dask`): beside the floor on the benchmark articles and on K
times as many, the same answers as one process, what N workers would give, and the large-results view (DuckDB) on a
dataset of at least 10,000 articles. Each figure is written to bench/results/dask.json as soon as it is measured."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from corpora import benchmark_texts, cleaned_copies, replicated
from measure import floor_of, measured

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PROJECTED_WORKERS = (1, 2, 4, 8, 16, 32)


def lpt_makespan(costs: list[float], workers: int) -> float:
    """Finishing time of the busiest of `workers` when each partition goes to the least loaded one, longest first."""
    loads = [0.0] * workers
    for c in sorted(costs, reverse=True):
        loads[loads.index(min(loads))] += c
    return max(loads)


def partition_costs(info: dict) -> list[float]:
    """Each partition's CPU seconds over the three passes, as its worker measured them (the task's own thread)."""
    cpu = info["partition_cpu_s"]
    return [sum(c) for c in zip(cpu["parse"], cpu["names"], cpu["resolve"])]


def projection(info: dict, client_cpu: float, startup_cpu: float, articles: int) -> list[dict]:
    """What N workers would give on an idle machine with a core per worker: the serial CPU (the client: reading, corpus
    steps and, with a LocalCluster, the scheduler; then the last task), one worker's start-up (imports, model load), and
    the busiest worker's share of the measured per-partition CPU seconds. Network and scheduling delays are not in it."""
    serial = client_cpu + info["finish_cpu_s"] + startup_cpu
    costs = partition_costs(info)
    rows = []
    for n in PROJECTED_WORKERS:
        t = serial + lpt_makespan(costs, n)
        rows.append({"workers": n, "projected_s": round(t, 1), "articles_per_s": round(articles / t, 1)})
    return rows


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def scaled_floor(floor: list[dict], startup: dict, copies: int) -> list[dict]:
    """The floor on `copies` times the same texts, from its run on one copy: start-up once, the parsing `copies` times.
    Saves the longest run of the bench, but overstates the floor: on copies of the same texts spaCy's tokenizer cache
    and vocabulary hit after the first copy (measured: 12 % fewer CPU seconds than scaled, 943 against 1,070 on 10
    copies of 1,135 articles), so the figure of record measures it (`--big-floor measure`)."""
    return [{"wall": startup["wall"] + copies * (f["wall"] - startup["wall"]), "cpu": startup["cpu"] + copies * (f["cpu"] - startup["cpu"]),
             "peak_mb": f["peak_mb"], "load": f["load"], "scaled_from_one_copy": True} for f in floor]


def side_by_side(name: str, paths: list[str], env: dict, workers: int, articles: int, floor: Callable[[int], list[dict]],
                 startup: dict, repeat: int, dataset: Path | None = None) -> dict:
    """`repeat` --engine dask runs on a LocalCluster of `workers` beside the floor's runs (nlp.pipe, `workers` processes)
    on the same texts, interleaved so a slow spell of the machine hits both alike: medians, each run's load average,
    CPU seconds (what load distorts least) and peak memory. `floor(k)` gives the floor's first k runs."""
    runs = []
    for k in range(1, repeat + 1):
        floor(k)
        runs.append(measured("dask", paths, {**env, **({"BENCH_DATASET": str(dataset)} if dataset else {})}, workers))
    floor_runs = floor(repeat)
    wall, fwall = _median(runs, "wall"), _median(floor_runs, "wall")
    cpu, fcpu = _median(runs, "cpu"), _median(floor_runs, "cpu")
    info = runs[-1]["run"]
    client_cpu = _median(runs, "client_cpu")
    return {"corpus": name, "articles": articles, "workers": workers, "repeat": repeat,
            "dask_s": round(wall, 1), "floor_s": round(fwall, 1), "ratio": round(wall / fwall, 2),
            "dask_cpu_s": round(cpu, 1), "floor_cpu_s": round(fcpu, 1), "cpu_ratio": round(cpu / fcpu, 3),
            "cpu_each": [round(r["cpu"], 1) for r in runs], "floor_cpu_each": [round(f["cpu"], 1) for f in floor_runs],
            "cpu_ratio_each_pair": [round(r["cpu"] / f["cpu"], 3) for r, f in zip(runs, floor_runs)],
            "articles_per_s": round(articles / wall, 2), "floor_articles_per_s": round(articles / fwall, 2),
            "articles_per_cpu_s": round(articles / cpu, 2), "floor_articles_per_cpu_s": round(articles / fcpu, 2),
            "client_peak_mb": round(max(r["client_peak_mb"] for r in runs)), "client_cpu_s": round(client_cpu, 1),
            "worker_peak_mb": info["worker_peak_mb"], "worker_pss_mb": info.get("worker_pss_mb"), "worker_cpu_s": info["worker_cpu_s"],
            "worker_mb_by_phase": info.get("worker_mb_by_phase"),
            "floor_peak_mb": round(max(f["peak_mb"] for f in floor_runs)), "floor_scaled": any(f.get("scaled_from_one_copy") for f in floor_runs),
            "load_dask": [r["load"] for r in runs], "load_floor": [f["load"] for f in floor_runs],
            "partitions": len(info["partition_cpu_s"]["parse"]),
            "partition_cpu_s_median": round(statistics.median(partition_costs(info)), 2),
            "phases_s": {k: info[k] for k in ("prepare_s", "connect_s", "parse_s", "names_s", "corpus_s", "resolve_s", "finish_s")},
            "projection": projection(info, client_cpu, startup["cpu"], articles)}


def same_answers(folder: str, dataset: Path, env: dict, workers: int) -> dict:
    """The single-process run (`nlp.pipe` with `workers` processes, measured like the engine and the floor) against the
    Dask run's dataset (read back as JSON), table by table (run notes aside): what the engine costs beyond the pipeline."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "local.json"
        run = measured("pipeline", [folder], {**env, "BENCH_JSON": str(out)}, workers)
        local = json.loads(out.read_text(encoding="utf-8"))
    from geo.export import read_parquet, to_json

    dask = json.loads(json.dumps(to_json(read_parquet(dataset))))
    tables = [k for k in local if k not in ("problems", "warnings")]
    return {"tables_equal": {k: local[k] == dask.get(k) for k in tables}, "articles": len(local["articles"]),
            "entities": sum(len(a["entities"]) for a in local["articles"]), "clusters": len(local["clusters"]),
            "places": len(local["places"]), "routes": len(local["routes"]),
            "pipeline": {"workers": workers, "wall_s": round(run["wall"], 1), "cpu_s": round(run["cpu"], 1),
                         "client_cpu_s": round(run["client_cpu"], 1), "peak_mb": round(run["peak_mb"]), "load": run["load"]}}


def replicated_dataset(dataset: Path, target: Path, copies: int, part_articles: int = 50) -> int:
    """A Dask dataset's results `copies` times under new article ids (id + "-c<k>"), by DuckDB, in parts of about
    `part_articles` articles like a run's partitions, for the large-results view."""
    import duckdb

    con = duckdb.connect()
    articles = con.execute(f"SELECT count(*) FROM read_parquet('{dataset}/articles/part-*.parquet')").fetchone()[0]
    per_part = max(1, part_articles // max(1, articles))  # copies in one part
    renamed = {"articles": "id", "entities": "article", "places": "article", "unresolved": "article", "quotes": "article"}
    for table in (d.name for d in dataset.iterdir() if d.is_dir()):
        column = renamed.get(table)
        if not column:  # corpus-wide tables (one part, possibly without columns when empty) are copied as they are
            shutil.copytree(dataset / table, target / table)
            continue
        (target / table).mkdir(parents=True)
        source = f"read_parquet('{dataset / table}/part-*.parquet', union_by_name=true)"
        for first in range(0, copies, per_part):
            select = " UNION ALL ".join(f"SELECT * REPLACE ({column} || '-c{k}' AS {column}) FROM {source}"
                                        for k in range(first, min(copies, first + per_part)))
            con.execute(f"COPY ({select}) TO '{target / table}/part-{first // per_part:05d}.parquet' (FORMAT parquet)")
    for name in ("model.txt", "version.txt"):
        shutil.copy(dataset / name, target / name)
    return int(con.execute(f"SELECT count(*) FROM read_parquet('{target}/articles/part-*.parquet')").fetchone()[0])


RESULTS_VIEW = r"""
import json, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("dashboard.py", default_timeout=900)
at.query_params["corpus"] = "results"
t = time.perf_counter(); at.run(); first = time.perf_counter() - t
assert not at.exception, at.exception
times, cpu = [], []  # wall and CPU (all of this process's threads: the script's and DuckDB's) per rerun

def rerun():
    t, c = time.perf_counter(), time.process_time()
    at.run()
    times.append(time.perf_counter() - t); cpu.append(time.process_time() - c)

for words in ("Ukraine", "election", "", "river", "police"):
    next(w for w in at.text_input if w.label == "Search titles and texts").set_value(words)
    rerun()
for labels in (["PERSON"], ["GPE", "LOC"], ["ORG"]):
    next(m for m in at.multiselect if m.label == "Entity types in the matrix").set_value(labels)
    rerun()
assert not at.exception, at.exception
times.sort(); cpu.sort()
peak = int(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM"))) / 1024
print(json.dumps({"first_run_s": round(first, 2), "rerun_ms_median": round(1000 * times[len(times) // 2]),
                  "rerun_ms_max": round(1000 * times[-1]), "rerun_cpu_ms_median": round(1000 * cpu[len(cpu) // 2]),
                  "rerun_cpu_ms_max": round(1000 * cpu[-1]), "reruns": len(times), "app_process_peak_mb": round(peak)}))
"""


def results_view_figures(env: dict, dataset: Path) -> dict:
    """The large-results view on a saved dataset (AppTest runs the dashboard's script in this process, as the Streamlit
    server would): rerun time after a search or filter change, and the process's peak memory."""
    import duckdb

    articles = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{dataset}/articles/part-*.parquet')").fetchone()[0]
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, "-c", RESULTS_VIEW], cwd=ROOT, env={**env, "GEO_RESULTS_DIR": str(dataset)}, capture_output=True,
                         text=True, check=True)
    return {"articles": int(articles), **json.loads(out.stdout.strip().splitlines()[-1]), "load": [round(load, 1), round(os.getloadavg()[0], 1)]}


def dask_figures(env: dict, workers: int = 2, copies: int = 10, articles: int | None = None, repeat: int = 2,
                 big_repeat: int = 1, big_floor: str = "measure", texts: str | None = None, big_only: bool = False) -> dict:
    """The engine beside the floor on the benchmark articles (the first `articles`, or those already written in `texts`,
    whose floor runs another section may have measured), same answers as one process, the large-results view, then the
    engine on `copies` times as many articles (`big_repeat` runs; the floor measured, or scaled from the first corpus's
    with `big_floor="scale"`) and the view on that run's own dataset. `big_only` keeps only the larger corpus's figures
    (and, to scale its floor, the floor's runs on the first corpus): the engine's run on it is most of the section."""
    big_env = {**env, "GEO_MAX_FILES": "1000000", "GEO_MAX_CORPUS_BYTES": "20000000000"}
    figures: dict = {"date": dt.date.today().isoformat(), "cores": os.cpu_count(), "runs": []}

    def keep(key: str, value) -> None:
        figures[key] = value
        (RESULTS / "dask.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
        print(key, json.dumps(value), flush=True)

    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as big, tempfile.TemporaryDirectory() as clean, \
            tempfile.TemporaryDirectory() as clean_big, tempfile.TemporaryDirectory() as saved, tempfile.TemporaryDirectory() as empty:
        if texts:
            tmp = texts
            n = len(list(Path(texts).glob("*.txt")))
        else:
            n = benchmark_texts(Path(tmp), articles)
        cleaned_copies([tmp], Path(clean))
        startup = measured("floor", [empty], env, workers)  # imports and model load, no text: the floor's fixed part
        keep("floor_startup", {k: round(startup[k], 1) for k in ("wall", "cpu")} | {"load": startup["load"]})
        dataset = Path(saved) / "dataset"

        def floor(k: int) -> list[dict]:
            return floor_of([tmp], [clean], env, workers, k)

        keep("runs", [])
        if not big_only:
            keep("runs", [side_by_side(f"benchmarks ({n} articles)", [tmp], env, workers, n, floor, startup, repeat, dataset)])
            same = same_answers(tmp, dataset, env, workers)
            first = figures["runs"][0]
            same["pipeline"] |= {"cpu_ratio_to_floor": round(same["pipeline"]["cpu_s"] / first["floor_cpu_s"], 2),
                                 "engine_cpu_ratio_to_pipeline": round(first["dask_cpu_s"] / same["pipeline"]["cpu_s"], 2)}
            keep("same_answers", same)
            replicated_dataset(dataset, Path(saved) / "replicated", max(1, -(-10_000 // n)))
            keep("results_view_replicated", {"copies_of": n, **results_view_figures(env, Path(saved) / "replicated")})
        if copies > 1:
            n_big = replicated(Path(tmp), Path(big), copies)
            if big_floor == "measure":
                replicated(Path(clean), Path(clean_big), copies)

            def floor_big(k: int) -> list[dict]:
                if big_floor == "scale":
                    return scaled_floor(floor(repeat), startup, copies)
                return floor_of([big], [clean_big], big_env, workers, k)

            big_dataset = Path(saved) / "big"
            keep("runs", figures["runs"] + [side_by_side(f"benchmarks x{copies} ({n_big} articles)", [big], big_env, workers, n_big,
                                                         floor_big, startup, big_repeat, big_dataset)])
            keep("results_view", results_view_figures(env, big_dataset))
    return figures
