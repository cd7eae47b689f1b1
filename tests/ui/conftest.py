"""Fixtures for the UI tests: the app on a private store, and real Airflow JWTs for each role."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from timelines_zoho.ui import create_app


@pytest.fixture(scope="session")
def auth_manager():
    """Airflow's configured auth manager (the simple one), initialised as the API server does."""
    from airflow.api_fastapi.app import init_auth_manager

    return init_auth_manager()


@pytest.fixture
def token_for(auth_manager):
    """Return a signed Airflow JWT for a user of the given simple-auth-manager role."""
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    def make(role: str) -> str:
        return auth_manager.generate_jwt(SimpleAuthManagerUser(username=f"{role}-user", role=role))

    return make


@pytest.fixture
def client(store):
    """The settings app with its own store and connection ids, over Starlette's test client."""
    suffix = uuid.uuid4().hex[:8]
    # Mounted under a prefix, as the API server mounts plugin apps.
    root = FastAPI()
    root.mount("/timelines-zoho", create_app(store, zoho_conn_id=f"zoho_{suffix}", timelines_conn_id=f"timelines_{suffix}"))
    with TestClient(root, base_url="http://airflow.test/timelines-zoho") as test_client:
        yield test_client
