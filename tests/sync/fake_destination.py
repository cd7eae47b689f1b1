"""An in-memory CRM on the loaders' own interface (sync/destination.py), with the faults the loaders must handle.

It keeps records, notes and files, answers in the seam's shapes, and can refuse items, lose the answer to a
call it applied, and lose records a person deleted. Loader tests run against it; the end-to-end tests keep the
Zoho emulator.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import IO

from timelines_zoho.sync.destination import (
    DestinationError,
    Failure,
    FileRef,
    NewRecord,
    NoteRef,
    NoteWrite,
    Outcome,
    RecordRef,
)


@dataclass
class FakeDestination:
    """Satisfies the Destination protocol; `calls` lists (method, items) for every call, in order."""

    batch_size: int = 3
    file_limit: int = 1000
    records: dict[str, RecordRef] = field(default_factory=dict)
    notes: dict[str, tuple[str, NoteRef]] = field(default_factory=dict)  # note id → (record id, note)
    files: dict[str, list[FileRef]] = field(default_factory=dict)
    calls: list[tuple[str, int]] = field(default_factory=list)
    refuse: Callable[[object], str | None] = lambda item: None  # a reason to refuse an item, or None
    lose_answer_of: set[str] = field(default_factory=set)  # methods whose next call is applied, its answer lost
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))

    def too_large(self, size: int) -> str:
        return f"not attached: {size} bytes is over the fake's limit"

    def _new_id(self) -> str:
        return str(next(self._ids))

    def _answer(self, method: str, outcomes: list[Outcome]) -> list[Outcome]:
        if method in self.lose_answer_of:
            self.lose_answer_of.discard(method)
            raise DestinationError(Failure.UNKNOWN, f"fake {method}: the answer was lost")
        return outcomes

    def _write(self, method: str, items: Sequence[object], apply: Callable[[object], Outcome]) -> list[Outcome]:
        self.calls.append((method, len(items)))
        assert len(items) <= self.batch_size, f"{method} got {len(items)} items, over the batch size"
        outcomes = []
        for item in items:
            reason = self.refuse(item)
            outcomes.append(Outcome(failure=Failure.REFUSED, reason=reason) if reason else apply(item))
        return self._answer(method, outcomes)

    # -- what a person does in the CRM -------------------------------------------------------------------

    def add_record(self, phone: str, name: str = "Someone") -> str:
        record_id = self._new_id()
        self.records[record_id] = RecordRef(record_id, (phone,), name, "2026-03-31T10:00:00+00:00")
        return record_id

    def delete_record(self, record_id: str) -> None:
        del self.records[record_id]
        self.notes = {n: (r, note) for n, (r, note) in self.notes.items() if r != record_id}

    def notes_of(self, record_id: str) -> list[NoteRef]:
        return [note for r, note in self.notes.values() if r == record_id]

    # -- the Destination protocol ------------------------------------------------------------------------

    def find_records(self, phone: str) -> list[RecordRef]:
        self.calls.append(("find_records", 1))
        return [r for r in self.records.values() if phone in r.phones]

    def records_changed_since(self, watermark: str | None) -> Iterator[RecordRef]:
        self.calls.append(("records_changed_since", 1))
        return iter([r for r in self.records.values() if watermark is None or (r.modified or "") >= watermark])

    def create_records(self, records: Sequence[NewRecord]) -> list[Outcome]:
        def apply(record: object) -> Outcome:
            assert isinstance(record, NewRecord)
            record_id = self.add_record(record.phone_e164, record.name)
            return Outcome(id=record_id)

        return self._write("create_records", records, apply)

    def rename_records(self, names: Sequence[tuple[str, str]]) -> list[Outcome]:
        def apply(pair: object) -> Outcome:
            record_id, name = pair  # type: ignore[misc]
            self.records[record_id] = replace(self.records[record_id], name=name)
            return Outcome(id=record_id)

        return self._write("rename_records", names, apply)

    def create_notes(self, notes: Sequence[NoteWrite]) -> list[Outcome]:
        def apply(write: object) -> Outcome:
            assert isinstance(write, NoteWrite) and write.record_id
            if write.record_id not in self.records:
                return Outcome(failure=Failure.RECORD_GONE, reason=f"record {write.record_id} is gone")
            note_id = self._new_id()
            self.notes[note_id] = (write.record_id, NoteRef(note_id, write.title, write.content))
            return Outcome(id=note_id)

        return self._write("create_notes", notes, apply)

    def update_notes(self, notes: Sequence[NoteWrite]) -> list[Outcome]:
        def apply(write: object) -> Outcome:
            assert isinstance(write, NoteWrite) and write.note_id
            if write.note_id not in self.notes:
                return Outcome(failure=Failure.NOTE_GONE, reason=f"note {write.note_id} is gone")
            record_id, _ = self.notes[write.note_id]
            self.notes[write.note_id] = (record_id, NoteRef(write.note_id, write.title, write.content))
            return Outcome(id=write.note_id)

        return self._write("update_notes", notes, apply)

    def record_notes(self, record_id: str) -> list[NoteRef]:
        self.calls.append(("record_notes", 1))
        if record_id not in self.records:
            raise DestinationError(Failure.RECORD_GONE, f"record {record_id} is gone")
        return self.notes_of(record_id)

    def note_files(self, note_id: str) -> list[FileRef]:
        self.calls.append(("note_files", 1))
        return list(self.files.get(note_id, []))

    def attach_file(self, note_id: str, filename: str, stream: IO[bytes]) -> Outcome:
        self.calls.append(("attach_file", 1))
        reason = self.refuse(filename)
        if reason:
            return Outcome(failure=Failure.PERMANENT, reason=reason)
        attached = FileRef(self._new_id(), filename, len(stream.read()), f"2026-03-31T10:00:{len(self.files):02d}Z")
        self.files.setdefault(note_id, []).append(attached)
        if "attach_file" in self.lose_answer_of:
            self.lose_answer_of.discard("attach_file")
            return Outcome(failure=Failure.UNKNOWN, reason="fake attach_file: the answer was lost")
        return Outcome(id=attached.id)
