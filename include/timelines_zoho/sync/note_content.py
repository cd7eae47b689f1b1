"""The exact note we write: the transform's content plus the files that could not be attached, and its hash."""

from __future__ import annotations

import hashlib
from typing import Any

from timelines_zoho.state import AttachmentEntry
from timelines_zoho.transform.assemble import FILE_NAME_ROOM, FILE_REASON_ROOM, FILES_HEADING
from timelines_zoho.transform.text import cut


def final_content(content: str, refusals: list[AttachmentEntry]) -> str:
    """Append one line per file that is listed in the note but could not be attached, with the reason.

    The transform kept room for these lines in each note (FILE_LINE_ROOM per file), so cutting the name and the
    reason to their widths keeps the note within Zoho's limit.
    """
    if not refusals:
        return content
    lines = [
        f"- {cut(entry.filename, FILE_NAME_ROOM)}: {cut(entry.reason or '', FILE_REASON_ROOM)}"
        for entry in sorted(refusals, key=lambda e: e.message_uid)
    ]
    return content + FILES_HEADING + "\n".join(lines)


def note_hash(title: str, content: str) -> str:
    """Hash what Zoho would hold, so an unchanged note is never written again."""
    return hashlib.sha256(f"{title}\x00{content}".encode()).hexdigest()


def refusals_for(bundle: dict[str, Any], ledger: dict[str, AttachmentEntry]) -> list[AttachmentEntry]:
    """Return the ledger's refused files among the bundle's attachments."""
    uids = [a["message_uid"] for a in bundle.get("attachments") or []]
    return [ledger[u] for u in uids if u in ledger and ledger[u].status == "refused"]
