"""Parse query parameters strictly and apply the documented chat and message filters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import numpy as np

from timelines_zoho_sandbox.timelinesai import content
from timelines_zoho_sandbox.timelinesai.model import Workspace

PAGE_SIZE = 50
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadRequest(Exception):
    """A request parameter the real API would reject with 400 validation_error."""

    def __init__(self, field: str, msg: str) -> None:
        super().__init__(f'Invalid value for "{field}": {msg}')
        self.field, self.msg = field, msg


class UnknownMessage(Exception):
    """A message uid in a cursor that does not exist (in this chat)."""


def _bool(params: Mapping[str, str], name: str) -> bool | None:
    value = params.get(name)
    if value is None:
        return None
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(name, "must be true or false")


def page_number(params: Mapping[str, str]) -> int:
    """Return the 1-based `page`, rejecting anything but a positive integer."""
    value = params.get("page", "1")
    if not value.isdigit() or int(value) < 1:
        raise BadRequest("page", "must be a positive integer")
    return int(value)


def _moment(params: Mapping[str, str], name: str, ws: Workspace, end_of_day: bool = False) -> int | None:
    """Parse an ISO date or date-time; naive values are read in the workspace timezone."""
    value = params.get(name)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(name, "must be a date or datetime in ISO format") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ws.tz)
    if end_of_day and _DATE_ONLY.match(value.strip()):
        return int((moment + dt.timedelta(days=1)).timestamp()) - 1  # a bare date covers the whole day
    return int(moment.timestamp())


def _csv(params: Mapping[str, str], name: str) -> list[str] | None:
    value = params.get(name)
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _sanitize_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return f"+{digits}" if value.strip().startswith("+") else digits


def _phone_matches(stored: str | None, wanted: str) -> bool:
    """Apply the `phone` rule: exact with a leading +, else leading zeros stripped and a substring match."""
    if not stored:
        return False
    if wanted.startswith("+"):
        return stored == wanted
    return bool(wanted.lstrip("0")) and wanted.lstrip("0") in stored


def _whatsapp_phone_matches(stored: str | None, wanted: str) -> bool:
    """Match an international number exactly, or a national one (leading 0) against the stored number's tail."""
    if not stored:
        return False
    digits = wanted.lstrip("+")
    if wanted.startswith("0"):
        return len(digits) > 4 and stored.endswith(digits.lstrip("0"))
    return stored.lstrip("+") == digits


def filter_chats(ws: Workspace, params: Mapping[str, str]) -> tuple[list[int], bool]:
    """Return the chat indexes of the requested page in the documented order, and has_more_pages."""
    page = page_number(params)
    cols = ws.chat_cols
    mask = cols["created"] <= ws.horizon  # a chat exists from its creation on the sandbox clock
    for name, column in (
        ("group", "is_group"),
        ("read", "read"),
        ("closed", "closed"),
        ("chatgpt_autoresponse_enabled", "gpt"),
    ):
        wanted = _bool(params, name)
        if wanted is not None:
            mask &= cols[column] == wanted
    _bool(params, "with_msg")
    wids = _csv(params, "whatsapp_account_id")
    if wids is not None:
        mask &= np.isin(cols["account"], [i for i, a in enumerate(ws.accounts) if a.wid in wids])
    emails = _csv(params, "responsible")
    if emails is not None:
        wanted_emails = {e.lower() for e in emails}
        mask &= np.isin(
            cols["responsible"], [i for i, t in enumerate(ws.teammates) if t.email.lower() in wanted_emails]
        )
    created_after, created_before = (
        _moment(params, "created_after", ws),
        _moment(params, "created_before", ws),
    )
    if created_after is not None:
        mask &= cols["created"] > created_after
    if created_before is not None:
        mask &= cols["created"] < created_before
    phone = params.get("phone")
    if phone is not None:
        mask &= ~cols["is_group"]
    labels, names = _csv(params, "label"), _csv(params, "name")
    phones = _csv(params, "whatsapp_phone")
    first = (page - 1) * PAGE_SIZE
    if labels is None and names is None and phone is None and phones is None:
        selected = ws.chat_order[mask]  # only the page becomes Python objects: this is the hot path
        return selected[first : first + PAGE_SIZE].tolist(), len(selected) > first + PAGE_SIZE
    candidates = ws.chat_order[mask].tolist()
    wanted_phone = _sanitize_phone(phone) if phone is not None else None
    lowered = [n.casefold() for n in names] if names is not None else None
    sanitized = [_sanitize_phone(p) for p in phones] if phones is not None else None
    kept = []
    for index in candidates:
        chat = ws.chats[index]
        if labels is not None and not set(labels) & set(chat.labels):
            continue
        if lowered is not None and not any(n in ws.name(chat).casefold() for n in lowered):
            continue
        if wanted_phone is not None and not _phone_matches(chat.phone, wanted_phone):
            continue
        if sanitized is not None and not any(
            _whatsapp_phone_matches(chat.phone, p)
            or any(_whatsapp_phone_matches(m["phone"], p) for m in chat.members or ())
            for p in sanitized
        ):
            continue
        kept.append(index)
    candidates = kept
    return candidates[first : first + PAGE_SIZE], len(candidates) > first + PAGE_SIZE


def filter_messages(ws: Workspace, chat_index: int, params: Mapping[str, str]) -> tuple[np.ndarray, bool]:
    """Return the message indexes of the requested page and has_more_pages."""
    order = params.get("sorting_order", "desc")
    if order not in ("asc", "desc"):
        raise BadRequest("sorting_order", "must be one of: asc, desc")
    page = page_number(params)
    from_me = _bool(params, "from_me")
    store = ws.messages
    start, end = store.chat_slice(chat_index)
    lo, hi = start, end
    after, before = _moment(params, "after", ws), _moment(params, "before", ws, end_of_day=True)
    times = store.sorted_ts[start:end]
    if after is not None:
        lo = max(lo, start + int(np.searchsorted(times, after, "left")))
    if before is not None:
        hi = min(hi, start + int(np.searchsorted(times, before, "right")))
    for name in ("after_message", "before_message"):
        uid = params.get(name)
        if uid is None:
            continue
        index = content.uid_index(ws.seed, uid, len(store))
        if index is None or int(store.cols["chat"][index]) != chat_index or not store.is_visible(index):
            raise UnknownMessage(uid)
        position = int(store.pos[index])
        lo, hi = (max(lo, position + 1), hi) if name == "after_message" else (lo, min(hi, position))
    selected = store.order[lo : max(lo, hi)]
    if from_me is not None:
        selected = selected[store.cols["from_me"][selected] == from_me]
    if order == "desc":
        selected = selected[::-1]
    first = (page - 1) * PAGE_SIZE
    return selected[first : first + PAGE_SIZE], len(selected) > first + PAGE_SIZE
