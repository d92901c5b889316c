"""What a Dask worker keeps between the engine's passes: packed Docs, the partition file and pass 2's entities, each
read back only by the process that wrote it (else found again, the same); and the corpus-wide tables cut into slices
that the workers write, which read back as one table."""
from __future__ import annotations

import pickle
import time
import subprocess
import sys
import textwrap
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from geo.articles import article_from_text
import geo.dask_tasks as dask_tasks
from geo.dask_tasks import (ArticlesNeeded, RunContext, _entities, _load, _names_file, _slices, pack_doc, parse_partition, propagate_partition,
                            reparsed, resolve_partition, unpack_doc)
from geo.engine_dask import windowed
from geo.entities import defined_acronyms, titled_names

# Written for these tests.
TEXTS = {
    "harbour": "Harbour works resume\n\nThe port authority of Valparaiso said on Monday that dredging would resume in March. "
               "Its director, Camila Rojas, flew to Concepcion to meet the transport minister. Rojas said the Pacific "
               "Ports Association (PPA) backed the plan.\n",
    "orchestra": "Orchestra on tour\n\nThe Vienna Chamber Orchestra left Salzburg for Ljubljana on Thursday. "
                 "Its conductor, Anton Weber, said the orchestra would play in Zagreb next week. Weber thanked the city.\n",
}


@pytest.fixture()
def articles():
    return [article_from_text(name, f"{name}.txt", text) for name, text in TEXTS.items()]


@pytest.fixture()
def ctx(articles, settings, gazetteer, tmp_path) -> RunContext:
    return RunContext(settings, gazetteer.path, gazetteer.custom_path, frozenset(titled_names(a.text for a in articles)),
                      frozenset(defined_acronyms(a.text for a in articles)), str(tmp_path / "out"), uuid.uuid4().hex)


@pytest.mark.model
def test_a_packed_doc_comes_back_as_spacy_parsed_it(nlp, articles):
    for article in articles:
        doc = nlp(article.text)
        back = unpack_doc(nlp.vocab, pack_doc(doc), article.text)
        assert back.to_json() == doc.to_json()
        assert [(e.start, e.end, e.label_) for e in back.ents] == [(e.start, e.end, e.label_) for e in doc.ents]
        assert [(s.start, s.end) for s in back.sents] == [(s.start, s.end) for s in doc.sents]
        assert [t.lemma_ for t in back] == [t.lemma_ for t in doc]


def test_trimming_the_heap_hands_freed_pages_back_to_the_system():
    # In a fresh process: 200 MB in 2 kB blocks, 49 of every 50 freed. The survivors pin the heap, so glibc keeps the
    # freed pages mapped (resident) until malloc_trim(0) returns them.
    script = textwrap.dedent('''
        import os
        from geo.dask_tasks import trim_heap
        def rss():
            with open("/proc/self/statm") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
        blocks = [bytes(2000) for _ in range(100_000)]
        kept = blocks[::50]
        del blocks
        before = rss()
        trimmed = trim_heap()
        print(before, rss(), trimmed, len(kept))
    ''')
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    before, after, trimmed, _ = out.stdout.split()
    assert trimmed == "True"
    assert int(before) - int(after) > 100, out.stdout  # most of the 196 MB freed came back


@pytest.mark.model
def test_every_task_trims_the_heap_when_it_ends_even_when_it_fails(articles, ctx, monkeypatch):
    calls = []
    monkeypatch.setattr(dask_tasks, "trim_heap", lambda: calls.append(1) or True)
    handle = parse_partition(0, articles, ctx)
    assert calls == [1]
    with pytest.raises(TypeError):
        propagate_partition(handle, ctx, None)  # type: ignore[arg-type]  no names: the task fails
    assert calls == [1, 1]
    Path(handle.path).unlink()


@pytest.mark.model
def test_a_partition_file_is_read_back_only_by_the_process_that_wrote_it(articles, ctx):
    handle = parse_partition(0, articles, ctx)
    mine = _load(handle)
    assert mine is not None and [a.id for a in mine.articles] == [a.id for a in articles]
    foreign = replace(handle, pid=handle.pid + 1)  # another worker's file: its Docs' strings are not in this vocab
    assert _load(foreign) is None
    again = reparsed(foreign, articles, ctx)  # parsed again here, with the same entities
    assert again is not None and again.entities == mine.entities and again.tokens == mine.tokens
    assert reparsed(foreign, None, ctx) is None  # no file here and no articles: nothing to parse
    # A later pass on a worker without the file asks for the articles, and with them gives the same answer.
    assert propagate_partition(foreign, ctx, handle.person_tokens) == ArticlesNeeded(0)
    assert resolve_partition(foreign, ctx, handle.person_tokens, {}, (), {}) == ArticlesNeeded(0)
    assert propagate_partition(foreign, ctx, handle.person_tokens, articles).entities == \
        propagate_partition(handle, ctx, handle.person_tokens).entities
    Path(handle.path).unlink()
    assert _load(handle) is None


@pytest.mark.model
def test_pass_two_entities_come_from_their_file_or_are_found_again_the_same(articles, ctx):
    handle = parse_partition(0, articles, ctx)
    parsed = _load(handle)
    assert parsed is not None
    summary = propagate_partition(handle, ctx, handle.person_tokens)
    short = [e for e in summary.entities if e.text in ("Rojas", "Weber")]
    assert short, summary.entities  # the short forms of the people named in full were added
    path = _names_file(ctx, 0)
    assert path.exists()
    assert _entities(parsed, ctx, handle.person_tokens) == summary.entities
    assert not path.exists()  # read once, then removed
    assert _entities(parsed, ctx, handle.person_tokens) == summary.entities  # no file: found again
    with open(path, "wb") as fh:  # a file another process wrote is not trusted
        pickle.dump((handle.pid + 1, ()), fh)
    assert _entities(parsed, ctx, handle.person_tokens) == summary.entities


def test_corpus_tables_are_cut_into_slices_of_bounded_rows_in_order():
    rows = {"a": 3, "b": 4, "c": 1, "d": 9, "e": 2}
    slices = _slices(list(rows), rows.get, limit=5)
    assert slices == [("a",), ("b", "c"), ("d",), ("e",)]  # "d" alone is over the limit: a slice of its own
    assert [x for s in slices for x in s] == list(rows)
    assert _slices([], rows.get, limit=5) == [()]  # an empty table still gets its part
    assert _slices(list(rows), rows.get, limit=100) == [tuple(rows)]


def _answer(k: int, articles: tuple[str, ...] | None = None) -> object:
    """A stand-in for a later pass: odd partitions' files are "elsewhere", so without their articles they ask for them."""
    if k % 2 and articles is None:
        return ArticlesNeeded(k)
    return (k, articles)


@pytest.mark.dask
def test_a_task_that_asks_for_its_articles_is_sent_again_with_them_and_its_answer_kept_in_place():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster, Client(cluster) as client:
        sent_again: list[int] = []
        done: list[int] = []

        def again(k: int) -> object:
            sent_again.append(k)
            return client.submit(_answer, k, (f"articles of {k}",), key=f"answer-{k}-again")

        results = windowed(5, lambda k: client.submit(_answer, k, key=f"answer-{k}"), lambda k: None, 2, done.append, again)
    assert sorted(sent_again) == [1, 3]
    assert results == [(0, None), (1, ("articles of 1",)), (2, None), (3, ("articles of 3",)), (4, None)]
    assert done == [1, 2, 3, 4, 5]  # progress counts answers, not the tasks that asked again


def _where(k: int) -> tuple[int, str]:
    """A stand-in task that takes a moment, and says which worker ran it."""
    from distributed import get_worker

    time.sleep(0.2)
    return k, get_worker().address


class _MostProcessing:
    """A scheduler plugin: the most tasks each worker was given at once (the scheduler's "processing" state, which a
    task bound to a worker enters as soon as it is submitted, before its worker is free for it)."""

    def __init__(self, scheduler: object) -> None:
        from collections import Counter

        self.scheduler = scheduler
        self.on: dict[object, str] = {}
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()

    def transition(self, key: object, start: str, finish: str, *args: object, **kwargs: object) -> None:
        if finish == "processing":
            worker = self.scheduler.tasks[key].processing_on.address  # type: ignore[attr-defined]
            self.on[key] = worker
            self.now[worker] += 1
            self.most[worker] = max(self.most[worker], self.now[worker])
        elif start == "processing" and key in self.on:
            self.now[self.on.pop(key)] -= 1


@pytest.mark.dask
def test_each_worker_is_given_at_most_its_window_of_tasks_and_each_task_runs_on_its_worker():
    from distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import SchedulerPlugin

    import dask

    # Without work stealing: once the worker with 4 tasks is idle, Dask may move the other's waiting task to it (the
    # restriction is loose, so that a lost worker's tasks can run elsewhere). The engine's tasks then answer
    # ArticlesNeeded and are sent again with their articles (tested above); here a task would just run away from home.
    with dask.config.set({"distributed.scheduler.work-stealing": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster, Client(cluster) as client:
        a, b = sorted(client.scheduler_info()["workers"])
        home = {k: (a if k % 3 else b) for k in range(12)}  # 8 tasks for one worker, 4 for the other
        # Counted by the scheduler itself (in this process): what the client asks it lags the client's batched submissions.
        plugin = type("MostProcessing", (_MostProcessing, SchedulerPlugin), {})(cluster.scheduler)
        cluster.scheduler.add_plugin(plugin)

        def submit(k: int) -> object:
            return client.submit(_where, k, key=f"where-{k}", workers=[home[k]], allow_other_workers=True)

        results = windowed(12, submit, home.__getitem__, 4, per_worker=2)
    assert [k for k, _ in results] == list(range(12))
    assert all(address == home[k] for k, address in results)
    # Both workers had two tasks at once (one running, one waiting), and neither ever had three.
    assert dict(plugin.most) == {a: 2, b: 2}
