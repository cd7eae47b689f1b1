"""`python -m timelines_zoho_sandbox.bench.history`: a history import against one run per day over the same range.

Prints, for a seeded workspace with emulator latency: the import's TimelinesAI calls against their lower bound (the
listing's pages plus the pages that hold the range's messages), its wall time against
max(TimelinesAI calls ÷ rate, Zoho calls × latency ÷ concurrency), its estimate against what it spent, and the same
range as daily runs. The default shape is scaled down from W1 (2,000 chats a day for 30 days does not fit this
machine's time); `--chats/--messages/--days` change it.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from timelines_zoho_sandbox.bench import harness
from timelines_zoho_sandbox.bench.workloads import END, TZ, Workload
from timelines_zoho_sandbox.timelinesai.generator import WorkspaceParams

ZOHO_CONCURRENCY = 1  # run_inline writes from one thread at a time


def _range(days: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(TZ)
    return (datetime.combine(END - timedelta(days=days - 1), time(0), tzinfo=zone),
            datetime.combine(END + timedelta(days=1), time(0), tzinfo=zone))


def lower_bound(start: datetime, end: datetime, listing_calls: int) -> int:
    """Return the listing's pages plus, per chat, the pages that hold its messages in the range (read afterwards)."""
    from timelines_zoho.sync.extract import messages_in
    from timelines_zoho.sync.window import Window

    hook = harness.timelines_hook()
    chats = [chat["id"] for chat in hook.iter_chats()]
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = pool.map(lambda chat: len(messages_in(hook, chat, Window(start, end), TZ)), chats)
        return listing_calls + sum(math.ceil(n / 50) for n in counts)


def api_calls(summary: dict[str, Any]) -> int:
    """Return a run's TimelinesAI API calls: attachment downloads go to the file host and spend no quota."""
    timelines = summary["api"]["timelines"]
    return int(timelines["calls"]) - int(timelines["by_endpoint"].get("GET attachment", 0))


def measure(workload: Workload, days: int, latency_ms: int, rate: float, folder: Path) -> dict[str, Any]:
    """Import the range once, then run it day by day on a fresh Zoho, and return the figures."""
    from timelines_zoho.sync import history_import
    from timelines_zoho.sync.runner import run_inline

    start, end = _range(days)
    now = end + timedelta(hours=1)
    with harness.emulator_process() as emulators:
        harness.seed(emulators, workload)
        emulators.timelines.faults(latency_ms=latency_ms)
        emulators.zoho.faults(latency_ms=latency_ms)
        store = harness.wire(emulators, folder / "import")
        began = datetime.now()
        summary = run_inline("history-bench", {"history_import": True, "timelines_rate": rate,
                                               "window_start": start.isoformat(), "window_end": end.isoformat()},
                             now=now)
        wall = (datetime.now() - began).total_seconds()
        plan = history_import.progress(store)["plan"]
        ta_calls = api_calls(summary)
        zoho_calls = int(summary["api"]["zoho"]["calls"])
        emulators.timelines.faults(latency_ms=0)  # counting the pages is not part of the measure
        bound = lower_bound(start, end, plan["listing_calls"])
        emulators.timelines.faults(latency_ms=latency_ms)
        harness.seed(emulators, workload)
        harness.wire(emulators, folder / "daily")
        daily_calls, daily_wall = 0, 0.0
        for n in range(days):
            day_start = start + timedelta(days=n)
            measured = harness.run(f"daily-{n}", day_start, min(day_start + timedelta(days=1), end), now)
            daily_calls += api_calls(measured.summary)
            daily_wall += measured.seconds
    pace = max(ta_calls / rate, zoho_calls * latency_ms / 1000 / ZOHO_CONCURRENCY)
    return {
        "shape": workload.params.to_dict() | {"range_days": days, "latency_ms": latency_ms, "rate": rate},
        "import": {"timelines_calls": ta_calls, "lower_bound": bound, "calls_ratio": round(ta_calls / bound, 3),
                   "zoho_calls": zoho_calls, "wall_s": round(wall, 1), "pace_bound_s": round(pace, 1),
                   "wall_ratio": round(wall / pace, 3), "estimated_calls": plan["timelines_calls"],
                   "estimate_error": round(plan["timelines_calls"] / ta_calls - 1, 3),
                   "estimated_credits": plan["zoho_credits"], "spent_credits": summary["api"]["zoho"]["credits"]},
        "daily_runs": {"runs": days, "timelines_calls": daily_calls, "wall_s": round(daily_wall, 1)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=220)
    parser.add_argument("--messages", type=int, default=12_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--rate", type=float, default=2.0)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from timelines_zoho.fernet_key import ensure_sandbox_fernet_key

    # A home of its own, with a key to encrypt the token cache, unless the caller brings both.
    ensure_sandbox_fernet_key(Path(os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench-airflow-"))))
    params = WorkspaceParams(seed=11, chats=args.chats, messages=args.messages, days=args.days,
                             end=date.isoformat(END), timezone=TZ, attachment_share=0.02, attachment_scale=0.8)
    workload = Workload("history", params, zoho_contacts=max(args.chats // 2, 10), match_share=0.3)
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        print(json.dumps(measure(workload, args.days, args.latency_ms, args.rate, Path(folder)), indent=1))


if __name__ == "__main__":
    main()
