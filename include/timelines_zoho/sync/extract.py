"""Extract: the chats active in a window and their messages for the whole calendar days the window touches.

Runs read through the inbox (sync/poll.py), which uses this module's listing and whole-day reads and adds the
per-chat cursors; `extract` itself reads whole days with no state (ranges of history, tests).

Decisions:

- `/chats` is ordered by last message, newest first. Paging stops once a full page (50) of chats in a row is
  older than the window's start minus a safety margin, so an hourly run reads a page or two, not the whole
  workspace (nor every chat active earlier that day: earlier windows synced those). Because the live API was seen
  to break that order, and a failed hour must be repaired, a full pass runs at least once a day (and whenever
  asked): no early stop, and every chat active since the first day's midnight (minus the margin) is read again.
- A listed chat whose last message is older than the first day's midnight has nothing in the window's days, so
  its messages are not read.
- Messages are read for whole calendar days (workspace timezone), so a re-run of any interval renders the same
  full-day note. The API's `after`/`before` take a naive time whose zone is undocumented, so the query is widened
  by 14 hours each side and the exact day span is applied here to the offsets the timestamps carry.
- Chats and (chat, day) pairs in the quarantine are read again, so items that failed are retried.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from timelines_zoho.sync.window import Window, day_start
from timelines_zoho.transform.timestamps import parse_timestamp

log = logging.getLogger(__name__)

PAGE = 50
SAFETY_MARGIN = timedelta(hours=2)
QUERY_SLACK = timedelta(hours=14)
# Message reads in flight: at 150 ms a call, 4 stay under TimelinesAI's documented limit of 30 calls a second per IP.
READ_THREADS = 4


class ChatSource(Protocol):
    """The part of TimelinesAIHook that extract uses."""

    def iter_chats(self, **filters: Any) -> Iterator[dict]: ...
    def get_chat(self, chat_id: int | str) -> dict: ...
    def iter_messages(self, chat_id: int | str, **params: Any) -> Iterator[dict]: ...
    def iter_whatsapp_accounts(self) -> Iterator[dict]: ...
    def iter_teammates(self) -> Iterator[dict]: ...


@dataclass
class Extracted:
    """Raw API objects of one run."""

    chats: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    teammates: list[dict] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, id, reason)


def active_chats(chats: Iterable[dict], since: datetime, *, full_pass: bool) -> Iterator[dict]:
    """Yield chats whose last message is at or after `since`, stopping after a full page of older ones."""
    older_in_a_row = 0
    for chat in chats:
        last = parse_timestamp(chat.get("last_message_timestamp"))
        if last is not None and last >= since:
            older_in_a_row = 0
            yield chat
            continue
        older_in_a_row += 1
        if not full_pass and older_in_a_row >= PAGE:
            return


def _local(instant: datetime, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return instant.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")


def messages_in(source: ChatSource, chat_id: Any, span: Window, tz: str) -> list[dict]:
    """Return the chat's messages whose timestamp lies in `span`, oldest first."""
    kept = []
    for message in source.iter_messages(
        chat_id, after=_local(span.start - QUERY_SLACK, tz), before=_local(span.end + QUERY_SLACK, tz),
        sorting_order="asc",
    ):
        stamp = parse_timestamp(message.get("timestamp"))
        if stamp is not None and span.start <= stamp < span.end:
            kept.append(message)
    return kept


def _day_runs(days: set[date]) -> list[tuple[date, date]]:
    """Group days into runs of consecutive days, as (first, last) pairs."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def extract(
    source: ChatSource,
    window: Window,
    tz: str,
    *,
    chat_ids: list[str] | None = None,
    retry_chats: list[str] | None = None,
    retry_days: dict[str, set[date]] | None = None,
    full_pass: bool = False,
) -> Extracted:
    """Read accounts and teammates once, the window's active chats, and their messages for whole days."""
    out = Extracted(accounts=list(source.iter_whatsapp_accounts()), teammates=list(source.iter_teammates()))
    window_days = set(window.days(tz))
    span = window.day_span(tz)
    wanted: dict[str, set[date]] = {}
    if chat_ids:
        listed: Iterable[dict] = []
        extra_ids = list(chat_ids)
    else:
        since = (span.start if full_pass else window.start) - SAFETY_MARGIN
        listed = (
            chat for chat in active_chats(source.iter_chats(), since, full_pass=full_pass)
            if (parse_timestamp(chat.get("last_message_timestamp")) or span.start) >= span.start
        )
        extra_ids = list(retry_chats or [])
    by_id: dict[str, dict] = {}
    for chat in listed:
        by_id[str(chat["id"])] = chat
        wanted[str(chat["id"])] = set(window_days)
    for chat_id, days in (retry_days or {}).items():
        wanted.setdefault(chat_id, set()).update(days)
    for chat_id in extra_ids:
        wanted.setdefault(str(chat_id), set()).update(window_days)
    from timelines_zoho.hooks.errors import TimelinesAIError

    reads: list[tuple[Any, Window]] = []
    for chat_id in sorted(wanted):
        if chat_id not in by_id:
            try:
                by_id[chat_id] = source.get_chat(chat_id)
            except TimelinesAIError as error:
                out.problems.append(("chat", chat_id, f"TimelinesAI could not return the chat: {error.message}"))
                continue
        for first, last in _day_runs(wanted[chat_id]):
            reads.append((by_id[chat_id]["id"], Window(day_start(first, tz), day_start(last + timedelta(days=1), tz))))
    # Reads overlap so wall time follows the API's latency / READ_THREADS; map keeps the order deterministic.
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        for messages in pool.map(lambda read: messages_in(source, read[0], read[1], tz), reads):
            out.messages.extend(messages)
    # A chat listed only for activity after the window has nothing to sync in it; named chats always count.
    active = {str(m.get("chat_id")) for m in out.messages} | {str(c) for c in extra_ids}
    out.chats = [by_id[key] for key in sorted(by_id) if key in active]
    log.info("extracted %d chats and %d messages over %d days", len(out.chats), len(out.messages), len(window_days))
    return out
