"""Exactly once after crashes and races: the steps run in-process (no Airflow), against the emulators."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from sync_support import Sync, local_epoch, notes_of, workspace

from timelines_zoho.state import contacts as claims_module
from timelines_zoho.sync import runner, staging

WINDOW = {"window_start": "2026-03-30T00:00:00+02:00", "window_end": "2026-04-01T00:00:00+02:00"}


class SimulatedCrash(RuntimeError):
    """The process died right after Zoho answered, before our bookkeeping."""


class CrashAfter:
    """A ZohoCRMHook whose `method` succeeds in Zoho once and then 'crashes' the caller."""

    def __init__(self, method: str) -> None:
        from timelines_zoho.hooks.zoho import ZohoCRMHook

        self.hook, self.method = ZohoCRMHook(), method

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.hook, name)
        if name != self.method:
            return attr

        def crash(*args: Any, **kwargs: Any) -> Any:
            attr(*args, **kwargs)
            raise SimulatedCrash(name)

        return crash


class CrashingHooks(runner.Hooks):
    def __init__(self, method: str) -> None:
        super().__init__()
        self.method = method

    def zoho(self) -> Any:
        return CrashAfter(self.method)


def _duplicates(sync: Sync) -> dict[str, int]:
    dump = sync.dump()
    mobiles = Counter(c["Mobile"] for c in dump["records"]["Contacts"] if c.get("Lead_Source") == "TimelinesAI")
    notes = Counter((n["Parent_Id"]["id"], n["Note_Title"]) for n in dump["records"]["Notes"])
    files = Counter((a["parent_id"], a["File_Name"]) for a in dump["attachments"])
    return {str(k): v for counter in (mobiles, notes, files) for k, v in counter.items() if v > 1}


def test_crash_after_notes_were_created_is_reconciled_without_duplicates(sync: Sync) -> None:
    with pytest.raises(SimulatedCrash):
        runner.run_inline("crashed", WINDOW, hooks=CrashingHooks("create_notes"))
    assert sync.store.pending_notes(), "the crash left unconfirmed notes"
    notes_in_zoho = len(sync.dump()["records"]["Notes"])
    summary = runner.run_inline("retry", WINDOW)
    assert _duplicates(sync) == {}
    assert sync.store.pending_notes() == []
    assert summary["counts"]["notes_updated"] >= 1  # found in Zoho by title, not created again
    assert len(sync.dump()["records"]["Notes"]) == notes_in_zoho + summary["counts"]["notes_created"]


def test_crash_after_contacts_were_created_never_creates_them_again(sync: Sync) -> None:
    with pytest.raises(SimulatedCrash):
        runner.run_inline("crashed", WINDOW, hooks=CrashingHooks("insert_records"))
    created = sync.dump()["records"]["Contacts"]
    summary = runner.run_inline("retry", WINDOW)
    assert summary["counts"]["contacts_created"] == 0, "the phone index finds what the crashed run created"
    assert len(sync.dump()["records"]["Contacts"]) == len(created)
    assert _duplicates(sync) == {}


def test_a_stale_claim_is_reconciled_by_phone_search_before_creating(sync: Sync, monkeypatch) -> None:
    meta = runner.start_and_extract("first", WINDOW, None, None)
    shard = runner.transform(meta)[0]
    runner.prepare_zoho(meta)
    with pytest.raises(SimulatedCrash):
        runner.load_contacts(meta, shard, CrashingHooks("insert_records"))
    assert runner.load_contacts(meta, shard).get("contact.deferred"), "a live claim is never second-guessed"
    monkeypatch.setattr(claims_module, "CLAIM_LEASE", timedelta(0))
    counts = runner.load_contacts(meta, shard)  # same index as before the crash: only the search can tell
    assert "contact.created" in counts and not _duplicates(sync)
    assert sync.store.claim_phones("probe", {}) == {}


def test_crash_after_an_upload_is_reconciled_against_the_notes_attachments(sync: Sync) -> None:
    with pytest.raises(SimulatedCrash):
        runner.run_inline("crashed", WINDOW, hooks=CrashingHooks("upload_attachment"))
    files = len(sync.dump()["attachments"])
    summary = runner.run_inline("retry", WINDOW)
    assert _duplicates(sync) == {}
    assert len(sync.dump()["attachments"]) == files - 1 + summary["counts"]["attachments_uploaded"]


def test_two_processes_loading_the_same_contacts_create_each_phone_once(sync: Sync) -> None:
    meta = runner.start_and_extract("race", WINDOW, None, None)
    shards = runner.transform(meta)
    runner.prepare_zoho(meta)
    results: list[dict[str, int]] = []
    racers = [threading.Thread(target=lambda: results.append(runner.load_contacts(meta, shards[0])))
              for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert len(results) == 2 and _duplicates(sync) == {}
    assert sum(r.get("contact.created", 0) for r in results) == len(
        [c for c in sync.dump()["records"]["Contacts"] if c.get("Lead_Source") == "TimelinesAI"]
    ) - 1  # the activation's test contact


def _race(step: Any, meta: dict[str, Any], shard: dict[str, Any]) -> list[dict[str, int]]:
    """Run one load step twice at the same moment, as two overlapping runs would."""
    results: list[dict[str, int]] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        results.append(step(meta, shard))

    racers = [threading.Thread(target=run) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert len(results) == 2
    return results


def test_two_runs_writing_the_same_notes_and_files_write_each_once(sync: Sync) -> None:
    meta = runner.start_and_extract("race", WINDOW, None, None)
    shard = runner.transform(meta)[0]
    runner.prepare_zoho(meta)
    runner.load_contacts(meta, shard)
    notes = _race(runner.load_notes, meta, shard)
    assert _duplicates(sync) == {}
    assert sum(r.get("note.created", 0) for r in notes) == len(sync.dump()["records"]["Notes"])
    files = _race(runner.load_attachments, meta, shard)
    assert _duplicates(sync) == {}
    assert sum(r.get("attachment.uploaded", 0) for r in files) == len(sync.dump()["attachments"]) > 0
    assert sync.store.claim_writes("probe", "probe", []) == {}


def test_a_stale_upload_claim_is_reconciled_against_the_notes_attachments(sync: Sync, monkeypatch) -> None:
    meta = runner.start_and_extract("first", WINDOW, None, None)
    shard = runner.transform(meta)[0]
    runner.prepare_zoho(meta)
    runner.load_contacts(meta, shard)
    runner.load_notes(meta, shard)
    with pytest.raises(SimulatedCrash):
        runner.load_attachments(meta, shard, CrashingHooks("upload_attachment"))
    uploaded = [uid for uid, e in _ledger(sync, shard).items() if e.status == "pending"]
    assert len(uploaded) == 1 and len(sync.dump()["attachments"]) == 1
    sync.store.claim_writes("attachment", "killed run", uploaded)  # a SIGKILL leaves its claim behind
    assert runner.load_attachments(meta, shard).get("attachment.deferred") == 1, "a live claim is respected"
    monkeypatch.setattr(claims_module, "CLAIM_LEASE", timedelta(0))
    runner.load_attachments(meta, shard)
    assert _duplicates(sync) == {}
    assert _ledger(sync, shard)[uploaded[0]].attachment_id == sync.dump()["attachments"][0]["id"]


def _ledger(sync: Sync, shard: dict[str, Any]) -> dict[str, Any]:
    from timelines_zoho.sync import staging

    bundles = staging.read_frame(shard["bundles"])
    return sync.store.attachments([a["message_uid"] for files in bundles["attachments"] for a in files])


def test_contacts_adopted_after_a_crash_are_ours_so_renames_still_apply(sync: Sync) -> None:
    with pytest.raises(SimulatedCrash):
        runner.run_inline("crashed", WINDOW, hooks=CrashingHooks("insert_records"))
    chat_ids = [str(c["id"]) for c in workspace()]
    assert all(x.how == "linked" for x in sync.store.links(chat_ids).values()), "the crash hid the created ids"
    runner.run_inline("retry", WINDOW)
    created = {c["id"] for c in sync.dump()["records"]["Contacts"] if c.get("Lead_Source") == "TimelinesAI"}
    links = [x for x in sync.store.links(chat_ids).values() if x.record_id in created and x.written_name]
    assert links and all(x.how == "created" for x in links)
    link = next(x for x in links if not x.written_name.startswith("New WhatsApp contact"))
    sync.timelines.rename_chat(int(link.chat_id), "Renata Renamed")
    summary = runner.run_inline("later", WINDOW)
    assert summary["counts"]["contacts_renamed"] == 1
    assert next(c for c in sync.dump()["records"]["Contacts"] if c["id"] == link.record_id)["Last_Name"] == (
        "Renata Renamed"
    )


def test_a_crash_between_two_same_titled_notes_and_the_ledger_adopts_each_chats_own(sync: Sync) -> None:
    # One customer writing to two of our numbers on one day, under one name: two notes, one title, one record.
    from timelines_zoho.hooks.zoho import ZohoCRMHook

    twins = sorted((c for c in workspace() if c.get("phone") == "+48601234567"), key=lambda c: c["id"])
    assert len(twins) == 2
    # The seed gives this phone a second Zoho record (an ambiguity test); renumber it so the chats link.
    annas = sorted(r["id"] for r in sync.dump()["records"]["Contacts"]
                   if str(r.get("Phone") or r.get("Mobile") or "").replace("-", "").endswith("601234567"))
    ZohoCRMHook().update_records("Contacts", [{"id": i, "Phone": "+1 555 0109999", "Mobile": None} for i in annas[1:]])
    sync.timelines.rename_chat(twins[1]["id"], twins[0]["name"])
    for chat in twins:
        sync.timelines.add_messages(chat["id"], [{"text": f"hello from {chat['id']}",
                                                  "ts": local_epoch(date(2026, 3, 31), 10)}])
    keys = [(str(c["id"]), "2026-03-31", 1) for c in twins]
    meta = runner.start_and_extract("crashed", WINDOW, None, None)
    shards = runner.transform(meta)
    runner.prepare_zoho(meta)
    for shard in shards:
        runner.load_contacts(meta, shard)
    shard = next(s for s in shards if keys[0][0] in set(staging.read_frame(s["bundles"])["chat_id"].astype(str)))
    with pytest.raises(SimulatedCrash):
        runner.load_notes(meta, shard, CrashingHooks("create_notes"))
    assert all(e.note_id is None for e in sync.store.notes(keys).values()) and len(sync.store.notes(keys)) == 2
    created = len(sync.dump()["records"]["Notes"])
    summary = runner.run_inline("retry", WINDOW)
    assert len(sync.dump()["records"]["Notes"]) == created + summary["counts"]["notes_created"]
    ledger = sync.store.notes(keys)
    record = sync.store.links([keys[0][0]])[keys[0][0]].record_id
    zoho = {n["id"]: n for n in notes_of(sync.dump(), record)}
    assert ledger[keys[0]].title == ledger[keys[1]].title  # the title format stays as the product fixes it
    assert ledger[keys[0]].note_id != ledger[keys[1]].note_id
    for chat_id, day, part in keys:
        note = zoho[ledger[(chat_id, day, part)].note_id]
        assert f"/chat/{chat_id}/messages/" in note["Note_Content"] and f"hello from {chat_id}" in note["Note_Content"]
