"""What a TimelinesAI delivery may contain (WHSPEC v2.0.0, timelinesai-api.md §9.4), checked strictly and bounded.

A message event is mapped to the REST MessageInfo shape, the one a poll reads, so the inbox holds one shape
and a day's note renders the same whichever path brought its messages. Unknown extra keys are ignored (the
vendor adds fields); a wrong type, a missing required key or an oversized value refuses the whole delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

from timelines_zoho.state import InboxMessage

MAX_BODY_BYTES = 1024 * 1024  # a 65,535-character WhatsApp text, JSON-escaped, fits several times over
MESSAGE_EVENTS = ("message:new", "message:received:new", "message:sent:new")
CHAT_EVENTS = ("chat:new", "chat:incoming:new", "chat:outgoing:new")
# Documented types the sync does not need (§9.3): acknowledged so TimelinesAI does not count errors, not stored.
OTHER_EVENTS = (
    "message:reaction", "chat:responsible:assigned", "chat:responsible:unassigned", "whatsapp:account:connected",
    "whatsapp:account:disconnected", "whatsapp:account:suspended", "whatsapp:account:resumed",
    "call:incoming:missed", "call:incoming:ended", "call:outgoing:ended",
)

Short = Annotated[str, Meta(max_length=300)]
# No control characters: PostgreSQL refuses a NUL in a key column, and a uid is a key.
Uid = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
Url = Annotated[str, Meta(max_length=4096)]
Stamp = Annotated[str, Meta(max_length=40)]


class Refused(Exception):
    """A delivery that is not accepted: `status` is the HTTP answer, the message says why (no payload echoed)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class _Event(Struct):
    event_type: Annotated[str, Meta(max_length=64)]


class Party(Struct):
    full_name: Short
    phone: Short | None = None


class Attachment(Struct):
    temporary_download_url: Url
    filename: Short
    size: Annotated[int, Meta(ge=0)]
    mimetype: Short


class MessageDataInfo(Struct):
    text: Annotated[str, Meta(max_length=200_000)]
    direction: Literal["sent", "received"]
    origin: Short
    timestamp: Stamp
    received_timestamp: Stamp
    message_uid: Uid
    sender: Party
    recipient: Party
    reply_to_uid: Uid | None = None
    attachments: Annotated[list[Attachment], Meta(max_length=50)] = []


class MessageDataChat(Struct):
    full_name: Short
    chat_url: Url
    chat_id: Annotated[int, Meta(ge=1)]
    is_group: bool
    phone: Short | None = None


class MessageData(Struct):
    event_type: str
    chat: MessageDataChat
    message: MessageDataInfo


class ChatDataInfo(Struct):
    id: Annotated[int, Meta(ge=1)]


class ChatData(Struct):
    event_type: str
    chat: ChatDataInfo


@dataclass(frozen=True)
class Delivery:
    """A valid delivery: a message for the inbox, a chat to mark, or neither (a documented type we ignore)."""

    event_type: str
    message: InboxMessage | None = None
    chat_id: str | None = None


def _decode(body: bytes, kind: type[Struct]) -> Struct:
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        raise Refused(422, f"payload does not match the documented shape: {exc}") from None
    except msgspec.DecodeError:
        raise Refused(400, "body is not valid JSON") from None


def parse_delivery(body: bytes) -> Delivery:
    """Validate a delivery's body; raise Refused with the reason for anything else."""
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, f"body over {MAX_BODY_BYTES} bytes")
    event_type = _decode(body, _Event).event_type
    if event_type in MESSAGE_EVENTS:
        event = _decode(body, MessageData)
        return Delivery(event_type, message=_inbox_message(event))
    if event_type in CHAT_EVENTS:
        return Delivery(event_type, chat_id=str(_decode(body, ChatData).chat.id))
    if event_type in OTHER_EVENTS:
        return Delivery(event_type)
    raise Refused(422, f"unknown event type {event_type[:64]!r}")


def _inbox_message(event: MessageData) -> InboxMessage:
    """Map a message event to MessageInfo (REST), the shape the transform renders."""
    message, first = event.message, (event.message.attachments or [None])[0]
    sent = message.direction == "sent"
    rest = {
        "uid": message.message_uid,
        "chat_id": event.chat.chat_id,
        "timestamp": message.timestamp,
        "received_timestamp": message.received_timestamp,
        "sender_phone": message.sender.phone,
        "sender_name": message.sender.full_name,
        "recipient_phone": message.recipient.phone,
        "recipient_name": message.recipient.full_name,
        "from_me": sent,
        "text": message.text,
        "attachment_url": first.temporary_download_url if first else None,  # valid 15 minutes; renewable by uid
        "attachment_filename": first.filename if first else None,
        "has_attachment": first is not None,
        "origin": message.origin,
        "message_type": "whatsapp",  # message events are WhatsApp messages; calls and notes come by polling
        "status": None,
        "created_by": "",
        "attachments": [msgspec.to_builtins(a) for a in message.attachments],
    }
    try:
        return InboxMessage.from_rest(rest)
    except ValueError as exc:
        raise Refused(422, str(exc)) from None
