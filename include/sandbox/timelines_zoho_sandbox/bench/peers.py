"""Two peer integrations replayed on the same emulator, to compare Zoho calls and credits with ours.

- per-message: for every message, find the contact by phone, create it if missing, add a note (and upload the
  message's file to it);
- per-chat: for every chat, search, create if missing, then one note per chat-day (and one upload per file).

Both read the window's messages of the syncable (direct) chats from TimelinesAI. On a big workload they replay a
sample of chats, and their calls and credits are scaled by messages (per-message) or chats (per-chat).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from timelines_zoho.sync.extract import messages_in, parse_timestamp
from timelines_zoho.sync.window import Window
from timelines_zoho_sandbox.bench.bounds import DIRECT_PHONE

MODULE = "Contacts"
FILE_STAND_IN = b"peer-model attachment"  # the upload call is what is counted, not the bytes


@dataclass
class Chat:
    """A syncable chat of the window and its messages, oldest first."""

    phone: str
    name: str
    messages: list[dict[str, Any]]


@dataclass
class PeerResult:
    """Calls and credits a peer spent on the replayed sample, and the same scaled to the whole window."""

    name: str
    sample_calls: int
    sample_credits: int
    scale: float

    @property
    def calls(self) -> int:
        return round(self.sample_calls * self.scale)

    @property
    def credits(self) -> int:
        return round(self.sample_credits * self.scale)


def window_chats(timelines: Any, start: datetime, end: datetime, tz: str, sample: int) -> list[Chat]:
    """Return the first `sample` (0: all) direct chats, by id, with messages in [start, end)."""
    chats = [
        c for c in timelines.iter_chats()
        if not c.get("is_group") and str(c.get("jid", "")).endswith("@s.whatsapp.net")
        and DIRECT_PHONE.fullmatch(c.get("phone") or "")
        and (last := parse_timestamp(c.get("last_message_timestamp"))) is not None and last >= start
    ]
    picked: list[Chat] = []
    for chat in sorted(chats, key=lambda c: int(c["id"])):
        messages = messages_in(timelines, chat["id"], Window(start, end), tz)
        if messages:
            picked.append(Chat(chat["phone"], chat.get("name") or chat["phone"], messages))
        if sample and len(picked) >= sample:
            break
    return picked


def _find_or_create(zoho: Any, chat: Chat) -> str:
    found = list(zoho.search_records(MODULE, phone=chat.phone))
    if found:
        return str(found[0]["id"])
    result = zoho.insert_records(MODULE, [{"Last_Name": chat.name, "Mobile": chat.phone}])[0]
    return str(result.id)


def _note(zoho: Any, record_id: str, title: str, content: str) -> str:
    parent = {"module": {"api_name": MODULE}, "id": record_id}
    return str(zoho.create_notes([{"Note_Title": title, "Note_Content": content, "Parent_Id": parent}])[0].id)


def _upload(zoho: Any, note_id: str, message: dict[str, Any]) -> None:
    filename = message.get("attachment_filename") or "file"
    zoho.upload_attachment("Notes", note_id, filename, io.BytesIO(FILE_STAND_IN))


def per_message(zoho: Any, chats: list[Chat]) -> None:
    """Replay the per-message flow."""
    for chat in chats:
        for message in chat.messages:
            record_id = _find_or_create(zoho, chat)
            note_id = _note(zoho, record_id, f"WhatsApp message {message['uid']}", message.get("text") or "")
            if message.get("attachment_url"):
                _upload(zoho, note_id, message)


def per_chat(zoho: Any, chats: list[Chat]) -> None:
    """Replay the per-chat flow: one note per chat-day."""
    for chat in chats:
        record_id = _find_or_create(zoho, chat)
        days: dict[str, list[dict[str, Any]]] = {}
        for message in chat.messages:
            days.setdefault(str(message["timestamp"])[:10], []).append(message)
        for day, messages in days.items():
            text = "\n".join(str(m.get("text") or "") for m in messages)
            note_id = _note(zoho, record_id, f"WhatsApp chat {chat.phone} {day}", text)
            for message in messages:
                if message.get("attachment_url"):
                    _upload(zoho, note_id, message)


MODELS: dict[str, Callable[[Any, list[Chat]], None]] = {"per-message": per_message, "per-chat": per_chat}


def replay(name: str, zoho: Any, chats: list[Chat], total_chats: int, total_messages: int) -> PeerResult:
    """Replay one peer model with a fresh hook and scale its figures to the whole window."""
    MODELS[name](zoho, chats)
    stats = zoho.stats
    sampled_messages = sum(len(c.messages) for c in chats) or 1
    scale = total_messages / sampled_messages if name == "per-message" else total_chats / max(len(chats), 1)
    return PeerResult(name, sum(s["calls"] for s in stats.values()), sum(s["credits"] for s in stats.values()),
                      scale)
