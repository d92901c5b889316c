"""Saved results queried in place: a Parquet dataset (flat or partitioned) behind DuckDB views, never loaded whole."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ResultsError

RESULT_TABLES = ("articles", "entities", "clusters", "places")
DUCKDB_MEMORY_LIMIT = "400MB"  # the dashboard's budget on a large dataset leaves room for Streamlit itself
DUCKDB_THREADS = 2


@dataclass(frozen=True)
class ResultsFilter:
    """Which articles a view covers: words in the title or text, outlets, a date range, articles naming one cluster."""

    text: str = ""
    outlets: tuple[str, ...] = ()
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    cluster: str | None = None


@dataclass(frozen=True)
class ArticleRow:
    id: str
    title: str | None
    outlet: str | None
    date: str | None
    entities: int


@dataclass(frozen=True)
class PlaceTotal:
    """One place of the aggregated map: its mentions and articles within the filter."""

    id: str
    name: str
    feature: str
    lat: float
    lon: float
    mentions: int
    articles: int


@dataclass(frozen=True)
class EntityMatrix:
    """Mentions of the most mentioned clusters (columns) in the listed articles (rows)."""

    clusters: tuple[tuple[str, str, str], ...]  # id, name, label
    articles: tuple[tuple[str, str], ...]  # id, title
    counts: dict[tuple[str, str], int]  # (article, cluster) -> mentions


def _source(folder: Path, table: str) -> str:
    flat = folder / f"{table}.parquet"
    if flat.exists():
        return str(flat)
    if (folder / table).is_dir() and any((folder / table).glob("part-*.parquet")):
        return str(folder / table / "part-*.parquet")
    raise ResultsError(f"{folder}: saved results lack the {table} table: write them again with python -m geo analyze ... --parquet {folder}")


class ResultsDB:
    """DuckDB views over one saved dataset; every method is one SQL query over the Parquet files."""

    def __init__(self, folder: str | Path):
        import duckdb

        self.folder = Path(folder)
        self.con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT, "threads": DUCKDB_THREADS})
        for table in RESULT_TABLES:
            source = _source(self.folder, table).replace("'", "''")
            # union_by_name: a part whose column is all null has a different type than one with values.
            self.con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{source}', union_by_name=true)")

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params).fetchall()

    def _selected(self, f: ResultsFilter) -> tuple[str, list[Any]]:
        """A subquery of the ids of the articles the filter keeps, and its parameters."""
        where, params = ["TRUE"], []
        if f.text.strip():
            where.append("(title ILIKE ? OR text ILIKE ?)")
            params += [f"%{f.text.strip()}%"] * 2
        if f.outlets:
            where.append(f"outlet IN ({', '.join('?' for _ in f.outlets)})")
            params += list(f.outlets)
        if f.date_from:
            where.append("date >= ?")
            params.append(f.date_from)
        if f.date_to:
            where.append("date <= ?")
            params.append(f.date_to)
        if f.cluster:
            where.append("id IN (SELECT article FROM entities WHERE cluster = ?)")
            params.append(f.cluster)
        return f"SELECT id FROM articles WHERE {' AND '.join(where)}", params

    def count(self, f: ResultsFilter) -> int:
        sub, params = self._selected(f)
        return int(self._rows(f"SELECT count(*) FROM ({sub})", params)[0][0])

    def outlets(self, limit: int = 200) -> list[tuple[str, int]]:
        """The most frequent outlets, with their article counts."""
        return [(o, int(n)) for o, n in self._rows("SELECT outlet, count(*) n FROM articles WHERE outlet IS NOT NULL "
                                                   "GROUP BY outlet ORDER BY n DESC, outlet LIMIT ?", [limit])]

    def date_range(self) -> tuple[str | None, str | None]:
        low, high = self._rows("SELECT min(date), max(date) FROM articles", [])[0]
        return low, high

    def articles(self, f: ResultsFilter, limit: int = 50, offset: int = 0) -> list[ArticleRow]:
        """The filtered articles, newest first, with their entity mention counts."""
        sub, params = self._selected(f)
        rows = self._rows(f"""SELECT a.id, a.title, a.outlet, a.date, coalesce(e.n, 0)
                              FROM articles a JOIN ({sub}) s ON a.id = s.id
                              LEFT JOIN (SELECT article, count(*) n FROM entities GROUP BY article) e ON e.article = a.id
                              ORDER BY a.date DESC NULLS LAST, a.id LIMIT ? OFFSET ?""", params + [limit, offset])
        return [ArticleRow(i, t, o, d, int(n)) for i, t, o, d, n in rows]

    def entity_matrix(self, f: ResultsFilter, labels: tuple[str, ...], articles: int = 25, clusters: int = 12) -> EntityMatrix:
        """Mentions of the `clusters` most mentioned clusters of `labels` in the filter, in its `articles` newest articles."""
        if not labels:
            return EntityMatrix((), (), {})
        sub, params = self._selected(f)
        marks = ", ".join("?" for _ in labels)
        top = self._rows(f"""SELECT e.cluster, any_value(c.name), any_value(c.label), count(*) n
                             FROM entities e JOIN ({sub}) s ON e.article = s.id LEFT JOIN clusters c ON c.id = e.cluster
                             WHERE e.cluster IS NOT NULL AND e.label IN ({marks})
                             GROUP BY e.cluster ORDER BY n DESC, e.cluster LIMIT ?""", params + list(labels) + [clusters])
        shown = [(a.id, a.title or a.id) for a in self.articles(f, limit=articles)]
        if not top or not shown:
            return EntityMatrix(tuple((c, n or c, lab or "") for c, n, lab, _ in top), tuple(shown), {})
        ids, cids = [a for a, _ in shown], [c for c, *_ in top]
        counts = self._rows(f"""SELECT article, cluster, count(*) FROM entities
                                WHERE article IN ({', '.join('?' for _ in ids)}) AND cluster IN ({', '.join('?' for _ in cids)})
                                AND label IN ({marks}) GROUP BY article, cluster""", ids + cids + list(labels))
        return EntityMatrix(tuple((c, n or c, lab or "") for c, n, lab, _ in top), tuple(shown), {(a, c): int(n) for a, c, n in counts})

    def place_totals(self, f: ResultsFilter, limit: int = 2000, literal_only: bool = True) -> list[PlaceTotal]:
        """The aggregated map: each place's mentions and articles within the filter, most mentioned first."""
        sub, params = self._selected(f)
        literal = "AND NOT p.embedded AND NOT p.metonym" if literal_only else ""
        rows = self._rows(f"""SELECT p.place_id, any_value(p.name), any_value(p.feature), any_value(p.lat), any_value(p.lon),
                                     count(*) n, count(DISTINCT p.article)
                              FROM places p JOIN ({sub}) s ON p.article = s.id WHERE TRUE {literal}
                              GROUP BY p.place_id ORDER BY n DESC, p.place_id LIMIT ?""", params + [limit])
        return [PlaceTotal(i, n, ft, float(la), float(lo), int(m), int(a)) for i, n, ft, la, lo, m, a in rows]

    def close(self) -> None:
        self.con.close()
