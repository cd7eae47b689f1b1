"""Fixtures for the hook tests: an emulator per vendor over real HTTP, connections from env vars, a fake sleep."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

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
def timelines_admin() -> Iterator:
    """The TimelinesAI emulator alone, on a free port, with its admin client."""
    from timelines_zoho.sandbox.server import serve_app
    from timelines_zoho.sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho.sandbox.timelinesai.app import create_app

    server = serve_app(lambda url: create_app(url))
    yield TimelinesAISandboxAdmin(server.url)
    server.stop()


@pytest.fixture
def set_connection(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Define Airflow connections the way deployments do: `AIRFLOW_CONN_<ID>` in JSON form."""

    def define(conn_id: str, **fields: object) -> None:
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))

    return define
