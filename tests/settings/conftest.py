"""Fixtures for the lifecycle tests: a private state store and connection ids unique to each test."""

from __future__ import annotations

import uuid

import pytest

from timelines_zoho.settings import Actor, Lifecycle, connections
from timelines_zoho.settings.oauth import ZohoClient


@pytest.fixture(autouse=True)
def server_context(monkeypatch):
    """Read connections from the metadata DB, as the API server and `airflow connections` do."""
    monkeypatch.setenv("_AIRFLOW_PROCESS_CONTEXT", "server")


@pytest.fixture
def conn_ids() -> dict[str, str]:
    """Connection ids no other test uses (all tests share one Airflow metadata DB)."""
    suffix = uuid.uuid4().hex[:8]
    return {"zoho_conn_id": f"zoho_{suffix}", "timelines_conn_id": f"timelines_{suffix}"}


ADMIN = Actor("admin-user", is_admin=True)


@pytest.fixture(scope="session")
def zoho_admin(sandbox):
    """Admin client of the Zoho emulator."""
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    return ZohoSandboxAdmin(sandbox.zoho_url)


@pytest.fixture(scope="session")
def timelines_tokens(sandbox) -> dict[str, str]:
    """The TimelinesAI emulator's Owner and non-Owner (Admin member) tokens."""
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin

    return TimelinesAISandboxAdmin(sandbox.timelines_root).tokens()


@pytest.fixture
def lifecycle(store, conn_ids):
    """A lifecycle on this test's store and connections."""
    return Lifecycle(store, **conn_ids)


@pytest.fixture
def zoho_client(zoho_admin) -> ZohoClient:
    """A freshly registered OAuth client of the emulator's EU data centre, as a custom DC."""
    client = zoho_admin.create_client(["http://127.0.0.1:1/timelines-zoho/oauth/callback"])
    return ZohoClient(client["client_id"], client["client_secret"], "custom", zoho_admin.accounts_url("eu"),
                      zoho_admin.api_domain("eu"))


@pytest.fixture
def connected(lifecycle, zoho_admin, zoho_client, sandbox, timelines_tokens):
    """A lifecycle with both services connected (self-client grant code for Zoho)."""
    code = zoho_admin.grant_code(dc="eu", client_id=zoho_client.client_id)
    lifecycle.connect_zoho_grant_code(ADMIN, zoho_client, code)
    lifecycle.connect_timelines(ADMIN, timelines_tokens["owner"], sandbox.timelines_url)
    return lifecycle


@pytest.fixture
def set_zoho_connection(zoho_admin, conn_ids):
    """Store a working Zoho connection (the emulator's EU region, custom) with extras overridden; return its id."""

    def make(**extra: str) -> str:
        grant = zoho_admin.refresh_token(dc="eu")
        fields = {"data_centre": "custom", "accounts_url": grant["accounts_url"],
                  "refresh_token": grant["refresh_token"], **extra}
        connections.upsert(conn_ids["zoho_conn_id"], "zoho_crm", login=grant["client_id"],
                           password=grant["client_secret"], extra=fields)
        return conn_ids["zoho_conn_id"]

    return make
