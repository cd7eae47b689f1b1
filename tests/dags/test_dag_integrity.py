"""DAG integrity: the sync DAG imports cleanly and carries its schedule, retries, tags, pool and steps."""

from __future__ import annotations

import pathlib

import pytest
from airflow.models import DagBag

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}


def test_sync_dag_shape(dagbag: DagBag) -> None:
    dag = dagbag.get_dag("timelines_zoho_sync")
    assert dag is not None
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert set(dag.task_ids) == {
        "extract", "transform", "prepare_zoho", "load_contacts", "load_notes", "attachments", "report",
    }
    for task_id in ("prepare_zoho", "load_contacts", "load_notes", "attachments"):
        assert dag.get_task(task_id).pool == "zoho_api"
    assert {"window_start", "window_end", "chat_ids", "dry_run"} <= set(dag.params)
    assert dag.doc_md and "Exactly once" in dag.doc_md


def test_every_dag_has_tags_and_at_least_two_retries(dagbag: DagBag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        for task in dag.tasks:
            assert task.retries >= 2, f"{dag_id}.{task.task_id} retries {task.retries}"
            assert task.retry_exponential_backoff


def test_realtime_dag_runs_the_sync_steps_on_the_inbox_asset_watched_by_the_inbox_trigger(dagbag: DagBag) -> None:
    dag = dagbag.get_dag("timelines_zoho_realtime")
    sync = dagbag.get_dag("timelines_zoho_sync")
    assert dag is not None and dag.max_active_runs == 1 and dag.catchup is False
    assert set(dag.task_ids) == set(sync.task_ids) | {"finish"}  # the same chain, and the mark moved last
    assert "report" in dag.get_task("finish").upstream_task_ids
    (asset,) = dag.timetable.asset_condition.objects
    (watcher,) = asset.watchers
    assert type(watcher.trigger).__name__ == "InboxTrigger"
