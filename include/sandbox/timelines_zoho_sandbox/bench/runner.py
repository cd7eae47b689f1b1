"""`python -m timelines_zoho_sandbox.bench`: measure each workload in its own process, then transform and DAG parsing,
print one table, and write the JSON results and the PNG chart of the ratios."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from timelines_zoho_sandbox.bench import hourly, report

ROOT = Path(__file__).resolve().parents[4]
DEFAULT_BUDGETS = {"W0": 600, "W1": 2_400, "W2": 3_600}  # seconds each workload's process may take


def _child_env() -> dict[str, str]:
    """The workloads' environment: an Airflow home and a Fernet key (the token cache refuses to write without one)."""
    from timelines_zoho.fernet_key import ensure_sandbox_fernet_key

    ensure_sandbox_fernet_key(Path(os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench-airflow-"))))
    return dict(os.environ)


def run_workload(name: str, wall: bool, budget: float) -> dict[str, Any]:
    """Measure one workload in a child process with a time budget; a timeout is reported, not raised."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    args = [sys.executable, "-m", "timelines_zoho_sandbox.bench", "--one", name, "--out", str(out)]
    try:
        subprocess.run([*args, *([] if wall else ["--no-wall"])], env=_child_env(), timeout=budget, check=True,
                       stdout=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"workload": name, "error": f"over its {budget:.0f} s budget"}
    except subprocess.CalledProcessError as error:
        return {"workload": name, "error": f"exited with {error.returncode}"}
    return json.loads(out.read_text())


def measure_one(name: str, out: Path, wall: bool) -> None:
    """Child process: measure one workload and write its JSON."""
    from timelines_zoho_sandbox.bench.measure import measure
    from timelines_zoho_sandbox.bench.workloads import WORKLOADS

    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as folder:
        out.write_text(json.dumps(measure(WORKLOADS[name], Path(folder), wall=wall), indent=1, default=str))


def transform_figures(messages: int = 1_000_000, chats: int = 50_000) -> dict[str, Any]:
    """Run tests/benchmarks/bench_transform.py at W2's size and read its figures."""
    script = ROOT / "tests" / "benchmarks" / "bench_transform.py"
    done = subprocess.run([sys.executable, str(script), str(messages), str(chats)], capture_output=True,
                          text=True, timeout=600, env=_child_env())
    text = done.stdout

    def number(pattern: str) -> float | None:
        found = re.search(pattern, text)
        return float(found.group(1).replace(",", "")) if found else None

    return {"messages": messages, "chats": chats, "output": text.strip().splitlines(),
            "seconds": number(r"bundles in ([\d.]+) s wall"), "cpu_seconds": number(r"s wall, ([\d.]+) s CPU"),
            "messages_per_second": number(r"([\d,]+) msgs/s wall"), "peak_rss_mib": number(r"peak RSS: ([\d,]+) MiB")}


def polling_figures(scale: int, budget: float = 2_400) -> dict[str, Any]:
    """Measure the polling-cost bar (hourly.py) in a child process; a timeout is reported, not raised."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run([sys.executable, "-m", "timelines_zoho_sandbox.bench.hourly", "--scale", str(scale),
                        "--out", str(out)], env=_child_env(), timeout=budget, check=True, stdout=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"error": f"over its {budget:.0f} s budget"}
    except subprocess.CalledProcessError as error:
        return {"error": f"exited with {error.returncode}"}
    return json.loads(out.read_text())


DAG_PARSE = """
import time
from airflow.models import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder={path!r})
print("PARSED", time.perf_counter() - started, len(bag.dags), len(bag.import_errors))
"""


def dag_parse_seconds() -> dict[str, Any]:
    """Time parsing the DAG file the way the DAG processor does: Airflow already imported, then the file."""
    path = str(ROOT / "dags" / "timelines_zoho_sync.py")
    done = subprocess.run([sys.executable, "-c", DAG_PARSE.format(path=path)], capture_output=True, text=True,
                          timeout=300, env=_child_env())
    found = re.search(r"PARSED ([\d.]+) (\d+) (\d+)", done.stdout)
    if found is None:
        return {"seconds": None, "error": done.stderr.strip().splitlines()[-1:]}
    return {"seconds": round(float(found.group(1)), 3), "dags": int(found.group(2)),
            "import_errors": int(found.group(3))}


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workloads", default="W0,W1,W2", help="comma-separated, from W0 W1 W2")
    parser.add_argument("--no-wall", action="store_true", help="skip the 150 ms latency run")
    parser.add_argument("--wall-on", default="W0,W1", help="workloads that also get the latency run")
    parser.add_argument("--results", default=str(ROOT / "docs" / "benchmarks.json"))
    parser.add_argument("--chart", default=str(ROOT / "docs" / "benchmarks.png"))
    parser.add_argument("--include", action="append", default=[],
                        help="JSON of a workload measured separately (--one), added to the table")
    parser.add_argument("--polling-scale", type=int, default=10,
                        help="W1 divided by this for the 24-hourly-runs bar (1: W1 itself, 0: skip it)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        measure_one(args.one, Path(args.out), wall=not args.no_wall)
        return
    walls = set() if args.no_wall else set(args.wall_on.split(","))
    measured = [run_workload(name, name in walls, DEFAULT_BUDGETS.get(name, 1_800))
                for name in args.workloads.split(",") if name]
    results: dict[str, Any] = {"workloads": measured + [json.loads(Path(p).read_text()) for p in args.include]}
    results["transform"] = transform_figures()
    results["dag_parse"] = dag_parse_seconds()
    if args.polling_scale:
        results["polling"] = polling_figures(args.polling_scale)
    Path(args.results).write_text(json.dumps(results, indent=1, default=str))
    print(report.table(results))
    if "polling" in results:
        print(results["polling"].get("error") or hourly.line(results["polling"]))
    report.chart(results, Path(args.chart))
    print(f"\nresults: {args.results}\nchart:   {args.chart}")
