"""The Zoho side of a run: the phone index kept fresh by incremental COQL, and who owns new records."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from timelines_zoho.state import IndexedRecord, StateStore, sync_index
from timelines_zoho.transform.phones import zoho_phone_keys

log = logging.getLogger(__name__)

MAX_TIMESTAMP = 40  # the index stores Modified_Time in 40 characters; ISO with an offset needs 25


@dataclass(frozen=True)
class ZohoContext:
    """What the load steps need to know about the Zoho org, computed once per run."""

    owners: dict[str, str]  # lower-cased email → Zoho user id
    current_user_id: str | None

    def owner_for(self, email: str | None) -> str | None:
        """Return the Zoho user with this email, else the connecting user."""
        return self.owners.get((email or "").strip().lower()) or self.current_user_id


@dataclass
class IndexRefresh:
    """What one refresh read: how many records, and those whose `Modified_Time` could not be read (id, reason)."""

    records_read: int = 0
    garbled: list[tuple[str, str]] = field(default_factory=list)


def refresh_index(hook: Any, store: StateStore, *, module: str, phone_fields: list[str], name_field: str,
                  default_region: str | None = None) -> IndexRefresh:
    """Read records modified since the watermark (all of them the first time) into the index.

    A record whose `Modified_Time` is not an ISO instant with an offset is still indexed (its phones must match,
    or a duplicate would be created for them) and reported; its time never moves the watermark, which only ever
    takes well-formed values, so nothing after it is skipped and nothing is read in a loop.
    """
    watermark = store.index_watermark()
    fields = ", ".join(dict.fromkeys(["id", *phone_fields, name_field, "Modified_Time"]))
    if watermark:
        # >= rather than >: records saved in the same second as the watermark are read again, never missed.
        query = f"select {fields} from {module} where Modified_Time >= {hook.coql_quote(watermark)}"
    else:
        query = f"select {fields} from {module} where id is not null"
    batch: list[IndexedRecord] = []
    newest, newest_instant = watermark, instant(watermark)
    refresh = IndexRefresh()
    for row in hook.coql(query):
        modified = row.get("Modified_Time")
        modified_instant = instant(modified)
        if modified_instant is None:
            refresh.garbled.append((str(row["id"]), f"Zoho record has a malformed Modified_Time {str(modified)[:40]!r}: "
                                    "indexed, but left out of the incremental watermark"))
            modified = None
        elif newest_instant is None or modified_instant > newest_instant:
            newest, newest_instant = modified, modified_instant
        keys = tuple(sorted({
            key for field in phone_fields if row.get(field) for key in zoho_phone_keys(row[field], default_region)
        }))
        batch.append(IndexedRecord(str(row["id"]), row.get(name_field), modified, keys))
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


def zoho_context(hook: Any) -> ZohoContext:
    """Map active Zoho users by email and find the connecting user."""
    owners = {
        str(user.get("email", "")).strip().lower(): str(user["id"])
        for user in hook.list_users("ActiveUsers")
        if user.get("email") and user.get("id")
    }
    current = hook.current_user()
    return ZohoContext(owners=owners, current_user_id=str(current["id"]) if current else None)
