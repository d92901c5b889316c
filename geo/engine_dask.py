"""The analysis of a corpus as Dask tasks over partitions of articles, written by the workers as a partitioned Parquet dataset.

The passes of `pipeline.analyze`, distributed (the tasks are in `geo.dask_tasks`): (1) each partition is parsed once on
a worker, which keeps its Docs in a file in its scratch folder; (2) per-partition summaries (person name tokens, then the
entities with their short forms, titles before person names) are gathered for the corpus-level steps (label votes,
alias clusters); (3) each partition is resolved on the worker that holds its file and its tables are written as
`<table>/part-<n>.parquet`; its summary (places, movements, facts) comes to the client as soon as it is ready, which
merges places and builds routes and claims, and the workers write those corpus-wide tables a slice per task. So a
worker's memory holds the partitions it works on, not its share of the corpus. A lost worker's partitions are
recomputed from their inputs by Dask, so a run survives it with the same output.
"""
from __future__ import annotations

import gc
import json
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence, cast

from .aliases import Cluster, cluster_aliases
from .articles import Article, Problem
from .config import Settings
from .entities import Entity, MentionKey, defined_acronyms, titled_names
from .errors import ConfigError
from .gazetteer import Gazetteer
from .dask_tasks import (ArticlesNeeded, EntitySummary, PartitionFile, ResolvedPartition, RunContext, RunSummary, finish_corpus,
                         parse_partition, propagate_partition, resolve_partition, task_input, worker_model, worker_usage,
                         write_corpus_part)
from .people import vote_place_labels
from .progress import OnProgress, Progress

log = logging.getLogger(__name__)


# Dask's own work in each worker that the engine does not need. A py-spy profile of a local run put the periodic
# callbacks near the whole resolve pass: the statistical profiler samples every thread every 10 ms, the system monitor
# reads CPU, disk and network counters every 500 ms (the engine's figures are in run.json; the memory monitor, which
# enforces the memory limit, stays). The nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, so glibc hands freed
# memory back at once and takes it again for the next batch: 12x the page faults and 13% more CPU for the same
# parse (sys 2.5 s instead of 0.85 s on 100 articles); None leaves glibc's default. Every server (the scheduler and
# the nannies live in the client's process) checks its event loop every 20 ms and each nanny reads its worker's memory
# every 100 ms: an idle local cluster of 2 workers cost 3.7% of a core in the client alone, 0.8% with both at 1 s, and
# that cost grows with the run's wall time, which a loaded machine stretches.
QUIET_WORKERS = {"distributed.worker.profile.enabled": False, "distributed.admin.system-monitor.interval": "5s",
                 "distributed.admin.system-monitor.disk": False, "distributed.admin.system-monitor.gil.enabled": False,
                 "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                 "distributed.admin.tick.interval": "1s", "distributed.worker.memory.monitor-interval": "1s"}

# A local cluster's workers are forked from the client once it has loaded the spaCy model, as `nlp.pipe(n_process=N)`
# forks its processes: with Dask's default (spawn) each worker imported Dask, spaCy and the project and loaded the model
# again, 1.6 CPU s and 4 s of wall per worker before its first task (an idle cluster of 2: 4.1 CPU s spawned, 1.0 forked,
# the model's 0.8 s in the client included). Remote workers (`--scheduler`) start their own way.
FORKED_WORKERS = {"distributed.worker.multiprocessing-method": "fork"}


def write_run_report(folder: Path, articles: int, partition_size: int, timings: dict[str, float], costs: dict[str, list[float]],
                     memory: dict[str, dict[str, dict[str, float]]]) -> None:
    """`run.json` beside the tables: phase times (wall), each partition's CPU seconds per pass, each worker's peak memory,
    memory at the end (Pss) and CPU seconds, and its peak and Pss at the end of each phase."""
    workers = memory["finish"]
    report = {"articles": articles, "partition_size": partition_size, "workers": len(workers),
              **{k: round(v, 2) for k, v in timings.items()},
              "partition_cpu_s": {name: [round(c, 3) for c in values] for name, values in costs.items()},
              "worker_peak_mb": {addr: round(w["peak_mb"]) for addr, w in sorted(workers.items())},
              "worker_pss_mb": {addr: round(w["pss_mb"]) for addr, w in sorted(workers.items())},
              "worker_cpu_s": {addr: round(w["cpu_s"], 1) for addr, w in sorted(workers.items())},
              "worker_sys_s": {addr: round(w["sys_s"], 1) for addr, w in sorted(workers.items())},
              "worker_page_faults": {addr: int(w["faults"]) for addr, w in sorted(workers.items())},
              "worker_mb_by_phase": {phase: {addr: {"peak": round(w["peak_mb"]), "pss": round(w["pss_mb"])}
                                             for addr, w in sorted(usage.items())}
                                     for phase, usage in memory.items()}}
    (folder / "run.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def partitions(articles: Sequence[Article], size: int) -> list[list[Article]]:
    """Consecutive runs of `size` articles."""
    return [list(articles[i:i + size]) for i in range(0, len(articles), size)]


def warm_imports() -> None:
    """Import what the tasks import on first use (Parquet writing, outlines, spelling), so forked workers start with it
    instead of each importing it (0.6 CPU s per worker)."""
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import rapidfuzz.fuzz  # noqa: F401
    import rapidfuzz.process  # noqa: F401

    from . import outlines  # noqa: F401


def connect(settings: Settings) -> Any:
    """A Dask client of the scheduler in the settings, else of a new LocalCluster of `workers` single-threaded processes.

    Connect before reading the corpus: a local cluster's workers are forked from this process, and pages it holds at
    the fork count in their resident memory (the model's are meant to be shared; the corpus's would make each worker's
    peak grow with the corpus)."""
    from distributed import Client, LocalCluster

    if settings.scheduler:
        try:
            return Client(settings.scheduler, timeout=30)
        except OSError as exc:
            raise ConfigError(f"setting scheduler: no Dask scheduler answers at {settings.scheduler} ({exc}); "
                              f"start one with `dask scheduler` or leave --scheduler out for a local cluster") from exc
    import dask

    worker_model(settings.spacy_model)
    warm_imports()
    gc.freeze()  # the forked workers' collectors skip the model's objects, so their pages stay shared with the client
    try:
        with dask.config.set({**QUIET_WORKERS, **FORKED_WORKERS}):  # the nannies hand the config to the processes they start
            # The scheduler serves HTTP (health, metrics) even without a dashboard: on a free port, so two runs at once
            # do not fight over Dask's 8787.
            cluster = LocalCluster(n_workers=settings.workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    finally:
        gc.unfreeze()
    return Client(cluster)


@dataclass(frozen=True)
class Connected:
    """A client connected ahead of the run (the CLI connects before reading the corpus), and what connecting cost."""

    client: Any
    wall_s: float
    client_cpu_s: float


def connect_ahead(settings: Settings, client_factory: Callable[[Settings], Any] = connect) -> Connected:
    """Connect now, timed as the run's "connect" phase; give the result to `analyze_dask`, which closes it."""
    wall, cpu = time.perf_counter(), time.thread_time()
    client = client_factory(settings)
    return Connected(client, time.perf_counter() - wall, time.thread_time() - cpu)


def close(client: Any, settings: Settings) -> None:
    """Close the client, and the local cluster it started (a remote scheduler and its workers stay up)."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None and not settings.scheduler:
        cluster.close()


# Tasks of one pass a worker is given at a time: one running, one waiting so the worker never waits for the client.
IN_FLIGHT = 2


def windowed(count: int, submit: Callable[[int], Any], home: Callable[[int], str | None], any_worker: int,
             on_done: Callable[[int], None] | None = None, again: Callable[[int], Any] | None = None,
             per_worker: int = IN_FLIGHT) -> list[Any]:
    """The results of tasks `submit(0..count-1)`, in order, with at most `per_worker` of them given to each worker at a
    time (`home(k)`, the worker task k must run on; `None`: any, at most `any_worker` at a time). Dask sends a task that
    has a worker to run on as soon as it is submitted, arguments and all; submitting them all at once made each worker
    hold its share of the whole corpus's arguments. Each result is taken as soon as it is ready and its future dropped,
    so its worker lets it go. A task that answers `ArticlesNeeded` (it ran where its partition's file is not) is sent
    again as `again(k)` gives it, with the articles."""
    from collections import deque

    from distributed import as_completed

    queues: dict[str | None, deque[int]] = {}
    for k in range(count):
        queues.setdefault(home(k), deque()).append(k)
    running = dict.fromkeys(queues, 0)
    position: dict[str, tuple[int, str | None]] = {}
    pending = as_completed()

    def feed(where: str | None) -> None:
        limit = any_worker if where is None else per_worker
        while queues[where] and running[where] < limit:
            k = queues[where].popleft()
            future = submit(k)
            position[future.key], running[where] = (k, where), running[where] + 1
            pending.add(future)

    for where in queues:
        feed(where)
    results: list[Any] = [None] * count
    done = 0
    for future in pending:
        result = future.result()
        k, where = position.pop(future.key)
        del future
        if isinstance(result, ArticlesNeeded):
            if again is None:
                raise RuntimeError(f"partition {result.part} was not parsed on the worker that ran its task")
            log.info("partition %d: its file is not on the worker that ran its task; sent again with its articles", result.part)
            retry = again(k)
            position[retry.key] = (k, where)
            pending.add(retry)
            continue
        running[where] -= 1
        feed(where)
        results[k] = result
        done += 1
        if on_done is not None:
            on_done(done)
    return results


Changes = tuple[dict[int, Entity], tuple[str | None, ...], dict[str, str]]


def resolve_changes(summaries: list[EntitySummary], voted: list[Entity], clusters: list[Cluster],
                    assignment: dict[MentionKey, str]) -> list[Changes]:
    """What pass 3's task of each partition is given: each partition's entities stay on its worker (pass 2 kept them in
    a file); only what the corpus steps changed travels, the relabelled entities (by index), each entity's cluster id
    and those clusters' names. Not the clusters: a cluster lists every article it is in, so a partition's clusters grow
    with the corpus (a country named in every article), and pass 3 reads only their names."""
    out: list[Changes] = []
    start = 0
    name_of = {c.id: c.name for c in clusters}
    for part in summaries:
        ents = voted[start:start + len(part.entities)]
        start += len(part.entities)
        relabelled = {i: e for i, (e, before) in enumerate(zip(ents, part.entities)) if e is not before}
        cluster_ids = tuple(assignment.get(e.key) for e in ents)
        out.append((relabelled, cluster_ids, {cid: name_of[cid] for cid in sorted({c for c in cluster_ids if c is not None})}))
    return out


def analyze_dask(articles: Sequence[Article], gazetteer: Gazetteer, settings: Settings, out: str | Path,
                 problems: Sequence[Problem] = (), on_progress: OnProgress | None = None,
                 client_factory: Callable[[Settings], Any] = connect, connected: Connected | None = None) -> RunSummary:
    """Run the three passes over partitions of `articles` on Dask; the workers write the Parquet dataset into `out`.
    The client is `connected`'s (closed at the end), else one from `client_factory`."""
    from distributed import as_completed

    report = on_progress or (lambda progress: None)
    folder = Path(out).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*/part-*.parquet"):  # parts of an earlier run with more partitions would join this one's
        stale.unlink()
    run = uuid.uuid4().hex
    timings: dict[str, float] = {}
    memory: dict[str, dict[str, dict[str, float]]] = {}  # each worker's usage at the end of each phase
    marks = [time.perf_counter(), time.thread_time()]

    def lap(phase: str) -> None:
        """The phase's wall seconds, and the CPU seconds of the client's own thread (not the scheduler's) in it."""
        wall, cpu = time.perf_counter(), time.thread_time()
        timings[f"{phase}_s"], timings[f"{phase}_client_cpu_s"] = wall - marks[0], cpu - marks[1]
        marks[:] = [wall, cpu]

    titled = frozenset(titled_names(a.text for a in articles))
    acronym_names = defined_acronyms(a.text for a in articles)
    chunks = partitions(articles, settings.partition_size)
    lap("prepare")
    if connected is None:
        connected = connect_ahead(settings, client_factory)
        marks[:] = [time.perf_counter(), time.thread_time()]
    client = connected.client
    timings["connect_s"], timings["connect_client_cpu_s"] = connected.wall_s, connected.client_cpu_s
    try:
        # The shared inputs and each partition's articles are tasks of their own: sent once, kept on the workers that
        # use them, rebuilt if lost. The client holds no future of the articles: a worker lets a partition's articles
        # go once it has parsed them (Dask keeps the task, to compute them again for a parse lost with its worker); a
        # later pass that runs where the partition's file is not gets them from the client (`windowed`'s `again`).
        context = RunContext(settings, gazetteer.path, gazetteer.custom_path, titled, frozenset(acronym_names), str(folder), run)
        ctx = client.submit(task_input, context, key=f"geo-context-{run}")
        parsed = [client.submit(parse_partition, k, client.submit(task_input, tuple(chunk), key=f"geo-articles-{run}-{k}"), ctx,
                                key=f"geo-parse-{run}-{k}") for k, chunk in enumerate(chunks)]
        # Each handle comes to the client as soon as its partition is parsed, with the worker that holds the partition's
        # file, and its future is dropped: no worker holds anything of the partitions it parsed but their files. A later
        # pass runs on that worker; if it is gone, elsewhere, where the task asks for the articles to parse them again.
        handles: list[PartitionFile] = [cast(PartitionFile, None)] * len(chunks)
        homes: list[str | None] = [None] * len(chunks)
        position = {f.key: k for k, f in enumerate(parsed)}
        report(Progress("parsing", 0, len(articles)))
        finishing = as_completed(parsed)
        parsed.clear()  # the futures are held by `finishing` until each comes out of it
        for done, future in enumerate(finishing, start=1):
            k = position[future.key]
            handles[k] = future.result()
            homes[k] = next(iter(client.who_has([future]).get(future.key, ())), None)
            del future
            report(Progress("parsing", min(done * settings.partition_size, len(articles)), len(articles)))
        lap("parse")
        memory["parse"] = client.run(worker_usage)
        names = client.submit(task_input, frozenset().union(*(h.person_tokens for h in handles)), key=f"geo-names-{run}")
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def near(k: int) -> dict[str, Any]:
            return {"workers": [homes[k]], "allow_other_workers": True} if homes[k] else {}

        def names_again(k: int) -> Any:
            return client.submit(propagate_partition, handles[k], ctx, names, tuple(chunks[k]), key=f"geo-names-{run}-{k}-again")

        # Each summary leaves its worker as soon as the client has it (the worker keeps the entities in a file for pass 3).
        summaries = cast(list[EntitySummary], windowed(
            len(handles), lambda k: client.submit(propagate_partition, handles[k], ctx, names, key=f"geo-names-{run}-{k}", **near(k)),
            homes.__getitem__, IN_FLIGHT * workers, again=names_again))
        lap("names")
        memory["names"] = client.run(worker_usage)
        report(Progress("corpus", 0, 1))
        voted = vote_place_labels([e for s in summaries for e in s.entities], set(titled))
        titles = {k: v for s in summaries for k, v in s.titles.items()}
        clusters, assignment = cluster_aliases(voted, titles, acronym_names)
        log.info("corpus steps: %d entities, %d clusters", len(voted), len(clusters))
        report(Progress("corpus", 1, 1))
        lap("corpus")
        changes = resolve_changes(summaries, voted, clusters, assignment)

        def resolve_again(k: int) -> Any:
            return client.submit(resolve_partition, handles[k], ctx, names, *changes[k], tuple(chunks[k]),
                                 key=f"geo-resolve-{run}-{k}-again")

        # Each partition's summary comes to the client as soon as it is ready and leaves its worker: no worker holds
        # more than the partitions it is working on; the corpus steps after pass 3 run here, like those after pass 2.
        finished = cast(list[ResolvedPartition], windowed(
            len(handles), lambda k: client.submit(resolve_partition, handles[k], ctx, names, *changes[k],
                                                  key=f"geo-resolve-{run}-{k}", **near(k)),
            homes.__getitem__, IN_FLIGHT * workers,
            lambda n: report(Progress("geocoding", min(n * settings.partition_size, len(articles)), len(articles))), resolve_again))
        lap("resolve")
        memory["resolve"] = client.run(worker_usage)
        report(Progress("routes", 0, 1))
        early = (*problems, *(p for h in handles for p in h.problems), *(p for s in summaries for p in s.problems))
        slices, summary = finish_corpus(finished, clusters, early, context)
        costs = {"parse": [h.cpu for h in handles], "names": [s.cpu for s in summaries], "resolve": [r.cpu for r in finished]}
        del finished
        # The corpus-wide tables are written by the workers too, a slice per task, a few slices at a time; each task is
        # let go as soon as it is done, so a worker forgets its slice then (a held task keeps its arguments on the worker:
        # 39 MB of unpickled slices on one worker at the end of a run on 3x the articles, when they were gathered at once).
        write_cpu = windowed(len(slices), lambda k: client.submit(write_corpus_part, *slices[k], ctx, key=f"geo-write-{run}-{k}"),
                             lambda k: None, IN_FLIGHT * workers)
        slices.clear()
        lap("finish")
        memory["finish"] = client.run(worker_usage)
        timings["finish_cpu_s"] = summary.cpu + sum(write_cpu)
        report(Progress("routes", 1, 1))
        write_run_report(folder, len(articles), settings.partition_size, timings, costs, memory)
        return summary
    finally:
        close(client, settings)
