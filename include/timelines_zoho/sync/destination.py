"""The CRM as the loaders see it: a small interface and the sync's own shapes, with no vendor JSON in them.

The loaders find records by phone, create and rename records, create and update notes, attach files, and list
what is there to reconcile an unknown outcome. An implementation (hooks/zoho_destination.py for Zoho CRM) owns
every field name, error code and query of its vendor and answers in these shapes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Protocol, TypeVar

T = TypeVar("T")


class Failure(enum.Enum):
    """Why a write or a read did not give what was asked; the loaders decide what each kind means for the item."""

    REFUSED = "refused"  # answered and turned down: nothing was stored, a later try may succeed
    PERMANENT = "permanent"  # answered and turned down for good: sending it again can never succeed
    UNKNOWN = "unknown"  # sent, and no readable answer came back: it may have been applied
    RECORD_GONE = "record_gone"  # the record the write or read is about was deleted
    NOTE_GONE = "note_gone"  # the note an update is about was deleted
    UNAVAILABLE = "unavailable"  # a read could not be answered now


@dataclass(frozen=True)
class Outcome:
    """What the destination answered for one item of a write: its id, or the kind of failure and why."""

    id: str | None = None
    failure: Failure | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.failure is None


class DestinationError(Exception):
    """A whole call failed: a batch refused or of unknown outcome, a listing that cannot be read."""

    def __init__(self, failure: Failure, reason: str) -> None:
        self.failure, self.reason = failure, reason
        super().__init__(reason)


@dataclass(frozen=True)
class RecordRef:
    """A record as the phone index keeps it: its phones as the CRM holds them, its name and last change."""

    id: str
    phones: tuple[str, ...] = ()
    name: str | None = None
    modified: str | None = None


@dataclass(frozen=True)
class NewRecord:
    """A contact to create from a chat; each field is the contact row's column of the same name.

    A new mapped field whose value the contact rows already carry is one line here; its CRM field name is the
    implementation's (ZohoDestination._record_fields) and the settings'.
    """

    name: str
    phone_e164: str
    chat_url: str
    owner_email: str | None = None


@dataclass(frozen=True)
class NoteRef:
    """A note as listed under its record."""

    id: str
    title: str | None
    content: str


@dataclass(frozen=True)
class NoteWrite:
    """A note to create under `record_id`, or (with `note_id`) to update."""

    title: str
    content: str
    record_id: str | None = None
    note_id: str | None = None


@dataclass(frozen=True)
class FileRef:
    """A file attached to a note: its name, size when known, and when it was attached (for oldest-first order)."""

    id: str
    name: str | None
    size: int | None
    created: str = ""


class Destination(Protocol):
    """What the loaders need from a CRM. Batch writes answer one Outcome per item, in input order."""

    batch_size: int
    file_limit: int  # the largest file a note takes, in bytes

    def too_large(self, size: int) -> str:
        """Say why a file of `size` bytes is not attached."""

    def find_records(self, phone: str) -> list[RecordRef]:
        """Records whose phone fields hold this phone (the CRM's own search, not the index)."""

    def records_changed_since(self, watermark: str | None) -> Iterator[RecordRef]:
        """Every record changed at or after `watermark` (all of them when None), for the phone index."""

    def create_records(self, records: Sequence[NewRecord]) -> list[Outcome]:
        """Create records; raises DestinationError (REFUSED or UNKNOWN) when the whole batch failed."""

    def rename_records(self, names: Sequence[tuple[str, str]]) -> list[Outcome]:
        """Write (record id, name) pairs; raises DestinationError(UNKNOWN) when the answer was lost."""

    def create_notes(self, notes: Sequence[NoteWrite]) -> list[Outcome]:
        """Create notes; an item's RECORD_GONE says its record was deleted."""

    def update_notes(self, notes: Sequence[NoteWrite]) -> list[Outcome]:
        """Update notes; an item's NOTE_GONE says the note was deleted."""

    def record_notes(self, record_id: str) -> list[NoteRef]:
        """The notes of a record; raises DestinationError(RECORD_GONE) when the record was deleted."""

    def note_files(self, note_id: str) -> list[FileRef]:
        """The files attached to a note; raises DestinationError(UNAVAILABLE) when they cannot be listed."""

    def attach_file(self, note_id: str, filename: str, stream: IO[bytes]) -> Outcome:
        """Attach one file to a note: REFUSED stored nothing, PERMANENT never will, UNKNOWN may have stored it."""


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Split a batch write into the destination's batch size."""
    for start in range(0, len(items), size):
        yield list(items[start:start + size])
