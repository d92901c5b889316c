"""The Dask engine: same answers as one process, on a real scheduler and workers on 127.0.0.1 (one of them killed
mid-run), and the online geocoder's rate limit and answer cache shared by every worker process."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from geo.articles import read_corpus
from geo.export import read_parquet, to_json
from geo.pipeline import analyze
from geo.ratelimit import SharedRateLimiter
from tests.fake_nominatim import FakeNominatim

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# Written for these tests: travellers, short forms of people named in full, an acronym, titles, dates.
TEXTS = {
    "fisheries.txt": "Fisheries talks move north\n\nMonday, March 4, 2024\n\n"
                     "Norway's fisheries minister Ingrid Halvorsen left Oslo on Monday for Bergen, where she met the head of "
                     "the Nordic Fisheries Council (NFC). Halvorsen said the talks would continue in Tromso on Wednesday.\n\n"
                     "The NFC said it welcomed the visit. Mrs Halvorsen is expected back in Oslo on Friday.\n",
    "envoy.txt": "Trade envoy tours the coast\n\nTuesday, May 7, 2024\n\n"
                 "Nigerian trade envoy Chidi Okafor flew from Lagos to Accra on Tuesday to meet Ghanaian officials. "
                 "Mr Okafor then travelled by road to Lome, Togo, on Wednesday.\n\n"
                 "He is expected in Cotonou on Friday, his office said. Okafor has visited Accra twice this year.\n",
    "survey.txt": "Researchers map the river\n\nThursday, June 13, 2024\n\n"
                  "Dr Elena Marquez, a hydrologist at the University of Salamanca, set off from Madrid on Thursday for Lisbon. "
                  "Marquez will sail up the Tagus to Santarem before ending the survey in Porto next week.\n\n"
                  "The European Environment Agency (EEA) funds the survey, the EEA said.\n",
}


def _comparable(doc: dict) -> dict:
    """The analysis without run notes (problems, warnings), which say how a run went rather than what it found."""
    return {k: v for k, v in doc.items() if k not in ("problems", "warnings")}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask-corpus")
    for seed in sorted(SEEDS.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def single_process(corpus_dir, nlp, gazetteer, settings) -> dict:
    articles, problems = read_corpus([corpus_dir], settings)
    assert not problems and len(articles) == len(TEXTS) + len(list(SEEDS.glob("*.txt")))
    return _comparable(to_json(analyze(articles, nlp, gazetteer, settings)))


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


class LocalDaskCluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1, each in its own process group, killed on exit."""

    def __init__(self, folder: Path, workers: int = 2):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.scheduler_log = folder / "scheduler.log"
        self.workers: list[subprocess.Popen] = []
        self.scheduler = self._spawn(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                      "--scheduler-file", str(self.file)], self.scheduler_log)
        for n in range(workers):
            self.workers.append(self._spawn(["worker", "--scheduler-file", str(self.file), "--nworkers", "1", "--nthreads", "1",
                                             "--memory-limit", "3GB", "--no-dashboard", "--death-timeout", "60", "--name", f"w{n}",
                                             "--local-directory", str(folder / f"w{n}")], folder / f"w{n}.log"))
        from distributed import Client

        deadline = time.time() + 120
        while not self.file.exists():
            if time.time() > deadline or self.scheduler.poll() is not None:
                self.close()
                pytest.fail(f"dask scheduler did not start: {self.scheduler_log.read_text()[-2000:]}")
            time.sleep(0.2)
        with Client(scheduler_file=str(self.file), timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
            self.address = client.scheduler.address

    def _spawn(self, args: list[str], log: Path) -> subprocess.Popen:
        with open(log, "wb") as out:
            return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=self.folder, env=_env(), stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def kill_worker(self, n: int) -> None:
        os.killpg(self.workers[n].pid, signal.SIGKILL)
        self.workers[n].wait(timeout=30)

    def close(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)


@pytest.fixture
def dask_cluster(tmp_path):
    cluster = LocalDaskCluster(tmp_path / "cluster")
    yield cluster
    cluster.close()


def _analyze_command(corpus: Path, out: Path, scheduler: str) -> list[str]:
    return [sys.executable, "-m", "geo", "-v", "analyze", str(corpus), "--engine", "dask", "--scheduler", scheduler,
            "--partition-size", "2", "--parquet", str(out / "dataset"), "--json", str(out / "analysis.json")]


@pytest.mark.dask
@pytest.mark.slow
def test_the_cli_on_a_real_cluster_gives_the_single_process_answers(dask_cluster, corpus_dir, single_process, tmp_path):
    run = subprocess.run(_analyze_command(corpus_dir, tmp_path, dask_cluster.address), cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "dask, dataset in" in run.stdout
    dataset = tmp_path / "dataset"
    parts = sorted(p.name for p in (dataset / "articles").glob("part-*.parquet"))
    assert parts == [f"part-{k:05d}.parquet" for k in range(4)]  # 8 articles in partitions of 2, one part each
    got = json.loads((tmp_path / "analysis.json").read_text(encoding="utf-8"))
    assert single_process["routes"] and single_process["clusters"] and single_process["places"]
    for table in ("articles", "clusters", "places", "unresolved", "routes", "quotes", "claims"):
        assert _comparable(got)[table] == single_process[table], table
    assert _comparable(to_json(read_parquet(dataset))) == single_process


@pytest.mark.dask
@pytest.mark.slow
def test_a_worker_killed_mid_run_is_survived_with_the_same_output(dask_cluster, corpus_dir, single_process, tmp_path):
    proc = subprocess.Popen(_analyze_command(corpus_dir, tmp_path, dask_cluster.address), cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    corpus_steps_done = threading.Event()
    lines: list[str] = []

    def read_stderr() -> None:
        for line in proc.stderr:
            lines.append(line)
            if "corpus steps:" in line:
                corpus_steps_done.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        # Both workers hold parsed partitions now; killing one loses its files: pass 3's tasks of its partitions not yet
        # resolved run on the other worker, which asks for their articles and parses them again.
        assert corpus_steps_done.wait(timeout=600), "".join(lines)[-3000:]
        assert proc.poll() is None
        dask_cluster.kill_worker(0)
        out, _ = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=10)
    assert proc.returncode == 0, "".join(lines)[-3000:]
    assert "Remove worker" in dask_cluster.scheduler_log.read_text()
    got = json.loads((tmp_path / "analysis.json").read_text(encoding="utf-8"))
    assert _comparable(got) == single_process


def test_the_rate_limiter_spaces_turns_across_instances_from_the_end_of_the_previous_call(tmp_path):
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    first, second = (SharedRateLimiter(tmp_path, "nominatim", 1.0, clock=lambda: now[0], sleep=sleep) for _ in range(2))
    with first.turn():
        now[0] += 0.25  # the call itself takes a quarter of a second
    with second.turn():
        pass
    assert slept == [1.0] and now[0] == 101.25  # one second after the first call ended, not after it started
    now[0] += 0.4
    with first.turn():
        pass
    assert slept == pytest.approx([1.0, 0.6])
    with SharedRateLimiter(tmp_path, "photon", 1.0, clock=lambda: now[0], sleep=sleep).turn():
        pass
    assert slept == pytest.approx([1.0, 0.6])  # each backend has its own rate
    now[0] += 5
    with second.turn():
        pass
    assert slept == pytest.approx([1.0, 0.6])  # an idle limiter lets the next call through at once


@pytest.mark.dask
@pytest.mark.slow
def test_rate_limit_and_answer_cache_hold_across_dask_worker_processes(corpus_dir, gazetteer, settings, tmp_path):
    from geo.articles import article_from_text
    from geo.engine_dask import analyze_dask

    min_delay = 0.4
    articles = [article_from_text(Path(name).stem, name, text) for name, text in TEXTS.items()]
    articles += [replace(a, id=a.id + "-again", path="again-" + a.path) for a in articles]  # the same names asked twice
    with FakeNominatim() as server:
        st = replace(settings, geocoder="nominatim", geocoder_url=server.url, geocoder_scheme="http", user_agent="geo-dashboard-tests",
                     geocoder_min_delay=min_delay, cache_dir=tmp_path / "cache", workers=2, partition_size=1)
        summary = analyze_dask(articles, gazetteer, st, tmp_path / "dataset")
    assert summary.articles == len(articles) and not summary.warnings
    assert len(server.requests) >= 5
    assert len(set(server.requests)) == len(server.requests)  # one answer cache for both workers: nothing asked twice
    times = sorted(server.times)
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= min_delay, gaps  # one rate for the run, not one per worker process
