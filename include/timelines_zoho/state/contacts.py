"""Chat → record links and the contact-creation claims that stop two processes creating the same phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, select, update

from timelines_zoho.state.base import StoreBase, chunks
from timelines_zoho.state.models import AttachmentLedgerRow, ChatLinkRow, ContactClaimRow, NoteLedgerRow
from timelines_zoho.state.times import utcnow

CLAIM_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class ChatLink:
    """A chat's Zoho record and the name we last wrote there (None when we never wrote the name)."""

    chat_id: str
    record_id: str
    phone_e164: str
    written_name: str | None
    how: str  # "created" or "linked"


@dataclass(frozen=True)
class Claim:
    """The state of one phone's creation claim, as seen by the caller holding `token`.

    status: "fresh" (ours, nothing was tried before: create), "reclaimed" (ours, taken over from a holder that
    stopped: search Zoho before creating), "done" (a record exists: link it), "busy" (another live holder).
    """

    phone_e164: str
    status: str
    record_id: str | None


class ContactsMixin(StoreBase):
    """Links and claims."""

    def links(self, chat_ids: list[str]) -> dict[str, ChatLink]:
        """Return the links of these chats that exist."""
        out: dict[str, ChatLink] = {}
        with self.session() as session:
            for part in chunks(sorted(set(chat_ids))):
                for row in session.scalars(select(ChatLinkRow).where(ChatLinkRow.chat_id.in_(part))):
                    out[row.chat_id] = ChatLink(row.chat_id, row.record_id, row.phone_e164, row.written_name, row.how)
        return out

    def save_links(self, links: list[ChatLink]) -> None:
        """Insert or replace chat links in one transaction."""
        now = utcnow()
        with self.session() as session:
            self._upsert(
                session,
                ChatLinkRow.__table__,
                (
                    {"chat_id": x.chat_id, "record_id": x.record_id, "phone_e164": x.phone_e164,
                     "written_name": x.written_name, "how": x.how, "updated_at": now}
                    for x in links
                ),
                ["chat_id"],
            )

    def claim_phones(
        self, token: str, wanted: dict[str, str], lease: timedelta | None = None
    ) -> dict[str, Claim]:
        """Claim the creation of a contact for each phone (phone → chat id); the database decides the winner.

        A claim without a record that is older than `lease` (default CLAIM_LEASE) belongs to a stopped run.
        """
        now = utcnow()
        lease = CLAIM_LEASE if lease is None else lease
        phones = sorted(wanted)
        with self.session() as session:
            self._insert_new(
                session, ContactClaimRow.__table__,
                [{"phone_e164": p, "owner": token, "chat_id": wanted[p], "claimed_at": now} for p in phones],
                ["phone_e164"],
            )
        claims: dict[str, Claim] = {}
        for row in self._claim_rows(phones):
            if row.record_id:
                claims[row.phone_e164] = Claim(row.phone_e164, "done", row.record_id)
            elif row.owner == token:
                claims[row.phone_e164] = Claim(row.phone_e164, "fresh", None)
            elif self._take_over(row, token, now - lease):
                claims[row.phone_e164] = Claim(row.phone_e164, "reclaimed", None)
            else:
                claims[row.phone_e164] = Claim(row.phone_e164, "busy", None)
        return claims

    def claimed_phones(self, phones: list[str]) -> dict[str, str | None]:
        """Return the phones a run started creating a contact for, each with its record id once recorded."""
        return {row.phone_e164: row.record_id for row in self._claim_rows(sorted(set(phones)))}

    def _claim_rows(self, phones: list[str]) -> list[ContactClaimRow]:
        with self.session() as session:
            rows: list[ContactClaimRow] = []
            for part in chunks(phones):
                rows.extend(session.scalars(select(ContactClaimRow).where(ContactClaimRow.phone_e164.in_(part))))
            return rows

    def _take_over(self, row: ContactClaimRow, token: str, stale_before: object) -> bool:
        """Take over a claim whose holder stopped; the conditional UPDATE lets only one taker win."""
        with self.session() as session:
            result = session.execute(
                update(ContactClaimRow)
                .where(
                    ContactClaimRow.phone_e164 == row.phone_e164,
                    ContactClaimRow.owner == row.owner,
                    ContactClaimRow.record_id.is_(None),
                    ContactClaimRow.claimed_at < stale_before,
                )
                .values(owner=token, claimed_at=utcnow())
            )
            return result.rowcount == 1

    def complete_claims(self, token: str, created: dict[str, str]) -> None:
        """Record the record id created for each claimed phone."""
        if not created:
            return
        claims = ContactClaimRow.__table__.c
        with self.session() as session:
            session.execute(
                update(ContactClaimRow.__table__)
                .where(claims.phone_e164 == bindparam("phone"), claims.owner == token)
                .values(record_id=bindparam("record")),
                [{"phone": phone, "record": record_id} for phone, record_id in created.items()],
            )

    def abandon_claims(self, token: str, phones: list[str]) -> None:
        """Give up our unfinished claims whose creation may have happened: the next run takes them over at once
        and, as with a stopped run's claim, searches Zoho by phone before creating anything."""
        stale = utcnow() - CLAIM_LEASE * 2
        with self.session() as session:
            for part in chunks(sorted(phones)):
                session.execute(
                    update(ContactClaimRow)
                    .where(ContactClaimRow.phone_e164.in_(part), ContactClaimRow.owner == token,
                           ContactClaimRow.record_id.is_(None))
                    .values(claimed_at=stale)
                )

    def forget_record(self, record_id: str) -> None:
        """Forget a record a person deleted in Zoho: its links and its creation claims, so the chats that pointed
        at it are matched again (or their contact created again) like new ones."""
        with self.session() as session:
            session.execute(delete(ChatLinkRow).where(ChatLinkRow.record_id == record_id))
            session.execute(delete(ContactClaimRow).where(ContactClaimRow.record_id == record_id))
            # Its notes and files went with it: the ledger must not call them written ("unchanged").
            notes = select(NoteLedgerRow.note_id).where(NoteLedgerRow.record_id == record_id,
                                                        NoteLedgerRow.note_id.is_not(None))
            session.execute(delete(AttachmentLedgerRow).where(AttachmentLedgerRow.note_id.in_(notes)))
            session.execute(update(NoteLedgerRow).where(NoteLedgerRow.record_id == record_id)
                            .values(note_id=None, status="failed"))

    def release_claims(self, token: str, phones: list[str]) -> None:
        """Drop our unfinished claims (creation refused), so a later run may try again."""
        with self.session() as session:
            for part in chunks(sorted(phones)):
                session.execute(
                    delete(ContactClaimRow).where(
                        ContactClaimRow.phone_e164.in_(part),
                        ContactClaimRow.owner == token,
                        ContactClaimRow.record_id.is_(None),
                    )
                )
