"""Fixtures for the hook tests: an emulator per vendor over real HTTP, connections from env vars, a fake sleep."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from timelines_zoho.hooks import RetryPolicy


class RecordingSleep:
    """Record every wait the retry loop asks for; really sleep only a token amount so tests stay fast."""

    def __init__(self, real_cap: float = 0.05) -> None:
        self.waits: list[float] = []
        self.real_cap = real_cap

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(min(seconds, self.real_cap))


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def policy(sleep: RecordingSleep) -> RetryPolicy:
    return RetryPolicy(max_attempts=5, max_total_seconds=300, sleep=sleep)


@pytest.fixture(scope="session")
def timelines_admin(sandbox):
    """The admin client of the session's TimelinesAI emulator."""
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin

    return TimelinesAISandboxAdmin(sandbox.timelines_root)


@pytest.fixture
def set_connection(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Define Airflow connections the way deployments do: `AIRFLOW_CONN_<ID>` in JSON form."""

    def define(conn_id: str, **fields: object) -> None:
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))

    return define


@pytest.fixture(scope="session")
def zoho_server_admin(sandbox):
    """The admin client of the session's Zoho CRM emulator."""
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    return ZohoSandboxAdmin(sandbox.zoho_url)


@pytest.fixture
def zoho_admin(zoho_server_admin):
    """A freshly reset and seeded Zoho org with one admin user."""
    zoho_server_admin.reset()
    zoho_server_admin.seed(users=[{"full_name": "Ann Admin", "email": "ann@acme.example", "role": "Administrator"}])
    yield zoho_server_admin
    zoho_server_admin.reset()


@pytest.fixture
def zoho_connect(zoho_admin, set_connection, tmp_path) -> Callable[..., dict]:
    """Mint a refresh token in a DC and define a `zoho_crm` connection for it (data_centre custom, as the sandbox)."""

    def connect(conn_id: str = "zoho_crm_test", dc: str = "us", scopes: list[str] | None = None, **extra: object) -> dict:
        grant = zoho_admin.refresh_token(scopes=scopes, dc=dc)
        fields = {"data_centre": "custom", "accounts_url": grant["accounts_url"],
                  "refresh_token": grant["refresh_token"], **extra}
        set_connection(conn_id, conn_type="zoho_crm", login=grant["client_id"], password=grant["client_secret"],
                       extra={k: v for k, v in fields.items() if v is not None})
        return grant

    return connect
