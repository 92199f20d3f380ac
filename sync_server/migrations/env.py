"""Alembic environment for the sync server; the caller passes a live connection."""

from __future__ import annotations

from alembic import context

from sync_server.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via sync_server.db.migrate
    raise RuntimeError("run migrations through `welcome-desk-server migrate`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
