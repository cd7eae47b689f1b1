"""What the event-driven path asks of the inbox: is anything new since a mark, and how old is the oldest of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from timelines_zoho.state.base import StoreBase
from timelines_zoho.state.inbox import InboxChatRow, InboxMessageRow
from timelines_zoho.state.times import as_utc


@dataclass(frozen=True)
class Pending:
    """Chats with entries landed after a mark, and the newest landing among them (None when nothing is new)."""

    chats: int
    newest: dt.datetime | None


class InboxWatchMixin(StoreBase):
    """Read-only questions the inbox trigger and the event-driven run ask."""

    def inbox_pending(self, after: dt.datetime | None) -> Pending:
        """Count chats with an entry landed strictly after `after` (all marked chats when None)."""
        query = select(func.count(), func.max(InboxChatRow.last_entry_at)).where(InboxChatRow.last_entry_at.is_not(None))
        if after is not None:
            query = query.where(InboxChatRow.last_entry_at > after.astimezone(dt.timezone.utc))
        with self.session() as session:
            count, newest = session.execute(query).one()
            return Pending(int(count), as_utc(newest))

    def oldest_message_landed_since(self, since: dt.datetime) -> dt.datetime | None:
        """Return the earliest message time among messages landed at or after `since` (what a run must re-read)."""
        with self.session() as session:
            value = session.scalar(
                select(func.min(InboxMessageRow.ts)).where(InboxMessageRow.landed_at >= since.astimezone(dt.timezone.utc))
            )
            return as_utc(value)
