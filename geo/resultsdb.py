"""Saved results queried in place: a Parquet dataset (flat or partitioned) behind DuckDB views, never loaded whole."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

from .errors import ResultsError

RESULT_TABLES = ("articles", "entities", "clusters", "places")
DUCKDB_MEMORY_LIMIT = "400MB"  # the dashboard's budget on a large dataset leaves room for Streamlit itself
DUCKDB_THREADS = 2
OUTLETS_LISTED = 200  # the outlet filter offers the most frequent ones


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
        # Every query opens every part; a run writes one per partition per table, so their footers are read once and kept.
        self.con.execute("SET GLOBAL parquet_metadata_cache = true")
        for table in RESULT_TABLES:
            source = _source(self.folder, table).replace("'", "''")
            # union_by_name: a part whose column is all null has a different type than one with values.
            self.con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{source}', union_by_name=true)")

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        # A cursor per query: the connection is shared by the dashboard's sessions, which run in threads of their own.
        with self.con.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def _where(self, f: ResultsFilter) -> tuple[str, list[Any]]:
        """The condition on `articles` rows that the filter keeps ("" for every article), and its parameters."""
        where: list[str] = []
        params: list[Any] = []
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
        return " AND ".join(where), params

    def _kept(self, f: ResultsFilter, column: str) -> tuple[str, list[Any]]:
        """A condition keeping the rows whose `column` is an article the filter keeps ("TRUE" without a filter, so an
        unfiltered view reads no articles at all)."""
        where, params = self._where(f)
        return (f"{column} IN (SELECT id FROM articles WHERE {where})", params) if where else ("TRUE", [])

    def count(self, f: ResultsFilter) -> int:
        where, params = self._where(f)
        return int(self._rows(f"SELECT count(*) FROM articles WHERE {where or 'TRUE'}", params)[0][0])

    @cached_property
    def _outlets(self) -> list[tuple[str, int]]:
        return [(o, int(n)) for o, n in self._rows("SELECT outlet, count(*) n FROM articles WHERE outlet IS NOT NULL "
                                                   "GROUP BY outlet ORDER BY n DESC, outlet LIMIT ?", [OUTLETS_LISTED])]

    def outlets(self) -> list[tuple[str, int]]:
        """The most frequent outlets, with their article counts (read once: the dataset does not change under a view)."""
        return self._outlets

    @cached_property
    def _dates(self) -> tuple[str | None, str | None]:
        low, high = self._rows("SELECT min(date), max(date) FROM articles", [])[0]
        return low, high

    def date_range(self) -> tuple[str | None, str | None]:
        return self._dates

    def articles(self, f: ResultsFilter, limit: int = 50, offset: int = 0) -> list[ArticleRow]:
        """The filtered articles, newest first, with their entity mention counts (counted for those rows only)."""
        where, params = self._where(f)
        rows = self._rows(f"""WITH shown AS (SELECT id, title, outlet, date FROM articles WHERE {where or 'TRUE'}
                                             ORDER BY date DESC NULLS LAST, id LIMIT ? OFFSET ?)
                              SELECT s.id, any_value(s.title), any_value(s.outlet), any_value(s.date), count(e.article)
                              FROM shown s LEFT JOIN entities e ON e.article = s.id
                              GROUP BY s.id ORDER BY any_value(s.date) DESC NULLS LAST, s.id""", params + [limit, offset])
        return [ArticleRow(i, t, o, d, int(n)) for i, t, o, d, n in rows]

    def entity_matrix(self, f: ResultsFilter, labels: tuple[str, ...], articles: int = 25, clusters: int = 12,
                      shown: Sequence[ArticleRow] | None = None) -> EntityMatrix:
        """Mentions of the `clusters` most mentioned clusters of `labels` in the filter, in its `articles` newest articles
        (or in `shown`, the rows the view already listed)."""
        if not labels:
            return EntityMatrix((), (), {})
        kept, params = self._kept(f, "e.article")
        marks = ", ".join("?" for _ in labels)
        top = self._rows(f"""WITH top AS (SELECT e.cluster, count(*) n FROM entities e
                                          WHERE e.cluster IS NOT NULL AND e.label IN ({marks}) AND {kept}
                                          GROUP BY e.cluster ORDER BY n DESC, e.cluster LIMIT ?)
                             SELECT t.cluster, c.name, c.label, t.n FROM top t LEFT JOIN clusters c ON c.id = t.cluster
                             ORDER BY t.n DESC, t.cluster""", list(labels) + params + [clusters])
        rows = list(shown[:articles]) if shown is not None else self.articles(f, limit=articles)
        listed = [(a.id, a.title or a.id) for a in rows]
        columns = tuple((c, n or c, lab or "") for c, n, lab, _ in top)
        if not top or not listed:
            return EntityMatrix(columns, tuple(listed), {})
        ids, cids = [a for a, _ in listed], [c for c, *_ in top]
        counts = self._rows(f"""SELECT article, cluster, count(*) FROM entities
                                WHERE article IN ({', '.join('?' for _ in ids)}) AND cluster IN ({', '.join('?' for _ in cids)})
                                AND label IN ({marks}) GROUP BY article, cluster""", ids + cids + list(labels))
        return EntityMatrix(columns, tuple(listed), {(a, c): int(n) for a, c, n in counts})

    def place_totals(self, f: ResultsFilter, limit: int = 2000, literal_only: bool = True) -> list[PlaceTotal]:
        """The aggregated map: each place's mentions and articles within the filter, most mentioned first."""
        kept, params = self._kept(f, "p.article")
        literal = "AND NOT p.embedded AND NOT p.metonym" if literal_only else ""
        rows = self._rows(f"""SELECT p.place_id, any_value(p.name), any_value(p.feature), any_value(p.lat), any_value(p.lon),
                                     count(*) n, count(DISTINCT p.article)
                              FROM places p WHERE {kept} {literal}
                              GROUP BY p.place_id ORDER BY n DESC, p.place_id LIMIT ?""", params + [limit])
        return [PlaceTotal(i, n, ft, float(la), float(lo), int(m), int(a)) for i, n, ft, la, lo, m, a in rows]

    def close(self) -> None:
        self.con.close()
