"""The workspace store against a real SQLite file and a real PostgreSQL server: ids, articles, quotas, who may write,
export and import, migrations on open."""
from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from geo.errors import ConflictError, EditorKeyError, WorkspaceError
from geo.articles import content_id as article_id
from geo.workspaces import WorkspaceStore, is_workspace_id
from tests.pg_server import postgres_server, postgres_url  # noqa: F401  fixtures

KEY = "correct horse battery staple"
TEXT_A = "Talks in Harbourtown\n\nThe minister arrived in Harbourtown on Monday.\n".encode()
TEXT_B = "Second story\n\nA delegation left Rivermouth for the coast.\n".encode()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'workspaces.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(db_url):
    s = WorkspaceStore(db_url, editor_key=KEY, max_files=3, max_bytes=500, max_file_bytes=200)
    yield s
    s.close()


def test_create_add_rename_and_read_back_after_reopening(store, db_url):
    ws = store.create("Ferry story", KEY)
    assert is_workspace_id(ws.id) and len(base64.urlsafe_b64decode(ws.id + "=" * (-len(ws.id) % 4))) * 8 >= 128
    added = store.add_articles(ws.id, [("ferry.txt", TEXT_A), ("coast.md", TEXT_B), ("again.txt", TEXT_A)], KEY)
    assert [a.label for a in added.added] == ["ferry.txt", "coast.md"] and added.problems == ()
    assert added.added[0].id == article_id(TEXT_A) == __import__("hashlib").sha256(TEXT_A).hexdigest()[:16]
    store.rename(ws.id, "Ferry and coast", KEY)
    store.close()
    reopened = WorkspaceStore(db_url, editor_key=KEY)  # a server restart: a new engine, migrations already at head
    header = reopened.get(ws.id)
    assert (header.name, header.files, header.bytes) == ("Ferry and coast", 2, len(TEXT_A) + len(TEXT_B))
    assert [(a.label, a.data) for a in reopened.articles(ws.id)] == [("ferry.txt", TEXT_A), ("coast.md", TEXT_B)]
    assert [w.id for w in reopened.list()] == [ws.id]
    reopened.close()


def test_ids_are_unguessable_and_distinct(store):
    ids = {store.create(f"w{i}", KEY).id for i in range(5)}
    assert len(ids) == 5 and all(is_workspace_id(i) for i in ids)


def test_an_id_never_starts_with_a_dash_so_the_cli_takes_it(store, monkeypatch):
    drawn = iter(["-" + "a" * 31, "-" + "b" * 31, "c" * 32])
    monkeypatch.setattr("geo.workspaces.secrets.token_urlsafe", lambda n: next(drawn))
    assert store.create("Dashed", KEY).id == "c" * 32


def test_a_viewer_cannot_write_with_a_guessed_or_missing_key(store):
    ws = store.create("Mine", KEY)
    for key in (None, "", "guess", KEY + " "):
        assert not store.can_write(key)
        with pytest.raises(EditorKeyError, match="editor key"):
            store.add_articles(ws.id, [("x.txt", TEXT_B)], key)
        with pytest.raises(EditorKeyError):
            store.rename(ws.id, "hijacked", key)
        with pytest.raises(EditorKeyError):
            store.delete(ws.id, key)
        with pytest.raises(EditorKeyError):
            store.add_correction(ws.id, "not_a_place", {"article": "a", "start": 1, "end": 2}, "eve", key)
        with pytest.raises(EditorKeyError):
            store.create("new", key)
    header = store.get(ws.id)
    assert (header.name, header.files, store.corrections(ws.id)) == ("Mine", 0, ())


def test_an_empty_editor_key_setting_lets_everyone_write(db_url):
    open_store = WorkspaceStore(db_url)
    ws = open_store.create("open", None)
    assert open_store.add_articles(ws.id, [("a.txt", TEXT_A)], None).added
    open_store.close()


def test_quotas_and_file_limit_give_one_line_each_and_keep_the_rest(store):
    ws = store.create("quota", KEY)
    big = b"x" * 201
    result = store.add_articles(ws.id, [("big.txt", big), ("a.txt", TEXT_A), ("b.txt", TEXT_B), ("empty.txt", b"")], KEY)
    assert [a.label for a in result.added] == ["a.txt", "b.txt"]
    assert result.problems[0].startswith("big.txt: 201 bytes, over the limit of 200 per file (setting max_file_bytes)")
    assert result.problems[1] == "empty.txt: empty file, not stored"
    more = [(f"f{i}.txt", f"story {i} ".encode() * 12) for i in range(3)]
    result = store.add_articles(ws.id, more, KEY)
    assert len(result.added) == 1 and result.workspace.files == 3
    assert all("quota" in p and "\n" not in p for p in result.problems) and len(result.problems) == 2
    assert "setting max_files" in result.problems[0]


def test_byte_quota(store):
    ws = store.create("bytes", KEY)
    pieces = [(f"p{i}.txt", bytes([65 + i]) * 180) for i in range(3)]
    result = store.add_articles(ws.id, pieces, KEY)
    assert len(result.added) == 2 and "over its quota of 500 (setting max_corpus_bytes)" in result.problems[0]


def test_export_import_round_trip_and_delete(store):
    ws = store.create("Export me", KEY)
    store.add_articles(ws.id, [("ferry.txt", TEXT_A), ("coast.html", TEXT_B)], KEY)
    c = store.add_correction(ws.id, "not_a_place", {"article": article_id(TEXT_A), "start": 3, "end": 9}, "Ana", KEY)
    store.undo_correction(ws.id, c.id, "Ben", KEY)
    store.add_correction(ws.id, "stop_status", {"subject": "s", "place": "p", "status": "done"}, "Ana", KEY)
    document = json.loads(json.dumps(store.export(ws.id)))
    copy = store.import_(document, KEY).workspace
    assert copy.id != ws.id and copy.name == "Export me"
    assert [(a.label, a.data) for a in store.articles(copy.id)] == [("ferry.txt", TEXT_A), ("coast.html", TEXT_B)]
    history = store.corrections(copy.id, include_undone=True)
    assert [(h.kind, h.author, h.undone_by) for h in history] == [("not_a_place", "Ana", "Ben"), ("stop_status", "Ana", None)]
    assert [h.kind for h in store.corrections(copy.id)] == ["stop_status"]
    store.delete(ws.id, KEY)
    with pytest.raises(WorkspaceError, match="deleted or the link is mistyped"):
        store.get(ws.id)
    assert store.exists(copy.id)


def test_damaged_exports_are_refused_with_one_line(store):
    with pytest.raises(WorkspaceError, match="not a workspace export"):
        store.import_({"articles": []}, KEY)
    ws = store.create("src", KEY)
    store.add_articles(ws.id, [("a.txt", TEXT_A)], KEY)
    document = store.export(ws.id)
    document["articles"][0]["data"] = base64.b64encode(TEXT_B).decode()
    with pytest.raises(WorkspaceError, match="does not match its id"):
        store.import_(document, KEY)


def test_undoing_twice_is_a_clear_conflict(store):
    ws = store.create("undo", KEY)
    c = store.add_correction(ws.id, "not_a_place", {"article": "a", "start": 0, "end": 4}, "Ana", KEY)
    store.undo_correction(ws.id, c.id, "Ana", KEY)
    with pytest.raises(ConflictError, match="already undone"):
        store.undo_correction(ws.id, c.id, "Ben", KEY)


def test_stale_rename_is_a_conflict(store):
    ws = store.create("v", KEY)
    store.rename(ws.id, "first editor", KEY, expected_version=ws.version)
    with pytest.raises(ConflictError, match="another editor changed this workspace"):
        store.rename(ws.id, "second editor", KEY, expected_version=ws.version)
    assert store.get(ws.id).name == "first editor"


def test_malformed_and_unknown_ids_are_one_line(store):
    with pytest.raises(WorkspaceError, match="a workspace id is 32"):
        store.get("<script>")
    with pytest.raises(WorkspaceError, match="deleted or the link is mistyped"):
        store.get("A" * 32)


def test_schema_is_made_by_alembic_migrations(store):
    inspector = sa.inspect(store.engine)
    assert {"workspaces", "articles", "corrections", "place_rows", "alembic_version"} <= set(inspector.get_table_names())
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"


def test_a_database_of_the_first_revision_is_upgraded_on_open_and_keeps_its_workspaces(tmp_path):
    from alembic import command
    from alembic.config import Config

    from geo.workspace_schema import MIGRATIONS_DIR

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(sa.text("INSERT INTO workspaces VALUES ('" + "a" * 32 + "', 'old', '2026-01-01', '2026-01-01', 3)"))
    engine.dispose()
    store = WorkspaceStore(url)
    assert store.get("a" * 32).name == "old" and "place_rows" in sa.inspect(store.engine).get_table_names()
    store.close()


def test_sqlite_runs_in_wal_mode(tmp_path):
    s = WorkspaceStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with s.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar_one() == "wal"
    s.close()


def test_cli_export_import_list_delete(tmp_path, monkeypatch, capsys):
    from geo.cli import main

    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_EDITOR_KEY", KEY)
    monkeypatch.delenv("GEO_DATABASE_URL", raising=False)
    store = WorkspaceStore(f"sqlite:///{tmp_path / 'data' / 'workspaces.sqlite'}", editor_key=KEY)
    ws = store.create("CLI story", KEY)
    store.add_articles(ws.id, [("ferry.txt", TEXT_A)], KEY)
    out = tmp_path / "export.json"
    assert main(["workspace", "export", ws.id, "-o", str(out)]) == 0
    assert json.loads(out.read_text())["articles"][0]["label"] == "ferry.txt"
    assert main(["workspace", "import", str(out)]) == 0
    new_id = capsys.readouterr().out.strip().splitlines()[-1]
    assert is_workspace_id(new_id) and new_id != ws.id
    assert main(["workspace", "list"]) == 0
    listed = capsys.readouterr().out
    assert ws.id in listed and new_id in listed and "1 files" in listed
    assert main(["workspace", "delete", ws.id]) == 0
    assert not store.exists(ws.id) and store.exists(new_id)
    capsys.readouterr()
    assert main(["workspace", "export", "A" * 32]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    store.close()
