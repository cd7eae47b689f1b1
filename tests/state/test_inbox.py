"""The inbox: once per uid from any path, chats with new entries, a chat-day across DST, cursors, pruning."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from timelines_zoho.state import InboxMessage, PollCursor

UTC = dt.timezone.utc


def _message(uid: str, timestamp: str, chat_id: int = 7001, text: str = "hello") -> InboxMessage:
    return InboxMessage.from_rest({"uid": uid, "chat_id": chat_id, "timestamp": timestamp, "text": text})


def test_a_message_lands_once_whichever_path_brings_it_and_the_first_copy_wins(store):
    first = _message("u1", "2026-04-05 10:00:00 +0200", text="from the webhook")
    assert store.add_to_inbox([first], "webhook") == ["u1"]
    replay = _message("u1", "2026-04-05 10:00:00 +0200", text="tampered")
    assert store.add_to_inbox([replay], "poll") == []
    assert [m["text"] for m in store.inbox_chat_day("7001", dt.date(2026, 4, 5), "Europe/Warsaw")] == [
        "from the webhook"
    ]
    assert store.inbox_size()[0] == 1


def test_a_batch_with_the_same_uid_twice_lands_it_once(store):
    twice = [_message("u1", "2026-04-05 10:00:00 +0200"), _message("u1", "2026-04-05 10:00:00 +0200")]
    assert store.add_to_inbox([*twice, _message("u2", "2026-04-05 10:01:00 +0200")], "poll") == ["u1", "u2"]


def test_only_chats_with_new_messages_count_as_new_entries_and_a_replay_marks_nothing(store):
    store.add_to_inbox([_message("u1", "2026-04-05 10:00:00 +0200", chat_id=1)], "webhook")
    time.sleep(0.01)
    after_first = dt.datetime.now(UTC)
    time.sleep(0.01)
    assert store.add_to_inbox([_message("u1", "2026-04-05 10:00:00 +0200", chat_id=1)], "webhook") == []
    store.add_to_inbox([_message("u2", "2026-04-05 11:00:00 +0200", chat_id=2)], "webhook")
    store.touch_inbox_chats(["3"])  # chat:new: a chat with no message yet still needs its contact
    assert store.chats_with_new_entries(after_first) == ["2", "3"]
    assert store.chats_with_new_entries(after_first - dt.timedelta(minutes=1)) == ["1", "2", "3"]


def test_a_poll_s_messages_are_no_news_for_the_event_driven_path(store):
    before = dt.datetime.now(UTC) - dt.timedelta(minutes=1)
    assert store.add_to_inbox([_message("p1", "2026-04-05 10:00:00 +0200", chat_id=5)], "poll") == ["p1"]
    assert store.chats_with_new_entries(before) == []
    store.add_to_inbox([_message("w1", "2026-04-05 10:05:00 +0200", chat_id=5)], "webhook")
    assert store.chats_with_new_entries(before) == ["5"]


def test_a_chat_day_is_the_calendar_day_in_the_workspace_timezone_across_dst(store):
    # Europe/Warsaw moved from +0100 to +0200 at 02:00 on 2026-03-29: that day has 23 hours.
    stamps = {
        "before": "2026-03-28 23:59:59 +0100",
        "first": "2026-03-29 00:00:00 +0100",
        "after-change": "2026-03-29 03:00:00 +0200",
        "last": "2026-03-29 23:59:59 +0200",
        "next-day": "2026-03-30 00:00:00 +0200",
    }
    store.add_to_inbox([_message(uid, ts) for uid, ts in stamps.items()], "poll")
    day = store.inbox_chat_day("7001", dt.date(2026, 3, 29), "Europe/Warsaw")
    assert [m["uid"] for m in day] == ["first", "after-change", "last"]


def test_messages_of_one_instant_come_in_uid_order_like_the_transform(store):
    store.add_to_inbox([_message("b", "2026-04-05 10:00:00 +0200"), _message("a", "2026-04-05 08:00:00 +0000")], "poll")
    assert [m["uid"] for m in store.inbox_chat_day("7001", dt.date(2026, 4, 5), "Europe/Warsaw")] == ["a", "b"]


def test_the_poll_cursor_moves_only_forward_and_webhooks_never_move_it(store):
    early, late = dt.datetime(2026, 4, 5, 8, tzinfo=UTC), dt.datetime(2026, 4, 5, 9, tzinfo=UTC)
    store.add_to_inbox([_message("w1", "2026-04-05 12:00:00 +0200")], "webhook")
    assert store.poll_cursors(["7001"]) == {}  # a delivery may have overtaken a lost one: polls start before it
    store.set_poll_cursors({"7001": PollCursor("p2", late)})
    store.set_poll_cursors({"7001": PollCursor("p1", early)})  # a late answer from an older poll
    assert store.poll_cursors(["7001", "7002"]) == {"7001": PollCursor("p2", late)}
    assert store.chats_with_new_entries(dt.datetime(2026, 1, 1, tzinfo=UTC)) == ["7001"]


def test_a_poll_cursor_alone_is_not_a_new_entry(store):
    store.set_poll_cursors({"9": PollCursor("p", dt.datetime(2026, 4, 5, tzinfo=UTC))})
    assert store.chats_with_new_entries(dt.datetime(2026, 1, 1, tzinfo=UTC)) == []


def test_pruning_drops_old_messages_by_message_time_and_keeps_cursors(store):
    store.add_to_inbox(
        [_message("old", "2026-03-01 10:00:00 +0100"), _message("new", "2026-04-05 10:00:00 +0200")], "poll"
    )
    store.set_poll_cursors({"7001": PollCursor("new", dt.datetime(2026, 4, 5, 8, tzinfo=UTC))})
    assert store.prune_inbox(dt.datetime(2026, 4, 1, tzinfo=UTC)) == 1
    assert store.inbox_size()[0] == 1 and "7001" in store.poll_cursors(["7001"])
    # After a prune, a re-read of the day lands the messages again (the way a pruned day's note is rebuilt).
    assert store.add_to_inbox([_message("old", "2026-03-01 10:00:00 +0100")], "poll") == ["old"]


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"chat_id": 1, "timestamp": "2026-04-05 10:00:00 +0200"}, "needs a uid"),
        ({"uid": "u", "timestamp": "2026-04-05 10:00:00 +0200"}, "needs a uid and a chat_id"),
        ({"uid": "u", "chat_id": 1, "timestamp": "2026-04-05T10:00:00Z"}, "is not 'YYYY-MM-DD HH:MM:SS ±ZZZZ'"),
    ],
)
def test_a_message_without_uid_chat_or_readable_timestamp_is_refused_with_its_reason(item, reason):
    with pytest.raises(ValueError, match=reason):
        InboxMessage.from_rest(item)


def test_racing_writers_of_one_uid_see_it_new_exactly_once(store):
    results: list[list[str]] = []
    barrier = threading.Barrier(6)

    def land() -> None:
        barrier.wait()
        results.append(store.add_to_inbox([_message("raced", "2026-04-05 10:00:00 +0200")], "webhook"))

    threads = [threading.Thread(target=land) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [[]] * 5 + [["raced"]]


def test_a_cursor_carries_its_coverage_and_a_prune_raises_it_to_the_cut(store):
    day, later = dt.datetime(2026, 4, 4, 22, tzinfo=UTC), dt.datetime(2026, 4, 5, 9, tzinfo=UTC)
    store.set_poll_cursors({"7001": PollCursor("p1", later, covered_since=day)})
    store.set_poll_cursors({"7001": PollCursor("p1", later, covered_since=day - dt.timedelta(days=1))})  # wider
    assert store.poll_cursors(["7001"])["7001"].covered_since == day - dt.timedelta(days=1)
    store.prune_inbox(day)
    assert store.poll_cursors(["7001"]) == {"7001": PollCursor("p1", later, covered_since=day)}


def test_a_poll_refreshes_a_held_copy_and_a_delivery_never_does(store):
    store.add_to_inbox([_message("u1", "2026-04-05 10:00:00 +0200", text="first")], "webhook")
    assert store.land_polled([_message("u1", "2026-04-05 10:00:00 +0200", text="as TimelinesAI has it")]) == []
    store.add_to_inbox([_message("u1", "2026-04-05 10:00:00 +0200", text="replayed")], "webhook")
    assert [m["text"] for m in store.inbox_chat_day("7001", dt.date(2026, 4, 5), "Europe/Warsaw")] == [
        "as TimelinesAI has it"
    ]
