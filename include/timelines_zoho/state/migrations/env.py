"""Alembic environment of the state store: runs on the connection handed over by `StateStore.migrate()`."""

from __future__ import annotations

from alembic import context

from timelines_zoho.state.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table="tz_alembic_version",
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
