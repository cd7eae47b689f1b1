"""The phone index kept fresh from the destination's records changed since the last refresh."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from timelines_zoho.state import IndexedRecord, StateStore, sync_index
from timelines_zoho.sync.destination import Destination
from timelines_zoho.transform.phones import zoho_phone_keys

log = logging.getLogger(__name__)

MAX_TIMESTAMP = 40  # the index stores Modified_Time in 40 characters; ISO with an offset needs 25


@dataclass
class IndexRefresh:
    """What one refresh read: how many records, and those whose `Modified_Time` could not be read (id, reason)."""

    records_read: int = 0
    garbled: list[tuple[str, str]] = field(default_factory=list)


def refresh_index(destination: Destination, store: StateStore, *, default_region: str | None = None) -> IndexRefresh:
    """Read records modified since the watermark (all of them the first time) into the index.

    A record whose `Modified_Time` is not an ISO instant with an offset is still indexed (its phones must match,
    or a duplicate would be created for them) and reported; its time never moves the watermark, which only ever
    takes well-formed values, so nothing after it is skipped and nothing is read in a loop.
    """
    watermark = store.index_watermark()
    batch: list[IndexedRecord] = []
    newest, newest_instant = watermark, instant(watermark)
    refresh = IndexRefresh()
    for record in destination.records_changed_since(watermark):
        modified = record.modified
        modified_instant = instant(modified)
        if modified_instant is None:
            refresh.garbled.append((record.id, f"Zoho record has a malformed Modified_Time {str(modified)[:40]!r}: "
                                    "indexed, but left out of the incremental watermark"))
            modified = None
        elif newest_instant is None or modified_instant > newest_instant:
            newest, newest_instant = modified, modified_instant
        keys = tuple(sorted({key for phone in record.phones for key in zoho_phone_keys(phone, default_region)}))
        batch.append(IndexedRecord(record.id, record.name, modified, keys))
        refresh.records_read += 1
        if len(batch) >= sync_index.INDEX_BATCH:
            store.upsert_index_records(batch)
            batch = []
    store.upsert_index_records(batch, watermark=newest)
    log.info("phone index: %d records read (%s), %d with a malformed Modified_Time", refresh.records_read,
             "incremental" if watermark else "full scan", len(refresh.garbled))
    return refresh


def instant(value: Any) -> datetime | None:
    """Read a Zoho timestamp as an aware instant (offsets differ per record), or None when it is not one."""
    if not isinstance(value, str) or len(value) > MAX_TIMESTAMP:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
