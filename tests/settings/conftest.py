"""Fixtures for the lifecycle tests: a private state store and connection ids unique to each test."""

from __future__ import annotations

import uuid

import pytest
from timelines_zoho.state import StateStore


@pytest.fixture
def store(tmp_path):
    """A migrated state store in this test's own SQLite file."""
    state = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    state.migrate()
    yield state
    state.dispose()


@pytest.fixture
def conn_ids() -> dict[str, str]:
    """Connection ids no other test uses (all tests share one Airflow metadata DB)."""
    suffix = uuid.uuid4().hex[:8]
    return {"zoho_conn_id": f"zoho_{suffix}", "timelines_conn_id": f"timelines_{suffix}"}
