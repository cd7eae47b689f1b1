"""The exact note we write: the transform's content plus the files that could not be attached, and its hash."""

from __future__ import annotations

import hashlib
from typing import Any

from timelines_zoho.state import AttachmentEntry


def final_content(content: str, refusals: list[AttachmentEntry]) -> str:
    """Append one line per file that is listed in the note but could not be attached, with the reason."""
    if not refusals:
        return content
    lines = [f"- {entry.filename}: {entry.reason}" for entry in sorted(refusals, key=lambda e: e.message_uid)]
    return content + "\n\nFiles not attached:\n" + "\n".join(lines)


def note_hash(title: str, content: str) -> str:
    """Hash what Zoho would hold, so an unchanged note is never written again."""
    return hashlib.sha256(f"{title}\x00{content}".encode()).hexdigest()


def note_item_id(chat_id: Any, day: str, part: int) -> str:
    """Name a note in outcomes: `chat/day#part`."""
    return f"{chat_id}/{day}#{part}"


def refusals_for(bundle: dict[str, Any], ledger: dict[str, AttachmentEntry]) -> list[AttachmentEntry]:
    """Return the ledger's refused files among the bundle's attachments."""
    uids = [a["message_uid"] for a in bundle.get("attachments") or []]
    return [ledger[u] for u in uids if u in ledger and ledger[u].status == "refused"]
