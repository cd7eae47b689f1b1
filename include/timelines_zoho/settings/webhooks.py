"""The integration's webhook subscriptions: made on activation, removed on deactivation, shown on the page.

The receiver's public base URL comes from `TIMELINES_ZOHO_WEBHOOK_URL` (or `[timelines_zoho] webhook_url`).
Without it nothing is subscribed and the integration works by polling alone (the scheduled run), and says so.
Each activation rotates the receiver's secret and points every subscription at the new URL, so a URL seen
anywhere before stops working an hour later (the rotation's grace). Subscriptions are recognised as ours by
the receiver path under that base URL; the secret part of a URL is never logged or shown.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from timelines_zoho.state import StateStore
from timelines_zoho.webhooks.secret import ReceiverSecret

log = logging.getLogger(__name__)

URL_ENV = "TIMELINES_ZOHO_WEBHOOK_URL"
EVENT_TYPES = ("message:new", "chat:new")  # what the receiver stores; the others it would only acknowledge
RECEIVER_PATH = "/timelinesai/webhooks/"
POLLING_ONLY = "No webhook receiver is configured: the integration works by polling (the scheduled run) alone."


def receiver_base() -> str | None:
    """Return the receiver's public base URL, or None when none is configured."""
    value = os.environ.get(URL_ENV)
    if value is None:
        try:
            from airflow.configuration import conf

            value = conf.get("timelines_zoho", "webhook_url", fallback=None)
        except Exception:  # no Airflow configuration here (a bare CLI): the environment decides
            value = None
    return value.rstrip("/") if value else None


def _ours(subscription: dict, base: str) -> bool:
    return str(subscription.get("url", "")).startswith(base + RECEIVER_PATH)


def subscribe(store: StateStore, timelines: Any) -> int:
    """Point our subscriptions at a freshly rotated receiver URL; return how many are live (0: polling only)."""
    base = receiver_base()
    if base is None:
        log.info("%s", POLLING_ONLY)
        return 0
    url = f"{base}{RECEIVER_PATH}{ReceiverSecret(store).rotate()}"
    for event_type in EVENT_TYPES:
        timelines.subscribe_webhook(event_type, url)
    for old in timelines.list_webhooks():
        if _ours(old, base) and old.get("url") != url:
            timelines.delete_webhook(old["id"])  # the previous secret's URL: its grace covers what is in flight
    log.info("webhooks subscribed for %s at %s%s…", ", ".join(EVENT_TYPES), base, RECEIVER_PATH)
    return len(EVENT_TYPES)


def unsubscribe(timelines: Any) -> int:
    """Remove our subscriptions; return how many were removed."""
    base = receiver_base()
    if base is None:
        return 0
    ours = [s for s in timelines.list_webhooks() if _ours(s, base)]
    for subscription in ours:
        timelines.delete_webhook(subscription["id"])
    return len(ours)


@dataclass(frozen=True)
class WebhookStatus:
    """What the settings page shows about the webhook path."""

    configured: bool
    subscribed: list[str]  # event types with a live subscription to our receiver
    errors: int  # deliveries TimelinesAI gave up on (errors_counter): the scheduled run brings those in
    last_delivery: str | None  # when the newest inbox entry landed (ISO, UTC)
    backlog_chats: int  # chats with entries the event-driven run has not synced yet
    summary: str


def status(store: StateStore, timelines: Any) -> WebhookStatus:
    """Read the subscriptions and the inbox."""
    from datetime import datetime

    from timelines_zoho.realtime.run import SYNCED_MARK

    base = receiver_base()
    mark = store.get_meta(SYNCED_MARK)
    backlog = store.inbox_pending(datetime.fromisoformat(mark) if mark else None).chats
    _, newest = store.inbox_size()
    last = newest.isoformat() if newest else None
    if base is None:
        return WebhookStatus(False, [], 0, last, backlog, POLLING_ONLY)
    listed = timelines.list_webhooks() if timelines is not None else []  # None: TimelinesAI is not connected
    ours = [s for s in listed if _ours(s, base) and s.get("enabled", True)]
    subscribed = sorted({s["event_type"] for s in ours})
    errors = sum(int(s.get("errors_counter") or 0) for s in ours)
    summary = (f"Webhooks deliver {', '.join(subscribed)} to the receiver; {backlog} chats wait for a run."
               if subscribed else "No webhook is subscribed: the integration works by polling until it is activated again.")
    return WebhookStatus(True, subscribed, errors, last, backlog, summary)


def after_activation(store: StateStore, actor: str) -> None:
    """Subscribe, when a receiver is configured; a failure leaves the integration active, working by polling."""
    if receiver_base() is None:
        return
    from timelines_zoho.hooks.timelinesai import TimelinesAIHook

    try:
        subscribe(store, TimelinesAIHook())
    except Exception as exc:  # the scheduled run still syncs everything; the page shows no subscription
        log.warning("could not subscribe the webhooks (%s): the integration works by polling", type(exc).__name__)
        store.audit(actor, "webhooks_failed", f"subscribing failed ({type(exc).__name__}); syncing by polling")
    else:
        store.audit(actor, "webhooks_subscribed", ", ".join(EVENT_TYPES))


def after_deactivation(store: StateStore, actor: str) -> None:
    """Remove our subscriptions, when a receiver is configured (a failure is recorded, never raised)."""
    if receiver_base() is None:
        return
    from timelines_zoho.hooks.timelinesai import TimelinesAIHook

    try:
        removed = unsubscribe(TimelinesAIHook())
    except Exception as exc:
        log.warning("could not remove the webhooks (%s)", type(exc).__name__)
        store.audit(actor, "webhooks_failed", f"removing failed ({type(exc).__name__})")
    else:
        store.audit(actor, "webhooks_removed", str(removed))
