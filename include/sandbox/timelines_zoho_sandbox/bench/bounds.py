"""Lower bounds: the fewest API calls and credits any sync of a window could spend, from the workspace itself."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np

from timelines_zoho_sandbox.timelinesai.model import Workspace

PAGE = 50  # TimelinesAI chats and messages per page
WRITE_BATCH = 100  # Zoho records or notes per write call
COQL_ROWS = 2_000  # Zoho COQL rows per call
METADATA_CALLS = 2  # active users and the connecting user, once per run
DIRECT_PHONE = re.compile(r"\+\d{8,15}")


@dataclass(frozen=True)
class Changed:
    """What changed in a window: syncable chats, their messages and attachments (per chat, as counts)."""

    chats: int
    messages: int
    message_pages: int
    attachments: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def changed_in(workspace: Workspace, start: datetime, end: datetime) -> Changed:
    """Count the direct chats with messages in [start, end), their message pages and attachments."""
    cols = workspace.messages.cols
    in_window = (cols["ts"] >= int(start.timestamp())) & (cols["ts"] < int(end.timestamp()))
    syncable = np.array([
        not c.is_group and c.jid.endswith("@s.whatsapp.net") and bool(DIRECT_PHONE.fullmatch(c.phone or ""))
        for c in workspace.chats
    ])
    chat = cols["chat"]
    keep = in_window & syncable[chat]
    per_chat = np.bincount(chat[keep], minlength=len(workspace.chats))
    active = per_chat[per_chat > 0]
    return Changed(
        chats=len(active),
        messages=int(active.sum()),
        message_pages=int(np.ceil(active / PAGE).sum()),
        attachments=int((keep & (cols["att_size"] > 0)).sum()),
    )


def timelines_bound(changed: Changed) -> int:
    """Pages that list the changed chats and read their messages, accounts and teammates, plus file downloads."""
    return 2 + max(1, math.ceil(changed.chats / PAGE)) + changed.message_pages + changed.attachments


def coql_credits(rows: int) -> int:
    """Credits Zoho charges to read `rows` by COQL (1 up to 200 rows, 2 up to 1,000, 3 up to 2,000 per call)."""
    full, rest = divmod(max(rows, 1), COQL_ROWS)
    tail = 0 if rest == 0 else 1 if rest <= 200 else 2 if rest <= 1_000 else 3
    return full * 3 + tail


def zoho_bound(counts: dict[str, int], index_rows: int) -> dict[str, Any]:
    """Return the fewest Zoho calls and credits for a run's writes, index scan, uploads and metadata."""
    writes = {
        "contact inserts": counts["contacts_created"],
        "contact updates": counts["contacts_renamed"],
        "note inserts": counts["notes_created"],
        "note updates": counts["notes_updated"],
    }
    write_calls = sum(math.ceil(n / WRITE_BATCH) for n in writes.values())
    uploads = counts["attachments_uploaded"]
    scan_calls = math.ceil(max(index_rows, 1) / COQL_ROWS)
    calls = write_calls + scan_calls + uploads + METADATA_CALLS
    credits = sum(math.ceil(n / 10) for n in writes.values()) + coql_credits(index_rows) + uploads + METADATA_CALLS
    return {"calls": calls, "credits": credits, "writes": writes, "index_rows": index_rows,
            "scan_calls": scan_calls, "uploads": uploads, "metadata_calls": METADATA_CALLS}


def wall_bound(calls: int, latency_s: float, concurrency: int) -> float:
    """Return the time `calls` need at best with `latency_s` each and `concurrency` in flight."""
    return calls * latency_s / concurrency
