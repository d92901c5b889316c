"""Analyses in the worker process: shared per corpus key, progress streamed back, a dead worker reported and replaced."""
from __future__ import annotations

import pytest

from geo.jobs import JobRunner, WorkerDied
from geo.progress import Progress

from .longtext import long_article

pytestmark = [pytest.mark.model, pytest.mark.full, pytest.mark.slow]

GOOD = b"Floods in Bangladesh\n\nHeavy rain flooded streets in Dhaka on Monday, officials said."


@pytest.fixture
def runner():
    r = JobRunner()
    yield r
    r.close()


def test_a_job_is_shared_by_key_and_streams_its_stages(runner, settings, gazetteer):
    files = (("good.txt", GOOD), ("broken.txt", b"\x00\x01\x02" * 40))
    job = runner.start("corpus-a", files, settings)
    assert runner.start("corpus-a", files, settings) is job
    stages = []
    while not job.wait(0.02):
        if not stages or stages[-1] != job.progress.stage:
            stages.append(job.progress.stage)
    result = job.result()
    assert [a.label for a in result.articles] == ["good"] and any(p.name == "Dhaka" for p in result.places)
    assert [p.path for p in result.problems] == ["broken.txt"]
    assert job.progress == Progress("routes", 1, 1) and job.line() == "building routes"
    assert set(stages) <= {"reading", "parsing", "corpus", "geocoding", "routes"}


def test_a_killed_worker_is_one_line_and_the_next_job_runs(runner, settings, gazetteer):
    job = runner.start("long", (("long.txt", long_article(400_000).encode()),), settings)
    while job.progress.stage != "parsing" and not job.wait(0.05):
        pass
    for process in list(runner._executor._processes.values()):
        process.kill()
    with pytest.raises(WorkerDied, match="reload the page"):
        job.result()
    again = runner.start("short", (("good.txt", GOOD),), settings)
    assert [a.label for a in again.result().articles] == ["good"]
