"""Benchmark the sync in-process against the emulators: wall time, and Zoho calls against their lower bound.

    .venv/bin/python tests/benchmarks/bench_sync.py [--chats 300] [--messages 6000] [--days 7]

Lower bound per run: ceil(n/100) per write kind (contacts created, renamed, notes created, notes updated) +
ceil(index rows / 2,000) for the phone index scan + 1 per attachment upload attempted.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = "Europe/Warsaw"


def lower_bound(summary: dict, index_rows: int) -> int:
    """Return the fewest Zoho calls that could have done the run's writes."""
    c = summary["counts"]
    writes = (c["contacts_created"], c["contacts_renamed"], c["notes_created"], c["notes_updated"])
    tried = sum(1 for i in summary["issues"] if i["kind"] == "attachment" and "Zoho" in (i["reason"] or ""))
    return sum(math.ceil(n / 100) for n in writes) + max(1, math.ceil(index_rows / 2000)) + (
        c["attachments_uploaded"] + tried
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--messages", type=int, default=6000)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench-sync-")
    os.environ.update({"AIRFLOW_HOME": home, "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
                       "TIMELINES_ZOHO_STATE_URL": f"sqlite:///{home}/state.db",
                       "TIMELINES_ZOHO_STAGING_DIR": f"{home}/staging"})

    from timelines_zoho.sync import runner
    from timelines_zoho_sandbox import sandbox_wiring
    from timelines_zoho_sandbox.server import start_sandbox
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    sandbox = start_sandbox()
    timelines, zoho = TimelinesAISandboxAdmin(sandbox.timelines_root), ZohoSandboxAdmin(sandbox.zoho_url)
    end = date(2026, 3, 31)
    sandbox_wiring.seed(timelines, zoho, chats=args.chats, messages=args.messages, days=args.days, end=end,
                        zoho_contacts=args.chats // 2)
    os.environ.update(sandbox_wiring.connection_uris(timelines, zoho))
    sandbox_wiring.activate(runner.open_store())
    first = end - timedelta(days=args.days - 1)
    window = {"window_start": datetime.combine(first, datetime.min.time(), ZoneInfo(TZ)).isoformat(),
              "window_end": datetime.combine(end + timedelta(days=1), datetime.min.time(), ZoneInfo(TZ)).isoformat()}
    print(f"workspace: {args.chats} chats, {args.messages} messages, {args.days} days")
    print(f"{'run':<10}{'wall s':>8}{'zoho calls':>12}{'bound':>7}{'ratio':>7}{'TL calls':>10}{'notes':>7}{'files':>7}")
    for label in ("first", "rerun"):
        index_rows = zoho.stats()["records"].get("Contacts", 0)
        before = sum(zoho.stats()["calls"].values())
        started = time.perf_counter()
        summary = runner.run_inline(f"bench-{label}", window)
        wall = time.perf_counter() - started
        calls = sum(zoho.stats()["calls"].values()) - before
        bound = lower_bound(summary, index_rows if label == "first" else 0)
        c = summary["counts"]
        print(f"{label:<10}{wall:>8.1f}{calls:>12}{bound:>7}{calls / bound:>7.2f}"
              f"{summary['api'].get('timelines', {}).get('calls', 0):>10}"
              f"{c['notes_created'] + c['notes_updated']:>7}{c['attachments_uploaded']:>7}")
    sandbox.stop()


if __name__ == "__main__":
    main()
