"""A fresh, migrated state store on SQLite and on the local PostgreSQL (a database created and dropped per test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from timelines_zoho.state import StateStore

PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def _pg_admin_engine():
    from sqlalchemy import create_engine

    return create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[StateStore]:
    """A migrated store on each backend."""
    if request.param == "sqlite":
        state = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
        state.migrate()
        yield state
        state.dispose()
        return
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    admin = _pg_admin_engine()
    name = f"tz_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc.orig}")
    state = StateStore(f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}")
    try:
        state.migrate()
        yield state
    finally:
        state.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
