"""Poll: what is new in TimelinesAI lands in the inbox, and each chat-day it touches is rendered from the inbox.

Decisions:

- A window that starts where the last run over the whole workspace ended (POLLED_THROUGH) is new time. Its
  chat listing stops at that run's high-water mark (the newest `last_message_timestamp` it listed), after a
  full page of chats no newer than it in a row, as before; so an idle run reads one page. A chat at the mark's
  own second was read by that run. A listed chat whose last message is its poll cursor has nothing new and is not read. A chat whose
  cursor's day the inbox covers (state/inbox.py), in a window that does not reach before that day, is read with
  `after_message`: only what is new.
- Everything else reads whole days, as extract.py does: a window that starts earlier (a re-run, a backfill),
  the full daily pass (which also repairs the listing order and messages that appeared late with an older
  timestamp), a chat never polled or pruned, a cursor TimelinesAI no longer knows. Quarantined (chat, day)
  items and chats read their days again, so they are retried.
- Only runs over the whole workspace move POLLED_THROUGH and the mark: a chat-scoped run saw only its chats.
- Everything read lands in the inbox once (by uid; a message held already takes the copy just read, with its
  fresh attachment URL), and every day a read message falls in is rendered from
  what the inbox holds for that day, so a note is the whole day whichever path brought its messages.
- Messages after the window's last day are left to the run whose window holds them: the cursor stops before.
- The new cursors and mark are staged with the run and committed only when the run succeeds (`commit`): a failed
  run leaves them, so the next run reads the same messages again and renders their days.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from timelines_zoho.hooks.errors import TimelinesAIError
from timelines_zoho.state import InboxMessage, PollCursor, StateStore
from timelines_zoho.sync import staging
from timelines_zoho.sync.extract import (
    READ_THREADS,
    SAFETY_MARGIN,
    ChatSource,
    Extracted,
    _day_runs,
    active_chats,
    messages_in,
)
from timelines_zoho.sync.run_ref import RunRef
from timelines_zoho.sync.window import Window, day_start
from timelines_zoho.transform.timestamps import parse_timestamp

log = logging.getLogger(__name__)

HIGH_WATER = "listing_high_water"
POLLED_THROUGH = "polled_through"
STAGED = "poll.json"  # in the run's folder
TIMESTAMP_STEP = timedelta(seconds=1)  # TimelinesAI's timestamps are whole seconds
INBOX_RETENTION = timedelta(days=14)  # before the window's start: the event-driven runs need only recent days


@dataclass
class Polled:
    """What a poll staged, and the cursors and listing mark to commit when the run succeeds."""

    extracted: Extracted
    cursors: dict[str, PollCursor]
    high_water: datetime | None
    window: Window
    scoped: bool  # a chat-scoped run moves neither the mark nor POLLED_THROUGH


@dataclass(frozen=True)
class _Read:
    """One chat's read: after its cursor, or whole days (`span`)."""

    chat_id: str
    api_id: Any
    cursor: PollCursor | None
    span: Window | None


def follows_cursor(cursor: PollCursor | None, span: Window, tz: str) -> bool:
    """Tell whether reading after `cursor` is enough: the inbox holds its day, and the window starts no earlier."""
    if cursor is None or cursor.covered_since is None:
        return False
    cursor_day = day_start(cursor.ts.astimezone(ZoneInfo(tz)).date(), tz)
    return cursor.covered_since <= cursor_day <= span.start


def cursor_after_day_read(cursor: PollCursor | None, span: Window, last: PollCursor) -> PollCursor | None:
    """Return the chat's cursor after a read of every message in `span`, the newest being `last` (None: as is)."""
    if cursor is None or cursor.covered_since is None:
        return PollCursor(last.uid, last.ts, span.start) if cursor is None or last.ts > cursor.ts else None
    joins = span.start <= cursor.ts and span.end >= cursor.covered_since  # the read and the held range touch
    if last.ts > cursor.ts:
        return PollCursor(last.uid, last.ts, min(span.start, cursor.covered_since) if joins else span.start)
    if joins and span.start < cursor.covered_since:
        return PollCursor(cursor.uid, cursor.ts, span.start)
    return None


def _meta_time(store: StateStore, key: str) -> datetime | None:
    value = store.get_meta(key)
    return datetime.fromisoformat(value) if value else None


def polled_through(store: StateStore) -> datetime | None:
    """Return where the last successful run over the whole workspace ended (chat-scoped runs do not count)."""
    return _meta_time(store, POLLED_THROUGH)


def _listing(source: ChatSource, store: StateStore, window: Window, span: Window, *, full_pass: bool,
             new_time: bool) -> tuple[list[dict], datetime | None]:
    """List the chats active since the mark (in new time) or the window's start; return them and the new mark.

    The mark is the instant through which every listed chat is read: its newest last message, but no later
    than the end of the window's last day, where reads stop.
    """
    mark = _meta_time(store, HIGH_WATER)
    if full_pass:
        since = span.start - SAFETY_MARGIN
    elif mark and new_time:
        since = mark + TIMESTAMP_STEP
    else:
        since = window.start - SAFETY_MARGIN
    listed, newest = [], mark if new_time else None
    for chat in active_chats(source.iter_chats(), since, full_pass=full_pass):
        last = parse_timestamp(chat.get("last_message_timestamp"))
        if last is None or last < span.start:  # nothing in the window's days
            continue
        listed.append(chat)
        newest = last if newest is None else max(newest, last)
    return listed, newest and min(newest, span.end)


def _read(source: ChatSource, read: _Read, window_span: Window, tz: str) -> tuple[_Read, list[dict]]:
    """Run one read; a cursor TimelinesAI no longer knows falls back to the window's days."""
    if read.span is not None:
        return read, messages_in(source, read.api_id, read.span, tz)
    assert read.cursor is not None
    try:
        fresh = list(source.iter_messages(read.api_id, after_message=read.cursor.uid, sorting_order="asc"))
    except TimelinesAIError as error:
        log.info("chat %s: reading after its cursor failed (%s); reading its days", read.chat_id, error.message)
        return _read(source, _Read(read.chat_id, read.api_id, read.cursor, window_span), window_span, tz)
    kept = []
    for message in fresh:
        stamp = parse_timestamp(message.get("timestamp"))
        if stamp is not None and stamp < window_span.end:
            kept.append(message)
    return read, kept


def _landable(messages: Iterable[dict], out: Extracted) -> list[InboxMessage]:
    """Return the messages as inbox entries (their timestamps were checked by the read); one without a uid is
    recorded as a problem, since nothing could name it once."""
    landed = []
    for message in messages:
        uid, stamp = message.get("uid"), parse_timestamp(message.get("timestamp"))
        if not isinstance(uid, str) or not uid or stamp is None:
            out.problems.append(("message", str(message.get("chat_id")), "TimelinesAI returned a message without a uid"))
            continue
        landed.append(InboxMessage(uid, str(message.get("chat_id")), stamp.astimezone(timezone.utc), message))
    return landed


def poll(
    source: ChatSource,
    store: StateStore,
    window: Window,
    tz: str,
    *,
    chat_ids: list[str] | None = None,
    retry_chats: list[str] | None = None,
    retry_days: dict[str, set[date]] | None = None,
    full_pass: bool = False,
) -> Polled:
    """Read what is new for the window's chats into the inbox; return the chat-days to render, from the inbox."""
    out = Extracted(accounts=list(source.iter_whatsapp_accounts()), teammates=list(source.iter_teammates()))
    span, window_days = window.day_span(tz), set(window.days(tz))
    through = polled_through(store)
    new_time = through is not None and window.start >= through
    if chat_ids:  # a chat-scoped run: its chats are read after their cursors too, and always staged
        listed, high_water, named = [], None, list(dict.fromkeys(str(c) for c in chat_ids))
        quarantined: list[str] = []
    else:
        (listed, high_water), named = _listing(source, store, window, span, full_pass=full_pass,
                                               new_time=new_time), []
        quarantined = [str(c) for c in retry_chats or []]
    by_id = {str(chat["id"]): chat for chat in listed}
    days: dict[str, set[date]] = {c: set(window_days) for c in quarantined}
    for chat_id, retry in (retry_days or {}).items():
        days.setdefault(chat_id, set()).update(retry)
    cursors = store.poll_cursors({*by_id, *named, *days})
    after: list[str] = []
    for chat_id in dict.fromkeys([*by_id, *named]):
        cursor = cursors.get(chat_id)
        if full_pass or not new_time or cursor is None or not follows_cursor(cursor, span, tz):
            days.setdefault(chat_id, set()).update(window_days)
        elif by_id.get(chat_id, {}).get("last_message_uid") != cursor.uid:  # else nothing is new
            after.append(chat_id)
    for chat_id in sorted({*after, *days} - set(by_id)):
        try:
            by_id[chat_id] = source.get_chat(chat_id)
        except TimelinesAIError as error:
            out.problems.append(("chat", chat_id, f"TimelinesAI could not return the chat: {error.message}"))
    reads = [_Read(c, by_id[c]["id"], cursors.get(c), None) for c in sorted(after) if c in by_id]
    reads += [
        _Read(c, by_id[c]["id"], cursors.get(c), Window(day_start(first, tz), day_start(last + timedelta(days=1), tz)))
        for c in sorted(days) if c in by_id for first, last in _day_runs(days[c])
    ]
    new_cursors: dict[str, PollCursor] = {}
    rendered: set[tuple[str, date]] = set()
    zone = ZoneInfo(tz)
    # Reads overlap so wall time follows the API's latency / READ_THREADS; map keeps the order deterministic.
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        for read, messages in pool.map(lambda r: _read(source, r, span, tz), reads):
            landed = _landable(messages, out)
            store.land_polled(landed)
            rendered.update((read.chat_id, m.ts.astimezone(zone).date()) for m in landed)
            if not landed:
                continue
            last = PollCursor(landed[-1].uid, landed[-1].ts)
            cursor = new_cursors.get(read.chat_id, read.cursor)
            moved = (PollCursor(last.uid, last.ts, cursor.covered_since) if read.span is None and cursor
                     else cursor_after_day_read(cursor, read.span or span, last))
            if moved is not None:
                new_cursors[read.chat_id] = moved
    for chat_id, day in sorted(rendered):
        out.messages.extend(store.inbox_chat_day(chat_id, day, tz))
    active = {chat_id for chat_id, _ in rendered} | set(named) | set(quarantined)
    out.chats = [by_id[key] for key in sorted(by_id) if key in active]
    log.info("polled %d chats (%d after their cursor): %d messages over %d chat-days",
             len(reads), len(after), len(out.messages), len(rendered))
    return Polled(out, new_cursors, high_water, window, scoped=bool(chat_ids))


def stage(polled: Polled, folder: Any) -> None:
    """Stage what `commit` applies at the run's end, in the run's folder."""
    staging.write_json(folder / STAGED, {
        "cursors": {c: [p.uid, p.ts.isoformat(), p.covered_since and p.covered_since.isoformat()]
                    for c, p in polled.cursors.items()},
        "high_water": polled.high_water and polled.high_water.isoformat(),
        "window_end": None if polled.scoped else polled.window.end.isoformat(),
    })


def commit(store: StateStore, run: RunRef) -> None:
    """At a successful run's end: move the cursors and the listing mark, and prune the inbox. A dry run moves
    nothing: the run that writes must read the same messages again."""
    if run.dry_run:
        return
    staged = json.loads((staging.open_ref(run.dir) / STAGED).read_text(encoding="utf-8"))
    store.set_poll_cursors({
        chat_id: PollCursor(uid, datetime.fromisoformat(ts), covered and datetime.fromisoformat(covered))
        for chat_id, (uid, ts, covered) in staged["cursors"].items()
    })
    through = polled_through(store)
    end = staged["window_end"] and datetime.fromisoformat(staged["window_end"])
    if end and (through is None or end > through):  # new time (a re-run of earlier days leaves both alone)
        store.set_meta(POLLED_THROUGH, end.isoformat())
        if staged["high_water"]:
            store.set_meta(HIGH_WATER, staged["high_water"])
    pruned = store.prune_inbox(run.window.start - INBOX_RETENTION)
    log.info("moved %d poll cursors; pruned %d inbox messages", len(staged["cursors"]), pruned)
