"""Measure one workload: our run, an idle hourly run, the two peer models, and wall time under latency."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from timelines_zoho.sync.load_attachments import UPLOAD_THREADS
from timelines_zoho_sandbox.bench import bounds, harness, peers
from timelines_zoho_sandbox.bench.workloads import TZ, Workload

log = logging.getLogger(__name__)
LATENCY_MS = 150
ZOHO_CONCURRENCY = 10
DOWNLOAD = "GET attachment"  # file downloads: served without the injected latency


def _ratio(value: float, bound: float) -> float:
    return round(value / bound, 3) if bound else float("nan")


def measure(workload: Workload, folder: Path, *, wall: bool = True) -> dict[str, Any]:
    """Run every measurement of one workload in one sandbox and return figures and ratios."""
    from timelines_zoho_sandbox.timelinesai.generator import generate

    start, end = workload.window()
    changed = bounds.changed_in(generate(workload.params), start, end)
    out: dict[str, Any] = {"workload": workload.name, "params": workload.params.to_dict(),
                           "zoho_contacts": workload.zoho_contacts, "window": [start.isoformat(), end.isoformat()],
                           "changed": changed.as_dict()}
    with harness.emulator_process() as emulators:
        harness.seed(emulators, workload)
        harness.wire(emulators, folder / "main")
        ours = harness.run(f"{workload.name}-main", start, end, end + timedelta(hours=1))
        idle_start, idle_end, idle_now = harness.idle_window(end)
        idle = harness.run(f"{workload.name}-idle", idle_start, idle_end, idle_now)
        zoho_bound = bounds.zoho_bound(ours.summary["counts"], workload.index_rows)
        tl_bound = bounds.timelines_bound(changed)
        out["ours"] = {"counts": ours.summary["counts"], "api": ours.summary["api"], "seconds": ours.seconds,
                       "cpu_seconds": ours.cpu_seconds,
                       "issues": ours.summary["issues"][:20]}
        out["idle"] = {"api": idle.summary["api"], "seconds": idle.seconds}
        out["bounds"] = {"zoho": zoho_bound, "timelines": tl_bound, "timelines_idle": bounds.timelines_bound(
            bounds.Changed(0, 0, 0, 0))}
        chats = peers.window_chats(harness.timelines_hook(), start, end, TZ, workload.peer_sample)
        out["peers"] = {}
        for name in peers.MODELS:
            result = peers.replay(name, harness.fresh_zoho(emulators, workload), chats, changed.chats,
                                  changed.messages)
            out["peers"][name] = {"calls": result.calls, "credits": result.credits, "sampled_chats": len(chats),
                                  "sample_calls": result.sample_calls, "scale": round(result.scale, 3)}
        if wall:
            out["wall"] = _wall(emulators, workload, folder)
    z_calls, z_credits = ours.calls("zoho"), ours.credits("zoho")
    out["ratios"] = {
        "zoho_calls_vs_bound": _ratio(z_calls, zoho_bound["calls"]),
        "zoho_credits_vs_bound": _ratio(z_credits, zoho_bound["credits"]),
        "per_message_calls_vs_ours": _ratio(out["peers"]["per-message"]["calls"], z_calls),
        "per_chat_calls_vs_ours": _ratio(out["peers"]["per-chat"]["calls"], z_calls),
        "per_message_credits_vs_ours": _ratio(out["peers"]["per-message"]["credits"], z_credits),
        "timelines_calls_vs_bound": _ratio(ours.calls("timelines"), tl_bound),
        "idle_timelines_pages": idle.calls("timelines"),
    }
    if wall:
        out["ratios"]["wall_vs_bound"] = _ratio(out["wall"]["seconds"], out["wall"]["bound_seconds"])
    return out


def _wall(emulators: harness.Emulators, workload: Workload, folder: Path) -> dict[str, Any]:
    """Run the same sync again on fresh emulators with 150 ms latency and Zoho concurrency 10; time it."""
    start, end = workload.window()
    harness.seed(emulators, workload)
    harness.wire(emulators, folder / "wall")
    # Inline, shards load one after another, so each task may keep the whole Zoho concurrency in flight.
    os.environ[UPLOAD_THREADS] = str(ZOHO_CONCURRENCY)
    emulators.timelines.faults(latency_ms=LATENCY_MS)
    emulators.zoho.faults(latency_ms=LATENCY_MS, concurrency=ZOHO_CONCURRENCY)
    try:
        run = harness.run(f"{workload.name}-wall", start, end, end + timedelta(hours=1))
    finally:
        emulators.timelines.faults(latency_ms=0)
        emulators.zoho.faults(latency_ms=0)
    api = run.summary["api"]
    timelines = api.get("timelines", {})
    delayed = int(timelines.get("calls", 0)) - int(timelines.get("by_endpoint", {}).get(DOWNLOAD, 0))
    delayed += run.calls("zoho")
    return {"seconds": round(run.seconds, 2), "cpu_seconds": round(run.cpu_seconds, 2), "delayed_calls": delayed, "latency_ms": LATENCY_MS,
            "zoho_concurrency": ZOHO_CONCURRENCY,
            "bound_seconds": round(bounds.wall_bound(delayed, LATENCY_MS / 1000, ZOHO_CONCURRENCY), 2)}
