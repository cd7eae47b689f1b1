"""Fixtures for the UI tests: the app on a private store, and real Airflow JWTs for each role."""

from __future__ import annotations

import re
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


BASE_URL = "http://airflow.test"


@pytest.fixture(autouse=True)
def configured_base_url(monkeypatch):
    """Airflow's `[api] base_url`: the origin the page trusts and builds every redirect from."""
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", BASE_URL)
    monkeypatch.setenv("_AIRFLOW_PROCESS_CONTEXT", "server")


@pytest.fixture
def conn_ids() -> dict[str, str]:
    """Connection ids no other test uses (all tests share one Airflow metadata DB)."""
    suffix = uuid.uuid4().hex[:8]
    return {"zoho_conn_id": f"zoho_{suffix}", "timelines_conn_id": f"timelines_{suffix}"}


@pytest.fixture
def client(store, conn_ids):
    """The settings app with its own store and connection ids, over Starlette's test client."""
    # Mounted under a prefix, as the API server mounts plugin apps.
    root = FastAPI()
    root.mount("/timelines-zoho", create_app(store, **conn_ids))
    with TestClient(root, base_url=f"{BASE_URL}/timelines-zoho") as test_client:
        yield test_client


@pytest.fixture
def admin_client(client, token_for):
    """The client logged in as an admin, with the page's CSRF token and the same-origin header a browser sends."""
    client.cookies.set("_token", token_for("admin"))
    page = client.get("/")
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    client.csrf = found.group(1) if found else ""
    client.headers["Origin"] = BASE_URL
    return client


@pytest.fixture
def zoho_connected(sandbox, store, conn_ids):
    """Zoho connected (the emulator's EU region as the configured custom host); returns the id and its fields."""
    from timelines_zoho.settings import Actor, Lifecycle, connections
    from timelines_zoho.settings.oauth import ZohoClient
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    zoho = ZohoSandboxAdmin(sandbox.zoho_url)
    registered = zoho.create_client([f"{BASE_URL}/timelines-zoho/oauth/callback"])
    client = ZohoClient(registered["client_id"], registered["client_secret"], "custom", zoho.accounts_url("eu"))
    lifecycle = Lifecycle(store, **conn_ids)
    lifecycle.connect_zoho_grant_code(Actor("admin-user", is_admin=True), client,
                                      zoho.grant_code(dc="eu", client_id=client.client_id))
    return conn_ids["zoho_conn_id"], connections.get_fields(conn_ids["zoho_conn_id"])

