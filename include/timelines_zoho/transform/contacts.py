"""Contact records: one row per syncable WhatsApp chat, and one `rejected` row per chat we never sync.

Decisions:

- Excluded chats, each with a reason in plain words: groups (`is_group` or a `@g.us` jid), broadcast lists
  (`@broadcast`), newsletters (`@newsletter`), `@lid` linked ids (not a phone number), chats with no phone, and
  impossible numbers such as `+0`. The first matching reason wins, in that order.
- Name: the chat name cleaned of control characters, whitespace collapsed, trimmed. When WhatsApp has no name
  (missing, blank, or just the phone number typed in any format) the name is `New WhatsApp contact: <E.164>`
  and `has_whatsapp_name` is False. Names are cut to 80 UTF-16 units, Zoho's limit for `Last_Name`.
- `owner_email` is the `owner_email` of the chat's WhatsApp account (None when the account is unknown; load then
  falls back to the connecting user).
- `chat_url` is made absolute against `app_url` (the API returns relative or absolute URLs); a missing one is
  built from the chat id.
- `is_primary`: chats whose numbers share a match key (one customer writing to two of our WhatsApp numbers) form
  a group; exactly one of them is primary: the most recent activity (last message, else creation), then the
  lowest chat id. Load creates one record per phone, from the primary row, and links the others to it.
- A chat id seen twice (overlapping pages) keeps its last row.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import numpy as np
import pandas as pd

from timelines_zoho.transform.phones import to_e164, whatsapp_phone_keys
from timelines_zoho.transform.text import clean_name, cut
from timelines_zoho.transform.timestamps import parse_timestamps

NAME_LIMIT = 80
PLACEHOLDER_PREFIX = "New WhatsApp contact: "
CONTACT_COLUMNS = [
    "chat_id",
    "phone_e164",
    "match_keys",
    "name",
    "has_whatsapp_name",
    "owner_email",
    "chat_url",
    "whatsapp_account_id",
    "is_primary",
]
REJECTED_COLUMNS = ["item_kind", "item_id", "reason"]
# The ChatInfo and account keys build_contacts reads (all that a run stages of them).
CHAT_FIELDS = ["id", "name", "phone", "jid", "is_group", "whatsapp_account_id", "chat_url",
               "last_message_timestamp", "created_timestamp"]
ACCOUNT_FIELDS = ["id", "owner_email"]
_PHONE_LIKE = re.compile(r"[\d\s+().-]+")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Return a column, or an all-None one when the API left the key out."""
    return frame[name] if name in frame.columns else pd.Series(None, index=frame.index, dtype=object)


def _text(value: object) -> str:
    """Return a string value, or "" for None/NaN/non-strings."""
    return value if isinstance(value, str) else ""


def _exclusion(is_group: object, jid: str, phone: str, e164: object) -> str | None:
    """Return why a chat is never synced, or None when it is syncable."""
    jid = jid.lower()
    if (isinstance(is_group, (bool, np.bool_)) and is_group) or jid.endswith("@g.us"):
        return "group chat: groups are never synced"
    if jid.endswith("@broadcast"):
        return "broadcast list: broadcast lists are never synced"
    if jid.endswith("@newsletter"):
        return "newsletter (WhatsApp channel): newsletters are never synced"
    if jid.endswith("@lid"):
        return "WhatsApp linked id (@lid): the chat has no real phone number"
    if not phone.strip():
        return "chat has no phone number"
    # A failed parse is None, or NaN once it has been through a pandas 3 string column: neither is a string.
    if not isinstance(e164, str):
        if not phone.strip().startswith("+"):
            return f"phone number {phone[:40]!r} has no country code (no leading +) and no default region is set"
        return f"phone number {phone[:40]!r} is not a possible phone number"
    return None


def _contact_name(raw: object, e164: str) -> tuple[str, bool]:
    """Return the record name and whether WhatsApp supplied one."""
    name = clean_name(raw)
    # WhatsApp shows the number when it has no name; a name made of a phone number is no name.
    if not name or (_PHONE_LIKE.fullmatch(name) and sum(char.isdigit() for char in name) >= 6):
        return f"{PLACEHOLDER_PREFIX}{e164}", False
    return cut(name, NAME_LIMIT), True


def _absolute(app_root: str, url: object, chat_id: object) -> str:
    """Return the chat URL made absolute against the app root (built from the id when missing)."""
    if not isinstance(url, str) or not url.strip():
        return f"{app_root}chat/{chat_id}/messages/"
    url = url.strip()
    if url.startswith(("https://", "http://")):
        return url
    # The common relative form `/chat/1/messages/` skips urljoin, which is slow at 50,000 chats.
    return app_root + url[1:] if url.startswith("/") and not url.startswith("//") else urljoin(app_root, url)


def _mark_primary(contacts: pd.DataFrame, activity: pd.Series) -> pd.Series:
    """Mark one chat per shared phone as primary: latest activity, then lowest chat id."""
    group = contacts["match_keys"].map(min)
    order = pd.DataFrame({"group": group, "activity": activity, "chat_id": contacts["chat_id"]})
    order = order.sort_values(
        ["group", "activity", "chat_id"], ascending=[True, False, True], na_position="last"
    )
    first = ~order["group"].duplicated()
    return first.reindex(contacts.index)


def build_contacts(
    chats: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    app_url: str = "https://app.timelines.ai",
    default_region: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn ChatInfo rows into contact rows and rejected rows."""
    if "id" not in chats.columns or chats.empty:
        return pd.DataFrame(columns=CONTACT_COLUMNS), pd.DataFrame(columns=REJECTED_COLUMNS)
    chats = chats.drop_duplicates("id", keep="last").sort_values("id").reset_index(drop=True)
    phones = [_text(phone) for phone in _column(chats, "phone")]
    e164 = [to_e164(phone, default_region) for phone in phones]
    reasons = pd.Series(
        [
            _exclusion(is_group, _text(jid), phone, number)
            for is_group, jid, phone, number in zip(
                _column(chats, "is_group"), _column(chats, "jid"), phones, e164, strict=True
            )
        ],
        index=chats.index,
        dtype=object,
    )
    excluded = reasons.notna()
    rejected = pd.DataFrame(
        {"item_kind": "chat", "item_id": chats.loc[excluded, "id"].astype(str), "reason": reasons[excluded]}
    ).reset_index(drop=True)

    kept = chats.loc[~excluded]
    numbers = [number for number, skip in zip(e164, excluded, strict=True) if not skip]
    names = [_contact_name(raw, number) for raw, number in zip(_column(kept, "name"), numbers, strict=True)]
    owners = {}
    if {"id", "owner_email"} <= set(accounts.columns):
        owners = dict(zip(accounts["id"], accounts["owner_email"], strict=True))
    app_root = app_url.rstrip("/") + "/"
    urls = [
        _absolute(app_root, url, chat_id)
        for chat_id, url in zip(kept["id"], _column(kept, "chat_url"), strict=True)
    ]
    account_ids = _column(kept, "whatsapp_account_id")
    contacts = pd.DataFrame(
        {
            "chat_id": kept["id"].to_numpy(),
            "phone_e164": numbers,
            "match_keys": [whatsapp_phone_keys(number) for number in numbers],
            "name": [name for name, _ in names],
            "has_whatsapp_name": [has_name for _, has_name in names],
            "owner_email": [_text(owners.get(account)) or None for account in account_ids],
            "chat_url": urls,
            "whatsapp_account_id": account_ids.to_numpy(dtype=object),
        }
    )
    last = _column(kept, "last_message_timestamp").fillna(_column(kept, "created_timestamp"))
    utc, problems = parse_timestamps(last.to_numpy(dtype=object))
    activity = pd.Series(utc.astype("datetime64[ns]")).where(pd.isna(problems))
    contacts["is_primary"] = _mark_primary(contacts, activity)
    return contacts, rejected
