"""Helpers of the end-to-end sync tests: a wired integration, DAG runs, and views of the workspace."""

from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest

from timelines_zoho.state import StateStore
from timelines_zoho_sandbox import sandbox_wiring
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

ROOT = pathlib.Path(__file__).resolve().parents[2]
TZ = "Europe/Warsaw"
END = date(2026, 3, 31)  # the workspace's last day; DST began in Warsaw on 29/03/2026
SPECIAL_NAMES = {"group": "Wholesale buyers 🛒", "broadcast": "Spring promo list", "newsletter": "ACME News"}


@dataclass
class Sync:
    """A wired, active integration and ways to run the DAG against it."""

    timelines: TimelinesAISandboxAdmin
    zoho: ZohoSandboxAdmin
    store: StateStore

    def run_day(self, day: date, **conf: Any) -> dict[str, Any]:
        """Run the DAG for one local calendar day (a daily interval, as a backfill run does)."""
        start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(TZ))
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(TZ))
        return self.run({"window_start": start.isoformat(), "window_end": end.isoformat(), **conf})

    def run_days(self, first: date, last: date, **conf: Any) -> dict[str, Any]:
        """Run the DAG once over several whole local days."""
        start = datetime.combine(first, datetime.min.time(), tzinfo=ZoneInfo(TZ))
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(TZ))
        return self.run({"window_start": start.isoformat(), "window_end": end.isoformat(), **conf})

    def run(self, conf: dict[str, Any], logical_date: datetime | None = None) -> dict[str, Any]:
        """Run the DAG with `dag.test()`, assert it succeeded and return the run's summary."""
        dag = load_dag()
        before = {r.id for r in self.store.recent_runs(1000)}
        run = dag.test(logical_date=logical_date, run_conf=conf)
        assert run.state == "success", f"DAG run ended {run.state}"
        new = [r for r in self.store.recent_runs(1000) if r.id not in before] or self.store.recent_runs(1)
        assert new[0].summary is not None
        return new[0].summary

    def dump(self) -> dict[str, Any]:
        return self.zoho.state()

    def zoho_calls(self) -> int:
        return int(sum(self.zoho.stats().get("calls", {}).values()))


def load_dag() -> Any:
    """Parse the sync DAG from the dags folder."""
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.get_dag("timelines_zoho_sync")


def wire(emulators: tuple[TimelinesAISandboxAdmin, ZohoSandboxAdmin], tmp_path: pathlib.Path,
         monkeypatch: pytest.MonkeyPatch, **seed: Any) -> Sync:
    """Seed both emulators, point connections, store and staging at them, and activate."""
    timelines, zoho = emulators
    tmp_path.mkdir(parents=True, exist_ok=True)
    knobs = {"chats": 40, "messages": 700, "days": 4, "end": END, "timezone": TZ, "zoho_contacts": 30} | seed
    sandbox_wiring.seed(timelines, zoho, **knobs)
    for key, value in sandbox_wiring.connection_uris(timelines, zoho).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TIMELINES_ZOHO_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("TIMELINES_ZOHO_STAGING_DIR", str(tmp_path / "staging"))
    monkeypatch.setenv("TIMELINES_ZOHO_TOKEN_CACHE_DIR", str(tmp_path / "tokens"))
    store = StateStore()
    store.migrate()
    sandbox_wiring.activate(store)
    sandbox_wiring.ensure_pool()
    return Sync(timelines, zoho, store)




def workspace() -> list[dict[str, Any]]:
    """Return every chat of the connected TimelinesAI workspace, with its account's owner email."""
    from timelines_zoho.hooks.timelinesai import TimelinesAIHook

    hook = TimelinesAIHook()
    owners = {a["id"]: a.get("owner_email") for a in hook.iter_whatsapp_accounts()}
    return [{**chat, "owner_email": owners.get(chat.get("whatsapp_account_id"))} for chat in hook.iter_chats()]


def absolute(url: str) -> str:
    """Resolve a chat URL the way the sync does (the API may return it relative)."""
    return urljoin("https://app.timelines.ai/", url)


def chats_by_url(chats: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Index chats by their absolute chat URL (what a created record carries)."""
    return {absolute(chat["chat_url"]): chat for chat in chats}


def normalised(dump: dict[str, Any]) -> dict[str, Any]:
    """Zoho's state without ids and clocks, which differ with the order records were written in."""
    contacts = {r["id"]: r for r in dump["records"]["Contacts"]}
    keep = ("Last_Name", "First_Name", "Phone", "Mobile", "Lead_Source", "Description", "Email")

    def who(record_id: str) -> tuple:
        record = contacts[record_id]
        return tuple(str(record.get(k) or "") for k in keep) + (record["Owner"]["id"],)

    files: dict[str, list[str]] = {}
    for file in dump["attachments"]:
        files.setdefault(file["parent_id"], []).append(f"{file['File_Name']}:{file.get('sha256')}")
    return {
        "contacts": sorted(who(rid) for rid in contacts),
        "notes": sorted(
            (who(n["Parent_Id"]["id"]), n["Note_Title"], n["Note_Content"], tuple(sorted(files.get(n["id"], []))))
            for n in dump["records"]["Notes"]
        ),
    }


def notes_of(dump: dict[str, Any], record_id: str) -> list[dict[str, Any]]:
    """Return the notes whose parent is `record_id`."""
    return [n for n in dump["records"]["Notes"] if n["Parent_Id"]["id"] == record_id]


assert os.environ.get("AIRFLOW_HOME"), "tests/conftest.py sets AIRFLOW_HOME first"


def local_epoch(day: date, hour: int, minute: int = 0) -> int:
    """Return the epoch of a wall-clock time in the workspace timezone."""
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(TZ)).timestamp())


def pick_chat(dump: dict[str, Any], chats: list[dict[str, Any]], day: date, *,
              created: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Return (chat, record, note) for a chat with a note on `day` whose record we created (or linked)."""
    import re

    records = {r["id"]: r for r in dump["records"]["Contacts"]}
    by_url = chats_by_url(chats)
    suffix = f"({day:%d/%m/%Y})"
    for note in sorted(dump["records"]["Notes"], key=lambda n: n["id"]):
        found = re.search(r"https?://\S+/chat/\d+/messages/", note["Note_Content"])
        record = records.get(note["Parent_Id"]["id"])
        if not note["Note_Title"].endswith(suffix) or not found or record is None:
            continue
        chat = by_url[found.group(0)]
        ours = record.get("Lead_Source") == "TimelinesAI" and record.get("Description") == found.group(0)
        if ours == created and not record["Last_Name"].startswith("New WhatsApp contact"):
            return chat, record, note
    raise AssertionError(f"no {'created' if created else 'linked'} chat has a note on {day}")
