"""The native CeleryExecutor topology runs a scheduler-driven backfill on both Celery workers."""

from __future__ import annotations

import pytest
from topology_harness import WORKERS, Topology, query

pytestmark = [pytest.mark.topology, pytest.mark.slow]


def test_backfill_runs_every_task_on_celery_workers(probe_topology: Topology) -> None:
    topo = probe_topology
    topo.wait_dag("topology_probe")
    topo.airflow(
        "backfill",
        "create",
        "--dag-id",
        "topology_probe",
        "--from-date",
        "2026-02-01",
        "--to-date",
        "2026-02-03",
        "--max-active-runs",
        "3",
    )

    runs = topo.wait_runs("topology_probe", expected=3)

    assert [state for _, state in runs] == ["success"] * 3, runs
    assert all(run_id.startswith("backfill__2026-02-0") for run_id, _ in runs), runs
    hosts = topo.task_hosts("topology_probe")
    # 3 runs x (1 `items` + 4 mapped `where`) task instances, every one run by a Celery worker, none in-process.
    assert sum(hosts.values()) == 15, hosts
    assert set(hosts) <= set(WORKERS), hosts
    values = query(
        topo.meta_db,
        "SELECT value FROM xcom WHERE dag_id = 'topology_probe' AND task_id = 'where'"
        " AND run_id LIKE 'backfill__%%'",
    )
    assert len(values) == 12, values
    assert all(any(name in str(value) for name in WORKERS) for (value,) in values), values
