"""Load notes: one per (chat, day, part), created or updated in batches of 100; an unchanged hash costs no call.

The ledger entry is written as pending before each batch and as done after it. A pending entry without a note
id (a crash between Zoho's answer and our write) is reconciled against the record's notes before anything is
created again. The match is exact for (chat, day, part): the title (day and part) and the note's first line, the
chat's TimelinesAI URL. The title alone is not unique: one person writing to two of our numbers on one day gives
two chats, one record and two notes with the same title (the product fixes the title format). A Zoho note is
adopted by one entry at most.

A note Zoho refuses (a validation rule, a missing field) is marked failed and quarantined: it is not sent again
in the same run, and each later run retries it once (the quarantine counts the attempts), since it succeeds as
soon as the user fixes Zoho's configuration.

A write whose answer was lost (a reset or timeout after sending, an unreadable 200) may have been applied: the
entry stays pending, the note is deferred, and the next run reconciles it against the record's notes as after a
crash. A note a person deleted in Zoho (the destination answers NOTE_GONE to its update) is created again at once
and reported as recreated. A record deleted in Zoho (RECORD_GONE) is forgotten, so the chat is matched again.

Creating a note is claimed in the state store first (one claim per (chat, day, part), decided by the database):
a run overlapping another defers the notes the other is creating, and reads the ledger again after winning a
claim, so two runs never create the same note.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

import pandas as pd

from timelines_zoho.state import NoteEntry, NoteKey, StateStore
from timelines_zoho.sync.destination import Destination, DestinationError, Failure, NoteWrite, chunked
from timelines_zoho.sync.items import Items
from timelines_zoho.sync.naming import note_title
from timelines_zoho.sync.note_content import final_content, note_hash, refusals_for
from timelines_zoho.sync.progress import Meter

log = logging.getLogger(__name__)
CLAIM_KIND = "note"
BUSY = "another run is writing this note right now; retried on the next run"
UNCONFIRMED = "; matched against the record's notes before the next try"
RECORD_GONE = ("its Zoho record {} was deleted in Zoho; the next run matches the chat again by phone (or creates "
               "its contact again) and writes the note there")


class NoteLoader:
    """Write one shard's note bundles for one run."""

    def __init__(self, destination: Destination, store: StateStore, items: Items, *, token: str | None = None,
                 dry_run: bool = False) -> None:
        self.dest, self.store, self.items, self.dry_run = destination, store, items, dry_run
        self.token = token or uuid.uuid4().hex

    def load(self, bundles: pd.DataFrame) -> None:
        """Create, update or skip each bundle's note, recording every outcome."""
        rows = bundles.to_dict(orient="records")
        links = self.store.links([str(r["chat_id"]) for r in rows])
        deferred = {q.item_id for q in self.store.quarantined("chat")}
        uids = [a["message_uid"] for r in rows for a in r.get("attachments") or []]
        files = self.store.attachments(uids)
        ledger = self.store.notes([NoteKey.of(r) for r in rows])
        in_zoho = self.store.index_records([link.record_id for link in links.values()])
        to_claim: list[NoteEntry] = []
        updates: list[NoteEntry] = []
        contents: dict[NoteKey, str] = {}
        for row in rows:
            key = NoteKey.of(row)
            link = links.get(key.chat_id)
            if link is None:
                reason = "the chat has no Zoho record (see the chat's contact outcome)"
                self.items.add("note", key.item_id, "skipped", reason)
                if key.chat_id in deferred:
                    self.items.quarantine_day(key.note_day, reason)
                continue
            content = final_content(row["content"], refusals_for(row, files))
            record = in_zoho.get(link.record_id)
            title = note_title(row["title"], record and record.name, key.day, key.part, int(row["parts"]))
            wanted = NoteEntry(key.chat_id, key.day, key.part, link.record_id, title, None,
                               note_hash(title, content), "pending")
            contents[key] = content
            entry = ledger.get(key)
            if entry is None or entry.note_id is None or entry.status == "failed":
                to_claim.append(wanted)
            else:
                self._classify(wanted, entry, [], [], updates)
        if self.dry_run:
            creates, unconfirmed = self._sort_by_ledger(to_claim, ledger, updates)
            found, missing = self._reconcile(unconfirmed, contents)
            for entry in creates + missing:
                self.items.add("note", entry.key.item_id, "would_create")
            for entry in updates + found:
                self.items.add("note", entry.key.item_id, "would_update")
            return
        keys = [e.key.item_id for e in to_claim]
        try:
            creates, unconfirmed = self._claim(to_claim, updates)
            found, missing = self._reconcile(unconfirmed, contents)
            write = Meter(log, "notes", len(creates + missing + updates + found)).counting(self._write, size=len)
            for batch in chunked(creates + missing, self.dest.batch_size):
                write(batch, contents, create=True)
            for batch in chunked(updates + found, self.dest.batch_size):
                write(batch, contents, create=False)
        finally:
            # The ledger now holds each outcome (a pending entry without an id makes the next run look in Zoho).
            self.store.release_writes(CLAIM_KIND, self.token, keys)

    def _classify(self, wanted: NoteEntry, entry: NoteEntry | None, creates: list[NoteEntry],
                  unconfirmed: list[NoteEntry], updates: list[NoteEntry]) -> None:
        """Sort one note by its ledger entry: create, reconcile, leave unchanged, or update."""
        if entry is None or entry.status == "failed":
            creates.append(wanted)
        elif entry.note_id is None:
            unconfirmed.append(wanted)
        elif entry.status == "done" and entry.content_hash == wanted.content_hash:
            self.items.add("note", wanted.key.item_id, "unchanged")
            self.items.release_day(wanted.key.note_day)
        else:
            updates.append(replace(wanted, note_id=entry.note_id))

    def _sort_by_ledger(self, wanted: list[NoteEntry], ledger: dict[NoteKey, NoteEntry],
                        updates: list[NoteEntry]) -> tuple[list[NoteEntry], list[NoteEntry]]:
        """Sort notes by their ledger entries (a dry run writes nothing, so it sorts without claiming)."""
        creates: list[NoteEntry] = []
        unconfirmed: list[NoteEntry] = []
        for entry in wanted:
            self._classify(entry, ledger.get(entry.key), creates, unconfirmed, updates)
        return creates, unconfirmed

    def _claim(self, wanted: list[NoteEntry], updates: list[NoteEntry]) -> tuple[list[NoteEntry], list[NoteEntry]]:
        """Claim the notes to create; sort the ones won by the ledger read after the claim, defer the rest."""
        claims = self.store.claim_writes(CLAIM_KIND, self.token, [e.key.item_id for e in wanted])
        won = [e for e in wanted if claims.get(e.key.item_id) != "busy"]
        # Read again after winning: a run that finished just before may have created the note already.
        ledger = self.store.notes([e.key for e in won])
        self._defer([e for e in wanted if claims.get(e.key.item_id) == "busy"], BUSY)
        return self._sort_by_ledger(won, ledger, updates)

    def _reconcile(self, entries: list[NoteEntry], contents: dict[NoteKey, str]
                   ) -> tuple[list[NoteEntry], list[NoteEntry]]:
        """Find notes Zoho created although we never recorded their ids (by title and chat URL line)."""
        found, missing = [], []
        by_record: dict[str, list[NoteEntry]] = {}
        for entry in entries:
            by_record.setdefault(entry.record_id, []).append(entry)
        for record_id, waiting in by_record.items():
            notes: dict[tuple[str | None, str], list[str]] = {}
            try:
                listed = self.dest.record_notes(record_id)
            except DestinationError as error:
                if error.failure is not Failure.RECORD_GONE:
                    raise
                self._record_gone(record_id, waiting)
                continue
            for note in listed:
                notes.setdefault((note.title, _chat_line(note.content)), []).append(note.id)
            for entry in waiting:
                same = notes.get((entry.title, _chat_line(contents[entry.key]))) or []
                note_id = same.pop(0) if same else None
                (found if note_id else missing).append(replace(entry, note_id=note_id))
        if entries:
            log.info("reconciled %d unconfirmed notes: %d found in Zoho", len(entries), len(found))
        return found, missing

    def _write(self, batch: list[NoteEntry], contents: dict[NoteKey, str], *, create: bool,
               outcome: str | None = None) -> None:
        self.store.put_notes(batch)
        writes = [NoteWrite(e.title, contents[e.key], record_id=e.record_id, note_id=e.note_id) for e in batch]
        try:
            results = self.dest.create_notes(writes) if create else self.dest.update_notes(writes)
        except DestinationError as error:
            if error.failure is Failure.UNKNOWN:
                # The ledger keeps each entry pending (a create without its id): nothing is sent again blind.
                self._defer(batch, f"{error.reason}{UNCONFIRMED}")
            else:
                self._fail(batch, error.reason, create)
            return
        done, failed, gone, orphans = [], [], [], []
        for entry, result in zip(batch, results, strict=True):
            if result.ok:
                done.append(replace(entry, note_id=entry.note_id or result.id, status="done"))
            elif not create and result.failure is Failure.NOTE_GONE:
                gone.append(replace(entry, note_id=None, status="pending"))
            elif create and result.failure is Failure.RECORD_GONE:
                orphans.append(entry)
            else:
                failed.append((entry, result.reason))
        for record_id in sorted({e.record_id for e in orphans}):
            self._record_gone(record_id, [e for e in orphans if e.record_id == record_id])
        self.store.put_notes(done)
        for entry in done:
            self.items.add("note", entry.key.item_id, outcome or ("created" if create else "updated"))
            self.items.release_day(entry.key.note_day)
        for entry, reason in failed:
            self._fail([entry], reason, create)
        if gone:
            self._recreate(gone, contents)

    def _recreate(self, gone: list[NoteEntry], contents: dict[NoteKey, str]) -> None:
        """Create again the notes a person deleted in Zoho, under a claim like any creation."""
        log.info("%d notes were deleted in Zoho; creating them again", len(gone))
        keys = [e.key.item_id for e in gone]
        claims = self.store.claim_writes(CLAIM_KIND, self.token, keys)
        mine = [e for e in gone if claims.get(e.key.item_id) != "busy"]
        self._defer([e for e in gone if claims.get(e.key.item_id) == "busy"], BUSY)
        try:
            for batch in chunked(mine, self.dest.batch_size):
                self._write(batch, contents, create=True, outcome="recreated")
        finally:
            self.store.release_writes(CLAIM_KIND, self.token, keys)

    def _record_gone(self, record_id: str, entries: list[NoteEntry]) -> None:
        """The chat's record was deleted in Zoho: forget it, so the next run links or creates the contact anew."""
        log.info("record %s was deleted in Zoho; its chats are matched again on the next run", record_id)
        with self.store.batch():
            self.store.forget_record(record_id)
            self.store.delete_index_records([record_id])  # its phones must not match the deleted record again
            self.store.put_notes([replace(e, note_id=None, status="failed") for e in entries])  # created anew
        self._defer(entries, RECORD_GONE.format(record_id))

    def _defer(self, entries: list[NoteEntry], reason: str) -> None:
        for entry in entries:
            self.items.add("note", entry.key.item_id, "deferred", reason)
            self.items.quarantine_day(entry.key.note_day, reason)

    def _fail(self, entries: list[NoteEntry], reason: str, create: bool) -> None:
        if create:
            # Zoho answered: nothing was created, so the next try creates (no reconciliation needed).
            self.store.put_notes([replace(e, status="failed") for e in entries])
        for entry in entries:
            self.items.add("note", entry.key.item_id, "failed", reason)
            self.items.quarantine_day(entry.key.note_day, reason)


def _chat_line(content: str) -> str:
    """Return a note's first line: the transform starts every note with its chat's TimelinesAI URL."""
    return content.partition("\n")[0]
