"""
### TimelinesAI → Zoho CRM sync

Every WhatsApp chat with activity in the run's window becomes (or is linked to) a Zoho record, and each chat's
messages land as one note per calendar day, with their attachments.

* **Window**: scheduled and backfill runs sync their data interval (hourly; daily with
  `TIMELINES_ZOHO_SCHEDULE=daily`). A manual run without window params syncs since the last successful window,
  up to now, however it was triggered.
* **Trigger form**: the form's logical date only names the run; it does not choose the window. To sync one
  calendar day (in the workspace timezone, DST-aware) set `day`; to sync any span set `window_start` and
  `window_end`. `chat_ids` limits the run to those chats, `dry_run` writes nothing.
* **Steps**: extract → transform → prepare Zoho (phone index, owners) → load contacts → load notes →
  attachments → report. Shards run as mapped tasks in the `zoho_api` pool.
* **Exactly once**: re-running any interval writes nothing new; the state store records what was written.
* The run fails clearly when the integration is not active (see the integration's settings page).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

CRONS = {"hourly": "0 * * * *", "daily": "0 0 * * *"}
ZOHO_POOL = "zoho_api"


def _task_failed(context: dict) -> None:
    from timelines_zoho.sync import run_end

    run_end.task_failed(context)


def _run_failed(context: dict) -> None:
    from timelines_zoho.sync import run_end

    run_end.dag_run_failed(context)


@dag(
    dag_id="timelines_zoho_sync",
    schedule=CronDataIntervalTimetable(
        CRONS.get(os.environ.get("TIMELINES_ZOHO_SCHEDULE", "hourly"), CRONS["hourly"]),
        timezone=os.environ.get("TIMELINES_ZOHO_SCHEDULE_TZ", "UTC"),
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
        "on_failure_callback": _task_failed,  # a failed run ends failed, with its reason, in the run records
    },
    on_failure_callback=_run_failed,
    tags=["timelinesai", "zoho-crm", "whatsapp"],
    doc_md=__doc__,
    params={
        "window_start": Param(None, type=["null", "string"], format="date-time",
                              description="Start of the window to sync (instead of day)"),
        "window_end": Param(None, type=["null", "string"], format="date-time",
                            description="End of the window to sync (default: now)"),
        "day": Param(None, type=["null", "string"], format="date",
                     description="One calendar day to sync, midnight to midnight in the workspace timezone"),
        "chat_ids": Param(None, type=["null", "array"], items={"type": "string"},
                          description="Only these TimelinesAI chat ids (leave empty for every chat)"),
        "dry_run": Param(False, type="boolean", description="Match and plan, write nothing to Zoho"),
        "full_pass": Param(False, type="boolean", description="List every chat instead of stopping early"),
    },
)
def timelines_zoho_sync() -> None:
    @task
    def extract() -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from timelines_zoho.sync import runner

        context = get_current_context()
        try:
            dag_run = context["dag_run"]
            return runner.start_and_extract(
                dag_run.run_id, dict(context["params"]),
                context.get("data_interval_start"), context.get("data_interval_end"),
                manual=dag_run.run_type == "manual",
            ).to_dict()
        except (runner.IntegrationNotActive, runner.WindowError) as error:
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
    ready >> contacts >> notes >> files >> report(meta)


timelines_zoho_sync()
