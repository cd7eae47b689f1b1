"""Webhook payloads as WHSPEC v2.0.0 shapes them (timelinesai-api.md §9.4), built from the same data REST serves.

A message event is derived from the message's REST MessageInfo, so a receiver that maps it back gets the
same sender names, texts and filenames a poll would have read (one note, whichever path brought it).
Calls and internal notes fire no message event here (ASSUMPTION: notes are not WhatsApp messages, and calls
have their own `call:*` events, which the emulator does not send yet); the poller still reads both.
"""

from __future__ import annotations

import numpy as np

from timelines_zoho_sandbox.timelinesai import content, render
from timelines_zoho_sandbox.timelinesai.model import MT_WHATSAPP, Chat, Workspace
from timelines_zoho_sandbox.timelinesai.render import APP_URL, AttachmentSigner


def _responsible(ws: Workspace, chat: Chat) -> dict:
    if chat.responsible is None:
        return {}  # the schema has the keys as optional strings: an unassigned chat leaves them out
    member = ws.teammates[chat.responsible]
    return {"responsible_name": member.display_name, "responsible_email": member.email}


def message_events(ws: Workspace, index: int, sign: AttachmentSigner) -> list[tuple[str, dict]]:
    """Return (event_type, payload) for every message event one newly visible message fires."""
    if int(ws.messages.cols["mtype"][index]) != MT_WHATSAPP:
        return []
    rest = render.messages_json(ws, [index], sign, reactions=False)[0]
    chat = ws.chat_by_id[rest["chat_id"]]
    account = ws.accounts[chat.account]
    owner = ws.teammates[account.owner]
    attachments = []
    if rest["has_attachment"]:
        kind = int(ws.messages.cols["att_kind"][index])
        attachments.append(
            {
                "temporary_download_url": rest["attachment_url"],
                "filename": rest["attachment_filename"],
                "size": int(ws.messages.cols["att_size"][index]),
                "mimetype": content.ATTACHMENT_KINDS[kind].mimetype,
            }
        )
    body = {
        "chat": {
            "full_name": chat.name_at(int(ws.messages.cols["ts"][index])),
            "chat_url": f"{APP_URL}/chat/{chat.id}/messages/",
            "chat_id": chat.id,
            "is_group": chat.is_group,
            "phone": chat.phone or "",
            **_responsible(ws, chat),
        },
        "whatsapp_account": {"full_name": owner.display_name, "email": owner.email, "phone": account.phone},
        "message": {
            "text": rest["text"] or "",
            "direction": "sent" if rest["from_me"] else "received",
            "origin": rest["origin"],
            "timestamp": rest["timestamp"],
            "received_timestamp": rest["received_timestamp"],
            "message_uid": rest["uid"],
            "sender": {"full_name": rest["sender_name"], "phone": rest["sender_phone"]},
            "recipient": {"full_name": rest["recipient_name"], "phone": rest["recipient_phone"]},
            "attachments": attachments,
        },
    }
    directed = "message:sent:new" if rest["from_me"] else "message:received:new"
    return [(event, {"event_type": event, **body}) for event in ("message:new", directed)]


def chat_events(ws: Workspace, chat: Chat) -> list[tuple[str, dict]]:
    """Return the `chat:new` event of a chat that became visible."""
    info = render.chat_json(ws, chat, absolute_urls=True)
    kept = {
        key: info[key]
        for key in (
            "id", "name", "jid", "is_group", "closed", "read", "labels", "chatgpt_autoresponse_enabled",
            "whatsapp_account_id", "chat_url", "created_timestamp", "last_message_uid", "last_message_timestamp",
        )
        if info[key] is not None
    }
    payload = {
        "event_type": "chat:new",
        "chat": {**kept, "phone": chat.phone or "", "unattended_customer": chat.unattended, **_responsible(ws, chat)},
        "whatsapp_account": render.account_json(ws, ws.accounts[chat.account]),
    }
    return [("chat:new", payload)]


def events_for(
    ws: Workspace, messages: np.ndarray, chats: list[Chat], sign: AttachmentSigner
) -> list[tuple[str, str, dict]]:
    """Return (event_type, key, payload) for new chats first, then new messages in time order."""
    out = [(event, str(chat.id), body) for chat in chats for event, body in chat_events(ws, chat)]
    order = messages[np.argsort(ws.messages.cols["ts"][messages], kind="stable")] if len(messages) else messages
    for index in order.tolist():
        uid = content.message_uid(ws.seed, index)
        out += [(event, uid, body) for event, body in message_events(ws, index, sign)]
    return out
