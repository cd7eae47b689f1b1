"""Which of a note's Zoho attachments a pending file already is: the reconciliation rule, pure.

A pending ledger entry means an upload may have reached Zoho without our hearing of it (a crash, a lost
response). Before sending it again we look at the note's attachments. Two messages of one chat-day can carry files
of the same name (every phone calls its pictures `photo.jpg`), so a name alone would let one message adopt the
other's file. A Zoho attachment is adopted only when all of these hold:

- its name is the file's name and, when the ledger knows the size sent, its size is that size;
- no ledger entry holds it already (another message uploaded it, or adopted it earlier);
- it is the oldest such attachment not adopted by an earlier pending file of the note: pending files are matched
  in message order, the order in which they are uploaded. (With several upload threads two files of one name and
  one size may finish in the other order and be swapped; each message still gets exactly one of them.)
"""

from __future__ import annotations

from collections.abc import Iterable

from timelines_zoho.state import AttachmentEntry
from timelines_zoho.sync.destination import FileRef


def _age(attached: FileRef) -> tuple[str, int]:
    """Oldest first: when it was attached, then its id (Zoho's ids grow with time within a data centre)."""
    return (attached.created, int(attached.id) if attached.id.isdigit() else 0)


def match_pending(pending: list[AttachmentEntry], in_zoho: Iterable[FileRef], held: set[str]) -> dict[str, str]:
    """Return {message uid: attachment id} for the pending files (in message order) already in Zoho.

    `held` is the attachment ids the ledger already gives to a message; they are never adopted again.
    """
    free = sorted((a for a in in_zoho if a.id not in held), key=_age)
    adopted: dict[str, str] = {}
    for entry in pending:
        for attached in free:
            if attached.name != entry.filename:
                continue
            if entry.size is not None and attached.size != entry.size:
                continue
            adopted[entry.message_uid] = attached.id
            free.remove(attached)
            break
    return adopted
