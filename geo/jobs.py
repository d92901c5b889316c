"""Corpus analyses as jobs run in a worker process, so a long analysis never holds the web server's interpreter.

The dashboard serves every session from one Python process; an analysis in a session's thread would hold the GIL
for most of its run and slow every other viewer's page. A job runs `analyse_files` in a separate (spawned) process
that keeps the spaCy model and the gazetteer loaded between jobs, streams `Progress` records back through a
queue, and returns the `Analysis` as a value every session can share. Jobs are keyed by the corpus digest, so two
sessions that open the same corpus share one job and see the same progress.
"""
from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import queue
import threading
from dataclasses import replace
from collections import OrderedDict
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.managers import SyncManager
from typing import TYPE_CHECKING, Any, Sequence

from .articles import Problem, dedupe_articles, infer_corpus_dates, read_article_bytes
from .config import Settings
from .errors import ArticleError, GeoError, failure_reason
from .progress import Estimate, Progress

if TYPE_CHECKING:  # the pipeline and the gazetteer load only in the worker process
    from .pipeline import Analysis
    from .workspace_gazetteer import WorkspacePlace

log = logging.getLogger(__name__)

# Finished analyses kept for reuse (each is shared read-only by every session that opens the same corpus).
KEEP_RESULTS = 16
# One worker process: on a small machine the other core stays free for the web server and its viewers.
WORKER_PROCESSES = 1
POLL_SECONDS = 0.2
DRAIN_SECONDS = 5.0

_loaded: dict[tuple[str, ...], Any] = {}  # in the worker process: the model and gazetteer, loaded once


class WorkerDied(GeoError):
    """The analysis process ended without an answer (killed, or out of memory)."""


def _init_worker(level: int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _resources(settings: Settings) -> tuple[Any, Any]:
    from .parsing import load_model
    from .gazetteer import open_gazetteer

    key = ("gazetteer", str(settings.gazetteer_path), str(settings.custom_gazetteer))
    if key not in _loaded:
        _loaded[key] = open_gazetteer(settings)
    mkey = ("model", settings.spacy_model)
    if mkey not in _loaded:
        _loaded[mkey] = load_model(settings.spacy_model)
    return _loaded[mkey], _loaded[key]


def analyse_files(files: Sequence[tuple[str, bytes]], settings: Settings, progress: queue.Queue[Progress] | None = None,
                  place_rows: Sequence[WorkspacePlace] = ()) -> Analysis:
    """Read (name, bytes) files and analyse them (a workspace's gazetteer rows among the candidates); a file that cannot
    be read or analysed becomes a Problem line."""
    from .geocode import make_geocoder
    from .pipeline import analyze
    from .workspace_gazetteer import RowGazetteer

    def report(p: Progress) -> None:
        if progress is not None:
            progress.put(p)

    articles, problems = [], []
    for i, (name, data) in enumerate(files, start=1):
        try:
            articles.append(read_article_bytes(name, data, settings))
        except ArticleError as exc:
            problems.append(Problem(exc.path, exc.reason))
        except Exception as exc:  # noqa: BLE001  one unreadable file never stops the corpus
            log.info("%s: could not be read", name, exc_info=True)
            problems.append(Problem(name, failure_reason(exc, "could not be read")))
        report(Progress("reading", i, len(files)))
    articles, copies = dedupe_articles(articles)
    problems.extend(copies)
    articles = infer_corpus_dates(articles)
    nlp, base = _resources(settings)
    gazetteer = RowGazetteer.over(base, place_rows)
    warnings: list[str] = []
    online = make_geocoder(settings, gazetteer, on_warning=warnings.append) if articles else None
    result = analyze(articles, nlp, gazetteer, settings, problems, online, on_progress=report)
    return replace(result, warnings=result.warnings + tuple(w for w in warnings if w not in result.warnings))


class Job:
    """One analysis under way or finished: its latest progress, an estimate of the time left, and its result."""

    def __init__(self, future: concurrent.futures.Future[Analysis], updates: queue.Queue[Progress]):
        self.future = future
        self.estimate = Estimate()
        self.progress = Progress("reading", 0, 1)
        self._updates = updates
        self._drainer = threading.Thread(target=self._drain, daemon=True, name="analysis-progress")
        self._drainer.start()

    def _drain(self) -> None:
        while True:
            try:
                self.progress = self._updates.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if self.future.done():
                    return
            except (EOFError, OSError, BrokenPipeError):  # the manager went away with the worker
                return

    def line(self) -> str:
        """The stage and the time left, e.g. 'parsing 12 of 300 articles · about 3 min left'."""
        return self.estimate.line(self.progress)

    def wait(self, seconds: float | None) -> bool:
        """True once the job has finished (successfully or not), after waiting at most `seconds`."""
        try:
            self.future.result(timeout=seconds)
        except concurrent.futures.TimeoutError:
            return False
        except Exception:  # noqa: BLE001  the failure is raised by result()
            pass
        self._drainer.join(timeout=DRAIN_SECONDS)  # the last progress records are read before anyone looks
        return True

    def failed(self) -> bool:
        """True once the job has ended without a result (a new start() for its key runs it again)."""
        return self.future.done() and (self.future.cancelled() or self.future.exception() is not None)

    def result(self) -> Analysis:
        """The Analysis; a dead worker becomes WorkerDied, any other failure is raised as it came."""
        self.wait(None)
        try:
            return self.future.result()
        except BrokenProcessPool as exc:
            raise WorkerDied("the analysis process stopped before it finished (out of memory?); reload the page to retry") from exc


class JobRunner:
    """Starts analyses in the worker process, one job per corpus key, and keeps the last results."""

    def __init__(self, processes: int = WORKER_PROCESSES, keep: int = KEEP_RESULTS):
        self.processes = processes
        self.keep = keep
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.RLock()  # a done-callback may run inside start()
        self._context = multiprocessing.get_context("spawn")  # fork would copy the server's threads and locks
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._manager: SyncManager | None = None
        # concurrent.futures joins its workers when the interpreter exits, so a server stopped during a long analysis
        # would wait for it; this runs first (threading's exit hooks run newest first) and ends the workers instead.
        threading._register_atexit(self.close)  # type: ignore[attr-defined]

    def _pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._manager is None:
            self._manager = self._context.Manager()
        if self._executor is None:
            self._executor = concurrent.futures.ProcessPoolExecutor(
                self.processes, mp_context=self._context, initializer=_init_worker,
                initargs=(logging.getLogger("geo").getEffectiveLevel(),))
        return self._executor

    def start(self, key: str, files: Sequence[tuple[str, bytes]], settings: Settings, place_rows: Sequence[WorkspacePlace] = ()) -> Job:
        """The job for `key` (which must cover the place rows): the running or finished one if there is one, else a new one."""
        with self._lock:
            job = self.jobs.get(key)
            if job is not None and not job.failed():
                self.jobs.move_to_end(key)
                return job
            pool = self._pool()
            assert self._manager is not None  # _pool() starts it
            updates = self._manager.Queue()
            try:
                future = pool.submit(analyse_files, tuple(files), settings, updates, tuple(place_rows))
            except BrokenProcessPool:  # the last worker died: start a new one
                self._executor = None
                future = self._pool().submit(analyse_files, tuple(files), settings, updates, tuple(place_rows))
            job = Job(future, updates)
            future.add_done_callback(self._forget_broken_pool)
            self.jobs[key] = job
            while len(self.jobs) > self.keep:
                oldest = next(iter(self.jobs))
                if not self.jobs[oldest].future.done():
                    break
                del self.jobs[oldest]
            return job

    def _forget_broken_pool(self, future: concurrent.futures.Future[Analysis]) -> None:
        if not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
            with self._lock:
                self._executor = None

    def close(self) -> None:
        """End the worker process now, abandoning a running analysis."""
        with self._lock:
            if self._executor is not None:
                for process in list((self._executor._processes or {}).values()):  # no public way to stop a running task
                    process.terminate()
                self._executor.shutdown(wait=False, cancel_futures=True)
            if self._manager is not None:
                self._manager.shutdown()
            self._executor = self._manager = None
