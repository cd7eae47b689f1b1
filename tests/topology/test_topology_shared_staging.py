"""One busy day on three Celery workers, each with an AIRFLOW_HOME of its own, sharing only the staging URL and the
databases: Zoho ends exactly as it does after the same day synced on one machine.

The day is W1's shape at a size this shared 2-core machine runs in minutes (W1 itself is 2,200 chats and 40,000
messages); `TOPOLOGY_DAY` = `chats,messages,zoho_contacts` sets another size.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from conftest import SyncTopology, running_sync
from topology_harness import THREE_WORKERS

from timelines_zoho.state import StateStore
from timelines_zoho.sync import runner
from timelines_zoho_sandbox import sandbox_wiring
from timelines_zoho_sandbox.server import start_sandbox
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

pytestmark = [pytest.mark.topology, pytest.mark.slow]

DAG_ID = "timelines_zoho_sync"
DAY = date(2026, 4, 5)
_CHATS, _MESSAGES, _ZOHO = (int(n) for n in os.environ.get("TOPOLOGY_DAY", "1100,12000,5000").split(","))
SEED = {"chats": _CHATS, "messages": _MESSAGES, "days": 1, "end": DAY, "zoho_contacts": _ZOHO}
# The backfill's one daily run (the DAG's cron is read in UTC here): the same interval for the reference run.
WINDOW = {"window_start": f"{DAY}T00:00:00+00:00", "window_end": "2026-04-06T00:00:00+00:00"}


@pytest.fixture(scope="module")
def three_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncTopology]:
    with running_sync(tmp_path_factory.mktemp("topology-staging"), SEED, THREE_WORKERS) as running:
        yield running


def single_machine(tmp: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Sync the same seeded day in this process, on emulators of its own; return their Zoho state."""
    sandbox = start_sandbox()
    try:
        timelines, zoho = TimelinesAISandboxAdmin(sandbox.timelines_root), ZohoSandboxAdmin(sandbox.zoho_url)
        sandbox_wiring.seed(timelines, zoho, **SEED)
        for key, value in sandbox_wiring.connection_uris(timelines, zoho).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("TIMELINES_ZOHO_STATE_URL", f"sqlite:///{tmp / 'state.db'}")
        monkeypatch.setenv("TIMELINES_ZOHO_STAGING_URL", (tmp / "staging").as_uri())
        monkeypatch.setenv("TIMELINES_ZOHO_TOKEN_CACHE_DIR", str(tmp / "tokens"))
        store = StateStore()
        store.migrate()
        sandbox_wiring.activate(store)
        runner.run_inline("single-machine", WINDOW)
        return zoho.state()
    finally:
        sandbox.stop()


def comparable(state: dict[str, Any]) -> dict[str, list]:
    """Zoho's records, notes and files without what differs between two emulators (ids, owners' ids, times)."""
    records = {record["id"]: record for record in state["records"]["Contacts"]}
    notes = {note["id"]: note for note in state["records"]["Notes"]}

    def person(record_id: str) -> tuple:
        record = records[record_id]
        return record.get("Mobile"), record.get("Last_Name")

    contacts = [
        (*person(record_id), record.get("Lead_Source"), record.get("Description"),
         (record.get("Owner") or {}).get("email"))
        for record_id, record in records.items()
    ]
    day_notes = [(person(note["Parent_Id"]["id"]), note["Note_Title"], note["Note_Content"]) for note in notes.values()]
    files = [
        (person(notes[file["parent_id"]]["Parent_Id"]["id"]), notes[file["parent_id"]]["Note_Title"],
         file["File_Name"], file["sha256"])
        for file in state["attachments"] if file["parent_id"] in notes
    ]
    # Sorted by repr: a field Zoho left empty is None, which does not compare with text.
    return {name: sorted(rows, key=repr) for name, rows in (("contacts", contacts), ("notes", day_notes),
                                                             ("files", files))}


def test_a_day_on_three_workers_with_homes_of_their_own_equals_the_single_machine_run(
    three_workers: SyncTopology, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topo, zoho = three_workers.topo, three_workers.zoho
    topo.wait_dag(DAG_ID)

    runs = topo.backfill(DAG_ID, str(DAY), str(DAY), timeout=1500)

    assert [state for _, state in runs] == ["success"], f"{runs}\n{topo.logs()}"
    hosts = topo.task_hosts(DAG_ID)
    assert len(hosts) >= 2, f"the run's tasks ran on one worker only, which proves nothing: {hosts}"
    distributed = comparable(zoho.state())
    assert distributed["notes"] and distributed["files"], "the day wrote notes and files"
    assert distributed == comparable(single_machine(tmp_path, monkeypatch))
