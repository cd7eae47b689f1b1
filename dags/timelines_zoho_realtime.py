"""
### TimelinesAI → Zoho CRM, as messages arrive

Webhooks land messages in the inbox (the receiver); the inbox trigger, run by the triggerer, turns each burst
into one event on the `timelines_zoho_inbox` asset, and this DAG syncs only the chats with new inbox entries,
with the same steps as `timelines_zoho_sync`. That scheduled DAG stays the reconciliation: it catches whatever
a missed webhook lost. Exactly once holds across both (the ledgers, and claims when runs overlap).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, AssetWatcher, dag

from timelines_zoho.dag_chain import DEFAULT_ARGS, run_failed, sync_chain
from timelines_zoho.realtime.trigger import InboxTrigger

INBOX = Asset("timelines_zoho_inbox", watchers=[AssetWatcher(name="timelines_zoho_inbox", trigger=InboxTrigger())])


def _start(context: dict) -> dict:
    from airflow.sdk.exceptions import AirflowSkipException

    from timelines_zoho.realtime import run

    meta = run.start(context["dag_run"].run_id)
    if meta is None:
        raise AirflowSkipException("no chat has new inbox entries")
    return meta


def _finish(meta: dict) -> None:
    from timelines_zoho.realtime import run

    run.finish(meta)


@dag(
    dag_id="timelines_zoho_realtime",
    schedule=[INBOX],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    on_failure_callback=run_failed,
    tags=["timelinesai", "zoho-crm", "whatsapp", "realtime"],
    doc_md=__doc__,
)
def timelines_zoho_realtime() -> None:
    sync_chain(_start, _finish)


timelines_zoho_realtime()
