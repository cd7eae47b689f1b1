"""GET /chats/{id}/messages and /messages/{uid}: windows, cursors, order, paging and DST-aware timestamps."""

from __future__ import annotations

import datetime as dt


def _ts(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S %z")


def _all(tl, chat_id: int, **params: object) -> list[dict]:
    out, page = [], 1
    while True:
        data = tl.data(f"/chats/{chat_id}/messages", page=page, **params)
        out += data["messages"]
        if not data["has_more_pages"]:
            return out
        page += 1


def _busiest(tl) -> dict:
    return max(tl.all_chats()[:60], key=lambda c: len(_all(tl, c["id"])))


def test_messages_default_to_newest_first_in_pages_of_50(tl):
    chat = _busiest(tl)
    first = tl.data(f"/chats/{chat['id']}/messages")
    assert len(first["messages"]) == 50 and first["has_more_pages"]
    everything = _all(tl, chat["id"])
    stamps = [_ts(m["timestamp"]) for m in everything]
    assert stamps == sorted(stamps, reverse=True)
    assert everything[0]["uid"] == chat["last_message_uid"]
    ascending = _all(tl, chat["id"], sorting_order="asc")
    assert [m["uid"] for m in ascending] == [m["uid"] for m in reversed(everything)]


def test_after_and_before_are_inclusive(tl):
    chat = _busiest(tl)
    messages = _all(tl, chat["id"], sorting_order="asc")
    pivot = messages[len(messages) // 2]
    naive = _ts(pivot["timestamp"]).strftime("%Y-%m-%d %H:%M:%S")  # read in the workspace timezone
    after = _all(tl, chat["id"], after=naive, sorting_order="asc")
    before = _all(tl, chat["id"], before=naive, sorting_order="asc")
    assert after[0]["uid"] == pivot["uid"] or _ts(after[0]["timestamp"]) == _ts(pivot["timestamp"])
    assert pivot["uid"] in {m["uid"] for m in after} & {m["uid"] for m in before}
    iso = _ts(pivot["timestamp"]).isoformat()
    assert [m["uid"] for m in _all(tl, chat["id"], after=iso)] == [m["uid"] for m in reversed(after)]


def test_a_bare_date_before_covers_the_whole_day(tl):
    chat = _busiest(tl)
    newest = _all(tl, chat["id"])[0]
    day = newest["timestamp"][:10]
    assert _all(tl, chat["id"], before=day)[0]["uid"] == newest["uid"]


def test_message_cursors_exclude_the_cursor_message(tl):
    chat = _busiest(tl)
    messages = _all(tl, chat["id"], sorting_order="asc")
    cursor = messages[10]["uid"]
    after = _all(tl, chat["id"], after_message=cursor, sorting_order="asc")
    before = _all(tl, chat["id"], before_message=cursor, sorting_order="asc")
    assert [m["uid"] for m in after] == [m["uid"] for m in messages[11:]]
    assert [m["uid"] for m in before] == [m["uid"] for m in messages[:10]]


def test_from_me_filter(tl):
    chat = _busiest(tl)
    mine, theirs = _all(tl, chat["id"], from_me="true"), _all(tl, chat["id"], from_me="false")
    assert mine and theirs and all(m["from_me"] for m in mine) and not any(m["from_me"] for m in theirs)
    assert len(mine) + len(theirs) == len(_all(tl, chat["id"]))


def test_unknown_cursor_and_bad_sorting_order_are_vendor_errors(tl):
    chat = _busiest(tl)
    missing = tl.get(f"/chats/{chat['id']}/messages", after_message="d8cc5a02-b676-4956-8710-3ee56330f356")
    assert missing.status_code == 404
    assert missing.json()["message"] == 'Message uid "d8cc5a02-b676-4956-8710-3ee56330f356" not found'
    bad = tl.get(f"/chats/{chat['id']}/messages", sorting_order="up")
    assert bad.status_code == 400 and bad.json()["errors"][0]["fields"] == ["sorting_order"]


def test_get_message_by_uid_and_unknown_uid(tl):
    chat = tl.chat_by_name("Anna Kowalska")
    listed = tl.data(f"/chats/{chat['id']}/messages")["messages"][0]
    single = tl.data(f"/messages/{listed['uid']}")
    assert single["uid"] == listed["uid"] and single["text"] == listed["text"]
    response = tl.get("/messages/not-a-uid")
    assert response.status_code == 404 and response.json()["message"] == 'Message uid "not-a-uid" not found'


def test_timestamps_follow_dst_in_the_workspace_timezone(tl):
    night = tl.chat_by_name("Night Owl Logistics")
    stamps = [m["timestamp"] for m in _all(tl, night["id"], sorting_order="asc")]
    assert {s[-5:] for s in stamps} == {"+0100", "+0200"}  # Europe/Warsaw switches to CEST in the window
    days = {s[:10] for s in stamps}
    assert len(days) == 2  # the conversation crosses local midnight
    assert "2026-03-29 02:" not in " ".join(stamps)  # that local hour does not exist


def test_added_messages_and_renames_show_up_with_history(tl):
    chat = tl.chat_by_name("Mike O'Brien")
    uids = tl.admin.add_messages(
        chat["id"], [{"text": "new one", "from_me": False}, {"message_type": "note", "text": "n"}]
    )
    messages = tl.data(f"/chats/{chat['id']}/messages")["messages"]
    assert [m["uid"] for m in messages[:2]] == list(reversed(uids)) or {
        m["uid"] for m in messages[:2]
    } == set(uids)
    assert {m["message_type"] for m in messages[:2]} == {"whatsapp", "note"}
    tl.admin.rename_chat(chat["id"], "Michael O'Brien")
    assert tl.data(f"/chats/{chat['id']}")["name"] == "Michael O'Brien"
    renamed = tl.chat_by_name("Jonas Becker (ACME GmbH)")
    senders = {m["sender_name"] for m in _all(tl, renamed["id"]) if not m["from_me"]}
    assert senders == {"+4915112345678", "Jonas", "Jonas Becker (ACME GmbH)"}
