"""A history import: a manual run over a range, budgeted before its first message read and resumable.

It is an ordinary run of the sync DAG with `history_import` set, so it reads each chat's messages once for the whole
range (extract pages through consecutive days in one query), renders the same day notes as per-day runs and shares
their ledgers (exactly once with scheduled runs and webhooks). What this module adds happens before extract: the
budget (sync/budget.py) may shorten the range to what the vendors have left, TimelinesAI reads are paced, and the
progress is kept in the state store so the next import (with no range given) continues where this one stopped.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from timelines_zoho.hooks.pacing import TokenBucket, timelines_rate
from timelines_zoho.state import StateStore
from timelines_zoho.sync import budget
from timelines_zoho.sync.window import Window

log = logging.getLogger(__name__)

PROGRESS = "history_import"  # state-store meta key: the latest import's plan and run
SAFETY_MARGIN = timedelta(hours=2)  # as extract's: chats listed slightly before the range still count


@dataclass
class Prepared:
    """The budgeted import: the window this run syncs, and the paced source whose listing is already read."""

    plan: budget.Plan
    source: budget.ReplayedListing


def requested(params: dict[str, Any]) -> bool:
    """Tell whether a run is a history import (asked for, or given a TimelinesAI call cap)."""
    return bool(params.get("history_import")) or params.get("max_timelines_calls") not in (None, "")


def progress(store: StateStore) -> dict[str, Any] | None:
    """Return the latest import's plan, the run that carries it and that run's status, for the settings page."""
    saved = store.get_meta(PROGRESS)
    if not saved:
        return None
    record = json.loads(saved)
    run = next((r for r in store.recent_runs(200) if r.run_key == record["run_key"]), None)
    api = ((run.summary or {}).get("api") or {}) if run else {}
    return {**record, "status": run.status if run else "unknown",
            "spent": {"timelines_calls": (api.get("timelines") or {}).get("calls"),
                      "zoho_credits": (api.get("zoho") or {}).get("credits")}}


def continued_window(store: StateStore) -> Window | None:
    """Return what the latest import left to do: its rest once it succeeded, its own window again otherwise."""
    last = progress(store)
    if last is None:
        return None
    plan = last["plan"]
    if last["status"] != "success":
        return Window.from_dict({"start": plan["window"]["start"], "end": plan["asked"]["end"]})
    return Window.from_dict(plan["rest"]) if plan["rest"] else None


def _positive(params: dict[str, Any], name: str, kind: type, default: Any = None) -> Any:
    """Read a positive number param (blank gives `default`); anything else refuses the import with its reason."""
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise budget.BudgetRefused(f"{name} must be a number, not {value!r}") from None
    if number <= 0:
        raise budget.BudgetRefused(f"{name} must be above 0, not {number}")
    return number


def prepare(timelines: Any, zoho: Any, window: Window, tz: str, params: dict[str, Any]) -> Prepared:
    """Read the listing and what each vendor has left, and plan the part of `window` that fits."""
    cap = _positive(params, "max_timelines_calls", int)
    daily = _positive(params, "zoho_daily_credits", int, budget.DEFAULT_ZOHO_DAILY_CREDITS)
    density = _positive(params, "messages_per_chat_day", float, budget.DEFAULT_DENSITY)
    try:
        rate = timelines_rate(params.get("timelines_rate"))
    except ValueError as error:
        raise budget.BudgetRefused(str(error)) from None
    timelines.pacer = TokenBucket(rate)
    left = budget.timelines_calls_left(timelines.get_workspace())
    zoho.get_org()  # one credit, to read X-API-CREDITS-REMAINING when Zoho sends it
    zoho_left = budget.zoho_credits_left(zoho.credits_remaining, daily)
    span = window.day_span(tz)
    chats, rest = budget.read_listing(timelines, span.start - SAFETY_MARGIN)
    # `left` was read before the listing, and the estimate counts the listing's calls.
    plan = budget.plan(chats, span, tz, timelines_left=left, zoho_left=zoho_left, cap=cap, density=density)
    log.info("history import: %s → %s of %s → %s, about %d TimelinesAI calls (%d left) and %d Zoho credits (%d left)",
             plan.window.start, plan.window.end, span.start, span.end, plan.estimate.timelines_calls, left,
             plan.estimate.zoho_credits, zoho_left)
    return Prepared(plan, budget.ReplayedListing(timelines, chats, rest))


def record(store: StateStore, run_key: str, plan: budget.Plan) -> None:
    """Keep the plan and its run in the state store: the settings page shows it, the next import continues it."""
    store.set_meta(PROGRESS, json.dumps({"run_key": run_key, "plan": plan.as_dict()}))
