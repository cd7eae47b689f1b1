"""Turn workspace objects into the API's JSON shapes, building dicts only for the page being served."""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

import numpy as np

from timelines_zoho_sandbox.timelinesai import content
from timelines_zoho_sandbox.timelinesai.model import (
    MESSAGE_TYPES,
    MT_CALL,
    MT_NOTE,
    ORIGINS,
    STATUSES,
    Account,
    Chat,
    Teammate,
    Workspace,
)

APP_URL = "https://app.timelines.ai"
AVATAR = "/static/img/default_avatar.5e1f8a73.jpeg"
AttachmentSigner = Callable[[str, str], str]


@functools.lru_cache(maxsize=1 << 16)
def _offset(quarter_hour: int, tz: ZoneInfo) -> int:
    """Return the UTC offset in seconds; zones change offset only on quarter-hour boundaries."""
    return int(dt.datetime.fromtimestamp(quarter_hour * 900, tz).utcoffset().total_seconds())


def stamp(ts: int, tz: ZoneInfo) -> str:
    """Format an epoch as `YYYY-MM-DD HH:MM:SS ±ZZZZ` in the workspace timezone (DST included)."""
    offset = _offset(ts // 900, tz)
    t = time.gmtime(ts + offset)
    sign, minutes = ("+" if offset >= 0 else "-"), abs(offset) // 60
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} "
        f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
    )


def account_json(ws: Workspace, account: Account) -> dict:
    """Return a WhatsappAccountItem."""
    owner = ws.teammates[account.owner]
    return {
        "id": account.wid,
        "phone": account.phone,
        "connected_on": stamp(account.connected_ts, ws.tz),
        "status": account.status,
        "owner_name": owner.display_name,
        "owner_email": owner.email,
        "account_name": account.account_name,
    }


def teammate_json(ws: Workspace, member: Teammate) -> dict:
    """Return a WorkspaceTeammatesItem with the accounts the member connected."""
    index = ws.teammates.index(member)
    return {
        "user_id": member.user_id,
        "display_name": member.display_name,
        "email": member.email,
        "role": member.role,
        "team": member.team,
        "status": member.status,
        "invitation_status": None,
        "created_at": stamp(member.created_ts, ws.tz),
        "whatsapp_accounts": [account_json(ws, a) for a in ws.accounts if a.owner == index],
    }


def chat_json(
    ws: Workspace,
    chat: Chat,
    absolute_urls: bool,
    with_msg: bool = False,
    signer: AttachmentSigner | None = None,
) -> dict:
    """Return a ChatInfo; `last_message` only when asked, as `with_msg=true` does."""
    host = APP_URL if absolute_urls else ""
    last = int(ws.messages.last[chat.index])
    responsible = None if chat.responsible is None else ws.teammates[chat.responsible]
    out = {
        "id": chat.id,
        "name": ws.name(chat),
        "phone": chat.phone,
        "jid": chat.jid,
        "is_group": chat.is_group,
        "closed": chat.closed,
        "read": chat.read,
        "labels": list(chat.labels),
        "chatgpt_autoresponse_enabled": chat.gpt,
        "responsible_email": responsible.email if responsible else None,
        "responsible_name": responsible.display_name if responsible else None,
        "whatsapp_account_id": ws.accounts[chat.account].wid,
        "chat_url": f"{host}/chat/{chat.id}/messages/",
        "created_timestamp": stamp(chat.created_ts, ws.tz),
        "last_message_uid": content.message_uid(ws.seed, last) if last >= 0 else None,
        "last_message_timestamp": stamp(int(ws.messages.cols["ts"][last]), ws.tz) if last >= 0 else None,
        "unattended": chat.unattended,
        "photo": f"{host}{AVATAR}",
        "is_allowed_to_message": chat.allowed and ws.accounts[chat.account].status == "active",
    }
    if chat.is_group:
        out["group_members"] = [dict(member) for member in chat.members or ()]
    if with_msg:
        out["last_message"] = None
        if last >= 0 and signer is not None:
            out["last_message"] = messages_json(ws, [last], signer, reactions=False)[0]
    return out


def _parties(ws: Workspace, chat: Chat, ts: int, member: int) -> tuple[str, str]:
    """Return the (phone, name) of the other side of a message: the contact, or a group's member."""
    if chat.is_group and chat.members:
        person = chat.members[member % len(chat.members)]
        return person["phone"], person["name"] or person["phone"]
    return chat.phone or "", chat.name_at(ts)


def _data(mtype: int, from_me: bool, index: int, ws: Workspace) -> dict:
    if index in ws.messages.data:
        return dict(ws.messages.data[index])
    if mtype == MT_CALL:
        h = content.mix64(ws.seed ^ index)
        return {"duration": int(h % 900), "is_video": bool(h & 16)}
    if mtype == MT_NOTE:
        return {"is_private": True}
    return {"whatsapp_from_me": from_me}


def messages_json(
    ws: Workspace, indices: Sequence[int] | np.ndarray, signer: AttachmentSigner, reactions: bool = True
) -> list[dict]:
    """Return MessageInfo objects for the given message indexes, in that order."""
    idx = np.asarray(indices, dtype=np.int64)
    cols = {name: values[idx].tolist() for name, values in ws.messages.cols.items()}
    out = []
    for k, index in enumerate(idx.tolist()):
        chat = ws.chats[cols["chat"][k]]
        account = ws.accounts[chat.account]
        ts, from_me, mtype = cols["ts"][k], cols["from_me"][k], cols["mtype"][k]
        other_phone, other_name = _parties(ws, chat, ts, cols["member"][k])
        me_phone, me_name = account.phone, account.account_name
        if from_me and chat.is_group:
            other_phone, other_name = "", chat.name_at(ts)
        text = (
            ws.messages.text[index]
            if index in ws.messages.text
            else content.message_text(ws.seed, index, cols["text_kind"][k])
        )
        uid = content.message_uid(ws.seed, index)
        attachment_url = filename = None
        if cols["att_kind"][k] >= 0:
            filename = ws.messages.filename.get(index) or content.attachment_filename(
                cols["att_kind"][k], index, stamp(ts, ws.tz)[:10]
            )
            attachment_url = signer(uid, filename)
        author = ws.teammates[chat.responsible if chat.responsible is not None else account.owner]
        item = {
            "uid": uid,
            "chat_id": chat.id,
            "timestamp": stamp(ts, ws.tz),
            "received_timestamp": stamp(ts + cols["delay"][k], ws.tz),
            "sender_phone": me_phone if from_me else other_phone,
            "sender_name": me_name if from_me else other_name,
            "recipient_phone": other_phone if from_me else me_phone,
            "recipient_name": other_name if from_me else me_name,
            "from_me": from_me,
            "text": text,
            "attachment_url": attachment_url,
            "attachment_filename": filename,
            "status": STATUSES[cols["status"][k]],
            "origin": ORIGINS[cols["origin"][k]],
            "has_attachment": attachment_url is not None,
            "message_type": MESSAGE_TYPES[mtype],
            "data": _data(mtype, from_me, index, ws),
            "created_by": f"{author.display_name} ({author.email})" if from_me and cols["origin"][k] else "",
        }
        if reactions:
            item["reactions"] = {"users": [], "reactions": {}, "total": 0}
        out.append(item)
    return out
