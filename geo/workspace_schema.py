"""The workspaces database: its tables, the Alembic upgrade that makes them, and the engine for a SQLAlchemy URL
(SQLite in WAL mode, or PostgreSQL through psycopg 3)."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ARTICLE_ID_CHARS = 16
NAME_CHARS = 200
LABEL_CHARS = 255
AUTHOR_CHARS = 100
SQLITE_BUSY_SECONDS = 30

metadata = sa.MetaData()
workspaces_table = sa.Table(
    "workspaces", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(NAME_CHARS), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)
articles_table = sa.Table(
    "articles", metadata,
    sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("id", sa.String(ARTICLE_ID_CHARS), primary_key=True),
    sa.Column("label", sa.String(LABEL_CHARS), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)
corrections_table = sa.Table(
    "corrections", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("author", sa.String(AUTHOR_CHARS), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("undone_by", sa.String(AUTHOR_CHARS), nullable=True),
)
place_rows_table = sa.Table(
    "place_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(NAME_CHARS), nullable=False),
    sa.Column("place_id", sa.String(200), nullable=False),
    sa.Column("place_name", sa.String(200), nullable=False),
    sa.Column("feature", sa.String(32), nullable=False),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("country", sa.String(8), nullable=False),
    sa.Column("admin1", sa.String(32), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("population", sa.BigInteger, nullable=False),
    sa.Column("correction", sa.Integer, nullable=False),
    sa.Column("author", sa.String(AUTHOR_CHARS), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


def engine_url(url: str) -> str:
    """`url` with PostgreSQL's driver made explicit (psycopg 3; SQLAlchemy would pick psycopg2 for postgresql://)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def migrate(connection: Connection) -> None:
    """Bring the schema on `connection` to the newest Alembic revision in geo/migrations/versions."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def open_engine(url: str) -> Engine:
    """An engine for `url`: SQLite in WAL mode with foreign keys on (its folder made), or PostgreSQL with pre-ping."""
    url = engine_url(url)
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)
