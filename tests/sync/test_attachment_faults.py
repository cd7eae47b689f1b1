"""Attachments under faults: same-named files and a crash, a download host that refuses connections, a person who
deletes a file in Zoho. The steps run in-process against the emulators."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import Any

import pytest
from sync_support import Sync, local_epoch, pick_chat, workspace

from timelines_zoho.hooks.transport import RetryPolicy
from timelines_zoho.state import contacts as claims_module
from timelines_zoho.sync import runner, staging

WINDOW = {"window_start": "2026-03-30T00:00:00+02:00", "window_end": "2026-04-01T00:00:00+02:00"}
DAY = date(2026, 3, 31)


class SimulatedCrash(RuntimeError):
    """The process died right after Zoho stored the file, before our bookkeeping."""


class CrashAfterUploading:
    """A ZohoCRMHook that uploads the first file called `filename`, then 'dies' before the caller hears of it."""

    def __init__(self, filename: str) -> None:
        from timelines_zoho.hooks.zoho import ZohoCRMHook

        self.hook, self.filename = ZohoCRMHook(), filename

    def __getattr__(self, name: str) -> Any:
        return getattr(self.hook, name)

    def upload_attachment(self, module: str, record_id: str, filename: str, stream: Any) -> str:
        self.hook.upload_attachment(module, record_id, filename, stream)
        if filename == self.filename:
            raise SimulatedCrash(filename)
        return "unreachable"


class Hooks(runner.Hooks):
    """The DAG's hooks, with a crashing Zoho hook and TimelinesAI retries that do not really sleep."""

    def __init__(self, crash_on: str | None = None) -> None:
        super().__init__()
        self.crash_on = crash_on

    def timelines(self) -> Any:
        from timelines_zoho.hooks.timelinesai import TimelinesAIHook

        return TimelinesAIHook(self.timelines_conn_id, retry_policy=RetryPolicy(sleep=lambda _: None))

    def zoho(self) -> Any:
        return CrashAfterUploading(self.crash_on) if self.crash_on else super().zoho()


@pytest.fixture(autouse=True)
def _download_host_back_up(sync: Sync) -> Any:
    """The refusing host is a fault of one test: the emulators (and their message uids) are shared by the module."""
    yield
    sync.timelines.faults(refused_download_uids=[])


def _shard_of(shards: list[dict[str, Any]], chat_id: int) -> dict[str, Any]:
    return next(s for s in shards if str(chat_id) in set(staging.read_frame(s["bundles"])["chat_id"].astype(str)))


def _files_of(sync: Sync, note_id: str) -> list[dict[str, Any]]:
    return [a for a in sync.dump()["attachments"] if a["parent_id"] == note_id]


def _add_files(sync: Sync, chat_id: int, files: list[tuple[str, int]], hour: int = 10) -> list[str]:
    return sync.timelines.add_messages(chat_id, [
        {"text": f"file {n}", "ts": local_epoch(DAY, hour, n), "attachment": {"filename": name, "size": size}}
        for n, (name, size) in enumerate(files)
    ])


def test_two_same_name_files_and_a_crash_between_them(sync: Sync, monkeypatch) -> None:
    runner.run_inline("first", WINDOW)
    chat, _, note = pick_chat(sync.dump(), workspace(), DAY, created=True)
    uids = _add_files(sync, chat["id"], [("photo.jpg", 5000), ("photo.jpg", 7000)])
    meta = runner.start_and_extract("crashed", WINDOW, None, None)
    shards = runner.transform(meta)
    runner.prepare_zoho(meta)
    for step in (runner.load_contacts, runner.load_notes):
        for shard in shards:
            step(meta, shard)
    shard = _shard_of(shards, chat["id"])
    with pytest.raises(SimulatedCrash):
        runner.load_attachments(meta, shard, Hooks(crash_on="photo.jpg"))
    assert [a["Size"] for a in _files_of(sync, note["id"]) if a["File_Name"] == "photo.jpg"] == ["5000"]
    sync.store.claim_writes("attachment", "killed run", uids)  # a SIGKILL leaves both claims behind
    monkeypatch.setattr(claims_module, "CLAIM_LEASE", timedelta(0))

    runner.load_attachments(meta, shard)

    photos = {a["id"]: a["Size"] for a in _files_of(sync, note["id"]) if a["File_Name"] == "photo.jpg"}
    assert sorted(photos.values()) == ["5000", "7000"], "each message has its own photo.jpg in Zoho"
    ledger = sync.store.attachments(uids)
    assert [photos.get(ledger[uid].attachment_id) for uid in uids] == ["5000", "7000"], (
        "each ledger row points at its own file, never both at one"
    )


def test_a_pending_file_never_adopts_a_same_named_file_of_another_size(sync: Sync) -> None:
    # Two uploads in flight (upload threads): the second reached Zoho, the first did not, then the worker died.
    from timelines_zoho.hooks.zoho import ZohoCRMHook
    from timelines_zoho.state import AttachmentEntry

    runner.run_inline("first", WINDOW)
    chat, _, note = pick_chat(sync.dump(), workspace(), DAY, created=True)
    uids = _add_files(sync, chat["id"], [("scan.pdf", 3000), ("scan.pdf", 9000)])
    sync.store.put_attachments([
        AttachmentEntry(uid, str(chat["id"]), note["id"], "scan.pdf", None, "pending", size=size)
        for uid, size in zip(uids, (3000, 9000), strict=True)
    ])
    import io

    ZohoCRMHook().upload_attachment("Notes", note["id"], "scan.pdf", io.BytesIO(b"x" * 9000))

    runner.run_inline("next", WINDOW)

    scans = {a["id"]: a["Size"] for a in _files_of(sync, note["id"]) if a["File_Name"] == "scan.pdf"}
    assert sorted(scans.values()) == ["3000", "9000"]
    ledger = sync.store.attachments(uids)
    assert [scans.get(ledger[uid].attachment_id) for uid in uids] == ["3000", "9000"]


def _run_steps(run_key: str, window: dict[str, str], hooks: runner.Hooks) -> tuple[dict[str, Any], list[str]]:
    """Run every step like run_inline; return the summary and the uids of the run's files."""
    from timelines_zoho.sync import summary

    meta = runner.start_and_extract(run_key, window, None, None, hooks)
    shards = runner.transform(meta)
    uids = [a["message_uid"] for s in shards for files in staging.read_frame(s["bundles"])["attachments"]
            for a in files]
    runner.prepare_zoho(meta, hooks)
    for step in (runner.load_contacts, runner.load_notes, runner.load_attachments):
        for shard in shards:
            step(meta, shard, hooks)
    return summary.finish(runner.open_store(), meta), uids


def test_unreachable_download_host_fails_only_that_file(sync: Sync, caplog) -> None:
    runner.run_inline("day before", {**WINDOW, "window_end": "2026-03-31T00:00:00+02:00"})
    chat, _, _ = pick_chat(sync.dump(), workspace(), DAY - timedelta(days=1), created=True)
    [refused] = _add_files(sync, chat["id"], [("contract.pdf", 4000)])
    sync.timelines.faults(refused_download_uids=[refused])
    caplog.set_level(logging.INFO)

    summary, files = _run_steps("host down", WINDOW, Hooks())

    failed = [i for i in summary["issues"] if i["kind"] == "attachment"]
    assert [(i["id"], i["outcome"]) for i in failed] == [(refused, "failed")]
    assert "refused the connection" in failed[0]["reason"]
    ledger = sync.store.attachments(files)
    assert {uid: e.status for uid, e in ledger.items() if e.status != "done"} == {refused: "failed"}
    assert len(ledger) == len(files) > 2 and summary["counts"]["attachments_uploaded"] > 1, "the rest went on"
    assert [q.item_id for q in sync.store.quarantined("attachment")] == [refused]
    told = caplog.text + json.dumps(summary) + json.dumps(sync.store.run_items(sync.store.recent_runs(1)[0].id))
    for secret in ("Signature", "Expires=", sync.timelines.tokens()["owner"]):
        assert secret not in told, f"{secret} leaked into a log, the summary or a run item"

    sync.timelines.faults(refused_download_uids=[])
    next_hour = {"window_start": "2026-04-01T00:00:00+02:00", "window_end": "2026-04-01T01:00:00+02:00"}
    again, _ = _run_steps("host back, next hourly run", next_hour, Hooks())  # the quarantine brings the day back
    assert again["counts"]["attachments_uploaded"] == 1
    assert [i for i in again["issues"] if i["kind"] == "attachment"] == []
    assert sync.store.attachments([refused])[refused].status == "done"


def test_a_dead_download_host_costs_one_retry_cycle_per_task(sync: Sync, caplog) -> None:
    runner.run_inline("day before", {**WINDOW, "window_end": "2026-03-31T00:00:00+02:00"})
    chat, _, _ = pick_chat(sync.dump(), workspace(), DAY - timedelta(days=1), created=True)
    uids = _add_files(sync, chat["id"], [(f"page-{n}.png", 1000 + n) for n in range(3)])
    sync.timelines.faults(refused_download_chats=[chat["id"]])
    caplog.set_level(logging.WARNING, logger="timelines_zoho.hooks.transport")
    try:
        summary, _ = _run_steps("host down", WINDOW, Hooks())
    finally:
        sync.timelines.faults(refused_download_chats=[])
    failed = {i["id"]: i["reason"] for i in summary["issues"] if i["kind"] == "attachment"}
    assert set(uids) <= set(failed), "each file of the dead host failed alone, with its reason"
    retries = [r for r in caplog.records if r.getMessage().startswith("GET attachment failed")]
    assert len(retries) == RetryPolicy().max_attempts - 1, "the host was given one retry cycle, not one per file"


def test_a_file_a_person_deleted_in_zoho_is_not_uploaded_again(sync: Sync) -> None:
    runner.run_inline("first", WINDOW)
    chat, _, note = pick_chat(sync.dump(), workspace(), DAY, created=True)
    [uid] = _add_files(sync, chat["id"], [("price list.xlsx", 2500)])
    runner.run_inline("file", WINDOW)
    attachment_id = sync.store.attachments([uid])[uid].attachment_id
    assert attachment_id in {a["id"] for a in _files_of(sync, note["id"])}
    sync.zoho.delete_attachment(attachment_id)
    sync.timelines.add_messages(chat["id"], [{"text": "did you get it?", "ts": local_epoch(DAY, 11)}])

    summary = runner.run_inline("after the deletion", WINDOW)

    assert summary["counts"]["notes_updated"] == 1, "the day's note still grows"
    assert summary["counts"]["attachments_uploaded"] == 0, "what a person deleted stays deleted"
    assert attachment_id not in {a["id"] for a in _files_of(sync, note["id"])}
    assert all(a["File_Name"] != "price list.xlsx" for a in _files_of(sync, note["id"]))


class LosesUploadAnswers:
    """A ZohoCRMHook whose uploads reach Zoho, then the connection resets before the answer (as the transport
    reports a write whose outcome is unknown)."""

    def __init__(self) -> None:
        from timelines_zoho.hooks.zoho import ZohoCRMHook

        self.hook = ZohoCRMHook()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.hook, name)

    def upload_attachment(self, module: str, record_id: str, filename: str, stream: Any) -> str:
        import requests

        self.hook.upload_attachment(module, record_id, filename, stream)
        raise requests.ConnectionError("Connection reset by peer")


class LostAnswerHooks(Hooks):
    def zoho(self) -> Any:
        return LosesUploadAnswers()


@pytest.mark.parametrize("threads", ["1", "4"])
def test_lost_upload_responses_leave_files_pending_and_the_next_run_adopts_them(sync: Sync, monkeypatch,
                                                                                 threads: str) -> None:
    from timelines_zoho.sync.load_attachments import UPLOAD_THREADS

    monkeypatch.setenv(UPLOAD_THREADS, threads)
    summary, files = _run_steps("answers lost", WINDOW, LostAnswerHooks())
    in_zoho = len(sync.dump()["attachments"])
    failed = [i for i in summary["issues"] if i["kind"] == "attachment"]
    assert len(failed) == len(files) == in_zoho > 1, "every upload reached Zoho, each failed alone, the run went on"
    assert all("checked before it is sent again" in i["reason"] for i in failed)
    assert {e.status for e in sync.store.attachments(files).values()} == {"pending"}

    again, _ = _run_steps("next", WINDOW, Hooks())

    dump = sync.dump()
    assert len(dump["attachments"]) == in_zoho, "no file was sent twice"
    assert again["counts"]["attachments_uploaded"] == len(files)  # adopted from the note's attachments
    ledger = sync.store.attachments(files)
    assert {e.status for e in ledger.values()} == {"done"}
    assert len({e.attachment_id for e in ledger.values()}) == len(files)
    assert sync.store.quarantined("attachment") == []


def test_files_follow_a_day_note_that_was_created_again(sync: Sync) -> None:
    # What the notes loader does when a person deleted the day's note: it creates the note again and records it.
    from dataclasses import replace

    from timelines_zoho.hooks.zoho import ZohoCRMHook

    runner.run_inline("first", WINDOW)
    chat, record, note = pick_chat(sync.dump(), workspace(), DAY, created=True)
    [uid] = _add_files(sync, chat["id"], [("invoice.pdf", 1500)])
    runner.run_inline("file", WINDOW)
    key = (str(chat["id"]), DAY.isoformat(), 1)
    old = sync.store.notes([key])[key]
    zoho = ZohoCRMHook()
    zoho._call("DELETE", f"/Notes/{old.note_id}")
    [created] = zoho.create_notes([{"Note_Title": note["Note_Title"], "Note_Content": note["Note_Content"],
                                    "Parent_Id": {"module": {"api_name": "Contacts"}, "id": record["id"]}}])
    sync.store.put_notes([replace(old, note_id=created.id)])

    summary = runner.run_inline("after the note came back", WINDOW)

    files = {a["File_Name"] for a in _files_of(sync, str(created.id))}
    assert "invoice.pdf" in files and summary["counts"]["attachments_uploaded"] == len(files)
    assert sync.store.attachments([uid])[uid].note_id == created.id
