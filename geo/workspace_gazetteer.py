"""A workspace's own gazetteer rows (place corrections an analyst promoted) and the gazetteer view that sees them.

A row says "in this workspace, the name N means entry E": every later analysis of the workspace gets E as one more
candidate of N, scored by the resolver like any other (with the `workspace_prior` weight), so an article added later
that names N resolves to E too. Storage is geo/workspace_places.py; this module has no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .gazetteer import Candidate, Gazetteer, normalize

WORKSPACE_SOURCE = "workspace gazetteer"


@dataclass(frozen=True)
class WorkspacePlace:
    """One workspace gazetteer row: the name it answers to, the entry it names, who promoted it from which correction."""

    id: int
    name: str
    place_id: str
    place_name: str
    feature: str
    category: str
    country: str
    admin1: str
    lat: float
    lon: float
    population: int
    correction: int
    author: str
    created_at: dt.datetime

    def candidate(self) -> Candidate:
        """The entry as the resolver sees it when it looks the row's name up (the name is the row's main name)."""
        return Candidate(self.place_id, self.place_name, self.feature, self.category, self.country, self.admin1, self.lat, self.lon,
                         self.population, False, WORKSPACE_SOURCE, True)


def row_json(row: WorkspacePlace) -> dict[str, Any]:
    """A row as JSON (the workspace export's "gazetteer" list)."""
    return {"name": row.name, "place_id": row.place_id, "place_name": row.place_name, "feature": row.feature,
            "category": row.category, "country": row.country, "admin1": row.admin1, "lat": row.lat, "lon": row.lon,
            "population": row.population, "correction": row.correction, "author": row.author, "created_at": row.created_at.isoformat()}


class RowGazetteer(Gazetteer):
    """The gazetteer plus a workspace's rows: a row's entry is one more candidate of its name (replacing the same entry
    found by the name), and a name with a row counts as notable, so the recogniser keeps it as a place."""

    def __init__(self, path: Path, custom: Path | None = None, rows: Sequence[WorkspacePlace] = ()):
        self.rows = tuple(rows)
        self.own: dict[str, tuple[Candidate, ...]] = {}
        for row in self.rows:
            key = normalize(row.name)
            if key and all(c.id != row.place_id for c in self.own.get(key, ())):
                self.own[key] = self.own.get(key, ()) + (row.candidate(),)
        super().__init__(path, custom)

    @classmethod
    def over(cls, gazetteer: Gazetteer, rows: Sequence[WorkspacePlace]) -> Gazetteer:
        """`gazetteer` with `rows` added (the gazetteer itself when there are none)."""
        return cls(gazetteer.path, gazetteer.custom_path, rows) if rows else gazetteer

    def __getstate__(self) -> dict[str, Any]:
        return {**super().__getstate__(), "rows": self.rows}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"], state["custom_path"], state["rows"])  # type: ignore[misc]

    def _candidates(self, name: str) -> tuple[Candidate, ...]:
        own = self.own.get(normalize(name), ())
        if not own:
            return super()._candidates(name)
        ids = {c.id for c in own}
        return own + tuple(c for c in super()._candidates(name) if c.id not in ids)

    def _is_notable(self, name: str, min_population: int = 15_000) -> bool:
        return normalize(name) in self.own or super()._is_notable(name, min_population)
