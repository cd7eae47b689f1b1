"""The receiver: deliveries land in the inbox once; hostile ones are refused with a clear log and nothing written."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from timelines_zoho.state import InboxMessage, StateStore
from timelines_zoho.webhooks import ReceiverSecret, create_receiver_app
from timelines_zoho.webhooks.payloads import MAX_BODY_BYTES, Delivery, parse_delivery
from timelines_zoho.webhooks.receiver import GroupCommit, _land
from timelines_zoho_sandbox.server import serve_app

SINCE_EVER = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
EVENT = {
    "event_type": "message:received:new",
    "chat": {"full_name": "Anna Kowalska", "chat_url": "https://app.timelines.ai/chat/27600001/messages/",
             "chat_id": 27600001, "is_group": False, "phone": "+48601234567"},
    "whatsapp_account": {"full_name": "Olivia Nowak", "email": "olivia@example.com", "phone": "+48500100000"},
    "message": {
        "text": "Dzień dobry", "direction": "received", "origin": "synced from WhatsApp",
        "timestamp": "2026-04-05 10:35:18 +0200", "received_timestamp": "2026-04-05 10:35:19 +0200",
        "message_uid": "c7ec509d-0171-1ead-a84b-c6943a644768",
        "sender": {"full_name": "Anna Kowalska", "phone": "+48601234567"},
        "recipient": {"full_name": "ACME Sales", "phone": "+48500100000"},
        "attachments": [{"temporary_download_url": "https://files.example/att?Expires=1&Signature=s",
                         "filename": "oferta.pdf", "size": 1234, "mimetype": "application/pdf"}],
    },
}


def _event(**changes: object) -> dict:
    body = copy.deepcopy(EVENT)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = body
        for key in parents:
            node = node[key]
        node[leaf] = value
    return body


def _nothing_written(receiver) -> None:
    assert receiver.store.inbox_size()[0] == 0
    assert receiver.store.chats_with_new_entries(SINCE_EVER) == []


def test_a_message_event_lands_in_the_inbox_in_the_rest_shape(receiver):
    response = receiver.post(EVENT)
    assert response.status_code == 200 and response.json() == {"status": "stored"}
    (stored,) = receiver.store.inbox_chat_day("27600001", dt.date(2026, 4, 5), "Europe/Warsaw")
    assert stored["uid"] == EVENT["message"]["message_uid"] and stored["from_me"] is False
    assert (stored["sender_name"], stored["text"]) == ("Anna Kowalska", "Dzień dobry")
    assert (stored["attachment_filename"], stored["has_attachment"]) == ("oferta.pdf", True)
    assert stored["attachment_url"].startswith("https://files.example/")  # recorded for the loader to fetch or renew
    assert receiver.store.chats_with_new_entries(SINCE_EVER) == ["27600001"]


def test_a_chat_event_marks_the_chat_without_a_message(receiver):
    body = {"event_type": "chat:new", "chat": {"id": 27600002, "name": "New Lead"}, "whatsapp_account": {}}
    assert receiver.post(body).json() == {"status": "stored"}
    assert receiver.store.chats_with_new_entries(SINCE_EVER) == ["27600002"]
    assert receiver.store.inbox_size()[0] == 0


def test_a_documented_event_the_sync_does_not_use_is_acknowledged_and_not_stored(receiver):
    body = {"event_type": "whatsapp:account:connected", "whatsapp_account": {"id": "1@s.whatsapp.net"}}
    assert receiver.post(body).json() == {"status": "ignored"}
    _nothing_written(receiver)


def test_a_wrong_secret_is_refused_as_not_found_and_the_log_does_not_show_it(receiver, caplog):
    forged = "A" * 43
    with caplog.at_level(logging.INFO):
        response = receiver.post(EVENT, url=f"{receiver.root}/timelinesai/webhooks/{forged}")
    assert response.status_code == 404
    assert "wrong or retired secret" in caplog.text
    assert forged not in caplog.text and receiver.secret not in caplog.text
    _nothing_written(receiver)


def test_an_oversized_body_is_refused_before_it_is_read(receiver, caplog):
    huge = _event(message__text="x" * (MAX_BODY_BYTES + 10))
    with caplog.at_level(logging.WARNING):
        assert receiver.post(huge).status_code == 413
    assert "body over" in caplog.text
    _nothing_written(receiver)


def test_an_oversized_body_without_content_length_is_cut_off(receiver):
    def chunks():
        yield b'{"event_type": "message:new", "pad": "'
        for _ in range(MAX_BODY_BYTES // 65_536 + 2):
            yield b"x" * 65_536
        yield b'"}'

    response = receiver.post(data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    _nothing_written(receiver)


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"chat__chat_id": "27600001"}, "Expected `int`, got `str` - at `$.chat.chat_id`"),
        ({"message__text": 42}, "Expected `str`, got `int` - at `$.message.text`"),
        ({"message__direction": "sideways"}, "at `$.message.direction`"),
        ({"message__message_uid": ""}, "at `$.message.message_uid`"),
        ({"message__message_uid": "abc\u0000def"}, "at `$.message.message_uid`"),  # PostgreSQL refuses a NUL
        ({"message__timestamp": "2026-04-05T10:35:18Z"}, "is not 'YYYY-MM-DD HH:MM:SS ±ZZZZ'"),
        ({"message__attachments": [{"filename": "a.pdf"}]}, "missing required field `temporary_download_url`"),
        ({"message__sender": None}, "at `$.message.sender`"),
    ],
)
def test_wrong_types_are_refused_with_the_reason_and_nothing_written(receiver, caplog, changes, said):
    with caplog.at_level(logging.WARNING):
        response = receiver.post(_event(**changes))
    assert response.status_code == 422 and said in response.json()["error"]
    assert said in caplog.text
    _nothing_written(receiver)


def test_unknown_event_types_are_refused(receiver, caplog):
    with caplog.at_level(logging.WARNING):
        response = receiver.post(_event(event_type="chat:created"))  # a guide's wrong name (§9.2)
    assert response.status_code == 422 and "unknown event type 'chat:created'" in response.json()["error"]
    assert "unknown event type" in caplog.text
    _nothing_written(receiver)


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [(b"{not json", "application/json", 400), (b"[]", "application/json", 422), (b"a=1", "text/plain", 415)],
)
def test_bodies_that_are_not_a_json_object_are_refused(receiver, data, content_type, status):
    assert receiver.post(data=data, headers={"Content-Type": content_type}).status_code == status
    _nothing_written(receiver)


def test_a_replay_is_acknowledged_and_changes_nothing(receiver, caplog):
    assert receiver.post(EVENT).json() == {"status": "stored"}
    (first,) = receiver.store.inbox_chat_day("27600001", dt.date(2026, 4, 5), "Europe/Warsaw")
    marked = receiver.store.chats_with_new_entries(SINCE_EVER)
    later = dt.datetime.now(dt.timezone.utc)
    with caplog.at_level(logging.INFO):
        replay = receiver.post(_event(message__text="Please wire the money to ..."))
    assert replay.status_code == 200 and replay.json() == {"status": "duplicate"}
    assert "duplicate or a replay: nothing written" in caplog.text
    assert receiver.store.inbox_chat_day("27600001", dt.date(2026, 4, 5), "Europe/Warsaw") == [first]
    assert receiver.store.chats_with_new_entries(later) == [] and marked == ["27600001"]


def test_a_rotated_secret_keeps_the_old_one_for_its_grace_period_only(receiver):
    secrets = ReceiverSecret(receiver.store)
    old = receiver.secret
    receiver.secret = secrets.rotate(grace=dt.timedelta(hours=1))
    assert receiver.post(EVENT).status_code == 200
    assert receiver.post(EVENT, url=f"{receiver.root}/timelinesai/webhooks/{old}").status_code == 200
    newest = secrets.rotate(grace=dt.timedelta(0))
    stored = receiver.store.get_meta("webhook_receiver_secret")
    assert newest not in stored and receiver.secret not in stored  # only hashes are kept
    time.sleep(5.1)  # the receiver process caches the hashes for up to 5 s
    assert receiver.post(EVENT, url=f"{receiver.root}/timelinesai/webhooks/{receiver.secret}").status_code == 404
    assert receiver.post(EVENT, url=f"{receiver.root}/timelinesai/webhooks/{newest}").status_code == 200


def test_an_unconfigured_receiver_refuses_everything(tmp_path):
    store = StateStore(f"sqlite:///{tmp_path / 'empty.db'}")
    store.migrate()
    server = serve_app(lambda url: create_receiver_app(store))
    try:
        assert requests.get(f"{server.url}/healthz", timeout=30).json() == {"ok": True, "secret_configured": False}
        response = requests.post(f"{server.url}/timelinesai/webhooks/anything", json=EVENT, timeout=30)
        assert response.status_code == 404 and store.inbox_size()[0] == 0
    finally:
        server.stop()
        store.dispose()


def test_copies_arriving_together_are_stored_once_and_the_others_answered_duplicate(receiver):
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda _: receiver.post(EVENT).json()["status"], range(12)))
    assert sorted(answers) == ["duplicate"] * 11 + ["stored"]
    assert receiver.store.inbox_size()[0] == 1


def test_two_copies_in_one_group_commit_answer_stored_then_duplicate(receiver):
    delivery = parse_delivery(json.dumps(EVENT).encode())
    assert _land(receiver.store, [delivery, delivery]) == ["stored", "duplicate"]
    assert _land(receiver.store, [delivery]) == ["duplicate"]


def _run_in_own_loop(coroutine):
    """Run the coroutine on a fresh loop in a thread: a session's Playwright keeps a loop running on this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_delivery_the_database_refuses_does_not_fail_the_others_in_its_batch(receiver):
    good = parse_delivery(json.dumps(EVENT).encode())
    # Validation stops such a value at the door; this checks the writer's own isolation behind it.
    poison = Delivery("message:new", message=InboxMessage("poison", {"not": "bindable"}, good.message.ts, {}))
    writer = GroupCommit(receiver.store)

    async def flood() -> list[object]:
        return await asyncio.gather(writer.land(good), writer.land(poison), return_exceptions=True)

    stored, refused = _run_in_own_loop(flood())
    assert stored == "stored" and isinstance(refused, Exception)
    assert receiver.store.inbox_size()[0] == 1


def test_a_delivery_whose_sender_hung_up_does_not_stop_the_writer(receiver):
    first = parse_delivery(json.dumps(EVENT).encode())
    second = parse_delivery(json.dumps(_event(message__message_uid="second-uid")).encode())
    writer = GroupCommit(receiver.store)

    async def hang_up_then_deliver() -> str:
        abandoned = asyncio.create_task(writer.land(first))
        kept = asyncio.create_task(writer.land(second))  # in the same batch, after the abandoned one
        await asyncio.sleep(0)  # both queued, not landed yet
        abandoned.cancel()
        return await asyncio.wait_for(kept, timeout=10)

    assert _run_in_own_loop(hang_up_then_deliver()) == "stored"
    assert receiver.store.inbox_size()[0] == 2  # the abandoned one landed too: TimelinesAI's retry is a duplicate
