"""One file per schema revision, oldest first (Alembic's down_revision chain)."""
