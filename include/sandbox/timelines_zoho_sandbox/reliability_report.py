"""Run the reliability suite and print one table: faults injected, crash points survived, hostile inputs tried
with their outcomes, duplicates found and messages lost.

`python -m timelines_zoho_sandbox.reliability_report` runs `pytest tests/reliability` from the repository root (the tests
write their figures to a file); `--figures FILE` prints the table of an earlier run without running anything.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

FIGURES_ENV = "TIMELINES_ZOHO_RELIABILITY_FIGURES"
ROOT = Path(__file__).resolve().parents[3]


def run_suite(figures: Path) -> int:
    """Run the reliability tests, slow ones included, collecting their figures; return pytest's exit code."""
    env = os.environ | {FIGURES_ENV: str(figures)}
    command = [sys.executable, "-m", "pytest", "-q", str(ROOT / "tests" / "reliability")]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def rows(figures: dict[str, Any], exit_code: int | None) -> list[tuple[str, str]]:
    """Turn the collected figures into (measure, value) rows."""
    faults = figures.get("faults", {})
    crash = figures.get("crash", {})
    hostile = figures.get("hostile", {})
    outcomes = Counter(outcome for found in hostile.values() for outcome in found)
    survived = sum(len(points) for points in crash.values())
    table = [
        ("Zoho calls failed by injected 5xx / 429 / resets (retried)", str(faults.get("zoho_failed_calls_retried", "-"))),
        ("access tokens expired mid-run", str(faults.get("token_expiries", "-"))),
        ("latency spikes", str(faults.get("latency_spikes", "-"))),
        ("credits exhausted mid-run, then recovered", "yes" if figures.get("credits", {}).get("recovered") else "-"),
        ("SIGKILL points survived", str(survived)),
        ("hostile inputs tried", str(len(hostile))),
        ("hostile outcomes", ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "-"),
        ("duplicates found", "0" if exit_code == 0 else "see failures"),
        ("messages lost", "0" if exit_code == 0 else "see failures"),
    ]
    table += chaos_rows(figures.get("chaos", {}))
    if exit_code is not None:
        table.append(("pytest exit code", str(exit_code)))
    return table


def chaos_rows(seeds: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows of the seeded chaos campaign: seeds, faults armed (and answers spoiled) per kind, slow convergers."""
    if not seeds:
        return [("chaos campaign seeds", "-")]
    armed: Counter[str] = Counter()
    spoiled: Counter[str] = Counter()
    for seed in seeds.values():
        armed.update(seed["faults"])
        spoiled.update(seed.get("spoiled", {}))
    slow = [name.removeprefix("seed_") for name, seed in sorted(seeds.items()) if seed["extra_runs"] > 2]
    table = [("chaos campaign seeds (each ends in its fault-free replay's state)", str(len(seeds)))]
    table += [(f"  {kind}", f"{n} armed" + (f", {spoiled[kind]} answers spoiled" if spoiled[kind] else ""))
              for kind, n in sorted(armed.items())]
    table += [
        ("  SIGKILLs that really killed a run", str(sum(seed.get("killed", 0) for seed in seeds.values()))),
        ("  runs that failed (retried by later runs)", str(sum(seed["failed_runs"] for seed in seeds.values()))),
        ("  most extra runs a seed needed after its catch-up run", str(max(s["extra_runs"] for s in seeds.values()))),
        ("  seeds needing > 2 extra runs", ", ".join(slow) or "none"),
    ]
    return table


def render(table: list[tuple[str, str]]) -> str:
    """Render rows as a two-column text table."""
    width = max(len(name) for name, _ in table)
    line = "-" * (width + 3 + max(len(value) for _, value in table))
    return "\n".join([line, *(f"{name.ljust(width)} | {value}" for name, value in table), line])


def main(argv: list[str] | None = None) -> int:
    """Run the suite (or read figures) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=Path, help="print the figures of an earlier run instead of running")
    args = parser.parse_args(argv)
    exit_code = None
    path = args.figures
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="reliability-")) / "figures.json"
        exit_code = run_suite(path)
    figures = json.loads(path.read_text()) if path.exists() else {}
    print(render(rows(figures, exit_code)))
    return exit_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
