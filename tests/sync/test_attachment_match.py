"""The reconciliation rule for pending files, on its own: name, size, order, and what the ledger holds."""

from __future__ import annotations

from timelines_zoho.state import AttachmentEntry
from timelines_zoho.sync.attachment_match import match_pending
from timelines_zoho.sync.destination import FileRef


def _pending(uid: str, name: str, size: int | None) -> AttachmentEntry:
    return AttachmentEntry(uid, "c1", "n1", name, None, "pending", size=size)


def _zoho(attachment_id: str, name: str, size: int, created: str = "2026-03-31T10:00:00+02:00") -> FileRef:
    return FileRef(attachment_id, name, size, created)


def test_same_named_files_of_one_size_are_adopted_in_upload_order() -> None:
    in_zoho = [_zoho("9002", "photo.jpg", 10), _zoho("9001", "photo.jpg", 10)]  # Zoho lists newest first
    pending = [_pending("m1", "photo.jpg", 10), _pending("m2", "photo.jpg", 10)]
    assert match_pending(pending, in_zoho, held=set()) == {"m1": "9001", "m2": "9002"}


def test_an_attachment_the_ledger_holds_is_never_adopted_again() -> None:
    in_zoho = [_zoho("9001", "photo.jpg", 10)]
    assert match_pending([_pending("m2", "photo.jpg", 10)], in_zoho, held={"9001"}) == {}


def test_a_file_of_another_size_is_not_adopted_but_an_unknown_size_matches_by_name() -> None:
    in_zoho = [_zoho("9001", "scan.pdf", 9000)]
    assert match_pending([_pending("m1", "scan.pdf", 3000)], in_zoho, held=set()) == {}
    assert match_pending([_pending("m1", "scan.pdf", None)], in_zoho, held=set()) == {"m1": "9001"}
