"""The Zoho side of a run: the phone index kept fresh by incremental COQL, and who owns new records."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from timelines_zoho.state import IndexedRecord, StateStore, sync_index
from timelines_zoho.transform.phones import zoho_phone_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ZohoContext:
    """What the load steps need to know about the Zoho org, computed once per run."""

    owners: dict[str, str]  # lower-cased email → Zoho user id
    current_user_id: str | None

    def owner_for(self, email: str | None) -> str | None:
        """Return the Zoho user with this email, else the connecting user."""
        return self.owners.get((email or "").strip().lower()) or self.current_user_id


def refresh_index(hook: Any, store: StateStore, *, module: str, phone_fields: list[str], name_field: str,
                  default_region: str | None = None) -> int:
    """Read records modified since the watermark (all of them the first time) into the index; return how many."""
    watermark = store.index_watermark()
    fields = ", ".join(dict.fromkeys(["id", *phone_fields, name_field, "Modified_Time"]))
    if watermark:
        # >= rather than >: records saved in the same second as the watermark are read again, never missed.
        query = f"select {fields} from {module} where Modified_Time >= {hook.coql_quote(watermark)}"
    else:
        query = f"select {fields} from {module} where id is not null"
    batch: list[IndexedRecord] = []
    newest = watermark
    seen = 0
    for row in hook.coql(query):
        modified = row.get("Modified_Time")
        if modified and (newest is None or _instant(modified) > _instant(newest)):
            newest = modified
        keys = tuple(sorted({
            key for field in phone_fields if row.get(field) for key in zoho_phone_keys(row[field], default_region)
        }))
        batch.append(IndexedRecord(str(row["id"]), row.get(name_field), modified, keys))
        seen += 1
        if len(batch) >= sync_index.INDEX_BATCH:
            store.upsert_index_records(batch)
            batch = []
    store.upsert_index_records(batch, watermark=newest)
    log.info("phone index: %d records read (%s)", seen, "incremental" if watermark else "full scan")
    return seen


def _instant(value: str) -> datetime:
    """Order Zoho's ISO timestamps by instant, whatever offset each one carries."""
    return datetime.fromisoformat(value)


def zoho_context(hook: Any) -> ZohoContext:
    """Map active Zoho users by email and find the connecting user."""
    owners = {
        str(user.get("email", "")).strip().lower(): str(user["id"])
        for user in hook.list_users("ActiveUsers")
        if user.get("email") and user.get("id")
    }
    current = hook.current_user()
    return ZohoContext(owners=owners, current_user_id=str(current["id"]) if current else None)
