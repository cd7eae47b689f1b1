"""Note bundles: one Zoho note per chat and calendar day, split into numbered parts when too long.

Decisions:

- The day is the calendar day in `timezone` (an IANA name): each timestamp's own `±ZZZZ` offset gives the instant,
  which is then converted, so midnight and DST days (23 and 25 hours long) fall on the right day.
- Messages are ordered by (instant, uid): the output never depends on the order messages arrive in. A uid seen
  twice (overlapping pages) keeps its last row.
- Title `WhatsApp chat with <name> (DD/MM/YYYY)`: WhatsApp's name, else the phone (load puts the linked record's
  name in Zoho in its place); at most 120 UTF-16 units (Zoho's limit, counted the way Java counts). The name is
  cut with … and the date is never cut. Parts put the marker before the date so every title
  ends with the date: `WhatsApp chat with Ann, part 2 of 3 (05/03/2026)`.
- Content: a header with the chat URL and the timezone, a blank line, then one line per message (see
  `render.py`). Over 65,535 UTF-16 units it is split into parts on message boundaries, each part with the header;
  a single message longer than a part is itself cut into consecutive pieces, never dropped. A message's uid (and
  its attachment) is listed in the part where it starts, so every uid is in exactly one bundle row.
- Rejected messages (`item_kind` `message`): no uid, no or unparsable timestamp, bad timezone offset, and
  timestamps after `now` (when given; the transform never reads the clock itself). A rejected message is retried
  on a later run, when a future timestamp has become the past. Messages of chats not in `contacts` are ignored:
  their chat was rejected already.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from timelines_zoho.transform.assemble import BUNDLE_COLUMNS, Transcript, assemble, attachment_refs
from timelines_zoho.transform.contacts import REJECTED_COLUMNS
from timelines_zoho.transform.render import column, render_lines
from timelines_zoho.transform.timestamps import NS, parse_timestamps

MESSAGE_COLUMNS = [
    "uid",
    "sender_name",
    "sender_phone",
    "from_me",
    "text",
    "message_type",
    "status",
    "created_by",
    "has_attachment",
    "attachment_filename",
    "attachment_url",
]
_DAY_NS = 86_400 * NS
_MINUTE_NS = 60 * NS


def _zone(timezone: str | tzinfo) -> tzinfo:
    """Return the tzinfo for an IANA name, with a clear error for an unknown one."""
    if not isinstance(timezone, str):
        return timezone
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown timezone {timezone!r}: use an IANA name such as 'Europe/Warsaw'"
        ) from error


def _local_ns(utc_ns: np.ndarray, zone: tzinfo) -> np.ndarray:
    """Return wall-clock nanoseconds in the zone for UTC nanoseconds."""
    instants = pd.DatetimeIndex(utc_ns.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(zone)
    return instants.tz_localize(None).to_numpy().astype("datetime64[ns]").view(np.int64)


def _order(contact: np.ndarray, utc: np.ndarray, uids: np.ndarray) -> np.ndarray:
    """Return the row order by (chat, instant, uid); uids are compared only where instants tie.

    The local day is a non-decreasing function of the instant, so this order is also by (chat, day, instant).
    """
    instants, rank = np.unique(utc, return_inverse=True)
    key = contact.astype(np.int64) * len(instants) + rank
    order = np.argsort(key, kind="stable")
    tied = key[order][1:] == key[order][:-1]
    if not tied.any():
        return order
    rows = np.unique(np.r_[order[1:][tied], order[:-1][tied]])
    uid_rank = np.zeros(len(order), dtype=np.int64)
    uid_rank[rows[np.argsort(uids[rows].astype(str), kind="stable")]] = np.arange(len(rows))
    return np.lexsort((uid_rank, key))


def _take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return values at rows, without a copy when rows are all of them."""
    return values if len(rows) == len(values) else values[rows]


def _reject(uids: np.ndarray, reasons: np.ndarray) -> pd.DataFrame:
    """Return rejected rows for messages."""
    return pd.DataFrame({"item_kind": "message", "item_id": uids.astype(str), "reason": reasons})


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a million acyclic strings and lists would trigger it in vain."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_note_bundles(
    messages: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    timezone: str | tzinfo,
    now: datetime | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group MessageInfo rows into per-chat, per-day note bundles; return (bundles, rejected)."""
    zone = _zone(timezone)
    if messages.empty or contacts.empty or "chat_id" not in messages.columns:
        return pd.DataFrame(columns=BUNDLE_COLUMNS), pd.DataFrame(columns=REJECTED_COLUMNS)
    with _gc_paused():
        return _build(messages, contacts.sort_values("chat_id").reset_index(drop=True), zone, now)


def _build(
    messages: pd.DataFrame, contacts: pd.DataFrame, zone: tzinfo, now: datetime | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate, order, render and assemble; see build_note_bundles."""
    contact = pd.Index(contacts["chat_id"]).get_indexer(messages["chat_id"])
    uids = column(messages, "uid")
    has_uid = np.array([isinstance(uid, str) and bool(uid) for uid in uids], dtype=bool)
    missing = np.flatnonzero((contact >= 0) & ~has_uid)
    rejected = [_reject(np.full(len(missing), ""), np.full(len(missing), "message has no uid"))]
    # A uid seen twice (overlapping pages) keeps its last row.
    rows = np.flatnonzero((contact >= 0) & has_uid & ~pd.Series(uids).duplicated(keep="last").to_numpy())

    utc, problems = parse_timestamps(column(messages, "timestamp")[rows])
    if now is not None:
        future = (utc > pd.Timestamp(now).value) & pd.isna(problems)
        problems[future] = [f"timestamp is in the future (after {now.isoformat()})"] * int(future.sum())
    bad = ~pd.isna(problems)
    rejected.append(_reject(uids[rows][bad], problems[bad]))
    rejected_frame = pd.concat(rejected, ignore_index=True)
    rows, utc = rows[~bad], utc[~bad]
    if not len(rows):
        return pd.DataFrame(columns=BUNDLE_COLUMNS), rejected_frame

    contact = contact[rows]
    order = _order(contact, utc, uids[rows])
    # Render in arrival order and reorder only lines and uids: gathering every column in sorted order touches
    # millions of scattered objects, which costs more than the rendering itself.
    local = _local_ns(utc, zone)
    columns = {name: _take(column(messages, name), rows) for name in MESSAGE_COLUMNS}
    lines = np.array(render_lines(columns, (local % _DAY_NS) // _MINUTE_NS), dtype=object)[order].tolist()
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    files = attachment_refs(columns, position)
    transcript = Transcript(
        columns["uid"][order].tolist(), lines, contact[order], local[order] // _DAY_NS, files
    )
    return assemble(transcript, contacts, f"Times are {zone}."), rejected_frame
