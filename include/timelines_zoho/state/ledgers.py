"""Note and attachment ledgers (pending until Zoho answered) and the quarantine of items to retry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, select, tuple_

from timelines_zoho.state.base import StoreBase, chunks
from timelines_zoho.state.claims import WriteClaimsMixin
from timelines_zoho.state.contacts import ContactsMixin
from timelines_zoho.state.keys import NoteDay, NoteKey
from timelines_zoho.state.models import AttachmentLedgerRow, NoteLedgerRow, QuarantineRow
from timelines_zoho.state.times import utcnow

T = TypeVar("T")


@dataclass(frozen=True)
class NoteEntry:
    """The ledger's view of one (chat, day, part) note; status is "pending" or "done"."""

    chat_id: str
    day: str
    part: int
    record_id: str
    title: str
    note_id: str | None
    content_hash: str
    status: str

    @property
    def key(self) -> NoteKey:
        return NoteKey(self.chat_id, self.day, self.part)


@dataclass(frozen=True)
class AttachmentEntry:
    """The ledger's view of one message's file; status is "pending", "done" or "refused"."""

    message_uid: str
    chat_id: str
    note_id: str
    filename: str
    attachment_id: str | None
    status: str
    reason: str | None = None
    size: int | None = None  # bytes sent, known from the pending entry on: matched against Zoho's Size


@dataclass(frozen=True)
class QuarantinedItem:
    """An item to retry on a later run, with why it failed."""

    item_kind: str
    item_id: str
    chat_id: str | None
    reason: str
    attempts: int

    @property
    def note_day(self) -> NoteDay:
        """The chat-day a quarantined note stands for (only for kind "note")."""
        return NoteDay.parse(self.item_id)


class LedgerMixin(WriteClaimsMixin, ContactsMixin, StoreBase):
    """Notes, attachments, their write claims, and quarantine."""

    def notes(self, keys: list[NoteKey]) -> dict[NoteKey, NoteEntry]:
        """Return the ledger entries of these (chat, day, part) keys that exist."""
        out: dict[NoteKey, NoteEntry] = {}
        cols = tuple_(NoteLedgerRow.chat_id, NoteLedgerRow.day, NoteLedgerRow.part)
        with self.session() as session:
            for part in chunks(sorted(set(keys)), 300):
                for row in session.scalars(select(NoteLedgerRow).where(cols.in_(list(part)))):
                    entry = _note_entry(row)
                    out[entry.key] = entry
        return out

    def _where_in(self, column: Any, values: list[str], entry: Callable[[Any], T]) -> list[T]:
        """Return the entries of the rows whose `column` is one of `values` (IN lists of bounded size)."""
        with self.session() as session:
            return [entry(row) for part in chunks(sorted(set(values)))
                    for row in session.scalars(select(column.class_).where(column.in_(part)))]

    def notes_of_chats(self, chat_ids: list[str]) -> list[NoteEntry]:
        """Return every ledger entry of these chats."""
        return self._where_in(NoteLedgerRow.chat_id, chat_ids, _note_entry)

    def pending_notes(self) -> list[NoteEntry]:
        """Return entries whose write was started but not confirmed (a crash in between)."""
        with self.session() as session:
            return [_note_entry(r) for r in session.scalars(
                select(NoteLedgerRow).where(NoteLedgerRow.status == "pending")
            )]

    def put_notes(self, entries: list[NoteEntry]) -> None:
        """Write a batch of ledger entries in one transaction."""
        now = utcnow()
        with self.session() as session:
            self._upsert(
                session, NoteLedgerRow.__table__, ({**asdict(e), "updated_at": now} for e in entries),
                ["chat_id", "day", "part"],
            )

    def attachments(self, uids: list[str]) -> dict[str, AttachmentEntry]:
        """Return the ledger entries of these message uids that exist."""
        out: dict[str, AttachmentEntry] = {}
        with self.session() as session:
            for part in chunks(sorted(set(uids))):
                for row in session.scalars(
                    select(AttachmentLedgerRow).where(AttachmentLedgerRow.message_uid.in_(part))
                ):
                    out[row.message_uid] = _attachment_entry(row)
        return out

    def attachments_on_notes(self, note_ids: list[str]) -> list[AttachmentEntry]:
        """Return every ledger entry on these Zoho notes (the files the ledger already holds there)."""
        return self._where_in(AttachmentLedgerRow.note_id, note_ids, _attachment_entry)

    def put_attachments(self, entries: list[AttachmentEntry]) -> None:
        """Write a batch of attachment ledger entries in one transaction."""
        now = utcnow()
        with self.session() as session:
            self._upsert(
                session, AttachmentLedgerRow.__table__, ({**asdict(e), "updated_at": now} for e in entries),
                ["message_uid"],
            )

    def quarantine(self, items: list[tuple[str, str, str | None, str]]) -> None:
        """Put (kind, id, chat id, reason) items aside for a later run, counting attempts."""
        now = utcnow()
        with self.session() as session:
            for kind, item_id, chat_id, reason in items:
                row = session.get(QuarantineRow, (kind, item_id))
                if row is None:
                    session.add(QuarantineRow(
                        item_kind=kind, item_id=item_id, chat_id=chat_id, reason=reason, attempts=1,
                        first_seen=now, last_seen=now,
                    ))
                else:
                    row.reason, row.last_seen, row.attempts = reason, now, row.attempts + 1

    def release(self, kind: str, item_ids: list[str]) -> None:
        """Take items out of the quarantine (they succeeded)."""
        with self.session() as session:
            for part in chunks(sorted(set(item_ids))):
                session.execute(
                    delete(QuarantineRow).where(QuarantineRow.item_kind == kind, QuarantineRow.item_id.in_(part))
                )

    def quarantined(self, kind: str | None = None) -> list[QuarantinedItem]:
        """Return the quarantined items, optionally of one kind."""
        query = select(QuarantineRow).order_by(QuarantineRow.item_kind, QuarantineRow.item_id)
        if kind is not None:
            query = query.where(QuarantineRow.item_kind == kind)
        with self.session() as session:
            return [
                QuarantinedItem(r.item_kind, r.item_id, r.chat_id, r.reason, r.attempts)
                for r in session.scalars(query)
            ]


def _note_entry(row: NoteLedgerRow) -> NoteEntry:
    return NoteEntry(
        row.chat_id, row.day, row.part, row.record_id, row.title, row.note_id, row.content_hash, row.status
    )


def _attachment_entry(row: AttachmentLedgerRow) -> AttachmentEntry:
    return AttachmentEntry(
        row.message_uid, row.chat_id, row.note_id, row.filename, row.attachment_id, row.status, row.reason, row.size
    )
