"""The inbox: every message the sync learns of, once, by uid, whether a webhook or a poll brought it.

Each message is kept in the REST MessageInfo shape (a webhook's payload is mapped to it on arrival), so a
day's note renders the same whichever path delivered its messages. Per chat the inbox keeps when an entry last
landed (what an event-driven run syncs) and the poll cursor: the newest message a poll has read *contiguously*.
Webhook arrivals never move the cursor: a delivery can overtake one that was lost, and a poll that started
after the newer one would skip the lost one for good.

Each cursor also says since when the inbox holds the chat contiguously up to it (`covered_since`): a poll may
read only what follows the cursor, and render a day from the inbox, only when that day starts at or after it.

Pruning drops messages older than a cut-off by message time (a successful run prunes what is older than
`INBOX_RETENTION` before its clock) and raises every chat's `covered_since` to the cut-off; cursors stay. So a
day that is no longer whole here is never rendered from the inbox: the next run that needs it reads that day
from TimelinesAI again (its `after`/`before` window), which lands its messages here again, and renders it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Index, String, Text, bindparam, case, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from timelines_zoho.state.base import StoreBase, chunks
from timelines_zoho.state.models import Base
from timelines_zoho.state.times import as_utc, utcnow

SOURCES = ("webhook", "poll")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S %z"  # TimelinesAI's, in the workspace's offset


def _json(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


class InboxMessageRow(Base):
    """One message, as MessageInfo JSON, with the instant it was written (UTC) and when it landed here."""

    __tablename__ = "tz_inbox_messages"
    message_uid: Mapped[str] = mapped_column(String(100), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    ts: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    landed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_tz_inbox_messages_chat_ts", "chat_id", "ts"), Index("ix_tz_inbox_messages_ts", "ts"),
                      Index("ix_tz_inbox_messages_landed_at", "landed_at"))


class InboxChatRow(Base):
    """A chat's inbox state: when an entry last landed, the poll cursor (uid and instant of the message), and
    since when the inbox holds every message of the chat up to the cursor."""

    __tablename__ = "tz_inbox_chats"
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_entry_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cursor_uid: Mapped[str | None] = mapped_column(String(100))
    cursor_ts: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    covered_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_tz_inbox_chats_last_entry", "last_entry_at"),)


@dataclass(frozen=True)
class InboxMessage:
    """A message on its way into the inbox: `message` is MessageInfo (uid, chat_id, timestamp, ...)."""

    uid: str
    chat_id: str
    ts: dt.datetime
    message: dict

    @classmethod
    def from_rest(cls, item: dict) -> InboxMessage:
        """Build from a MessageInfo; a missing uid or chat, or a timestamp of another format, raises ValueError."""
        uid, chat_id = item.get("uid"), item.get("chat_id")
        if not isinstance(uid, str) or not uid or chat_id in (None, ""):
            raise ValueError("a message needs a uid and a chat_id")
        try:
            ts = dt.datetime.strptime(str(item.get("timestamp")), TIMESTAMP_FORMAT)
        except ValueError:
            raise ValueError(f"message {uid}: timestamp {str(item.get('timestamp'))[:40]!r} is not "
                             "'YYYY-MM-DD HH:MM:SS ±ZZZZ'") from None
        return cls(uid, str(chat_id), ts.astimezone(dt.timezone.utc), item)


@dataclass(frozen=True)
class PollCursor:
    """Where a chat's next poll starts: after this message (`after_message`), written at `ts`; the inbox holds
    every message of the chat from `covered_since` up to it (None: unknown, so no day is rendered from it)."""

    uid: str
    ts: dt.datetime
    covered_since: dt.datetime | None = None


class InboxMixin(StoreBase):
    """The inbox of messages and its per-chat state."""

    def add_to_inbox(self, messages: Sequence[InboxMessage], source: str) -> list[str]:
        """Land messages not seen before (first one wins); return the uids that were new, each once, in input order.

        The chats of new delivered messages are marked in the same transaction, so a run that reads "chats with
        new entries" never misses a message that is already durable. A poll's messages mark nothing: the run that
        polled them syncs them, and a mark would only start an event-driven run that writes nothing.
        """
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")
        if not messages:
            return []
        now = utcnow()
        table = InboxMessageRow.__table__
        rows = list({
            m.uid: {"message_uid": m.uid, "chat_id": m.chat_id, "ts": m.ts.astimezone(dt.timezone.utc), "source": source,
                    "message": _json(m.message), "landed_at": now}
            for m in messages
        }.values())
        new: set[str] = set()
        with self.session() as session:
            for part in chunks(rows):
                stmt = self._insert(table).on_conflict_do_nothing(index_elements=["message_uid"])
                new.update(session.scalars(stmt.returning(table.c.message_uid), list(part)))
            if source != "poll":
                self._mark_entries(session, sorted({m.chat_id for m in messages if m.uid in new}), now)
        return [uid for uid in dict.fromkeys(m.uid for m in messages) if uid in new]

    def land_polled(self, messages: Sequence[InboxMessage]) -> list[str]:
        """Land messages a poll read; one already held takes the copy just read. Return the uids that were new.

        A poll reads TimelinesAI itself, so its copy is the source's now: an attachment URL that is valid again,
        a later status. Deliveries never overwrite (`add_to_inbox`), so a replayed webhook cannot either.
        """
        new = set(self.add_to_inbox(messages, "poll"))
        table = InboxMessageRow.__table__
        stmt = update(table).where(table.c.message_uid == bindparam("held_uid")).values(message=bindparam("copy"))
        known = {m.uid: _json(m.message) for m in messages if m.uid not in new}
        with self.session() as session:
            for part in chunks(sorted(known)):
                session.execute(stmt, [{"held_uid": uid, "copy": known[uid]} for uid in part])
        return [uid for uid in dict.fromkeys(m.uid for m in messages) if uid in new]

    def touch_inbox_chats(self, chat_ids: Iterable[str]) -> None:
        """Record that something happened to these chats (a `chat:new` event) without a message."""
        with self.session() as session:
            self._mark_entries(session, sorted(set(chat_ids)), utcnow())

    def _mark_entries(self, session: Session, chat_ids: list[str], at: dt.datetime) -> None:
        self._upsert(
            session, InboxChatRow.__table__, ({"chat_id": c, "last_entry_at": at} for c in chat_ids), ["chat_id"]
        )

    def chats_with_new_entries(self, since: dt.datetime) -> list[str]:
        """Return the chats with an entry landed at or after `since` (inclusive: a caller overlaps its windows)."""
        with self.session() as session:
            rows = session.scalars(
                select(InboxChatRow.chat_id).where(InboxChatRow.last_entry_at >= since.astimezone(dt.timezone.utc)).order_by(InboxChatRow.chat_id)
            )
            return list(rows)

    def inbox_chat_day(self, chat_id: str, day: dt.date, timezone: str) -> list[dict]:
        """Return a chat's messages on one calendar day in `timezone` (DST-aware), in time order."""
        zone = ZoneInfo(timezone)
        start = dt.datetime.combine(day, dt.time(), zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        table = InboxMessageRow
        with self.session() as session:
            rows = session.scalars(
                select(table.message)
                .where(table.chat_id == chat_id, table.ts >= start.astimezone(dt.timezone.utc),
                       table.ts < end.astimezone(dt.timezone.utc))
                .order_by(table.ts, table.message_uid)  # the transform's order: instant, then uid
            )
            return [json.loads(row) for row in rows]

    def set_poll_cursors(self, cursors: dict[str, PollCursor]) -> None:
        """Move chats' poll cursors forward (a cursor never goes back: a late, older read leaves it alone).

        `covered_since` moves with a cursor that advances; on the same cursor the earlier coverage wins.
        """
        if not cursors:
            return
        table = InboxChatRow.__table__
        stmt = self._insert(table)
        new = stmt.excluded
        newer = (table.c.cursor_ts.is_(None)) | (new.cursor_ts > table.c.cursor_ts)
        same = table.c.cursor_uid == new.cursor_uid
        wider = same & new.covered_since.is_not(None) & (
            table.c.covered_since.is_(None) | (new.covered_since < table.c.covered_since)
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["chat_id"],
            set_={
                "cursor_uid": case((newer, new.cursor_uid), else_=table.c.cursor_uid),
                "cursor_ts": case((newer, new.cursor_ts), else_=table.c.cursor_ts),
                "covered_since": case((newer | wider, new.covered_since), else_=table.c.covered_since),
            },
        )
        rows = [
            {"chat_id": c, "last_entry_at": None, "cursor_uid": p.uid, "cursor_ts": p.ts.astimezone(dt.timezone.utc),
             "covered_since": p.covered_since and p.covered_since.astimezone(dt.timezone.utc)}
            for c, p in cursors.items()
        ]
        with self.session() as session:
            session.execute(stmt, rows)

    def poll_cursors(self, chat_ids: Iterable[str]) -> dict[str, PollCursor]:
        """Return the poll cursors of these chats (chats never polled are left out)."""
        out = {}
        with self.session() as session:
            for part in chunks(sorted(set(chat_ids))):
                query = select(InboxChatRow).where(InboxChatRow.chat_id.in_(part), InboxChatRow.cursor_uid.is_not(None))
                for row in session.scalars(query):
                    out[row.chat_id] = PollCursor(row.cursor_uid, as_utc(row.cursor_ts),  # type: ignore[arg-type]
                                                  as_utc(row.covered_since))
        return out

    def prune_inbox(self, before: dt.datetime) -> int:
        """Delete messages written before `before`; return how many. Cursors and chat marks stay, and no chat
        counts as covered before `before` any more (so a pruned day is read from TimelinesAI again)."""
        cut = before.astimezone(dt.timezone.utc)
        chats = InboxChatRow
        with self.session() as session:
            session.execute(
                update(chats).where(chats.cursor_uid.is_not(None), chats.covered_since < cut).values(covered_since=cut)
            )
            return session.execute(delete(InboxMessageRow).where(InboxMessageRow.ts < cut)).rowcount or 0

    def inbox_size(self) -> tuple[int, dt.datetime | None]:
        """Return how many messages the inbox holds and when the newest one landed."""
        with self.session() as session:
            count, newest = session.execute(
                select(func.count(), func.max(InboxMessageRow.landed_at)).select_from(InboxMessageRow)
            ).one()
            return int(count), as_utc(newest)
