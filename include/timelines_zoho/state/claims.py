"""Write claims on notes and attachments: the primary key lets one run write each item, even when runs overlap."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from timelines_zoho.state import contacts
from timelines_zoho.state.base import StoreBase, chunks
from timelines_zoho.state.models import WriteClaimRow
from timelines_zoho.state.times import utcnow


class WriteClaimsMixin(StoreBase):
    """Claims on creating a note or uploading a file; released once the ledger holds the outcome."""

    def claim_writes(self, kind: str, token: str, keys: list[str], lease: timedelta | None = None) -> dict[str, str]:
        """Claim writing each item; return key → "fresh" (ours), "reclaimed" (taken from a stopped run) or "busy".

        A claim older than `lease` (default the contacts' CLAIM_LEASE) belongs to a run that stopped mid-write: its taker must
        look in Zoho for what that run wrote before writing again.
        """
        now = utcnow()
        lease = contacts.CLAIM_LEASE if lease is None else lease
        wanted = sorted(set(keys))
        with self.session() as session:
            self._insert_new(
                session, WriteClaimRow.__table__,
                [{"kind": kind, "item_key": k, "owner": token, "claimed_at": now} for k in wanted], ["kind", "item_key"],
            )
        with self.session() as session:
            rows = [
                (row.item_key, row.owner)
                for part in chunks(wanted)
                for row in session.scalars(
                    select(WriteClaimRow).where(WriteClaimRow.kind == kind, WriteClaimRow.item_key.in_(part))
                )
            ]
        out = {}
        for key, owner in rows:
            if owner == token:
                out[key] = "fresh"
            elif self._take_over_write(kind, key, owner, token, now - lease):
                out[key] = "reclaimed"
            else:
                out[key] = "busy"
        return out

    def _take_over_write(self, kind: str, key: str, owner: str, token: str, stale_before: object) -> bool:
        """Take over a stopped run's claim; the conditional UPDATE lets only one taker win."""
        with self.session() as session:
            result = session.execute(
                update(WriteClaimRow)
                .where(WriteClaimRow.kind == kind, WriteClaimRow.item_key == key, WriteClaimRow.owner == owner,
                       WriteClaimRow.claimed_at < stale_before)
                .values(owner=token, claimed_at=utcnow())
            )
            return result.rowcount == 1

    def release_writes(self, kind: str, token: str, keys: list[str]) -> None:
        """Drop our claims once the ledger holds each item's outcome."""
        with self.session() as session:
            for part in chunks(sorted(set(keys))):
                session.execute(
                    delete(WriteClaimRow).where(
                        WriteClaimRow.kind == kind, WriteClaimRow.item_key.in_(part), WriteClaimRow.owner == token
                    )
                )
