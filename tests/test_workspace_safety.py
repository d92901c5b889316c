"""Nothing lost: a writer killed with SIGKILL mid-stream loses no committed correction; two editors writing at once
both keep their work; concurrent readers see no errors. Against SQLite (WAL) and a real PostgreSQL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from geo.corrections import record_correction
from geo.workspaces import WorkspaceStore
from tests.pg_server import postgres_server, postgres_url  # noqa: F401  fixtures

from .conftest import ROOT

KEY = "k"
WRITER = """
import sys
from geo.corrections import record_correction
from geo.workspaces import WorkspaceStore
store = WorkspaceStore(sys.argv[1], editor_key="k")
for n in range(100000):
    c = record_correction(store, sys.argv[2], "stop_edit", {"subject": "s", "place": f"p{n}", "status": "visited"}, "killed", "k")
    print(c.id, flush=True)  # printed only after the commit returned
"""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workspaces.sqlite'}"
    return request.getfixturevalue("postgres_url")


def test_sigkill_during_corrections_loses_nothing_committed(db_url):
    store = WorkspaceStore(db_url, editor_key=KEY)
    ws = store.create("kill", KEY)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, db_url, ws.id], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    committed = []
    for line in writer.stdout:
        committed.append(int(line))
        if len(committed) == 40:
            writer.send_signal(signal.SIGKILL)
            break
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    store.close()
    reopened = WorkspaceStore(db_url, editor_key=KEY)
    stored = {c.id for c in reopened.corrections(ws.id)}
    assert set(committed) <= stored and len(stored) >= 40
    if db_url.startswith("sqlite"):
        with reopened.engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"
    record_correction(reopened, ws.id, "not_a_place", {"article": "a", "start": 1, "end": 2}, "after", KEY)  # still writable
    reopened.close()


def test_two_editors_at_once_both_keep_their_work(db_url):
    stores = [WorkspaceStore(db_url, editor_key=KEY) for _ in range(2)]
    ws = stores[0].create("two editors", KEY)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def edit(who: int) -> None:
        start.wait()
        try:
            for n in range(25):
                record_correction(stores[who], ws.id, "stop_edit", {"subject": "s", "place": f"{who}-{n}", "status": "visited"}, f"editor{who}", KEY)
                stores[who].add_articles(ws.id, [(f"e{who}-{n}.txt", f"story {who} {n}".encode())], KEY)
        except BaseException as exc:  # noqa: BLE001  reported below
            errors.append(exc)

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    kept = stores[1].corrections(ws.id)
    assert sorted(c.author for c in kept).count("editor0") == 25 and [c.author for c in kept].count("editor1") == 25
    header = stores[0].get(ws.id)
    assert header.files == 50 and header.version == 1 + 100  # every write bumped the version exactly once
    for s in stores:
        s.close()


def test_concurrent_readers_of_one_workspace_see_no_errors(db_url):
    store = WorkspaceStore(db_url, editor_key=KEY)
    ws = store.create("readers", KEY)
    store.add_articles(ws.id, [(f"a{i}.txt", f"article {i}".encode() * 50) for i in range(10)], KEY)

    def view(_: int) -> int:
        return len(store.articles(ws.id)) + len(store.corrections(ws.id))

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert list(pool.map(view, range(200))) == [10] * 200
    store.close()
