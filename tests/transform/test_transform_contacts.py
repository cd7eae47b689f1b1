"""Contact rows: exclusions with reasons, names, owners, absolute chat URLs, and the primary chat per phone."""

from __future__ import annotations

import pandas as pd
import pytest

from timelines_zoho.transform import build_contacts

ACCOUNTS = pd.DataFrame(
    [
        {"id": "48500000001@s.whatsapp.net", "owner_email": "kate@acme.io"},
        {"id": "48500000002@s.whatsapp.net", "owner_email": "tom@acme.io"},
    ]
)


def chat(chat_id: int, **fields: object) -> dict:
    """Return a direct-chat ChatInfo dict with sensible defaults."""
    phone = fields.pop("phone", f"+48601{chat_id:06d}")
    return {
        "id": chat_id,
        "name": f"Customer {chat_id}",
        "phone": phone,
        "jid": f"{str(phone).lstrip('+')}@s.whatsapp.net",
        "is_group": False,
        "whatsapp_account_id": "48500000001@s.whatsapp.net",
        "chat_url": f"/chat/{chat_id}/messages/",
        "created_timestamp": "2026-03-01 10:00:00 +0100",
        "last_message_timestamp": "2026-03-05 10:00:00 +0100",
        **fields,
    }


def contacts_of(*chats: dict, **options: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run build_contacts over the given chats."""
    return build_contacts(pd.DataFrame(list(chats)), ACCOUNTS, **options)


@pytest.mark.parametrize(
    ("fields", "reason_start"),
    [
        ({"is_group": True, "phone": None, "jid": "1203630@g.us"}, "group chat"),
        ({"is_group": False, "phone": None, "jid": "1203630@g.us"}, "group chat"),
        ({"phone": None, "jid": "status@broadcast"}, "broadcast list"),
        ({"phone": None, "jid": "1203631@newsletter"}, "newsletter"),
        ({"phone": "+236974988349577", "jid": "236974988349577@lid"}, "WhatsApp linked id"),
        ({"phone": None, "jid": "48601000009@s.whatsapp.net"}, "chat has no phone number"),
        ({"phone": "", "jid": "48601000009@s.whatsapp.net"}, "chat has no phone number"),
        ({"phone": "+0", "jid": "0@s.whatsapp.net"}, "phone number '+0' is not a possible"),
        ({"phone": "+12", "jid": "12@s.whatsapp.net"}, "phone number '+12' is not a possible"),
    ],
)
def test_excluded_chats_are_rejected_with_a_reason(fields: dict, reason_start: str) -> None:
    contacts, rejected = contacts_of(chat(1), chat(9, **fields))
    assert contacts["chat_id"].tolist() == [1]
    assert rejected.to_dict("records") == [
        {"item_kind": "chat", "item_id": "9", "reason": rejected["reason"].iat[0]}
    ]
    assert rejected["reason"].iat[0].startswith(reason_start)


@pytest.mark.parametrize("name", [None, "", "   ", "+48 601 000 001", "48601000001", "\x00\t"])
def test_chat_without_a_whatsapp_name_gets_the_placeholder(name: object) -> None:
    contacts, _ = contacts_of(chat(1, name=name))
    assert contacts["name"].iat[0] == "New WhatsApp contact: +48601000001"
    assert not contacts["has_whatsapp_name"].iat[0]


def test_names_are_cleaned_and_cut_to_the_last_name_limit() -> None:
    contacts, _ = contacts_of(chat(1, name=" Ann\x00 \n Smith\x07 "), chat(2, name="Ż" * 500))
    assert contacts["name"].tolist()[0] == "Ann Smith"
    assert contacts["has_whatsapp_name"].tolist() == [True, True]
    long_name = contacts["name"].tolist()[1]
    assert len(long_name) == 80 and long_name.endswith("…")


def test_emoji_names_are_cut_in_utf16_units_without_splitting_a_character() -> None:
    contacts, _ = contacts_of(chat(1, name="😀" * 60))
    name = contacts["name"].iat[0]
    assert len(name.encode("utf-16-le")) // 2 <= 80
    assert name == "😀" * 39 + "…"


def test_hostile_names_pass_through_as_plain_text() -> None:
    hostile = "O'Brien (x), \\ <script>alert(1)</script>"
    contacts, _ = contacts_of(chat(1, name=hostile))
    assert contacts["name"].iat[0] == hostile


def test_owner_email_comes_from_the_chats_whatsapp_account() -> None:
    contacts, _ = contacts_of(
        chat(1),
        chat(2, whatsapp_account_id="48500000002@s.whatsapp.net"),
        chat(3, whatsapp_account_id="unknown@s.whatsapp.net"),
    )
    owners = contacts["owner_email"].tolist()
    assert owners[:2] == ["kate@acme.io", "tom@acme.io"]
    assert pd.isna(owners[2])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/chat/7004887/messages/", "https://app.timelines.ai/chat/7004887/messages/"),
        ("chat/7004887/messages/", "https://app.timelines.ai/chat/7004887/messages/"),
        (
            "https://app.timelines.ai/chat/7004887/messages/",
            "https://app.timelines.ai/chat/7004887/messages/",
        ),
        (None, "https://app.timelines.ai/chat/1/messages/"),
    ],
)
def test_chat_url_is_absolute(url: str | None, expected: str) -> None:
    contacts, _ = contacts_of(chat(1, chat_url=url))
    assert contacts["chat_url"].iat[0] == expected


def test_chat_url_uses_the_given_app_url() -> None:
    contacts, _ = contacts_of(chat(1), app_url="http://127.0.0.1:8701/")
    assert contacts["chat_url"].iat[0] == "http://127.0.0.1:8701/chat/1/messages/"


def test_one_primary_chat_per_shared_phone_most_recent_activity_wins() -> None:
    contacts, _ = contacts_of(
        chat(1, phone="+48601000100", last_message_timestamp="2026-03-05 10:00:00 +0100"),
        chat(2, phone="+48601000100", last_message_timestamp="2026-03-06 10:00:00 +0100"),
        chat(3, phone="+48601000100", last_message_timestamp=None),
        chat(4),
    )
    assert dict(zip(contacts["chat_id"], contacts["is_primary"], strict=True)) == {
        1: False,
        2: True,
        3: False,
        4: True,
    }


def test_primary_tie_goes_to_the_lowest_chat_id_and_quirk_variants_count_as_one_phone() -> None:
    contacts, _ = contacts_of(chat(8, phone="+5511987654321"), chat(5, phone="+551187654321"))
    assert dict(zip(contacts["chat_id"], contacts["is_primary"], strict=True)) == {5: True, 8: False}


def test_contacts_carry_e164_and_match_keys() -> None:
    contacts, rejected = contacts_of(chat(1, phone="+5215512345678"))
    assert rejected.empty
    row = contacts.iloc[0]
    assert row["phone_e164"] == "+525512345678"
    assert row["match_keys"] == ["+525512345678", "+5215512345678"]
    assert row["whatsapp_account_id"] == "48500000001@s.whatsapp.net"


def test_duplicate_chat_rows_keep_the_last_and_empty_input_gives_empty_frames() -> None:
    contacts, _ = contacts_of(chat(1, name="Old"), chat(1, name="New"))
    assert contacts["name"].tolist() == ["New"]
    empty, rejected = build_contacts(pd.DataFrame(), ACCOUNTS)
    assert empty.empty and rejected.empty and "match_keys" in empty.columns


def test_impossible_number_is_rejected_on_pandas_3_string_dtypes() -> None:
    # Rows as extract stages them (JSON records), so pandas 3 infers `str` columns whose missing values are NaN.
    records = [
        chat(1),
        chat(2, phone="+0", jid="0@s.whatsapp.net", name="+0", last_message_timestamp=None),
        chat(3, phone=None, jid="48601000003@s.whatsapp.net", chat_url=None),
    ]
    chats = pd.DataFrame.from_records(records, columns=list(records[0]))
    accounts = pd.DataFrame.from_records([{"id": "48500000001@s.whatsapp.net", "owner_email": None}])
    assert chats["phone"].dtype == "str"
    contacts, rejected = build_contacts(chats, accounts)
    assert contacts["chat_id"].tolist() == [1]
    assert contacts["phone_e164"].tolist() == ["+48601000001"]
    assert contacts["owner_email"].tolist() == [None]
    assert dict(zip(rejected["item_id"], rejected["reason"], strict=True)) == {
        "2": "phone number '+0' is not a possible phone number",
        "3": "chat has no phone number",
    }
