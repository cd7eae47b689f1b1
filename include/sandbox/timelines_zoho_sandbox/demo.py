"""`make sync`: the whole product against the sandbox, in one command.

Starts both emulators on 127.0.0.1:8701 and :8702 (their state kept in `var/sandbox`, so a rerun sees the same
Zoho; a sandbox that `make sync ARGS=--serve` keeps serving is used instead of a second one), seeds a realistic
workspace once (hundreds of chats over the last 7 days; Zoho contacts typed in messy formats), points the Airflow
connections at the sandbox, activates the integration through the settings lifecycle, then syncs each past day
as a DAG run of its own (`local_run.run_day`: its `day` param, its real start time) and prints the summary.
Running it again syncs nothing new and duplicates nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[3]
TZ = "Europe/Warsaw"


def configure_airflow_home(var: Path) -> None:
    """Give this demo its own Airflow home under var/ (unless one is set) before anything imports Airflow."""
    os.environ.setdefault("AIRFLOW_HOME", str(var / "airflow"))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
    os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    # Daily intervals in the workspace's timezone: one run per local calendar day, as a backfill makes them.
    os.environ["TIMELINES_ZOHO_SCHEDULE"] = "daily"
    os.environ["TIMELINES_ZOHO_SCHEDULE_TZ"] = TZ
    home = Path(os.environ["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    if home == var / "airflow":  # the demo's own home: its own key; another home must bring its key
        from timelines_zoho.fernet_key import ensure_sandbox_fernet_key

        ensure_sandbox_fernet_key(home)


def _past_days(days: int) -> list[date]:
    yesterday = datetime.now(ZoneInfo(TZ)).date() - timedelta(days=1)
    return [yesterday - timedelta(days=n) for n in range(days - 1, -1, -1)]


def _total(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    issues: dict[tuple[str, str], dict[str, Any]] = {}
    for summary in summaries:
        counts.update(summary["counts"])
        for service, usage in summary["api"].items():
            calls[f"{service} calls"] += usage["calls"]
            calls[f"{service} credits"] += usage["credits"]
        for issue in summary["issues"]:
            issues[(issue["kind"], issue["id"])] = issue
    return {"counts": dict(counts), "api": dict(calls), "issues": list(issues.values())}


def _api_line(api: dict[str, int]) -> str:
    """Calls per service; credits only where the service counts them (Zoho's daily budget; TimelinesAI has none)."""
    services = sorted({key.split()[0] for key in api})
    parts = []
    for service in services:
        credits = api.get(f"{service} credits", 0)
        parts.append(f"{service} {api.get(f'{service} calls', 0)} calls"
                     + (f" ({credits} credits of the daily budget)" if credits else ""))
    return ", ".join(parts)


def _issue_lines(issues: list[dict[str, Any]]) -> list[str]:
    """Group issues whose reasons differ only in numbers (phones, ids); show one example's reason in full."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for issue in issues:
        shape = re.sub(r"\d{6,}", "#", issue["reason"] or "")
        groups.setdefault(f"{issue['kind']} {issue['outcome']}: {shape}", []).append(issue)
    lines = []
    for members in sorted(groups.values(), key=len, reverse=True):
        first = members[0]
        more = f"; {len(members) - 1} more like it" if len(members) > 1 else ""
        lines.append(f"{first['kind']} {first['outcome']}: {first['reason'] or ''} (e.g. {first['id']}{more})")
    return lines


def _print_total(total: dict[str, Any], days: list[date], zoho_url: str, serving: bool) -> None:
    c = total["counts"]
    print(f"\nSynced {days[0]} … {days[-1]} ({len(days)} daily runs, {TZ})")
    print(f"  contacts: {c.get('contacts_created', 0)} created, {c.get('contacts_linked', 0)} linked, "
          f"{c.get('contacts_renamed', 0)} renamed")
    print(f"  notes: {c.get('notes_created', 0)} created, {c.get('notes_updated', 0)} updated, "
          f"{c.get('notes_unchanged', 0)} unchanged")
    print(f"  attachments: {c.get('attachments_uploaded', 0)} uploaded, "
          f"{c.get('attachments_refused', 0)} listed in their note (over Zoho's limit)")
    print("  API: " + _api_line(total["api"]))
    print(f"  skipped or failed: {len(total['issues'])} items, by reason (every item is in each run's report log):")
    for line in _issue_lines(total["issues"]):
        print(f"    - {line}")
    print(f"\nWhere to look: the sandbox's Zoho records view at {zoho_url}/"
          + ("  (serving until Ctrl-C)" if serving else "  (run `make sync ARGS=--serve` to keep it open)"))
    print(f"Airflow home: {os.environ['AIRFLOW_HOME']} (`make airflow`, while a `--serve` sandbox runs, shows the runs)")


def main(argv: list[str] | None = None) -> int:
    """Run the demo; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=7, help="past days to sync, one run each (default 7)")
    parser.add_argument("--chats", type=int, default=300, help="chats in a newly seeded workspace")
    parser.add_argument("--messages", type=int, default=6000, help="messages in a newly seeded workspace")
    parser.add_argument("--var", default=str(ROOT / "var"), help="where state is kept (default ./var)")
    parser.add_argument("--serve", action="store_true", help="keep the sandbox running afterwards")
    parser.add_argument("--live", action="store_true", help="then send new messages through the webhook path")
    args = parser.parse_args(argv)
    var = Path(args.var).resolve()
    configure_airflow_home(var)

    from airflow.utils import db

    from timelines_zoho.sync import runner
    from timelines_zoho_sandbox import sandbox_wiring, serving
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    db.initdb()
    state_dir = var / "sandbox"
    state_dir.mkdir(parents=True, exist_ok=True)
    try:
        served, started = serving.open_sandbox(state_dir)
    except serving.SandboxBusy as busy:
        print(f"make sync: {busy}", file=sys.stderr)
        return 1
    if started is None:
        print(f"Using the sandbox already serving {state_dir} (process {served.pid})")
    elif args.serve:
        serving.announce(state_dir, started)
    timelines, zoho = TimelinesAISandboxAdmin(served.timelines_root), ZohoSandboxAdmin(served.zoho_url)
    try:
        days = _past_days(args.days)
        marker = state_dir / "seeded.json"
        if not marker.exists():
            params = sandbox_wiring.seed(timelines, zoho, chats=args.chats, messages=args.messages,
                                         days=args.days, end=days[-1], timezone=TZ, zoho_contacts=args.chats // 2)
            marker.write_text(json.dumps(params, default=str))
            print(f"Seeded the sandbox: {args.chats} chats, {args.messages} messages over {args.days} days")
        # In the metadata DB for the Airflow UI, and in this process's environment, where hooks outside a
        # task (activation) look them up.
        sandbox_wiring.store_connections(timelines, zoho)
        os.environ.update(sandbox_wiring.connection_uris(timelines, zoho))
        store = runner.open_store()
        test_record = sandbox_wiring.activate(store)
        print(f"Integration active (test contact {test_record} in Zoho)")
        sandbox_wiring.ensure_pool()
        summaries = [_run_day(day) for day in days]
        _print_total(_total(summaries), days, served.zoho_url, args.serve or started is None)
        if args.live:
            from timelines_zoho_sandbox.live import run_live

            run_live(store, timelines, zoho)
        if args.serve and started is not None:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())  # `kill` too withdraws serving.json
            stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if started is not None:
            serving.withdraw(state_dir)
            started.stop()
    return 0


def _run_day(day: date) -> dict[str, Any]:
    """Run the DAG for one local calendar day and return its summary."""
    from airflow.models import DagBag

    from timelines_zoho.sync import runner
    from timelines_zoho_sandbox import local_run

    dag = DagBag(dag_folder=str(ROOT / "dags")).get_dag("timelines_zoho_sync")
    run = local_run.run_day(dag, day)
    latest = runner.open_store().recent_runs(1)[0]
    if run.state != "success" or latest.summary is None:
        raise SystemExit(f"the run for {day} ended {run.state}; see the task logs above")
    c = latest.summary["counts"]
    print(f"{day}: {c['contacts_created']} contacts created, {c['contacts_linked']} linked, "
          f"{c['notes_created']} notes created, {c['notes_updated']} updated, "
          f"{c['attachments_uploaded']} files", flush=True)
    return latest.summary


if __name__ == "__main__":
    sys.exit(main())
