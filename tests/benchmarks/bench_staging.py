"""Benchmark the staged data path at W2's size: extract's API objects to disk, transform, bundles to disk and back.

Run: `.venv/bin/python tests/benchmarks/bench_staging.py [messages] [chats]`. Prints CPU and wall seconds per
stage and in total. The same script measures an older checkout (`PYTHONPATH=<old>/include`): it stages with
`write_records` where the staging module has it, else the way extract used to (a DataFrame, then `write_frame`).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_transform import synthetic_chats, synthetic_messages

from timelines_zoho.sync import staging
from timelines_zoho.transform import build_contacts, build_note_bundles


def timed(label: str, figures: dict[str, tuple[float, float]], work: Callable[[], Any]) -> Any:
    """Run `work`, keep its (CPU, wall) seconds under `label`, and return its result."""
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    figures[label] = (time.process_time() - cpu, time.perf_counter() - started)
    return result


def stage_records(path: Path, records: list[dict]) -> str:
    """Stage API objects the way this checkout's extract does."""
    if hasattr(staging, "write_records"):
        return staging.write_records(path.with_suffix(".parquet"), records, list(records[0]))
    import pandas as pd

    return staging.write_frame(path.with_suffix(".json"), pd.DataFrame.from_records(records))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    chats = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    chat_frame, accounts = synthetic_chats(chats)
    records = synthetic_messages(count, chats).astype(object).to_dict("records")
    figures: dict[str, tuple[float, float]] = {}
    import airflow.sdk  # noqa: F401 - a task has it loaded already; its import is not the staging's cost

    with tempfile.TemporaryDirectory(prefix="bench-staging-") as folder:
        root = Path(folder)
        ref = timed("stage messages (write)", figures, lambda: stage_records(root / "messages", records))
        messages = timed("stage messages (read)", figures, lambda: staging.read_frame(ref))
        contacts, _ = build_contacts(chat_frame, accounts)
        bundles, _ = timed("transform", figures,
                           lambda: build_note_bundles(messages, contacts, timezone="Europe/Warsaw"))
        suffix = ".parquet" if hasattr(staging, "write_records") else ".json"
        bundle_ref = timed("stage bundles (write)", figures,
                           lambda: staging.write_frame(root / f"bundles{suffix}", bundles))
        timed("stage bundles (read)", figures, lambda: staging.read_frame(bundle_ref))
        size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    print(f"{count:,} messages, {len(bundles):,} bundles, staged {size / 2**20:,.0f} MiB, code {staging.__file__}")
    for label, (cpu, wall) in figures.items():
        print(f"  {label:<24}{cpu:>8.2f} s CPU{wall:>8.2f} s wall")
    staged_cpu = sum(cpu for label, (cpu, _) in figures.items() if label.startswith("stage"))
    print(f"  {'staging, all four':<24}{staged_cpu:>8.2f} s CPU")
    print(f"  {'total':<24}{sum(c for c, _ in figures.values()):>8.2f} s CPU"
          f"{sum(w for _, w in figures.values()):>8.2f} s wall")
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
