"""The sync's task chain, shared by the scheduled DAG and the event-driven one (their DAG files stay thin).

Both DAGs run the same steps over the same state store, so exactly once holds across them the way it holds
between a backfill and a scheduled run: the ledgers know what was written, and claims let one run write each
contact, note and file when runs overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from airflow.sdk import get_current_context, task

ZOHO_POOL = "zoho_api"


def _task_failed(context: dict) -> None:
    from timelines_zoho.sync import run_end

    run_end.task_failed(context)


def run_failed(context: dict) -> None:
    """The DAG's failure callback: the run ends failed, with its reason, in the run records."""
    from timelines_zoho.sync import run_end

    run_end.dag_run_failed(context)


DEFAULT_ARGS = {
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    "on_failure_callback": _task_failed,
}


def sync_chain(start: Callable[[dict], dict], finish: Callable[[dict], None] | None = None) -> None:
    """Add extract → transform → prepare Zoho → contacts → notes → attachments → report to the DAG being defined.

    `start(context)` chooses what the run syncs and stages it, and returns the run's JSON (`RunRef.to_dict()`,
    extra keys allowed); `finish(meta)`, when given, runs last, once the report is written.
    """

    @task
    def extract() -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from timelines_zoho.sync import runner

        try:
            return start(get_current_context())
        except (runner.IntegrationNotActive, runner.WindowError, runner.BudgetRefused) as error:
            raise AirflowFailException(str(error)) from None  # retrying cannot help

    @task
    def transform(meta: dict) -> list[dict]:
        from timelines_zoho.sync import runner

        return runner.transform(runner.RunRef.from_dict(meta))

    @task(pool=ZOHO_POOL)
    def prepare_zoho(meta: dict) -> dict:
        from timelines_zoho.sync import runner

        return runner.prepare_zoho(runner.RunRef.from_dict(meta))

    @task(pool=ZOHO_POOL, map_index_template="shard {{ task.op_kwargs['shard']['shard'] }}")
    def load_contacts(meta: dict, shard: dict) -> dict:
        from timelines_zoho.sync import runner

        return runner.load_contacts(runner.RunRef.from_dict(meta), shard)

    @task(pool=ZOHO_POOL, map_index_template="shard {{ task.op_kwargs['shard']['shard'] }}")
    def load_notes(meta: dict, shard: dict) -> dict:
        from timelines_zoho.sync import runner

        return runner.load_notes(runner.RunRef.from_dict(meta), shard)

    @task(pool=ZOHO_POOL, map_index_template="shard {{ task.op_kwargs['shard']['shard'] }}")
    def attachments(meta: dict, shard: dict) -> dict:
        from timelines_zoho.sync import runner

        return runner.load_attachments(runner.RunRef.from_dict(meta), shard)

    @task
    def report(meta: dict) -> str:
        from timelines_zoho.sync import runner, summary

        return summary.report(runner.open_store(), runner.RunRef.from_dict(meta))

    meta = extract()
    shards = transform(meta)
    ready = prepare_zoho(meta)
    contacts = load_contacts.partial(meta=meta).expand(shard=shards)
    notes = load_notes.partial(meta=meta).expand(shard=shards)
    files = attachments.partial(meta=meta).expand(shard=shards)
    reported = report(meta)
    ready >> contacts >> notes >> files >> reported
    if finish is not None:
        @task(task_id="finish")
        def finish_run(meta: dict) -> None:
            finish(meta)

        reported >> finish_run(meta)


def scheduled_start(context: dict[str, Any]) -> dict:
    """The scheduled, backfill and manual runs: the data interval, or the trigger params' window."""
    from timelines_zoho.sync import runner

    dag_run = context["dag_run"]
    return runner.start_and_extract(
        dag_run.run_id, dict(context["params"]),
        context.get("data_interval_start"), context.get("data_interval_end"),
        manual=dag_run.run_type == "manual",
    ).to_dict()
