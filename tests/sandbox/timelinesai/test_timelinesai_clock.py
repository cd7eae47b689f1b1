"""The sandbox clock: messages, chats and names become visible at their timestamps; real time by default."""

from __future__ import annotations

import datetime as dt

import pytest


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def _messages(tl, chat_id: int) -> list[dict]:
    return tl.data(f"/chats/{chat_id}/messages", sorting_order="asc")["messages"]


def test_default_clock_is_real_time_and_shows_the_whole_generated_history(tl):
    clock = tl.admin.clock()
    assert clock["real"] and abs(clock["now"] - dt.datetime.now().timestamp()) < 5
    renamed = tl.chat_by_name("Jonas Becker (ACME GmbH)")  # its final name, given 4 days before the end
    assert len(_messages(tl, renamed["id"])) == 3


def test_a_chat_shows_only_messages_and_the_name_its_clock_has_reached(tl):
    renamed = tl.chat_by_name("Jonas Becker (ACME GmbH)")
    everything = _messages(tl, renamed["id"])
    assert len(everything) == 3

    tl.admin.set_clock("2026-03-30T12:00:00+02:00")  # after the rename to "Jonas", before the full name
    chat = tl.data(f"/chats/{renamed['id']}")
    assert chat["name"] == "Jonas"
    visible = _messages(tl, renamed["id"])
    assert [m["uid"] for m in visible] == [m["uid"] for m in everything[:2]]
    assert chat["last_message_uid"] == everything[1]["uid"]
    assert tl.get(f"/messages/{everything[2]['uid']}").status_code == 404  # not written yet
    cursor = tl.get(f"/chats/{renamed['id']}/messages", after_message=everything[2]["uid"])
    assert cursor.status_code == 404

    tl.admin.advance_clock(4 * 86_400)
    chat = tl.data(f"/chats/{renamed['id']}")
    assert chat["name"] == "Jonas Becker (ACME GmbH)"
    assert [m["uid"] for m in _messages(tl, renamed["id"])] == [m["uid"] for m in everything]


def test_a_chat_does_not_exist_before_its_creation_time(tl):
    newest = max(tl.all_chats(), key=lambda c: c["created_timestamp"])
    created = dt.datetime.strptime(newest["created_timestamp"], "%Y-%m-%d %H:%M:%S %z").timestamp()
    tl.admin.set_clock(created - 1)
    assert newest["id"] not in {c["id"] for c in tl.all_chats()}
    assert tl.get(f"/chats/{newest['id']}").status_code == 404
    tl.admin.advance_clock(1)
    assert tl.data(f"/chats/{newest['id']}")["id"] == newest["id"]


def test_chat_list_order_follows_the_last_visible_message(tl):
    tl.admin.set_clock("2026-03-20T12:00:00+01:00")
    chats = tl.data("/chats")["chats"]
    stamps = [c["last_message_timestamp"] for c in chats if c["last_message_timestamp"]]
    assert stamps and max(stamps) <= "2026-03-20 12:00:00 +0100"
    parsed = [dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z") for s in stamps]
    assert parsed == sorted(parsed, reverse=True)


def test_admin_messages_default_to_the_sandbox_clock_and_future_ones_wait_for_it(tl):
    chat = tl.chat_by_name("Anna Kowalska")
    tl.admin.set_clock("2026-04-05T10:00:00+02:00")
    now_uid, later_uid = tl.admin.add_messages(
        chat["id"], [{"text": "now"}, {"text": "later", "ts": int(_epoch("2026-04-05T10:30:00+02:00"))}]
    )
    assert tl.data(f"/messages/{now_uid}")["timestamp"] == "2026-04-05 10:00:00 +0200"
    assert tl.get(f"/messages/{later_uid}").status_code == 404
    tl.admin.advance_clock(1800)
    assert tl.data(f"/messages/{later_uid}")["text"] == "later"


def test_attachment_urls_expire_on_the_sandbox_clock(tl):
    chat = tl.chat_by_name("Anna Kowalska")
    tl.admin.set_clock("2026-04-05T10:00:00+02:00")
    (uid,) = tl.admin.add_messages(chat["id"], [{"text": "file", "attachment": {"filename": "a.pdf", "size": 10}}])
    url = tl.data(f"/messages/{uid}")["attachment_url"]
    assert tl.api.get(url, timeout=30).status_code == 200
    tl.admin.advance_clock(901)
    assert tl.api.get(url, timeout=30).status_code == 403


def test_clock_admin_calls_cost_no_api_quota(tl):
    before = tl.admin.stats()["quota_used"]
    tl.admin.set_clock("2026-04-01T00:00:00+02:00")
    tl.admin.advance_clock(3600)
    tl.data("/chats")
    assert tl.admin.stats()["quota_used"] == before + 1


@pytest.mark.parametrize("body", [{"at": "2026-04-01T00:00:00"}, {"at": "yesterday"}, {"advance": -5}])
def test_bad_clock_requests_are_refused(tl, body):
    response = tl.admin.session.post(f"{tl.admin.root_url}/__admin/clock", json=body, timeout=30)
    assert response.status_code == 400 and response.json()["error"]
