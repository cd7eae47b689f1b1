"""Attachments: stream each message's file from TimelinesAI to its day's note in Zoho, once.

A file over Zoho's 20 MB note-attachment limit (by the download's Content-Length, or Zoho's own refusal) is not
uploaded: it is recorded as refused, and the note is updated to list it with the reason. A pending entry (a
crash during an upload) is reconciled against the note's attachments, by file name, before uploading again.

Which failures are retried is decided by Zoho's error code:

- Permanent: Zoho refuses the file itself (413 or a size code; `INVALID_DATA`, `NOT_SUPPORTED` or `NOT_ALLOWED`
  whose details name the `file` part, e.g. an `.exe`). Sending it again can never succeed, so it is recorded
  once as refused with Zoho's reason, listed in the note and the run summary, and never uploaded again.
- Transient: anything else (429, 5xx, credits, auth, permissions, a TimelinesAI download error). The file is
  quarantined and retried on the next run (the quarantine counts the attempts), never twice in one run.

Each upload is claimed in the state store first (one claim per message uid, decided by the database), so a run
overlapping another (a backfill racing a scheduled run) defers the files the other is uploading instead of
uploading them twice. A claim left by a stopped run is taken over after its lease, and the note's attachments
are checked before uploading.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pandas as pd

from timelines_zoho.hooks.errors import TimelinesAIError, ZohoAPIError
from timelines_zoho.hooks.queries import chunked
from timelines_zoho.state import AttachmentEntry, NoteEntry, StateStore
from timelines_zoho.sync.items import Items
from timelines_zoho.sync.note_content import final_content, note_hash, note_item_id, refusals_for

log = logging.getLogger(__name__)

ZOHO_NOTE_FILE_LIMIT = 20 * 1024 * 1024
UPLOAD_THREADS = "TIMELINES_ZOHO_UPLOAD_THREADS"
SPOOL_IN_MEMORY = 1024 * 1024  # larger files spill to a temporary file
TOO_LARGE_CODES = {"FILE_SIZE_EXCEEDS", "FILE_SIZE_MORE_THAN_ALLOWED_SIZE", "BODY_SIZE_REACHED"}
# Codes that blame the request's content; they are permanent only when the details name the file part.
FILE_REFUSAL_CODES = {"INVALID_DATA", "NOT_SUPPORTED", "NOT_ALLOWED"}
CLAIM_KIND = "attachment"
BUSY = "another run is uploading this file right now; retried on the next run"


def upload_threads() -> int:
    """Uploads in flight per task: 1 unless set; keep threads × zoho_api pool slots within Zoho's concurrency."""
    return max(1, int(os.environ.get(UPLOAD_THREADS) or 1))


def too_large(size: int) -> str:
    """Say why a file of `size` bytes is not attached."""
    return f"not attached: {size / 1024 / 1024:.1f} MB is over Zoho's 20 MB limit for note attachments"


def permanent_refusal(error: ZohoAPIError) -> str | None:
    """Say why Zoho will never take this file, or None when the error is transient and worth a later retry."""
    if error.status == 413 or error.code in TOO_LARGE_CODES:
        return f"not attached: Zoho refused it as too large ({error.code})"
    # The code alone is not enough: INVALID_DATA also means a deleted note (details name the id), which may recover.
    if error.code in FILE_REFUSAL_CODES and error.details.get("param_name") == "file":
        return f"not attached: Zoho refused the file ({error.code}: {error.message})"
    return None


class AttachmentLoader:
    """Upload one shard's attachments for one run."""

    def __init__(self, timelines: Any, zoho: Any, store: StateStore, module: str, items: Items,
                 *, token: str | None = None, dry_run: bool = False) -> None:
        self.timelines, self.zoho, self.store, self.module = timelines, zoho, store, module
        self.items, self.dry_run = items, dry_run
        self.token = token or uuid.uuid4().hex

    def load(self, bundles: pd.DataFrame) -> None:
        """Upload every file not uploaded yet, then list refused files in their notes."""
        rows = [r for r in bundles.to_dict(orient="records") if r.get("attachments")]
        notes = self.store.notes([(str(r["chat_id"]), r["day"], int(r["part"])) for r in rows])
        ledger = self.store.attachments([a["message_uid"] for r in rows for a in r["attachments"]])
        refused_before = [len(refusals_for(row, ledger)) for row in rows]
        uploads: list[tuple[dict[str, Any], dict[str, Any], NoteEntry]] = []
        for row in rows:
            note = notes.get((str(row["chat_id"]), row["day"], int(row["part"])))
            for attachment in row["attachments"]:
                entry = ledger.get(attachment["message_uid"])
                if entry is not None and entry.status in ("done", "refused"):
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
            finished = self._upload_all(jobs)
        except BaseException:
            # Give the rest back at once rather than after the lease: a pending entry makes the next run check Zoho.
            self.store.release_writes(CLAIM_KIND, self.token, [job[1]["message_uid"] for job in jobs])
            raise
        for (_, attachment, *_), done in zip(jobs, finished, strict=True):
            ledger[attachment["message_uid"]] = done
        newly_refused = [
            row for row, before in zip(rows, refused_before, strict=True)
            if (str(row["chat_id"]), row["day"], int(row["part"])) in notes and len(refusals_for(row, ledger)) > before
        ]
        self._list_refusals(newly_refused, notes, ledger)

    def _claim(self, uploads: list[tuple[dict[str, Any], dict[str, Any], NoteEntry]],
               ledger: dict[str, AttachmentEntry]) -> list[tuple[Any, ...]]:
        """Claim the uploads; return the jobs this run owns, each with its ledger entry read after the claim."""
        if not uploads:
            return []
        uids = [attachment["message_uid"] for _, attachment, _ in uploads]
        claims = self.store.claim_writes(CLAIM_KIND, self.token, uids)
        # Read again after winning: a run that finished just before may have written the file already.
        current = self.store.attachments([uid for uid in uids if claims.get(uid) != "busy"])
        jobs, settled = [], []
        for row, attachment, note in uploads:
            uid = attachment["message_uid"]
            entry = current.get(uid)
            if claims.get(uid) == "busy":
                self.items.add("attachment", uid, "deferred", BUSY)
                self.items.quarantine("attachment", uid, row["chat_id"], BUSY)
                self.items.quarantine("note", f"{row['chat_id']}/{row['day']}", row["chat_id"], BUSY)
            elif entry is not None and entry.status in ("done", "refused"):
                ledger[uid] = entry
                settled.append(uid)
            else:
                jobs.append((row, attachment, note, entry, claims.get(uid) == "reclaimed"))
        self.store.release_writes(CLAIM_KIND, self.token, settled)
        return jobs

    def _upload_all(self, uploads: list[tuple[Any, ...]]) -> list[AttachmentEntry]:
        """Upload in order, or several at a time when configured; an error stops the uploads not yet started."""
        threads = upload_threads()
        if threads == 1:
            return [self._upload(*job) for job in uploads]
        # Each upload is one slow call: overlapping them makes wall time follow latency / threads.
        with ThreadPoolExecutor(max_workers=threads) as pool:
            futures = [pool.submit(self._upload, *job) for job in uploads]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _upload(self, row: dict[str, Any], attachment: dict[str, Any], note: NoteEntry,
                entry: AttachmentEntry | None, reclaimed: bool) -> AttachmentEntry:
        uid, filename = attachment["message_uid"], attachment.get("filename") or "file"
        pending = AttachmentEntry(uid, str(row["chat_id"]), str(note.note_id), filename, None, "pending")
        # A pending entry or a claim taken from a stopped run: that run may have uploaded the file already.
        if reclaimed or (entry is not None and entry.status == "pending"):
            existing = self._already_attached(pending)
            if existing:
                return self._finish(replace(pending, attachment_id=existing, status="done"), "uploaded")
        self.store.put_attachments([pending])
        try:
            with self.timelines.open_attachment(uid, attachment.get("url")) as response:
                size = int(response.headers.get("Content-Length") or 0)
                if size > ZOHO_NOTE_FILE_LIMIT:
                    return self._finish(replace(pending, status="refused", reason=too_large(size)), "refused")
                # Spooled so the upload can be resent from the start when Zoho answers 5xx/429 or drops the line.
                with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
                    shutil.copyfileobj(getattr(response, "raw", response), spool)
                    spool.seek(0)
                    attachment_id = self.zoho.upload_attachment("Notes", str(note.note_id), filename, spool)
        except TimelinesAIError as error:
            return self._retry_later(pending, f"TimelinesAI could not serve the file: {error.message}", row["day"])
        except ZohoAPIError as error:
            reason = permanent_refusal(error)
            if reason is not None:
                return self._finish(replace(pending, status="refused", reason=reason), "refused")
            return self._retry_later(pending, f"Zoho error {error.code}: {error.message}", row["day"])
        return self._finish(replace(pending, attachment_id=attachment_id, status="done"), "uploaded")

    def _already_attached(self, entry: AttachmentEntry) -> str | None:
        for found in self.zoho.list_attachments("Notes", entry.note_id):
            if found.get("File_Name") == entry.filename:
                return str(found["id"])
        return None

    def _finish(self, entry: AttachmentEntry, outcome: str) -> AttachmentEntry:
        self.store.put_attachments([entry])
        self.store.release_writes(CLAIM_KIND, self.token, [entry.message_uid])
        self.items.add("attachment", entry.message_uid, outcome, entry.reason)
        self.items.release("attachment", entry.message_uid)
        return entry

    def _retry_later(self, entry: AttachmentEntry, reason: str, day: str) -> AttachmentEntry:
        failed = replace(entry, status="failed", reason=reason)
        self.store.put_attachments([failed])
        self.store.release_writes(CLAIM_KIND, self.token, [entry.message_uid])
        self.items.add("attachment", entry.message_uid, "failed", reason)
        self.items.quarantine("attachment", entry.message_uid, entry.chat_id, reason)
        self.items.quarantine("note", f"{entry.chat_id}/{day}", entry.chat_id, reason)
        return failed

    def _list_refusals(self, rows: list[dict[str, Any]], notes: dict[tuple[str, str, int], NoteEntry],
                       ledger: dict[str, AttachmentEntry]) -> None:
        """Rewrite the notes that gained refused files so they list them, in batches of 100."""
        updates = []
        for row in rows:
            note = notes[(str(row["chat_id"]), row["day"], int(row["part"]))]
            content = final_content(row["content"], refusals_for(row, ledger))
            updates.append((replace(note, content_hash=note_hash(row["title"], content)), content))
        for _, batch in chunked(updates):
            self.store.put_notes([replace(n, status="pending") for n, _ in batch])
            results = self.zoho.update_notes(
                [{"id": n.note_id, "Note_Title": n.title, "Note_Content": c} for n, c in batch]
            )
            self.store.put_notes([replace(n, status="done") for (n, _), r in zip(batch, results, strict=True) if r.ok])
            for (n, _), result in zip(batch, results, strict=True):
                if not result.ok:
                    self.items.add("note", note_item_id(*n.key), "failed", f"listing refused files: {result.message}")
