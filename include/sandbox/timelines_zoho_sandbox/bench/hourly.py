"""The polling-cost bar: 24 hourly runs over one W1-shaped day under the emulator clock, against one daily run of
the same day, in one sandbox; TimelinesAI calls only (Zoho's are the other bars).

`python -m timelines_zoho_sandbox.bench.hourly --scale 10` measures a day of W1 cut to a tenth (chats, messages
and Zoho contacts alike, so each chat keeps W1's messages per day); `--scale 1` is W1 itself. Each hourly run is
made at five past its hour with the clock there, so it sees only what was written by then, as a real one would.
The file runs as a script too, so the same measurement can be made against another checkout's code
(`PYTHONPATH=<checkout>/include:<checkout>/include/sandbox python .../hourly.py`): the "before" figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from timelines_zoho_sandbox.bench import harness
from timelines_zoho_sandbox.bench.workloads import W1, Workload

GOAL = 1.2  # hourly runs' TimelinesAI calls over the daily run's (issue 14)
RUN_DELAY = timedelta(minutes=5)  # a scheduled run starts a little after its interval ends


def scaled_w1(scale: int) -> Workload:
    """Return W1 with its chats, messages and Zoho contacts divided by `scale`."""
    if scale == 1:
        return W1
    params = replace(W1.params, chats=W1.params.chats // scale, messages=W1.params.messages // scale)
    return replace(W1, name=f"W1/{scale}", params=params, zoho_contacts=W1.zoho_contacts // scale, peer_sample=0)


def _timelines(run: harness.Measured) -> dict[str, Any]:
    api = run.summary["api"].get("timelines", {})
    return {"calls": int(api.get("calls", 0)), "by_endpoint": api.get("by_endpoint", {})}


def chat_hours(workload: Workload, hours: int = 24) -> int:
    """Count the (chat, hour) pairs with a message: the fewest message reads any per-chat hourly poll makes,
    since the API reads one chat at a time and a chat with news in an hour must be read in that hour."""
    from timelines_zoho_sandbox.timelinesai.generator import generate

    start, _ = workload.window()
    cols = generate(workload.params).messages.cols
    hour = (cols["ts"] - int(start.timestamp())) // 3600
    inside = (hour >= 0) & (hour < hours)
    return len(np.unique(cols["chat"][inside].astype(np.int64) * hours + hour[inside]))


def measure_hourly(workload: Workload, folder: Path, hours: int = 24) -> dict[str, Any]:
    """Sync the workload's last day once daily and as `hours` hourly runs; return the TimelinesAI calls."""
    start, end = workload.window()
    with harness.emulator_process() as emulators:
        harness.seed(emulators, workload)
        harness.wire(emulators, folder / "daily")
        emulators.timelines.set_clock((end + RUN_DELAY).isoformat())
        daily = harness.run(f"{workload.name}-daily", start, end, end + RUN_DELAY)
        harness.seed(emulators, workload)
        harness.wire(emulators, folder / "hourly")
        hourly = []
        for hour in range(hours):
            begin = start + timedelta(hours=hour)
            now = begin + timedelta(hours=1) + RUN_DELAY
            emulators.timelines.set_clock(now.isoformat())
            hourly.append(harness.run(f"{workload.name}-hourly-{hour}", begin, begin + timedelta(hours=1), now))
        # Idle: the next run with nothing new, on the same clock (an hour later would be the next day's full pass).
        idle = harness.run(f"{workload.name}-idle", end, now, now)
    total = sum(_timelines(run)["calls"] for run in hourly)
    daily_calls = _timelines(daily)["calls"]
    endpoints: dict[str, int] = {}
    for run in hourly:
        for endpoint, calls in _timelines(run)["by_endpoint"].items():
            endpoints[endpoint] = endpoints.get(endpoint, 0) + calls
    return {
        "workload": workload.name, "params": workload.params.to_dict(), "hours": hours,
        "daily": _timelines(daily), "daily_notes": daily.summary["counts"],
        "hourly": {"calls": total, "by_endpoint": dict(sorted(endpoints.items())),
                   "per_run": [_timelines(run)["calls"] for run in hourly]},
        "idle_hourly": _timelines(idle),
        "ratio": round(total / daily_calls, 3) if daily_calls else None, "goal": GOAL,
        "message_read_bound": chat_hours(workload, hours),
    }


def line(figures: dict[str, Any]) -> str:
    """One line a person reads."""
    return (f"polling cost ({figures['workload']}, {figures['hours']} hourly runs vs one daily run): "
            f"{figures['hourly']['calls']:,} vs {figures['daily']['calls']:,} TimelinesAI calls = "
            f"{figures['ratio']}× (goal ≤ {figures['goal']}×); message reads "
            f"{figures['hourly']['by_endpoint'].get('GET /chats/{id}/messages', 0):,} against "
            f"{figures['message_read_bound']:,} (chat, hour) pairs with a message; "
            f"idle hourly run {figures['idle_hourly']['calls']} calls")


def main(argv: list[str] | None = None) -> None:
    """Measure and print; write the JSON to --out."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10, help="divide W1's chats, messages and contacts by this")
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    from timelines_zoho.fernet_key import ensure_sandbox_fernet_key

    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench-airflow-"))
    ensure_sandbox_fernet_key(Path(os.environ["AIRFLOW_HOME"]))  # the token cache refuses to write unencrypted
    with tempfile.TemporaryDirectory(prefix="bench-hourly-") as folder:
        figures = measure_hourly(scaled_w1(args.scale), Path(folder))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=1, default=str))
    print(line(figures))


if __name__ == "__main__":
    main()
