"""GET /chats and /chats/{id}: paging, documented order and every filter, over real HTTP."""

from __future__ import annotations

import datetime as dt


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S %z") if value else None


def test_pages_hold_50_chats_and_cover_the_workspace_once(tl):
    first = tl.data("/chats")
    assert len(first["chats"]) == 50 and first["has_more_pages"] is True
    chats = tl.all_chats()
    assert len(chats) == tl.admin.stats()["chats"] == len({c["id"] for c in chats})
    assert tl.data("/chats", page=99) == {"has_more_pages": False, "chats": []}


def test_chats_are_ordered_by_last_message_desc_then_name(tl):
    chats = tl.all_chats()
    keys = [
        (
            _ts(c["last_message_timestamp"]) is None,
            -(_ts(c["last_message_timestamp"]) or _ts("1970-01-01 00:00:00 +0000")).timestamp(),
            c["name"].casefold(),
        )
        for c in chats
    ]
    assert keys == sorted(keys)
    assert chats[-1]["last_message_timestamp"] is None  # chats without messages come last


def test_boolean_filters_and_account_filter_and_together(tl):
    groups = tl.all_chats(group="true")
    assert groups and all(c["is_group"] and c["phone"] is None for c in groups)
    assert all(not c["is_group"] for c in tl.all_chats(group="false"))
    wid = tl.data("/whatsapp_accounts")["whatsapp_accounts"][1]["id"]
    both = tl.all_chats(whatsapp_account_id=wid, closed="false", read="true")
    assert both and all(c["whatsapp_account_id"] == wid and not c["closed"] and c["read"] for c in both)
    assert all(c["closed"] for c in tl.all_chats(closed="true"))


def test_label_responsible_and_name_filters_match_any_of_a_comma_list(tl):
    labelled = tl.all_chats(label="vip,support")
    assert {"Anna Kowalska", "דוד לוי"} <= {c["name"] for c in labelled}
    assert all({"vip", "support"} & set(c["labels"]) for c in labelled)
    email = tl.tokens["admin_email"]
    assert all(c["responsible_email"] == email for c in tl.all_chats(responsible=email))
    names = {c["name"] for c in tl.all_chats(name="KOWALSKA,night owl")}
    assert names >= {"Anna Kowalska", "Night Owl Logistics"}


def test_phone_filter_is_exact_with_plus_and_a_substring_without(tl):
    exact = tl.all_chats(phone="+48601234567")
    assert {c["name"] for c in exact} == {"Anna Kowalska", "Anna K."}
    assert tl.all_chats(phone="+4860123456") == []
    assert {c["phone"] for c in tl.all_chats(phone="00601234567")} == {"+48601234567"}


def test_whatsapp_phone_filter_includes_groups_with_that_member(tl):
    chats = tl.all_chats(whatsapp_phone="+48601234567")
    assert {c["name"] for c in chats} >= {"Anna Kowalska", "Wholesale buyers 🛒"}
    assert any(c["is_group"] for c in chats)


def test_created_window_filters(tl):
    chats = tl.all_chats()
    newest = max(chats, key=lambda c: _ts(c["created_timestamp"]))
    cutoff = (_ts(newest["created_timestamp"]) - dt.timedelta(seconds=1)).isoformat()
    assert [c["id"] for c in tl.all_chats(created_after=cutoff)] == [newest["id"]]
    assert newest["id"] not in {c["id"] for c in tl.all_chats(created_before=cutoff)}


def test_with_msg_adds_the_last_message_object(tl):
    chat = tl.data("/chats", with_msg="true")["chats"][0]
    assert chat["last_message"]["uid"] == chat["last_message_uid"]
    assert "last_message" not in tl.data("/chats")["chats"][0]


def test_get_chat_and_unknown_chat_envelope(tl):
    chat = tl.chat_by_name("Privacy Person")
    assert tl.data(f"/chats/{chat['id']}") == chat
    missing = tl.get("/chats/1")
    assert missing.status_code == 404
    assert missing.json() == {
        "status": "error",
        "message": 'Whatsapp chat_id "1" not found',
        "error_code": "not_found",
    }


def test_bad_filter_values_get_a_400_envelope_not_a_traceback(tl):
    for params in ({"group": "None"}, {"page": "0"}, {"page": "x"}, {"created_after": "yesterday"}):
        response = tl.get("/chats", **params)
        assert response.status_code == 400
        assert response.json()["status"] == "error" and response.json()["error_code"] == "validation_error"


def test_chat_url_is_relative_by_default_and_absolute_on_request(tl):
    chat = tl.data("/chats")["chats"][0]
    assert chat["chat_url"] == f"/chat/{chat['id']}/messages/"
    tl.admin.settings(chat_url_mode="absolute")
    assert (
        tl.data(f"/chats/{chat['id']}")["chat_url"] == f"https://app.timelines.ai/chat/{chat['id']}/messages/"
    )
