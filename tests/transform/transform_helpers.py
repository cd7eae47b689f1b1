"""Builders shared by the transform tests."""

from __future__ import annotations

import pandas as pd

from timelines_zoho.transform import build_contacts

CHATS = pd.DataFrame(
    [
        {
            "id": chat_id,
            "name": name,
            "phone": f"+48601{chat_id:06d}",
            "jid": f"48601{chat_id:06d}@s.whatsapp.net",
            "is_group": False,
            "whatsapp_account_id": "48500000001@s.whatsapp.net",
            "chat_url": f"/chat/{chat_id}/messages/",
        }
        for chat_id, name in [(1, "Ann"), (2, "Bob"), (3, "Zoë")]
    ]
)
CONTACTS, _ = build_contacts(CHATS, pd.DataFrame(columns=["id", "owner_email"]))


def message(uid: str, timestamp: str, chat_id: int = 1, **fields: object) -> dict:
    """Return a MessageInfo dict with sensible defaults."""
    return {
        "uid": uid,
        "chat_id": chat_id,
        "timestamp": timestamp,
        "sender_name": "Ann",
        "sender_phone": "+48601000001",
        "from_me": False,
        "text": f"text of {uid}",
        "message_type": "whatsapp",
        "has_attachment": False,
        "attachment_filename": None,
        "attachment_url": None,
        **fields,
    }
