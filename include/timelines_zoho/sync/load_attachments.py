"""Attachments: stream each message's file from TimelinesAI to its day's note in Zoho, once.

A file over Zoho's 20 MB note-attachment limit (by the download's declared size, the bytes actually read, or
Zoho's own refusal) is not uploaded: it is recorded as refused, and the note is updated to list it with the reason.

Each file fails alone: a download that fails (an expired link, a host that refuses connections) or an upload Zoho
turns down is recorded with its reason, shown in the run summary and quarantined for the next run; the rest of
the shard goes on. A file Zoho refuses for itself is recorded once as refused and never sent again; any other
failure is quarantined and retried on the next run, never twice in one run (the destination says which is which).

Exactly once: the file is downloaded (spooled) first, then a pending ledger entry with its size is written, then
it is uploaded. An upload whose outcome is unknown (a 5xx, a connection lost after sending, an unreadable answer)
leaves the entry pending, and a pending entry is always reconciled against the note's attachments before the
file is sent again (attachment_match: name, size, order, and never an attachment the ledger already holds).
No pending entry means no upload was ever started, so there is nothing to reconcile.

Each upload is claimed in the state store first (one claim per message uid, decided by the database), so a run
overlapping another (a backfill racing a scheduled run) defers the files the other is uploading instead of
uploading them twice. A claim left by a stopped run is taken over after its lease.

A file a person deleted in Zoho stays deleted: a file the ledger has uploaded is not looked for again. Only when
the note it was on is no longer the day's note (a person deleted the note and the sync created the day's note
again) is the file attached to the new note.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pandas as pd

from timelines_zoho.hooks.errors import TimelinesAIError
from timelines_zoho.state import AttachmentEntry, NoteDay, NoteEntry, NoteKey, StateStore
from timelines_zoho.sync.attachment_match import match_pending
from timelines_zoho.sync.destination import Destination, DestinationError, Failure, NoteWrite, chunked
from timelines_zoho.sync.items import Items
from timelines_zoho.sync.note_content import final_content, note_hash, refusals_for
from timelines_zoho.sync.progress import Meter

log = logging.getLogger(__name__)

UPLOAD_THREADS = "TIMELINES_ZOHO_UPLOAD_THREADS"
SPOOL_IN_MEMORY = 1024 * 1024  # larger files spill to a temporary file
CLAIM_KIND = "attachment"
BUSY = "another run is uploading this file right now; retried on the next run"


def upload_threads() -> int:
    """Uploads in flight per task: 1 unless set; keep threads × zoho_api pool slots within Zoho's concurrency."""
    return max(1, int(os.environ.get(UPLOAD_THREADS) or 1))


Job = tuple[dict[str, Any], dict[str, Any], NoteEntry, AttachmentEntry | None]


class AttachmentLoader:
    """Upload one shard's attachments for one run."""

    def __init__(self, timelines: Any, destination: Destination, store: StateStore, items: Items,
                 *, token: str | None = None, dry_run: bool = False) -> None:
        self.timelines, self.dest, self.store = timelines, destination, store
        self.items, self.dry_run = items, dry_run
        self.token = token or uuid.uuid4().hex
        self.day_notes: dict[NoteDay, set[str]] = {}

    def load(self, bundles: pd.DataFrame) -> None:
        """Upload every file not uploaded yet, then list refused files in their notes."""
        every = bundles.to_dict(orient="records")
        rows = [r for r in every if r.get("attachments")]
        days = {NoteKey.of(r).note_day for r in rows}
        # Every part of those days, so a file on another part's note is never taken for one whose note is gone.
        notes = self.store.notes([key for r in every if (key := NoteKey.of(r)).note_day in days])
        for key, note in notes.items():
            if note.note_id:
                self.day_notes.setdefault(key.note_day, set()).add(note.note_id)
        ledger = self.store.attachments([a["message_uid"] for r in rows for a in r["attachments"]])
        refused_before = [len(refusals_for(row, ledger)) for row in rows]
        uploads: list[tuple[dict[str, Any], dict[str, Any], NoteEntry]] = []
        for row in rows:
            note = notes.get(NoteKey.of(row))
            for attachment in row["attachments"]:
                if self._settled(row, ledger.get(attachment["message_uid"])):
                    continue
                if note is None or note.status != "done" or note.note_id is None:
                    self.items.add("attachment", attachment["message_uid"], "skipped",
                                   "its note is not written yet; retried with the note")
                    continue
                if self.dry_run:
                    self.items.add("attachment", attachment["message_uid"], "would_upload")
                    continue
                uploads.append((row, attachment, note))
        jobs = self._claim(uploads, ledger)
        try:
            finished = self._upload_all(self._reconcile(jobs, ledger))
        except BaseException:
            # Give the rest back at once rather than after the lease: a pending entry makes the next run check Zoho.
            self.store.release_writes(CLAIM_KIND, self.token, [job[1]["message_uid"] for job in jobs])
            raise
        for done in finished:
            ledger[done.message_uid] = done
        newly_refused = [
            row for row, before in zip(rows, refused_before, strict=True)
            if NoteKey.of(row) in notes and len(refusals_for(row, ledger)) > before
        ]
        self._list_refusals(newly_refused, notes, ledger)

    def _settled(self, row: dict[str, Any], entry: AttachmentEntry | None) -> bool:
        """Refused, or uploaded onto a note that is still one of the day's notes: nothing to do."""
        if entry is None:
            return False
        if entry.status == "refused":
            return True
        day_notes = self.day_notes.get(NoteKey.of(row).note_day, set())
        return entry.status == "done" and (entry.note_id in day_notes or not day_notes)

    def _claim(self, uploads: list[tuple[dict[str, Any], dict[str, Any], NoteEntry]],
               ledger: dict[str, AttachmentEntry]) -> list[Job]:
        """Claim the uploads; return the jobs this run owns, each with its ledger entry read after the claim."""
        if not uploads:
            return []
        uids = [attachment["message_uid"] for _, attachment, _ in uploads]
        claims = self.store.claim_writes(CLAIM_KIND, self.token, uids)
        # Read again after winning: a run that finished just before may have written the file already.
        current = self.store.attachments([uid for uid in uids if claims.get(uid) != "busy"])
        jobs: list[Job] = []
        settled = []
        for row, attachment, note in uploads:
            uid = attachment["message_uid"]
            entry = current.get(uid)
            if claims.get(uid) == "busy":
                self.items.add("attachment", uid, "deferred", BUSY)
                self.items.quarantine("attachment", uid, row["chat_id"], BUSY)
                self.items.quarantine_day(NoteKey.of(row).note_day, BUSY)
            elif self._settled(row, entry):
                assert entry is not None
                ledger[uid] = entry
                settled.append(uid)
            else:
                jobs.append((row, attachment, note, entry))
        self.store.release_writes(CLAIM_KIND, self.token, settled)
        return jobs

    def _reconcile(self, jobs: list[Job], ledger: dict[str, AttachmentEntry]) -> list[Job]:
        """Adopt the pending files that are already on their note in Zoho; return the jobs still to upload.

        The check is on the note the entry was pending on, when that is still one of the day's notes; one pending
        on a note that is no longer the day's went to a note that is gone. One list call per note, and only for
        notes that have a pending file.
        """
        by_note: dict[str, list[Job]] = {}
        for job in jobs:
            row, entry = job[0], job[3]
            live = self.day_notes.get(NoteKey.of(row).note_day, set())
            if entry is not None and entry.status == "pending" and entry.note_id in live:
                by_note.setdefault(entry.note_id, []).append(job)
        if not by_note:
            return jobs
        held = {e.attachment_id for e in self.store.attachments_on_notes(list(by_note)) if e.attachment_id}
        resolved: set[str] = set()
        for note_id, pending in by_note.items():
            try:
                in_zoho = self.dest.note_files(note_id)
            except DestinationError as error:  # the files of this note wait; the other notes go on
                for row, attachment, _, entry in pending:
                    assert entry is not None
                    resolved.add(attachment["message_uid"])
                    ledger[entry.message_uid] = self._retry_later(
                        entry, f"could not check the note's files in Zoho ({error.reason})", row["day"],
                        status="pending")
                continue
            adopted = match_pending([job[3] for job in pending if job[3] is not None], in_zoho, held)
            for _, attachment, _, entry in pending:
                uid = attachment["message_uid"]
                if uid in adopted and entry is not None:
                    resolved.add(uid)
                    ledger[uid] = self._finish(replace(entry, attachment_id=adopted[uid], status="done",
                                                       reason=None), "uploaded")
        return [job for job in jobs if job[1]["message_uid"] not in resolved]

    def _upload_all(self, uploads: list[Job]) -> list[AttachmentEntry]:
        """Upload in order, or several at a time when configured; an error stops the uploads not yet started."""
        threads = upload_threads()
        upload = Meter(log, "attachments", len(uploads)).counting(self._upload)
        if threads == 1:
            return [upload(*job) for job in uploads]
        # Each upload is one slow call: overlapping them makes wall time follow latency / threads.
        with ThreadPoolExecutor(max_workers=threads) as pool:
            futures = [pool.submit(upload, *job) for job in uploads]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _upload(self, row: dict[str, Any], attachment: dict[str, Any], note: NoteEntry,
                entry: AttachmentEntry | None) -> AttachmentEntry:
        """Download the file into a spool, write the pending entry with its size, then send it to the note."""
        uid, filename = attachment["message_uid"], attachment.get("filename") or "file"
        fresh = AttachmentEntry(uid, str(row["chat_id"]), str(note.note_id), filename, None, "pending")
        try:
            with self.timelines.open_attachment(uid, attachment.get("url")) as download:
                if (download.size or 0) > self.dest.file_limit:
                    return self._finish(replace(fresh, status="refused", reason=self.dest.too_large(download.size)),
                                        "refused")
                # Spooled so the upload can be resent from the start when Zoho answers 429 or refuses the line.
                with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
                    size = 0
                    for chunk in download.chunks():
                        size += spool.write(chunk)
                        if size > self.dest.file_limit:  # the host declared less, or nothing
                            return self._finish(replace(fresh, status="refused", reason=self.dest.too_large(size)),
                                                "refused")
                    spool.seek(0)
                    pending = replace(fresh, size=size)
                    self.store.put_attachments([pending])
                    return self._send(pending, spool, row["day"])
        except TimelinesAIError as error:
            # Nothing was sent: the file is simply tried again on the next run.
            return self._retry_later(fresh, f"TimelinesAI could not serve the file: {error.message}", row["day"],
                                     status="failed")

    def _send(self, pending: AttachmentEntry, spool: Any, day: str) -> AttachmentEntry:
        """Upload a spooled file whose pending entry is written; an unknown outcome keeps the entry pending."""
        sent = self.dest.attach_file(pending.note_id, pending.filename, spool)
        if sent.failure is Failure.PERMANENT:
            return self._finish(replace(pending, status="refused", reason=sent.reason), "refused")
        if sent.failure is Failure.REFUSED:  # nothing was stored: the next run sends it again
            return self._retry_later(pending, sent.reason, day, status="failed")
        if sent.failure is not None:  # it may be stored: the next run checks the note's files first
            return self._retry_later(pending, sent.reason, day, status="pending")
        return self._finish(replace(pending, attachment_id=sent.id, status="done"), "uploaded")

    def _finish(self, entry: AttachmentEntry, outcome: str) -> AttachmentEntry:
        self.store.put_attachments([entry])
        self.store.release_writes(CLAIM_KIND, self.token, [entry.message_uid])
        self.items.add("attachment", entry.message_uid, outcome, entry.reason)
        self.items.release("attachment", entry.message_uid)
        return entry

    def _retry_later(self, entry: AttachmentEntry, reason: str, day: str, *, status: str) -> AttachmentEntry:
        """Record the file's failure with its reason for the next run; `pending` when it may be in Zoho already."""
        failed = replace(entry, status=status, reason=reason)
        self.store.put_attachments([failed])
        self.store.release_writes(CLAIM_KIND, self.token, [entry.message_uid])
        self.items.add("attachment", entry.message_uid, "failed", reason)
        self.items.quarantine("attachment", entry.message_uid, entry.chat_id, reason)
        self.items.quarantine_day(NoteDay(entry.chat_id, day), reason)
        return failed

    def _list_refusals(self, rows: list[dict[str, Any]], notes: dict[tuple[str, str, int], NoteEntry],
                       ledger: dict[str, AttachmentEntry]) -> None:
        """Rewrite the notes that gained refused files so they list them, in batches of 100."""
        updates = []
        for row in rows:
            note = notes[NoteKey.of(row)]
            content = final_content(row["content"], refusals_for(row, ledger))
            updates.append((replace(note, content_hash=note_hash(note.title, content)), content))
        for batch in chunked(updates, self.dest.batch_size):
            self.store.put_notes([replace(n, status="pending") for n, _ in batch])
            results = self.dest.update_notes([NoteWrite(n.title, c, note_id=n.note_id) for n, c in batch])
            self.store.put_notes([replace(n, status="done") for (n, _), r in zip(batch, results, strict=True) if r.ok])
            for (n, _), result in zip(batch, results, strict=True):
                if not result.ok:
                    self.items.add("note", n.key.item_id, "failed", f"listing refused files: {result.reason}")
