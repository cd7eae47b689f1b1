"""Fixtures of the native topology: fresh PostgreSQL databases, Redis, and real Airflow processes."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
import requests
from topology_harness import BIN, ROOT, WORKERS, Topology, free_port, running_topology, wait_for

from timelines_zoho_sandbox import sandbox_wiring
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def probe_topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    """The topology running only the probe DAG, so the harness is proven independently of the sync."""
    tmp = tmp_path_factory.mktemp("topology-probe")
    dags = tmp / "dags"
    shutil.copytree(HERE / "probe_dags", dags, ignore=shutil.ignore_patterns("__pycache__"))
    with running_topology(tmp, dags) as topo:
        yield topo


SYNC_ENV = {"TIMELINES_ZOHO_SCHEDULE": "daily"}
SANDBOX_SETTINGS = {
    "--module": "Contacts",
    "--phone-field": "Mobile",
    "--name-field": "Last_Name",
    "--chat-link-field": "Description",
    "--lead-source-field": "Lead_Source",
    "--timezone": "Europe/Warsaw",
}


@dataclass
class SyncTopology:
    """The topology running the real sync DAG against its own sandbox emulators."""

    topo: Topology
    zoho: ZohoSandboxAdmin


@contextmanager
def running_sync(tmp: pathlib.Path, seed: dict, workers: tuple[str, ...] = WORKERS) -> Iterator[SyncTopology]:
    """Sandbox, connections loaded by the init script, the integration activated by its CLI, then Airflow.

    The workers share the staging URL (a folder outside every AIRFLOW_HOME, as a volume or a bucket would be),
    the databases and the broker, and nothing else.
    """
    ports = free_port(), free_port()
    timelines = TimelinesAISandboxAdmin(f"http://127.0.0.1:{ports[0]}")
    zoho = ZohoSandboxAdmin(f"http://127.0.0.1:{ports[1]}")

    def prepare(topo: Topology) -> None:
        topo.start(
            "sandbox",
            [
                sys.executable,
                "-m",
                "timelines_zoho_sandbox",
                "--timelines-port",
                str(ports[0]),
                "--zoho-port",
                str(ports[1]),
            ],
        )
        wait_for("the sandbox", lambda: _answers(zoho.root_url), 60, topo.logs)
        sandbox_wiring.seed(timelines, zoho, **seed)
        token = zoho.refresh_token()
        topo.run_init(
            {
                "TIMELINES_AI_URL": timelines.api_url,
                "TIMELINES_AI_TOKEN": timelines.tokens()["owner"],
                "ZOHO_CLIENT_ID": token["client_id"],
                "ZOHO_CLIENT_SECRET": token["client_secret"],
                "ZOHO_REFRESH_TOKEN": token["refresh_token"],
                "ZOHO_DATA_CENTRE": "custom",
                "ZOHO_ACCOUNTS_URL": zoho.accounts_url(),
                "ZOHO_API_DOMAIN": zoho.api_domain(),
            }
        )
        argv = [
            str(BIN / "timelines-zoho"),
            "activate",
            *(part for item in SANDBOX_SETTINGS.items() for part in item),
        ]
        done = subprocess.run(argv, env=topo.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"activation failed:\n{done.stdout}\n{done.stderr[-4000:]}"

    # Its own emulator is the configured custom Zoho host in every process (the client secret goes nowhere else).
    env = SYNC_ENV | {
        "AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL": zoho.accounts_url(),
        "TIMELINES_ZOHO_STAGING_URL": (tmp / "shared-staging").as_uri(),
    }
    with running_topology(tmp, ROOT / "dags", env, prepare, workers) as topo:
        yield SyncTopology(topo, zoho)


@pytest.fixture(scope="module")
def sync_topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncTopology]:
    """The sync on two workers over a small three-day workspace."""
    seed = {"chats": 40, "messages": 400, "days": 3, "end": date(2026, 4, 5), "zoho_contacts": 20}
    with running_sync(tmp_path_factory.mktemp("topology-sync"), seed) as running:
        yield running


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code < 500
    except requests.RequestException:
        return False
