"""Storage of a workspace's own gazetteer rows: promote a place correction to a row, list, remove, export and import.

Every write goes through `WorkspaceStore.writing`, so it needs the editor key and is serialised with the workspace's
other writes; the rows themselves are `geo.workspace_gazetteer.WorkspacePlace` records, read by the analysis through `RowGazetteer`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .corrections import Correction, CorrectionError
from .errors import ConflictError, WorkspaceError
from .gazetteer import Gazetteer, normalize
from .workspace_gazetteer import WorkspacePlace
from .workspace_schema import AUTHOR_CHARS, NAME_CHARS, place_rows_table
from .workspaces import WorkspaceStore

def _row(r: Mapping[Any, Any]) -> WorkspacePlace:
    created = r["created_at"]
    return WorkspacePlace(r["id"], r["name"], r["place_id"], r["place_name"], r["feature"], r["category"], r["country"], r["admin1"],
                    float(r["lat"]), float(r["lon"]), int(r["population"]), int(r["correction"]), r["author"],
                    created.replace(tzinfo=dt.timezone.utc) if created.tzinfo is None else created)


def place_rows(store: WorkspaceStore, ws_id: str) -> tuple[WorkspacePlace, ...]:
    """The workspace's gazetteer rows, oldest first."""
    with store.reading(ws_id) as connection:
        rows = connection.execute(sa.select(place_rows_table).where(place_rows_table.c.workspace_id == ws_id)
                                  .order_by(place_rows_table.c.id)).mappings().all()
    return tuple(_row(r) for r in rows)


def _insert(connection: Connection, ws_id: str, values: Mapping[str, Any]) -> int:
    taken = connection.execute(sa.select(place_rows_table.c.id).where(
        place_rows_table.c.workspace_id == ws_id, place_rows_table.c.place_id == values["place_id"],
        place_rows_table.c.name == values["name"])).first()
    if taken is not None:
        raise ConflictError(f"the workspace gazetteer already has {values['name']!r} for {values['place_name']!r}")
    inserted = connection.execute(place_rows_table.insert().values(workspace_id=ws_id, **values)).inserted_primary_key
    return int(inserted[0]) if inserted else 0


def promote(store: WorkspaceStore, ws_id: str, correction: Correction, name: str, gazetteer: Gazetteer | None, author: str,
            key: str | None) -> WorkspacePlace:
    """Store the entry a place_move correction chose as the workspace's row for `name` (the mention's text)."""
    if correction.kind != "place_move":
        raise CorrectionError(f"only a place move can be promoted to the workspace gazetteer, not a {correction.kind} correction")
    name = " ".join(name.split())[:NAME_CHARS]
    if not normalize(name):
        raise CorrectionError("a workspace gazetteer row needs the name it answers to")
    p = correction.payload
    entry = gazetteer.get(str(p["place"])) if gazetteer is not None else None
    values = {"name": name, "place_id": str(p["place"])[:200], "place_name": str(entry.name if entry else p["name"])[:200],
              "feature": str(entry.feature if entry else p.get("feature") or "place")[:32],
              "category": str(entry.category if entry else p.get("category") or "")[:64],
              "country": str(entry.country if entry else p.get("country") or "")[:8], "admin1": entry.admin1[:32] if entry else "",
              "lat": entry.lat if entry else float(p["lat"]), "lon": entry.lon if entry else float(p["lon"]),
              "population": entry.population if entry else 0, "correction": correction.id,
              "author": " ".join(author.split())[:AUTHOR_CHARS] or "anonymous", "created_at": dt.datetime.now(dt.timezone.utc)}
    with store.writing(ws_id, key) as connection:
        row_id = _insert(connection, ws_id, values)
    return _row({"id": row_id, **values})


def remove_place_row(store: WorkspaceStore, ws_id: str, row_id: int, key: str | None) -> None:
    """Delete one of the workspace's gazetteer rows; ConflictError when it is not there (already removed)."""
    with store.writing(ws_id, key) as connection:
        done = connection.execute(place_rows_table.delete().where(place_rows_table.c.workspace_id == ws_id,
                                                                  place_rows_table.c.id == row_id)).rowcount
    if done == 0:
        raise ConflictError(f"workspace gazetteer row {row_id} is not in this workspace (already removed?)")


def import_place_rows(connection: Connection, ws_id: str, rows: Iterable[Any]) -> int:
    """Insert exported rows (geo.workspace_gazetteer.row_json) into a workspace inside the caller's write; damaged ones are refused."""
    count = 0
    for r in rows:
        try:
            lat, lon = float(r["lat"]), float(r["lon"])
            values: dict[str, Any] = {"name": str(r["name"])[:NAME_CHARS], "place_id": str(r["place_id"])[:200], "place_name": str(r["place_name"])[:200],
                      "feature": str(r.get("feature") or "place")[:32], "category": str(r.get("category") or "")[:64],
                      "country": str(r.get("country") or "")[:8], "admin1": str(r.get("admin1") or "")[:32],
                      "lat": lat, "lon": lon, "population": int(r.get("population") or 0),
                      "correction": int(r.get("correction") or 0), "author": str(r.get("author") or "anonymous")[:AUTHOR_CHARS],
                      "created_at": dt.datetime.now(dt.timezone.utc)}
        except (KeyError, TypeError, ValueError, AttributeError):
            raise WorkspaceError("not a workspace export: a gazetteer row lacks its name, place or coordinates") from None
        if not normalize(values["name"]) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise WorkspaceError("not a workspace export: a gazetteer row has no name or coordinates out of range")
        _insert(connection, ws_id, values)
        count += 1
    return count
