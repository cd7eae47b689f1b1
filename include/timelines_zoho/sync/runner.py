"""The steps of one sync run as plain functions: the DAG calls them, tests call them without Airflow.

Each step takes a RunRef (JSON for XCom through to_dict/from_dict) and returns small JSON-able references (paths,
ids, counts); data moves through staged files. The loaders write through a Destination (Zoho's beside the hook).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pandas as pd

from timelines_zoho.state import IntegrationSettings, StateStore
from timelines_zoho.sync import history_import, staging
from timelines_zoho.sync.budget import BudgetRefused
from timelines_zoho.sync.destination import Destination
from timelines_zoho.sync.items import Items
from timelines_zoho.sync.load_attachments import AttachmentLoader
from timelines_zoho.sync.load_contacts import ContactLoader
from timelines_zoho.sync.load_notes import NoteLoader
from timelines_zoho.sync.phone_index import refresh_index
from timelines_zoho.sync.poll import poll, polled_through
from timelines_zoho.sync.poll import stage as stage_poll
from timelines_zoho.sync.run_ref import RunRef, StagedInput
from timelines_zoho.sync.window import Window, WindowError, resolve_window
from timelines_zoho.transform.contacts import ACCOUNT_FIELDS, CHAT_FIELDS
from timelines_zoho.transform.notes import MESSAGE_COLUMNS

log = logging.getLogger(__name__)

SHARD_SIZE = 500  # contacts per shard: a multiple of 100 keeps every write batch full
MAX_SHARDS = 8
FULL_PASS_EVERY = timedelta(hours=24)
LAST_FULL_PASS = "last_full_pass"
# Only what transform reads is staged: the API's other keys would cost a column each and change nothing.
STAGED_FIELDS = {"chats": CHAT_FIELDS, "messages": ["chat_id", "timestamp", *MESSAGE_COLUMNS], "accounts": ACCOUNT_FIELDS}


__all__ = ["BudgetRefused", "Hooks", "IntegrationNotActive", "RunRef", "WindowError", "run_inline", "start_and_extract"]


class IntegrationNotActive(RuntimeError):
    """The integration is not active, so nothing may be synced."""


@dataclass
class Hooks:
    """Where the hooks come from; tests and the demo pass their own factories."""

    timelines_conn_id: str = "timelines_ai_default"
    zoho_conn_id: str = "zoho_crm_default"

    def timelines(self) -> Any:
        from timelines_zoho.hooks.timelinesai import TimelinesAIHook

        return TimelinesAIHook(self.timelines_conn_id)

    def zoho(self) -> Any:
        from timelines_zoho.hooks.zoho import ZohoCRMHook

        return ZohoCRMHook(self.zoho_conn_id)

    def destination(self, zoho: Any, settings: IntegrationSettings) -> Destination:
        """The CRM the loaders write to, over this run's Zoho hook."""
        from timelines_zoho.hooks.zoho_destination import ZohoDestination

        return ZohoDestination(zoho, settings)


_MIGRATED: set[str] = set()
_MIGRATE_LOCK = threading.Lock()


def open_store() -> StateStore:
    """Open the state store, bringing its schema up to date once per process (Alembic is not thread-safe)."""
    store = StateStore()
    with _MIGRATE_LOCK:
        if store.url not in _MIGRATED:
            store.migrate()
            _MIGRATED.add(store.url)
    return store


def active_settings(store: StateStore) -> IntegrationSettings:
    """Return the settings, or fail clearly when the integration is not active."""
    settings = store.get_settings()
    if settings is None or not settings.active:
        raise IntegrationNotActive(
            "The TimelinesAI → Zoho CRM integration is not active: open the integration's settings page, "
            "choose the module and fields, and press Activate (or run `timelines-zoho activate`)."
        )
    return settings


def _write_stats(run: RunRef, name: str, **hooks: Any) -> None:
    stats = {label: hook.stats for label, hook in hooks.items() if hook is not None}
    staging.write_json(staging.open_ref(run.dir) / "stats" / f"{name}.json", stats)


def start_and_extract(
    run_key: str, params: dict[str, Any], interval_start: datetime | None, interval_end: datetime | None,
    hooks: Hooks | None = None, now: datetime | None = None, *, manual: bool = False,
) -> RunRef:
    """Check the integration is active, choose the window, record the run and stage what TimelinesAI holds.

    `manual` says the run was triggered by hand (UI, CLI, `dag.test`): its data interval is not its window.
    """
    hooks = hooks or Hooks()
    store = open_store()
    settings = active_settings(store)
    now = now or datetime.now(timezone.utc)
    tz = settings.timezone or "UTC"
    window = resolve_window(params=params, interval_start=interval_start, interval_end=interval_end,
                            last_success_end=polled_through(store) or store.last_successful_window_end(), now=now,
                            manual=manual, tz=tz)
    timelines = hooks.timelines()
    source, zoho, history = timelines, None, None
    if history_import.requested(params):
        zoho = hooks.zoho()
        history = _plan_history(run_key, params, window, tz, store, timelines, zoho)
        window, source = history.plan.window, history.source
    run_id = store.start_run(run_key, window.start, window.end)
    folder = staging.run_dir(run_key)
    run = RunRef(run_id, run_key, staging.ref_of(folder), window, tz, bool(params.get("dry_run")), now)
    last_full = store.get_meta(LAST_FULL_PASS)
    full_pass = bool(params.get("full_pass")) or not last_full or (
        now - datetime.fromisoformat(last_full) >= FULL_PASS_EVERY
    )
    retry_days: dict[str, set[date]] = {}
    retry_chats: list[str] = []
    for item in store.quarantined():
        if item.item_kind == "note" and item.chat_id:
            retry_days.setdefault(item.chat_id, set()).add(item.note_day.date)
        elif item.item_kind == "chat":
            retry_chats.append(item.item_id)
    chat_ids = [str(c).strip() for c in (params.get("chat_ids") or []) if str(c).strip()]
    # A history import lists down to its range's start only: its budget was estimated from that listing.
    full_pass = full_pass and not chat_ids and history is None
    polled = poll(source, store, window, tz, chat_ids=chat_ids or None, retry_chats=retry_chats,
                  retry_days=retry_days, full_pass=full_pass)
    raw = polled.extracted
    stage_poll(polled, folder)
    if full_pass:
        store.set_meta(LAST_FULL_PASS, now.isoformat())
    run = run.with_staged(StagedInput(**{
        name: staging.write_records(folder / f"{name}.parquet", records, STAGED_FIELDS[name])
        for name, records in (("chats", raw.chats), ("messages", raw.messages), ("accounts", raw.accounts))
    }))
    items = Items()
    for kind, item_id, reason in raw.problems:
        items.add(kind, item_id, "failed", reason)
    items.flush(store, run_id)
    _write_stats(run, "extract", timelines=timelines, zoho=zoho)
    log.info("run %s: window %s → %s UTC (days in %s), %d chats", run_key, window.start.isoformat(),
             window.end.isoformat(), tz, len(raw.chats))
    return run


def _plan_history(run_key: str, params: dict[str, Any], window: Window, tz: str, store: StateStore,
                  timelines: Any, zoho: Any) -> history_import.Prepared:
    """Budget a history import (continuing the last one when no range is given); a refusal is recorded."""
    if not (params.get("window_start") or params.get("window_end")):
        window = history_import.continued_window(store) or window
    try:
        prepared = history_import.prepare(timelines, zoho, window, tz, params)
    except BudgetRefused as error:
        store.start_run(run_key, window.start, window.end)
        store.fail_run(run_key, f"history import refused: {error}")
        raise
    history_import.record(store, run_key, prepared.plan)
    return prepared


def transform(run: RunRef) -> list[dict[str, Any]]:
    """Build contacts and note bundles, record what is excluded, and split the work into shards."""
    from timelines_zoho.transform.contacts import build_contacts
    from timelines_zoho.transform.notes import build_note_bundles

    store = open_store()
    folder = staging.open_ref(run.dir)
    chats, accounts = staging.read_frame(run.input.chats), staging.read_frame(run.input.accounts)
    contacts, rejected = build_contacts(chats, accounts)
    bundles, rejected_messages = build_note_bundles(
        staging.read_frame(run.input.messages), contacts, timezone=run.tz, now=run.now
    )
    items = Items()
    for row in rejected.itertuples():
        items.add(row.item_kind, row.item_id, "skipped", row.reason)
    for row in rejected_messages.itertuples():
        items.add(row.item_kind, row.item_id, "skipped", row.reason)
    items.flush(store, run.run_id)
    return [
        {"shard": n, "chats": len(part), "contacts": staging.write_frame(folder / f"contacts_{n}.parquet", part),
         "bundles": staging.write_frame(folder / f"bundles_{n}.parquet",
                                        bundles[bundles["chat_id"].isin(part["chat_id"])])}
        for n, part in enumerate(shard_contacts(contacts))
    ]


def shard_contacts(contacts: pd.DataFrame) -> list[pd.DataFrame]:
    """Split contacts into contiguous shards, keeping chats that share a phone together."""
    if contacts.empty:
        return [contacts]
    group = contacts["match_keys"].map(min)
    ordered = contacts.assign(_group=group).sort_values(["_group", "chat_id"]).reset_index(drop=True)
    shards = min(MAX_SHARDS, math.ceil(len(ordered) / SHARD_SIZE))
    codes = pd.factorize(ordered["_group"])[0]
    per_shard = math.ceil((codes.max() + 1) / shards)
    labels = codes // per_shard
    return [ordered[labels == n].drop(columns="_group") for n in range(labels.max() + 1)]


def prepare_zoho(run: RunRef, hooks: Hooks | None = None) -> dict[str, Any]:
    """Refresh the phone index, once per run; records Zoho returns with a garbled timestamp are reported."""
    hooks = hooks or Hooks()
    store = open_store()
    settings = active_settings(store)
    zoho = hooks.zoho()
    refresh = refresh_index(hooks.destination(zoho, settings), store,
                            default_region=os.environ.get("TIMELINES_ZOHO_DEFAULT_REGION") or None)
    items = Items()
    for record_id, reason in refresh.garbled:
        items.add("zoho_record", record_id, "skipped", reason)
    items.flush(store, run.run_id)
    _write_stats(run, "prepare_zoho", zoho=zoho)
    return {"index_records_read": refresh.records_read}


def _shard_step(run: RunRef, shard: dict[str, Any], name: str, hooks: Hooks | None, step: Any) -> dict:
    hooks = hooks or Hooks()
    store = open_store()
    settings = active_settings(store)
    items = Items()
    zoho = hooks.zoho()
    used = step(hooks, hooks.destination(zoho, settings), store, items)
    counts = items.flush(store, run.run_id)
    _write_stats(run, f"{name}_{shard['shard']}", zoho=zoho, **used)
    return counts


def shard_token(run: RunRef, shard: dict[str, Any]) -> str:
    """Name one task's claims: the run, the shard, and a random part so a retried task is a new holder."""
    return f"{run.run_key}:{shard['shard']}:{uuid.uuid4().hex}"


def load_contacts(run: RunRef, shard: dict[str, Any], hooks: Hooks | None = None) -> dict[str, int]:
    """Link, create and rename the shard's contacts."""
    def step(hooks: Hooks, destination: Destination, store: StateStore, items: Items) -> dict[str, Any]:
        keep = active_settings(store).keep_zoho_names
        ContactLoader(destination, store, items, token=shard_token(run, shard), dry_run=run.dry_run,
                      keep_zoho_names=keep).load(staging.read_frame(shard["contacts"]))
        return {}

    return _shard_step(run, shard, "load_contacts", hooks, step)


def load_notes(run: RunRef, shard: dict[str, Any], hooks: Hooks | None = None) -> dict[str, int]:
    """Create or update the shard's day notes."""
    def step(hooks: Hooks, destination: Destination, store: StateStore, items: Items) -> dict[str, Any]:
        NoteLoader(destination, store, items, token=shard_token(run, shard), dry_run=run.dry_run).load(
            staging.read_frame(shard["bundles"])
        )
        return {}

    return _shard_step(run, shard, "load_notes", hooks, step)


def load_attachments(run: RunRef, shard: dict[str, Any], hooks: Hooks | None = None) -> dict[str, int]:
    """Stream the shard's attachments to their notes."""
    def step(hooks: Hooks, destination: Destination, store: StateStore, items: Items) -> dict[str, Any]:
        timelines = hooks.timelines()
        AttachmentLoader(timelines, destination, store, items, token=shard_token(run, shard),
                         dry_run=run.dry_run).load(staging.read_frame(shard["bundles"]))
        return {"timelines": timelines}

    return _shard_step(run, shard, "load_attachments", hooks, step)


def run_inline(run_key: str, params: dict[str, Any], interval_start: datetime | None = None,
               interval_end: datetime | None = None, hooks: Hooks | None = None,
               now: datetime | None = None) -> dict[str, Any]:
    """Run every step in this process, in the DAG's order, and return the summary (tests and benchmarks)."""
    return run_staged(start_and_extract(run_key, params, interval_start, interval_end, hooks, now), hooks)


def run_staged(run: RunRef, hooks: Hooks | None = None) -> dict[str, Any]:
    """Run the steps after extract in this process, in the DAG's order, and return the summary."""
    from timelines_zoho.sync import summary

    shards = transform(run)
    prepare_zoho(run, hooks)
    for step in (load_contacts, load_notes, load_attachments):
        for shard in shards:
            step(run, shard, hooks)
    return summary.finish(open_store(), run)
