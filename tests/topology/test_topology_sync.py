"""The sync DAG on the CeleryExecutor topology: a scheduler-driven backfill writes Zoho exactly once."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import SyncTopology
from topology_harness import WORKERS, query

pytestmark = [pytest.mark.topology, pytest.mark.slow]

DAG_ID = "timelines_zoho_sync"
# Three past days inside the seeded workspace (it ends on 2026-04-05).
START, END = "2026-04-03", "2026-04-05"


def _by_id(state: dict, module: str) -> dict[str, dict]:
    return {record["id"]: record for record in state["records"][module]}


def test_backfill_on_celery_workers_writes_exactly_the_ledger_and_reprocessing_changes_nothing(
    sync_topology: SyncTopology,
) -> None:
    topo, zoho = sync_topology.topo, sync_topology.zoho
    topo.wait_dag(DAG_ID)
    before = zoho.state()

    # Three daily runs at once: shards of different runs race on the same chats' contacts.
    runs = topo.backfill(DAG_ID, START, END, "--max-active-runs", "3")

    assert len(runs) == 3 and {state for _, state in runs} == {"success"}, runs
    hosts = topo.task_hosts(DAG_ID)
    assert hosts and set(hosts) <= set(WORKERS), hosts
    after = zoho.state()
    new_contacts = {i: r for i, r in _by_id(after, "Contacts").items() if i not in _by_id(before, "Contacts")}
    new_notes = {i: r for i, r in _by_id(after, "Notes").items() if i not in _by_id(before, "Notes")}
    assert new_contacts and new_notes

    # The state store is the PostgreSQL database, and Zoho holds exactly what it recorded writing.
    created = query(topo.state_db, "SELECT DISTINCT record_id FROM tz_chat_links WHERE how = 'created'")
    assert {record_id for (record_id,) in created} == set(new_contacts)
    ledger = query(
        topo.state_db, "SELECT note_id, title, record_id FROM tz_note_ledger WHERE status = 'done'"
    )
    assert {note_id for note_id, _, _ in ledger} == set(new_notes)
    for note_id, title, record_id in ledger:
        assert new_notes[note_id]["Note_Title"] == title
        assert new_notes[note_id]["Parent_Id"]["id"] == record_id
    # No phone became two contacts, no (record, title) two notes.
    phones = Counter(record["Mobile"] for record in new_contacts.values())
    assert max(phones.values()) == 1, [phone for phone, n in phones.items() if n > 1]
    titles = Counter((note["Parent_Id"]["id"], note["Note_Title"]) for note in new_notes.values())
    assert max(titles.values()) == 1, [key for key, n in titles.items() if n > 1]
    runs_recorded = query(topo.state_db, "SELECT count(*) FROM tz_runs WHERE status = 'success'")[0][0]
    assert runs_recorded >= 3

    # The same backfill again, re-running every completed date: Zoho does not change at all.
    again = topo.backfill(DAG_ID, START, END, "--max-active-runs", "3", "--reprocess-behavior", "completed")

    assert len(again) == 3 and {state for _, state in again} == {"success"}, again
    assert zoho.state() == after
