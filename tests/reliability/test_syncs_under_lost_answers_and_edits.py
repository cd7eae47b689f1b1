"""Whole syncs over W0 where Zoho applied a write and the answer never arrived, or a person edited Zoho between
runs: the later runs reconcile against Zoho and end in the fault-free state, with nothing twice and nothing lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import reliability_harness as harness

from timelines_zoho.sync.summary import render

pytestmark = pytest.mark.slow
CLEAN = {"contacts": 0, "notes": 0, "attachments": 0}
# A message on the window's last day, noon in Warsaw: it changes that day's note of its chat.
NEW_MESSAGE_TS = int(datetime(2026, 3, 31, 12, 0, tzinfo=ZoneInfo(harness.TZ)).timestamp())


def assert_converges(wired: harness.Wired, baseline: dict[str, Any], run_key: str) -> int:
    extra = harness.converge(wired, baseline, run_key)
    dump = wired.zoho.state()
    assert harness.duplicates(dump) == CLEAN
    assert harness.lost_messages(wired, dump, baseline["expected"]) == []
    return extra


@pytest.mark.parametrize("mode", ["reset", "html"])
def test_lost_response_on_contacts_insert_creates_no_duplicate(fresh, baseline, mode: str) -> None:
    fresh.zoho.tamper({"path": r"/crm/v8/Contacts$", "method": "POST", "mode": mode, "count": 1})
    first = harness.sync(fresh, "lost-contacts")
    assert assert_converges(fresh, baseline, "lost-contacts") >= 1
    assert any("outcome is unknown" in (i["reason"] or "") for i in first["issues"]), first["issues"][:3]


@pytest.mark.parametrize("mode", ["reset", "truncated"])
def test_lost_response_on_notes_create_creates_no_duplicate(fresh, baseline, mode: str) -> None:
    fresh.zoho.tamper({"path": r"/crm/v8/Notes$", "method": "POST", "mode": mode, "count": 1})
    harness.sync(fresh, "lost-notes")
    assert assert_converges(fresh, baseline, "lost-notes") >= 1


def test_unreadable_200_on_notes_create_is_reconciled_not_recreated(fresh, baseline) -> None:
    fresh.zoho.tamper({"path": r"/crm/v8/Notes$", "method": "POST", "mode": "html", "count": 1})
    first = harness.sync(fresh, "garbled-notes")
    in_zoho = len(fresh.zoho.state()["records"]["Notes"])
    deferred = [i for i in first["issues"] if i["kind"] == "note" and i["outcome"] == "deferred"]
    assert deferred and in_zoho > 0, "the batch was applied and its notes left pending"
    second = harness.sync(fresh, "garbled-notes-next")
    assert second["counts"]["notes_created"] == 0, "every pending note was found in Zoho, none created again"
    assert len(fresh.zoho.state()["records"]["Notes"]) == in_zoho
    assert_converges(fresh, baseline, "garbled-notes")


def test_lost_response_on_upload_creates_no_duplicate_file(fresh, baseline) -> None:
    fresh.zoho.tamper({"path": r"/Notes/\d+/Attachments$", "method": "POST", "mode": "reset", "count": 1})
    harness.sync(fresh, "lost-upload")
    assert len(fresh.zoho.state()["attachments"]) >= 1
    assert_converges(fresh, baseline, "lost-upload")


def _a_note_of_a_created_contact(wired: harness.Wired) -> tuple[dict[str, Any], dict[str, Any]]:
    dump = wired.zoho.state()
    contacts = {c["id"]: c for c in dump["records"]["Contacts"] if c.get("Lead_Source") == "TimelinesAI"}
    note = next(n for n in dump["records"]["Notes"] if n["Parent_Id"]["id"] in contacts
                and n["Note_Title"].endswith("(31/03/2026)"))
    return note, contacts[note["Parent_Id"]["id"]]


def _chat_of(note: dict[str, Any]) -> int:
    return int(note["Note_Content"].partition("\n")[0].rstrip("/").split("/")[-2])


def test_note_deleted_in_zoho_is_recreated(fresh) -> None:
    harness.sync(fresh, "before-delete")
    note, _ = _a_note_of_a_created_contact(fresh)
    fresh.zoho.delete_record("Notes", note["id"])
    fresh.timelines.add_messages(_chat_of(note), [{"text": "Are you still there?", "ts": NEW_MESSAGE_TS}])
    summary = harness.sync(fresh, "after-delete")
    assert summary["counts"]["notes_recreated"] == 1, summary["issues"][:3]
    assert "1 recreated (deleted in Zoho)" in render(summary)
    notes = [n for n in fresh.zoho.state()["records"]["Notes"]
             if n["Parent_Id"]["id"] == note["Parent_Id"]["id"] and n["Note_Title"] == note["Note_Title"]
             and n["Note_Content"].partition("\n")[0] == note["Note_Content"].partition("\n")[0]]
    assert len(notes) == 1 and "Are you still there?" in notes[0]["Note_Content"]
    assert harness.lost_messages(fresh, fresh.zoho.state(), harness.expected_notes(fresh)) == []


def test_contact_deleted_in_zoho_is_created_again_with_its_notes(fresh) -> None:
    harness.sync(fresh, "before-delete")
    note, contact = _a_note_of_a_created_contact(fresh)
    fresh.zoho.delete_record("Contacts", contact["id"])
    fresh.timelines.add_messages(_chat_of(note), [{"text": "Hello again", "ts": NEW_MESSAGE_TS}])
    first = harness.sync(fresh, "after-delete")
    assert any("deleted in Zoho" in (i["reason"] or "") for i in first["issues"]), first["issues"][:3]
    harness.sync(fresh, "after-delete-next")
    dump = fresh.zoho.state()
    again = [c for c in dump["records"]["Contacts"] if c.get("Mobile") == contact.get("Mobile")]
    assert len(again) == 1 and again[0]["id"] != contact["id"]
    assert harness.duplicates(dump) == CLEAN
    assert harness.lost_messages(fresh, dump, harness.expected_notes(fresh)) == []


def test_with_keep_names_edited_in_zoho_a_name_edited_between_runs_is_kept(fresh) -> None:
    from timelines_zoho.state import StateStore

    store = StateStore(f"sqlite:///{fresh.state_db}")
    store.save_settings(replace(store.get_settings(), keep_zoho_names=True), "tester")
    store.dispose()
    harness.sync(fresh, "before-edit")
    note, contact = _a_note_of_a_created_contact(fresh)
    fresh.zoho.edit_record("Contacts", contact["id"], Last_Name="Edited By Sales")
    fresh.timelines.rename_chat(_chat_of(note), "New WhatsApp Name")
    summary = harness.sync(fresh, "after-edit")
    assert any(i["outcome"] == "rename_skipped" for i in summary["issues"]), summary["issues"][:3]
    kept = next(c for c in fresh.zoho.state()["records"]["Contacts"] if c["id"] == contact["id"])
    assert kept["Last_Name"] == "Edited By Sales"
