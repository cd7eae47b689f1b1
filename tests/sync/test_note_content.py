"""The note we write never passes Zoho's 65,535-unit limit, even after listing the files Zoho refused."""

from __future__ import annotations

import pandas as pd
import pytest

from timelines_zoho.state import AttachmentEntry
from timelines_zoho.sync.note_content import final_content, refusals_for
from timelines_zoho.transform import build_contacts
from timelines_zoho.transform.assemble import CONTENT_LIMIT
from timelines_zoho.transform.notes import build_note_bundles
from timelines_zoho.transform.text import zoho_len

CHAT = {"id": 1, "name": "Ann", "phone": "+48601000001", "jid": "48601000001@s.whatsapp.net", "is_group": False,
        "whatsapp_account_id": "48500000001@s.whatsapp.net", "chat_url": "/chat/1/messages/"}
LONG_REASON = "not attached: " + "Zoho refused it as too large, and said so at length; " * 5


def _message(n: int, text: str, filename: str | None = None) -> dict:
    return {"uid": f"m{n:05d}", "chat_id": 1, "timestamp": f"2026-03-05 {n // 60 % 24:02d}:{n % 60:02d}:00 +0100",
            "sender_name": "Ann", "sender_phone": "+48601000001", "from_me": False, "text": text,
            "message_type": "whatsapp", "has_attachment": filename is not None, "attachment_filename": filename,
            "attachment_url": f"https://files.example/{n}" if filename else None}


def _bundles(messages: list[dict]) -> pd.DataFrame:
    contacts, _ = build_contacts(pd.DataFrame([CHAT]), pd.DataFrame(columns=["id", "owner_email"]))
    return build_note_bundles(pd.DataFrame(messages), contacts, timezone="Europe/Warsaw")[0]


@pytest.mark.parametrize("files", [1, 3, 40])
def test_refused_files_listing_never_pushes_a_note_past_the_limit(files: int) -> None:
    # A day whose transcript alone sits 20 units under the limit, with files whose names and reasons are long.
    lines = [_message(n, "see file", "📎" * 150 + f" {n}.pdf") for n in range(files)]
    lines += [_message(files + n, "x" * 600) for n in range(50)]
    size = zoho_len(_bundles(lines)["content"].iat[0])
    lines.append(_message(files + 50, "y" * (CONTENT_LIMIT - size - 20 - len("\n00:00  Ann: "))))
    bundles = _bundles(lines)
    listed = 0
    for row in bundles.to_dict(orient="records"):
        ledger = {
            a["message_uid"]: AttachmentEntry(a["message_uid"], "1", "n1", a["filename"], None, "refused", LONG_REASON)
            for a in row["attachments"]
        }
        content = final_content(row["content"], refusals_for(row, ledger))
        assert zoho_len(content) <= CONTENT_LIMIT
        listed += content.count("\n- 📎")
    assert listed == files, "every refused file is listed in its note"
