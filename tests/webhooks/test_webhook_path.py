"""The emulator delivering to the receiver over real HTTP: once per message, and the note a poll would render."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import requests
from sqlalchemy import text

from timelines_zoho.transform import build_contacts, build_note_bundles


def _subscribe(timelines, event_type: str, url: str) -> dict:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {timelines.tokens()['owner']}"
    response = session.post(f"{timelines.api_url}/webhooks", json={"event_type": event_type, "url": url}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _api(timelines) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {timelines.tokens()['owner']}"
    return session


def _chat(timelines, name: str) -> dict:
    session, page = _api(timelines), 1
    while True:
        data = session.get(f"{timelines.api_url}/chats", params={"page": page}, timeout=30).json()["data"]
        for chat in data["chats"]:
            if chat["name"] == name:
                return chat
        assert data["has_more_pages"], name
        page += 1


def test_duplicated_and_reordered_deliveries_land_each_message_once(receiver, timelines):
    _subscribe(timelines, "message:new", receiver.url)
    timelines.faults(webhook_duplicate_share=0.5, webhook_reorder_ms=300)
    chat = _chat(timelines, "Anna Kowalska")
    uids = timelines.add_messages(chat["id"], [{"text": f"m{n}", "from_me": n % 2 == 0} for n in range(40)])
    report = timelines.wait_for_deliveries(timeout=30)
    assert report["idle"] and report["totals"]["delivered"] > 40  # some were sent twice
    assert report["totals"].get("failed", 0) == 0
    assert receiver.store.inbox_size()[0] == 40
    today = dt.datetime.fromtimestamp(timelines.clock()["now"], dt.timezone.utc).astimezone().date()
    landed = {
        m["uid"]
        for day in (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1))
        for m in receiver.store.inbox_chat_day(str(chat["id"]), day, "Europe/Warsaw")
    }
    assert landed == set(uids)


def test_a_note_from_webhook_deliveries_is_byte_identical_to_the_polled_one(receiver, timelines):
    _subscribe(timelines, "message:new", receiver.url)
    timelines.set_clock("2026-04-05T18:00:00+02:00")
    chat = _chat(timelines, "Anna Kowalska")
    uids = timelines.add_messages(
        chat["id"],
        [
            {"text": "Czy oferta jest aktualna?"},
            {"text": "Tak, w załączniku", "from_me": True, "attachment": {"filename": "Oferta 2026.pdf", "size": 900}},
            {"text": "", "attachment": {"filename": "IMG-1.jpg", "size": 500}},
            {"text": "Dziękuję 🙏\nDo jutra"},
        ],
    )
    assert timelines.wait_for_deliveries(timeout=30)["idle"]
    session = _api(timelines)
    polled = session.get(
        f"{timelines.api_url}/chats/{chat['id']}/messages",
        params={"after": "2026-04-05 00:00", "before": "2026-04-05", "sorting_order": "asc"}, timeout=30,
    ).json()["data"]["messages"]
    assert set(uids) <= {m["uid"] for m in polled}
    accounts = session.get(f"{timelines.api_url}/whatsapp_accounts", timeout=30).json()["data"]["whatsapp_accounts"]
    contacts, _ = build_contacts(pd.DataFrame([chat]), pd.DataFrame(accounts))
    from_poll, _ = build_note_bundles(
        pd.DataFrame([m for m in polled if m["uid"] in uids]), contacts, timezone="Europe/Warsaw"
    )
    inbox = receiver.store.inbox_chat_day(str(chat["id"]), dt.date(2026, 4, 5), "Europe/Warsaw")
    from_webhooks, _ = build_note_bundles(pd.DataFrame(inbox), contacts, timezone="Europe/Warsaw")
    assert len(from_poll) == 1
    assert from_webhooks["content"].tolist() == from_poll["content"].tolist()
    assert from_webhooks["title"].tolist() == from_poll["title"].tolist()
    assert [a["filename"] for a in from_webhooks["attachments"][0]] == ["Oferta 2026.pdf", "IMG-1.jpg"]


def test_a_receiver_that_cannot_make_an_event_durable_answers_an_error_so_timelinesai_retries(receiver, timelines):
    webhook = _subscribe(timelines, "message:new", receiver.url)
    with receiver.store.engine.begin() as connection:
        connection.execute(text("DROP TABLE tz_inbox_messages"))  # the database refuses every write
    chat = _chat(timelines, "Anna Kowalska")
    timelines.add_messages(chat["id"], [{"text": "lost?"}])
    report = timelines.wait_for_deliveries(timeout=30)
    (entry,) = timelines.deliveries()["deliveries"]
    assert entry["outcome"] == "failed" and all(a["status"] >= 500 for a in entry["attempts"])
    assert len(entry["attempts"]) == 3 and report["totals"]["failed"] == 1
    listed = _api(timelines).get(f"{timelines.api_url}/webhooks/{webhook['id']}", timeout=30).json()["data"]
    assert listed["errors_counter"] == 1  # the reconciliation poll brings the message in (second wave)
