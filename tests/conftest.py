"""Session-wide test setup: an isolated AIRFLOW_HOME with a fresh metadata DB, and the sandbox emulators."""

from __future__ import annotations

import os
import pathlib
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Must happen before anything imports airflow: Airflow reads its configuration at import time.
_airflow_home = tempfile.mkdtemp(prefix="airflow-test-home-")
os.environ["AIRFLOW_HOME"] = _airflow_home
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_airflow_home}/airflow.db"
os.environ.setdefault("AIRFLOW__CORE__FERNET_KEY", "qlKw2oCMbd0TZ1xTJ3nZzuT9a2o0b4bQoQ-6f0ILh7M=")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Create a fresh Airflow metadata DB once per session."""
    from airflow.utils import db

    db.resetdb()


@pytest.fixture(scope="session")
def sandbox():
    """Both emulators as real HTTP servers on 127.0.0.1, started once per session."""
    from timelines_zoho_sandbox.server import start_sandbox

    running = start_sandbox()
    # The emulator is the configured custom Zoho host (one host serves every region by path), as in the demo.
    os.environ["AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL"] = f"{running.zoho_url.rstrip('/')}/us/accounts"
    yield running
    os.environ.pop("AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL", None)
    running.stop()


@pytest.fixture(scope="session")
def timelines_server():
    """A TimelinesAI emulator of its own for tests that reset it or subscribe webhooks (not the shared pair)."""
    from timelines_zoho_sandbox.server import serve_app
    from timelines_zoho_sandbox.timelinesai.app import create_app

    server = serve_app(lambda url: create_app(url))
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path):
    """A migrated state store in this test's own SQLite file."""
    from timelines_zoho.state import StateStore

    state = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    state.migrate()
    yield state
    state.dispose()


@pytest.fixture
def hostile_site():
    """A server on another origin that serves an attacking page and records whatever reaches it."""
    from hostile_site import start_hostile_site

    site = start_hostile_site()
    yield site
    site.stop()
