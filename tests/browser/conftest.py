"""A real Airflow (`airflow standalone`, started with setsid on free ports) and Debian's Chromium for the browser test."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PASSWORDS = {"admin": "admin-" + "pass-for-browser-test", "viewer": "viewer-" + "pass-for-browser-test"}


@dataclass
class AirflowServer:
    """A running `airflow standalone` and how to reach it."""

    url: str
    home: Path
    process: subprocess.Popen
    env: dict[str, str]  # the server's environment, for CLI commands against its databases

    @staticmethod
    def password(user: str) -> str:
        """Return the user's deterministic password (written to the passwords file before start)."""
        return PASSWORDS[user]

    def token(self, user: str) -> str:
        """Return a JWT for a user through the public auth endpoint."""
        response = requests.post(f"{self.url}/auth/token", json={"username": user, "password": PASSWORDS[user]},
                                 timeout=30)
        response.raise_for_status()
        return response.json()["access_token"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 480) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"airflow standalone exited early:\n{log.read_text()[-4000:]}")
        try:
            health = requests.get(f"{url}/api/v2/monitor/health", timeout=5).json()
            if all(health.get(part, {}).get("status") == "healthy" for part in ("metadatabase", "scheduler",
                                                                              "dag_processor")):
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(1)
    raise RuntimeError(f"airflow standalone not healthy after {timeout}s:\n{log.read_text()[-4000:]}")


def _stop_group(process: subprocess.Popen) -> None:
    """Stop standalone and every child it started: they share the process group setsid gave it."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    # Orphans of the group (scheduler workers) may outlive the parent: make sure none is left.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; .ci/services installs it, so wait a while if it is still being installed."""
    deadline = time.monotonic() + 300
    while not (path := shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)):
        if time.monotonic() > deadline:
            pytest.fail("Chromium is not installed: run .ci/services (apt-get install chromium)")
        time.sleep(5)
    return path


@pytest.fixture(scope="module")
def airflow_server(tmp_path_factory, sandbox) -> Iterator[AirflowServer]:
    """`airflow standalone` on a free port with a fresh home, deterministic passwords and the sandbox's state DB.

    One per module: each module's story starts from a new installation (one that activated the integration would
    otherwise hide the connect forms from the next).
    """
    home = tmp_path_factory.mktemp("airflow-standalone")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    (home / "passwords.json").write_text(json.dumps(PASSWORDS))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW"))}
    env.update({
        "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__FERNET_KEY": os.environ["AIRFLOW__CORE__FERNET_KEY"],
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin,viewer:viewer",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "TIMELINES_ZOHO_STATE_URL": f"sqlite:///{home}/timelines_zoho_state.db",
        # The emulator's EU region is the configured custom Zoho host (the settings form names no URL).
        "AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL": f"{sandbox.zoho_url.rstrip('/')}/eu/accounts",
    })
    log = home / "standalone.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["setsid", "airflow", "standalone"], stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, cwd=home, start_new_session=False)
    server = AirflowServer(url, home, process, env)
    try:
        _wait_healthy(url, process, log)
        subprocess.run(["airflow", "pools", "set", "zoho_api", "5", "Zoho CRM API concurrency"], env=env,
                       check=True, capture_output=True, timeout=120)
        yield server
    finally:
        _stop_group(process)


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Headless Chromium driven by Playwright (Debian's build: never `playwright install`).

    Per module: Playwright's sync API keeps an asyncio loop running on the main thread until it stops, and
    later modules' `asyncio.run` (the webhook and trigger tests) refuses to run beside it.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def shots(tmp_path, request):
    """Save numbered screenshots under the test's tmp dir and copy them to var/artifacts/<test name>/."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    artifacts = ROOT / "var" / "artifacts" / request.node.name
    taken: list[Path] = []
    pages: list = []

    def take(page, name: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        pages[:] = [page]
        return path

    yield take
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and pages and not pages[0].is_closed():
        take(pages[0], "failure")
    artifacts.mkdir(parents=True, exist_ok=True)
    for path in taken:
        shutil.copy2(path, artifacts / path.name)
