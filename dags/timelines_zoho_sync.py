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
* **Reconciliation**: the event-driven DAG `timelines_zoho_realtime` syncs chats as webhooks bring their
  messages; this scheduled run still reads every active chat, so whatever a missed webhook lost comes in here.
* **Exactly once**: re-running any interval writes nothing new; the state store records what was written.
* The run fails clearly when the integration is not active (see the integration's settings page).
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, dag

from timelines_zoho.dag_chain import DEFAULT_ARGS, run_failed, scheduled_start, sync_chain

CRONS = {"hourly": "0 * * * *", "daily": "0 0 * * *"}


@dag(
    dag_id="timelines_zoho_sync",
    schedule=CronDataIntervalTimetable(
        CRONS.get(os.environ.get("TIMELINES_ZOHO_SCHEDULE", "hourly"), CRONS["hourly"]),
        timezone=os.environ.get("TIMELINES_ZOHO_SCHEDULE_TZ", "UTC"),
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    on_failure_callback=run_failed,
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
        "history_import": Param(False, type="boolean",
                                description="Import the window's history within what the vendors have left; "
                                            "without a window, continue the last import"),
        "max_timelines_calls": Param(None, type=["null", "integer"], minimum=1,
                                     description="History import: spend at most this many TimelinesAI calls"),
        "timelines_rate": Param(None, type=["null", "number"], exclusiveMinimum=0, maximum=30,
                                description="History import: TimelinesAI requests per second (default 2)"),
    },
)
def timelines_zoho_sync() -> None:
    sync_chain(scheduled_start)


timelines_zoho_sync()
