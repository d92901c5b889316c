"""Alembic environment: migrations run on the connection geo.workspaces hands over (never from an ini file)."""
from alembic import context

connection = context.config.attributes["connection"]
# Batch mode lets later revisions alter SQLite tables (copy and move) as well as PostgreSQL ones.
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
