"""Alembic migrations of the workspaces database; geo.workspaces runs them to the head on every open."""
