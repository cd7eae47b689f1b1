"""A trivial DAG that proves the topology: each task records the worker that ran it."""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="topology_probe",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["topology"],
)
def topology_probe() -> None:
    @task
    def items() -> list[int]:
        return [1, 2, 3, 4]

    @task
    def where(item: int) -> str:
        # The harness names each process through TOPOLOGY_HOSTNAME; task runners inherit it from their worker.
        return f"{item}@{os.environ.get('TOPOLOGY_HOSTNAME', 'unknown')}"

    where.expand(item=items())


topology_probe()
