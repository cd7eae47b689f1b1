"""What the settings page shows, gathered from the lifecycle and the state store (no HTML here)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, replace
from typing import Any

from timelines_zoho.settings import Lifecycle, SettingsError
from timelines_zoho.state import IntegrationSettings, RunRecord
from timelines_zoho.sync import history_import

log = logging.getLogger(__name__)

CHART_DAYS = 14  # the chart reads every run of these days, not only the recent ones the table lists


def notes_synced(summary: dict[str, Any] | None) -> int:
    """Count the notes a run wrote: created plus updated (the sync summary's `counts`)."""
    counts = (summary or {}).get("counts") or {}
    return int(counts.get("notes_created", 0)) + int(counts.get("notes_updated", 0))


def notes_per_day(runs: list[RunRecord]) -> list[dict[str, Any]]:
    """Sum the notes synced per day of run start, oldest first, with each bar's height as a share of the max."""
    per_day: Counter[str] = Counter()
    for run in runs:
        per_day[run.started_at.date().isoformat()] += notes_synced(run.summary)
    days = sorted(per_day)[-CHART_DAYS:]
    top = max((per_day[d] for d in days), default=0) or 1
    return [{"day": d, "notes": per_day[d], "share": per_day[d] / top} for d in days]


def _service_call(what: str, call: Any) -> tuple[Any, str | None]:
    """Run a call to a vendor; a refusal becomes a message on the page instead of an error page."""
    import requests

    from timelines_zoho.hooks.errors import TimelinesAIError, ZohoAPIError

    try:
        return call(), None
    except (SettingsError, ZohoAPIError, TimelinesAIError, ValueError) as exc:
        log.warning("%s failed: %s", what, exc)
        return None, f"{what} failed: {exc}"
    except requests.RequestException as exc:  # the vendor is unreachable: say so, never a 500 page
        log.warning("%s failed: %s", what, type(exc).__name__)
        return None, f"{what} failed: cannot reach the service ({type(exc).__name__})."


def _webhook_status(lifecycle: Lifecycle) -> dict[str, Any]:
    from timelines_zoho.hooks.timelinesai import TimelinesAIHook
    from timelines_zoho.settings import connections, webhooks

    if connections.get_fields(lifecycle.timelines_conn_id) is None:  # nothing can be subscribed yet
        return asdict(webhooks.status(lifecycle.store, None))
    return asdict(webhooks.status(lifecycle.store, TimelinesAIHook(lifecycle.timelines_conn_id)))


def page_context(lifecycle: Lifecycle, draft: IntegrationSettings | None = None) -> dict[str, Any]:
    """Gather everything the page renders; `draft` is an unsaved form to show again (after a refusal)."""
    saved = lifecycle.settings()
    workspace, workspace_error = _service_call("Reading the TimelinesAI workspace", lifecycle.workspace)
    zoho = lifecycle.zoho_status()
    context: dict[str, Any] = {
        "workspace": asdict(workspace) if workspace else None,
        "workspace_error": workspace_error,
        "zoho": zoho,
        "settings": saved,
        "draft": None,
        "destinations": None,
        "options": None,
        "problems": [],
        "runs": lifecycle.store.recent_runs(10),
        "audit": lifecycle.audit_log(10),
    }
    context["chart"] = notes_per_day(lifecycle.store.runs_for_chart(CHART_DAYS))
    context["webhooks"], context["webhooks_error"] = _service_call("Reading the webhook subscriptions",
                                                                   lambda: _webhook_status(lifecycle))
    context["history"] = history_import.progress(lifecycle.store)
    if zoho is None or saved.active:
        return context
    destinations, error = _service_call("Reading the Zoho modules", lifecycle.destinations)
    context["destinations"], context["problems"] = destinations, [error] if error else []
    form = draft or replace(saved, active=False)
    if form.module and destinations:
        filled, error = _service_call("Reading the module's fields", lambda: lifecycle.with_defaults(form))
        options, _ = _service_call("Reading the module's fields", lambda: lifecycle.field_options(form.module))
        form = filled or form
        context["options"] = asdict(options) if options else None
        context["problems"] += [error] if error else []
    context["draft"] = form
    return context
