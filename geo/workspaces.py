"""Shared workspaces: named corpora of raw article bytes and their corrections, in SQLite (WAL) or PostgreSQL.

Anyone with a workspace id may read it; every write takes the editor key and is refused here, on the server side,
when the key does not match the `editor_key` setting (an empty setting lets every caller write). Each write runs in
one transaction that first bumps the workspace's version row, so concurrent writers of one workspace are serialised
by the database (a row lock in PostgreSQL, the write lock in SQLite) and quotas cannot be overrun by a race. The tables
and the engine are geo/workspace_schema.py's; other modules write their tables through `reading` and `writing`.
"""
from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .articles import content_id
from .config import Settings
from .errors import ConflictError, EditorKeyError, WorkspaceError
from .workspace_schema import (AUTHOR_CHARS, LABEL_CHARS, NAME_CHARS, articles_table, corrections_table, migrate, open_engine,
                               place_rows_table, workspaces_table)

# 24 random bytes: 192 bits, 32 URL-safe characters.
ID_BYTES = 24
ID_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
EXPORT_FORMAT = "geo-workspace"
EXPORT_VERSION = 1

@dataclass(frozen=True)
class Workspace:
    """A workspace's header: id (the secret a link carries), name, version (bumped by every write), size."""

    id: str
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    files: int
    bytes: int


@dataclass(frozen=True)
class StoredArticle:
    """One article as uploaded: raw bytes, the file name as label, and its stable id (sha256 of the bytes, 16 hex)."""

    id: str
    label: str
    data: bytes


@dataclass(frozen=True)
class StoredCorrection:
    """One correction row: what (kind, payload), who, when, and whether and by whom it was undone."""

    id: int
    kind: str
    payload: dict[str, Any]
    author: str
    created_at: dt.datetime
    undone_at: dt.datetime | None = None
    undone_by: str | None = None


@dataclass(frozen=True)
class Added:
    """What `add_articles` stored, and one line for each file it did not."""

    workspace: Workspace
    added: tuple[StoredArticle, ...]
    problems: tuple[str, ...]


def is_workspace_id(value: str) -> bool:
    """Whether `value` has the shape of a workspace id (says nothing about whether it exists)."""
    return bool(ID_RE.match(value or ""))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back without their zone; they were all written in UTC."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _maybe_aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _aware(value)


class WorkspaceStore:
    """Workspaces in one database; reads need only an id, writes need the editor key."""

    def __init__(self, url: str, editor_key: str = "", max_files: int = 2_000, max_bytes: int = 200_000_000,
                 max_file_bytes: int = 5_000_000):
        self.url = url
        self._editor_key = editor_key
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.max_file_bytes = max_file_bytes
        try:
            self.engine = open_engine(url)
            with self.engine.begin() as connection:
                if self.engine.dialect.name == "postgresql":  # one migrating process at a time
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(18018018)"))
                migrate(connection)
        except sa.exc.SQLAlchemyError as exc:
            raise WorkspaceError(f"cannot open the workspaces database ({type(exc).__name__}): check the setting database_url or data_dir") from exc

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkspaceStore:
        return cls(settings.workspace_url, settings.editor_key, settings.max_files, settings.max_corpus_bytes, settings.max_file_bytes)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ who may write

    def can_write(self, key: str | None) -> bool:
        """Whether `key` is the editor key (always, when no editor key is set)."""
        if not self._editor_key:
            return True
        return hmac.compare_digest((key or "").encode(), self._editor_key.encode())

    def _require_editor(self, key: str | None) -> None:
        if not self.can_write(key):
            raise EditorKeyError("writing to a workspace needs the editor key (setting editor_key); this session can only view")

    # ------------------------------------------------------------------ reads

    def _header(self, connection: Connection, ws_id: str) -> Workspace:
        if not is_workspace_id(ws_id):
            raise WorkspaceError(f"no workspace {ws_id[:40]!r}: a workspace id is 32 letters, digits, - or _")
        row = connection.execute(sa.select(workspaces_table).where(workspaces_table.c.id == ws_id)).mappings().first()
        if row is None:
            raise WorkspaceError(f"no workspace {ws_id[:8]}…: it was deleted or the link is mistyped")
        files, size = connection.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(articles_table.c.size), 0)).where(articles_table.c.workspace_id == ws_id)).one()
        return Workspace(row["id"], row["name"], _aware(row["created_at"]), _aware(row["updated_at"]), row["version"], int(files), int(size))

    def get(self, ws_id: str) -> Workspace:
        """The workspace `ws_id`; WorkspaceError when there is none."""
        with self.engine.connect() as connection:
            return self._header(connection, ws_id)

    def exists(self, ws_id: str) -> bool:
        try:
            self.get(ws_id)
        except WorkspaceError:
            return False
        return True

    def list(self) -> list[Workspace]:
        """Every workspace, newest change first."""
        with self.engine.connect() as connection:
            ids = connection.execute(sa.select(workspaces_table.c.id).order_by(workspaces_table.c.updated_at.desc())).scalars().all()
            return [self._header(connection, i) for i in ids]

    def articles(self, ws_id: str) -> tuple[StoredArticle, ...]:
        """The workspace's articles in the order they were added."""
        with self.engine.connect() as connection:
            self._header(connection, ws_id)
            rows = connection.execute(sa.select(articles_table.c.id, articles_table.c.label, articles_table.c.data)
                                      .where(articles_table.c.workspace_id == ws_id).order_by(articles_table.c.position)).all()
        return tuple(StoredArticle(r.id, r.label, bytes(r.data)) for r in rows)

    @contextmanager
    def reading(self, ws_id: str) -> Iterator[Connection]:
        """A connection for reading the workspace's rows of another module's table; WorkspaceError when there is none."""
        with self.engine.connect() as connection:
            self._header(connection, ws_id)
            yield connection

    @contextmanager
    def writing(self, ws_id: str, key: str | None) -> Iterator[Connection]:
        """One write transaction on the workspace for another module's table: the editor key checked, the version bumped."""
        self._require_editor(key)
        with self.engine.begin() as connection:
            self._bump(connection, ws_id)
            yield connection

    def corrections(self, ws_id: str, include_undone: bool = False) -> tuple[StoredCorrection, ...]:
        """The workspace's corrections, oldest first (undone ones only when asked)."""
        query = sa.select(corrections_table).where(corrections_table.c.workspace_id == ws_id).order_by(corrections_table.c.id)
        if not include_undone:
            query = query.where(corrections_table.c.undone_at.is_(None))
        with self.engine.connect() as connection:
            self._header(connection, ws_id)
            rows = connection.execute(query).mappings().all()
        return tuple(StoredCorrection(r["id"], r["kind"], json.loads(r["payload"]), r["author"], _aware(r["created_at"]),
                                      _maybe_aware(r["undone_at"]), r["undone_by"]) for r in rows)

    # ------------------------------------------------------------------ writes

    @staticmethod
    def _bump(connection: Connection, ws_id: str, expected_version: int | None = None) -> None:
        """Start the write: take the workspace's row (serialising writers) and bump its version."""
        query = workspaces_table.update().where(workspaces_table.c.id == ws_id)
        if expected_version is not None:
            query = query.where(workspaces_table.c.version == expected_version)
        done = connection.execute(query.values(version=workspaces_table.c.version + 1, updated_at=_now())).rowcount
        if done == 0:
            if expected_version is not None and connection.execute(
                    sa.select(workspaces_table.c.id).where(workspaces_table.c.id == ws_id)).first() is not None:
                raise ConflictError("another editor changed this workspace meanwhile: reload to see their change, then try again")
            raise WorkspaceError(f"no workspace {ws_id[:8]}…: it was deleted or the link is mistyped")

    def create(self, name: str, key: str | None) -> Workspace:
        """A new, empty workspace with a fresh unguessable id."""
        self._require_editor(key)
        ws_id = secrets.token_urlsafe(ID_BYTES)
        while ws_id.startswith("-"):  # an id read as an option would not pass on a command line
            ws_id = secrets.token_urlsafe(ID_BYTES)
        now = _now()
        with self.engine.begin() as connection:
            connection.execute(workspaces_table.insert().values(id=ws_id, name=_clip(name, NAME_CHARS) or "Untitled workspace",
                                                                created_at=now, updated_at=now, version=1))
            return self._header(connection, ws_id)

    def rename(self, ws_id: str, name: str, key: str | None, expected_version: int | None = None) -> Workspace:
        self._require_editor(key)
        if not name.strip():
            raise WorkspaceError("a workspace name cannot be empty")
        with self.engine.begin() as connection:
            self._bump(connection, ws_id, expected_version)
            connection.execute(workspaces_table.update().where(workspaces_table.c.id == ws_id).values(name=_clip(name, NAME_CHARS)))
            return self._header(connection, ws_id)

    def delete(self, ws_id: str, key: str | None) -> None:
        """Delete the workspace with its articles and corrections."""
        self._require_editor(key)
        with self.engine.begin() as connection:
            self._bump(connection, ws_id)
            connection.execute(corrections_table.delete().where(corrections_table.c.workspace_id == ws_id))
            connection.execute(place_rows_table.delete().where(place_rows_table.c.workspace_id == ws_id))
            connection.execute(articles_table.delete().where(articles_table.c.workspace_id == ws_id))
            connection.execute(workspaces_table.delete().where(workspaces_table.c.id == ws_id))

    def add_articles(self, ws_id: str, items: Iterable[tuple[str, bytes]], key: str | None) -> Added:
        """Store (label, raw bytes) items; one already present is skipped silently, one over a limit gets a line."""
        self._require_editor(key)
        items = list(items)
        added: list[StoredArticle] = []
        problems: list[str] = []
        with self.engine.begin() as connection:
            self._bump(connection, ws_id)
            header = self._header(connection, ws_id)
            files, size = header.files, header.bytes
            present = set(connection.execute(sa.select(articles_table.c.id).where(articles_table.c.workspace_id == ws_id)).scalars())
            position = connection.execute(sa.select(sa.func.coalesce(sa.func.max(articles_table.c.position), 0))
                                          .where(articles_table.c.workspace_id == ws_id)).scalar_one()
            for label, data in items:
                label = _clip(Path(label).name or "article.txt", LABEL_CHARS)
                aid = content_id(data)
                if aid in present:
                    continue
                if not data:
                    problems.append(f"{label}: empty file, not stored")
                elif len(data) > self.max_file_bytes:
                    problems.append(f"{label}: {len(data):,} bytes, over the limit of {self.max_file_bytes:,} per file (setting max_file_bytes); not stored")
                elif files + 1 > self.max_files:
                    problems.append(f"{label}: the workspace already holds {files:,} files, its quota (setting max_files); not stored")
                elif size + len(data) > self.max_bytes:
                    problems.append(f"{label}: the workspace would hold {size + len(data):,} bytes, over its quota of "
                                    f"{self.max_bytes:,} (setting max_corpus_bytes); not stored")
                else:
                    position += 1
                    connection.execute(articles_table.insert().values(workspace_id=ws_id, id=aid, label=label, data=data, size=len(data),
                                                                      position=position, added_at=_now()))
                    present.add(aid)
                    files += 1
                    size += len(data)
                    added.append(StoredArticle(aid, label, data))
            return Added(self._header(connection, ws_id), tuple(added), tuple(problems))

    def add_correction(self, ws_id: str, kind: str, payload: dict[str, Any], author: str, key: str | None) -> StoredCorrection:
        """Append one correction to the workspace's history."""
        return self.add_corrections(ws_id, [(kind, payload, author)], key)[0]

    def add_corrections(self, ws_id: str, items: Iterable[tuple[str, dict[str, Any], str]], key: str | None) -> tuple[StoredCorrection, ...]:
        """Append (kind, payload, author) corrections to the workspace's history in one transaction: all or none."""
        self._require_editor(key)
        now = _now()
        out = []
        with self.engine.begin() as connection:
            self._bump(connection, ws_id)
            for kind, payload, author in items:
                who = _clip(author, AUTHOR_CHARS) or "anonymous"
                inserted = connection.execute(corrections_table.insert().values(
                    workspace_id=ws_id, kind=kind, payload=json.dumps(payload, sort_keys=True), author=who, created_at=now)).inserted_primary_key
                out.append(StoredCorrection(int(inserted[0]) if inserted else 0, kind, payload, who, now))
        return tuple(out)

    def undo_correction(self, ws_id: str, correction_id: int, author: str, key: str | None) -> None:
        """Mark a correction undone (it stays in the history); ConflictError when it already was."""
        self._require_editor(key)
        with self.engine.begin() as connection:
            self._bump(connection, ws_id)
            done = connection.execute(corrections_table.update().where(
                corrections_table.c.workspace_id == ws_id, corrections_table.c.id == correction_id, corrections_table.c.undone_at.is_(None))
                .values(undone_at=_now(), undone_by=_clip(author, AUTHOR_CHARS) or "anonymous")).rowcount
            if done == 0:
                raise ConflictError(f"correction {correction_id} is not an active correction of this workspace (already undone, or another workspace's)")

    # ------------------------------------------------------------------ export and import

    def export(self, ws_id: str) -> dict[str, Any]:
        """The workspace as one JSON-able document: name, articles (base64 bytes), corrections with their history, and its
        own gazetteer rows."""
        from .workspace_gazetteer import row_json
        from .workspace_places import place_rows  # the rows' storage imports this module

        header = self.get(ws_id)
        return {
            "format": EXPORT_FORMAT, "version": EXPORT_VERSION, "name": header.name,
            "articles": [{"id": a.id, "label": a.label, "data": base64.b64encode(a.data).decode("ascii")} for a in self.articles(ws_id)],
            "corrections": [correction_json(c) for c in self.corrections(ws_id, include_undone=True)],
            "gazetteer": [row_json(r) for r in place_rows(self, ws_id)],
        }

    def import_(self, document: dict[str, Any], key: str | None) -> Added:
        """A new workspace (new id) from an export document; the articles' bytes are checked against their ids."""
        self._require_editor(key)
        items = list(_exported_articles(document))
        corrections = document.get("corrections") or []
        if not isinstance(corrections, list):
            raise WorkspaceError("not a workspace export: 'corrections' is not a list")
        workspace = self.create(str(document.get("name") or "Imported workspace"), key)
        result = self.add_articles(workspace.id, items, key)
        with self.engine.begin() as connection:
            self._bump(connection, workspace.id)
            for c in corrections:
                if not isinstance(c, dict) or not isinstance(c.get("payload"), dict) or not c.get("kind"):
                    raise WorkspaceError("not a workspace export: a correction lacks its kind or payload")
                connection.execute(corrections_table.insert().values(
                    workspace_id=workspace.id, kind=str(c["kind"])[:32], payload=json.dumps(c["payload"], sort_keys=True),
                    author=_clip(str(c.get("author") or "anonymous"), AUTHOR_CHARS), created_at=_parse_time(c.get("created_at")) or _now(),
                    undone_at=_parse_time(c.get("undone_at")), undone_by=c.get("undone_by")))
            from .workspace_places import import_place_rows  # the rows' storage imports this module

            import_place_rows(connection, workspace.id, document.get("gazetteer") or [])
        return Added(self.get(workspace.id), result.added, result.problems)


def correction_json(c: StoredCorrection) -> dict[str, Any]:
    """A stored correction as JSON: id, kind, payload, author, created_at, undone_at, undone_by."""
    return {"id": c.id, "kind": c.kind, "payload": c.payload, "author": c.author, "created_at": c.created_at.isoformat(),
            "undone_at": c.undone_at.isoformat() if c.undone_at else None, "undone_by": c.undone_by}


def _exported_articles(document: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise WorkspaceError(f"not a workspace export: expected a JSON object with \"format\": \"{EXPORT_FORMAT}\"")
    if document.get("version") != EXPORT_VERSION:
        raise WorkspaceError(f"workspace export version {document.get('version')!r} is not supported (this version reads {EXPORT_VERSION})")
    for entry in document.get("articles") or []:
        try:
            data = base64.b64decode(entry["data"], validate=True)
            label = str(entry["label"])
        except (KeyError, TypeError, ValueError) as exc:
            raise WorkspaceError(f"not a workspace export: an article is damaged ({type(exc).__name__})") from None
        if entry.get("id") and entry["id"] != content_id(data):
            raise WorkspaceError(f"workspace export is damaged: article {label[:40]!r} does not match its id")
        yield label, data


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return _maybe_aware(dt.datetime.fromisoformat(value))
    except ValueError:
        return None


def _clip(text: str, limit: int) -> str:
    return " ".join(str(text).split())[:limit]
