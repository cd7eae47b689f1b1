"""Fixtures of the native topology: fresh PostgreSQL databases, Redis, and real Airflow processes."""

from __future__ import annotations

import pathlib
import shutil

import pytest
from topology_harness import Topology, running_topology

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def probe_topology(tmp_path_factory: pytest.TempPathFactory) -> Topology:
    """The topology running only the probe DAG, so the harness is proven independently of the sync."""
    tmp = tmp_path_factory.mktemp("topology-probe")
    dags = tmp / "dags"
    shutil.copytree(HERE / "probe_dags", dags, ignore=shutil.ignore_patterns("__pycache__"))
    with running_topology(tmp, dags) as topo:
        yield topo
