"""The run summary: what was created, linked, renamed and written, every item skipped or failed with its reason,
and the API calls and credits spent; as a dict for the store and as text a person reads in the Airflow UI."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from timelines_zoho.state import StateStore
from timelines_zoho.sync import poll, staging
from timelines_zoho.sync.run_ref import RunRef

COUNTED = {
    ("contact", "created"): "contacts_created",
    ("contact", "linked"): "contacts_linked",
    ("contact", "renamed"): "contacts_renamed",
    ("note", "created"): "notes_created",
    ("note", "updated"): "notes_updated",
    ("note", "recreated"): "notes_recreated",  # a person deleted the note in Zoho; the day's note was created again
    ("note", "unchanged"): "notes_unchanged",
    ("attachment", "uploaded"): "attachments_uploaded",
    ("attachment", "refused"): "attachments_refused",
}
log = logging.getLogger(__name__)
ISSUES = ("skipped", "failed", "ambiguous", "deferred", "rename_skipped", "refused")


def api_usage(folder: Any) -> dict[str, dict[str, Any]]:
    """Add up the calls and credits each step's hooks recorded (in the run's staged `stats` folder)."""
    usage: dict[str, dict[str, Any]] = {}
    for stats in staging.read_json_all(staging.open_ref(folder) / "stats"):
        for service, endpoints in stats.items():
            total = usage.setdefault(service, {"calls": 0, "credits": 0, "by_endpoint": Counter()})
            for endpoint, figures in endpoints.items():
                total["calls"] += figures.get("calls", 0)
                total["credits"] += figures.get("credits", 0)
                total["by_endpoint"][endpoint] += figures.get("calls", 0)
    for total in usage.values():
        total["by_endpoint"] = dict(sorted(total["by_endpoint"].items()))
    return usage


def build_summary(store: StateStore, run: RunRef) -> dict[str, Any]:
    """Summarise one run from its recorded items and staged call counts."""
    items = store.run_items(run.run_id)
    counts = Counter(COUNTED[(kind, outcome)] for kind, _, outcome, _ in items if (kind, outcome) in COUNTED)
    dry = Counter(f"{kind}.{outcome}" for kind, _, outcome, _ in items if outcome.startswith("would_"))
    return {
        "window": run.window.as_dict(),
        "timezone": run.tz,
        "dry_run": run.dry_run,
        "counts": {name: counts.get(name, 0) for name in COUNTED.values()},
        "dry_run_plan": dict(sorted(dry.items())),
        "issues": [
            {"kind": kind, "id": item_id, "outcome": outcome, "reason": reason}
            for kind, item_id, outcome, reason in items if outcome in ISSUES
        ],
        "api": api_usage(run.dir),
    }


def render(summary: dict[str, Any]) -> str:
    """Render a summary as plain text."""
    c = summary["counts"]
    lines = [
        f"Sync of {summary['window']['start']} → {summary['window']['end']} (days in {summary['timezone']})"
        + (" — DRY RUN, nothing written" if summary["dry_run"] else ""),
        f"Contacts: {c['contacts_created']} created, {c['contacts_linked']} linked, {c['contacts_renamed']} renamed",
        f"Notes: {c['notes_created']} created, {c['notes_updated']} updated, {c['notes_unchanged']} unchanged"
        + (f", {c['notes_recreated']} recreated (deleted in Zoho)" if c.get("notes_recreated") else ""),
        f"Attachments: {c['attachments_uploaded']} uploaded, {c['attachments_refused']} refused and listed in notes",
    ]
    for plan, n in summary.get("dry_run_plan", {}).items():
        lines.append(f"Would do: {plan} × {n}")
    for service, usage in sorted(summary["api"].items()):
        lines.append(f"API {service}: {usage['calls']} calls, {usage['credits']} credits")
    issues = summary["issues"]
    lines.append(f"Skipped or failed items: {len(issues)}")
    lines += [f"  - {i['kind']} {i['id']}: {i['outcome']}: {i['reason']}" for i in issues]
    return "\n".join(lines)


def finish(store: StateStore, run: RunRef) -> dict[str, Any]:
    """Move the poll cursors, close the run as successful with its summary, drop its staged files, and return
    the summary."""
    poll.commit(store, run)
    summary = build_summary(store, run)
    store.finish_run(run.run_id, "success", summary)
    staging.clean_run(run.run_key)
    return summary


def report(store: StateStore, run: RunRef) -> str:
    """Finish the run, log its summary under this module's name and return the text."""
    text = render(finish(store, run))
    log.info("%s", text)
    return text
