"""Emulated webhooks (§9): the subscription API against the spec, and deliveries against WHSPEC's payloads."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from fastapi import FastAPI, Request
from fastapi.responses import Response
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from timelines_zoho_sandbox.server import RunningServer, serve_app
from timelines_zoho_sandbox.spec_check import SPECS_DIR, validate_response

WHSPEC = "https://timelines.ai/webhook_spec.yaml"


@dataclass
class Catcher:
    """A receiver that records what it gets and answers as told."""

    received: list[dict] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0

    def bodies(self, event_type: str | None = None) -> list[dict]:
        return [r["body"] for r in self.received if event_type is None or r["body"]["event_type"] == event_type]


@pytest.fixture(scope="module")
def catcher_server() -> Iterator[tuple[RunningServer, Catcher]]:
    catcher = Catcher()
    app = FastAPI()

    @app.post("/hook/{name}")
    async def hook(name: str, request: Request) -> Response:
        catcher.received.append({"name": name, "body": await request.json(), "headers": dict(request.headers)})
        if catcher.delay:
            await asyncio.sleep(catcher.delay)
        return Response(status_code=catcher.status)

    server = serve_app(lambda url: app)
    yield server, catcher
    server.stop()


@pytest.fixture
def hooks(tl, catcher_server):
    server, catcher = catcher_server
    catcher.received.clear()
    catcher.status, catcher.delay = 200, 0.0
    tl.admin.settings(webhook_timeout_seconds=0.5, webhook_retry_delay_seconds=0.05)
    return server.url, catcher


def _subscribe(tl, event_type: str, url: str, **extra: object) -> dict:
    response = tl.api.post(f"{tl.admin.api_url}/webhooks", json={"event_type": event_type, "url": url, **extra})
    assert response.status_code == 200, response.text
    validate_response("timelinesai", "POST", "/integrations/api/webhooks", 200, response.json())
    return response.json()["data"]


@functools.cache
def _validator(schema: str) -> Draft202012Validator:
    document = yaml.safe_load((SPECS_DIR / "timelinesai" / "webhook_spec.yaml").read_text())
    registry = Registry().with_resource(WHSPEC, Resource.from_contents(document, default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{WHSPEC}#/components/schemas/{schema}"}, registry=registry)


def _whspec(schema: str, body: dict) -> None:
    validator = _validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors


def _settle(tl) -> dict:
    waited = tl.admin.wait_for_deliveries(timeout=20)
    assert waited["idle"], waited
    return waited


def test_subscription_api_is_idempotent_on_event_type_and_url(tl):
    url = "https://receiver.example/hook/abc"
    first = _subscribe(tl, "message:new", url)
    assert first == {"id": first["id"], "event_type": "message:new", "enabled": True, "url": url, "errors_counter": 0}
    assert _subscribe(tl, "message:new", url)["id"] == first["id"]
    other = _subscribe(tl, "chat:new", url, enabled=False)
    assert other["id"] > first["id"] and other["enabled"] is False

    put = tl.api.put(f"{tl.admin.api_url}/webhooks/{first['id']}", json={"enabled": False})
    assert put.status_code == 200 and put.json()["data"]["url"] == url  # partial: the url stays
    validate_response("timelinesai", "PUT", f"/integrations/api/webhooks/{first['id']}", 200, put.json())
    assert _subscribe(tl, "message:new", url) == {**first, "enabled": True}  # re-enabled, same id

    assert tl.api.delete(f"{tl.admin.api_url}/webhooks/{first['id']}").status_code == 200
    assert tl.get(f"/webhooks/{first['id']}").status_code == 404
    assert _subscribe(tl, "message:new", url)["id"] == first["id"]  # restored with its id

    listed = tl.get("/webhooks").json()
    validate_response("timelinesai", "GET", "/integrations/api/webhooks", 200, listed)
    assert [w["id"] for w in listed["data"]] == [first["id"], other["id"]]
    got = tl.get(f"/webhooks/{other['id']}").json()
    validate_response("timelinesai", "GET", f"/integrations/api/webhooks/{other['id']}", 200, got)


def test_an_eleventh_webhook_is_refused_but_an_existing_pair_still_answers(tl):
    for n in range(10):
        _subscribe(tl, "message:new", f"https://receiver.example/{n}")
    refused = tl.api.post(
        f"{tl.admin.api_url}/webhooks", json={"event_type": "message:new", "url": "https://receiver.example/10"}
    )
    assert refused.status_code == 403 and refused.json()["error_code"] == "plan_feature_unavailable"
    assert _subscribe(tl, "message:new", "https://receiver.example/3")["url"].endswith("/3")


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({"event_type": "chat:created", "url": "https://x.example/"}, "event_type"),  # a guide's wrong name
        ({"event_type": "message:new", "url": "ftp://x.example/"}, "url"),
        ({"event_type": "message:new", "url": "https://a+b=c@x.example/"}, "url"),
        ({"event_type": "message:new", "url": "https://x.example/" + "a" * 4096}, "url"),
        ({"event_type": "message:new", "url": "https://x.example/", "enabled": "yes"}, "enabled"),
    ],
)
def test_bad_subscriptions_get_a_validation_error_naming_the_field(tl, body, field_name):
    response = tl.api.post(f"{tl.admin.api_url}/webhooks", json=body)
    assert response.status_code == 400
    assert response.json()["error_code"] == "validation_error"
    assert response.json()["errors"][0]["fields"] == [field_name]


def test_a_new_inbound_message_is_delivered_as_documented_without_a_signature(tl, hooks):
    root, catcher = hooks
    for event in ("message:new", "message:received:new", "message:sent:new"):
        _subscribe(tl, event, f"{root}/hook/{event}")
    chat = tl.chat_by_name("Anna Kowalska")
    (uid,) = tl.admin.add_messages(chat["id"], [{"text": "Dzień dobry", "attachment": {"filename": "oferta.pdf"}}])
    _settle(tl)
    assert sorted(r["name"] for r in catcher.received) == ["message:new", "message:received:new"]
    body = catcher.bodies("message:received:new")[0]
    _whspec("MessageData", body)
    message = body["message"]
    rest = tl.data(f"/messages/{uid}")
    assert message["message_uid"] == uid and message["direction"] == "received"
    assert (message["text"], message["timestamp"]) == (rest["text"], rest["timestamp"])
    assert message["sender"] == {"full_name": rest["sender_name"], "phone": rest["sender_phone"]}
    assert body["chat"]["chat_id"] == chat["id"] and body["chat"]["chat_url"].startswith("https://app.timelines.ai/")
    (attachment,) = message["attachments"]
    assert attachment["filename"] == "oferta.pdf" and attachment["mimetype"] == "application/pdf"
    expires = int(parse_qs(urlsplit(attachment["temporary_download_url"]).query)["Expires"][0])
    assert expires - tl.admin.clock()["now"] == pytest.approx(900, abs=5)  # 15 minutes
    assert tl.api.get(attachment["temporary_download_url"], timeout=30).status_code == 200
    headers = catcher.received[0]["headers"]
    assert headers["content-type"] == "application/json"
    assert not [h for h in headers if "signature" in h or h.startswith("x-timelines")]


def test_messages_fire_when_the_clock_reaches_them_not_before(tl, hooks):
    root, catcher = hooks
    _subscribe(tl, "message:sent:new", f"{root}/hook/sent")
    chat = tl.chat_by_name("Anna Kowalska")
    now = tl.admin.set_clock(time.time())["now"]
    (uid,) = tl.admin.add_messages(chat["id"], [{"text": "see you", "from_me": True, "ts": int(now) + 600}])
    _settle(tl)
    assert catcher.received == []
    tl.admin.advance_clock(600)
    _settle(tl)
    assert [b["message"]["message_uid"] for b in catcher.bodies()] == [uid]
    assert catcher.bodies()[0]["message"]["direction"] == "sent"


def test_a_chat_becoming_visible_fires_chat_new(tl, hooks):
    root, catcher = hooks
    newest = max(tl.all_chats(), key=lambda c: c["created_timestamp"])
    _subscribe(tl, "chat:new", f"{root}/hook/chat")
    tl.admin.set_clock(_created(newest) - 1)
    tl.admin.advance_clock(1)
    _settle(tl)
    (body,) = catcher.bodies("chat:new")
    _whspec("ChatData", body)
    assert body["chat"]["id"] == newest["id"] and body["chat"]["name"] == newest["name"]


def _created(chat: dict) -> float:
    return dt.datetime.strptime(chat["created_timestamp"], "%Y-%m-%d %H:%M:%S %z").timestamp()


def test_a_failing_receiver_gets_three_attempts_then_errors_counter_goes_up(tl, hooks):
    root, catcher = hooks
    webhook = _subscribe(tl, "message:new", f"{root}/hook/failing")
    catcher.status = 500
    chat = tl.chat_by_name("Anna Kowalska")
    tl.admin.add_messages(chat["id"], [{"text": "one"}])
    _settle(tl)
    assert len(catcher.received) == 3
    (entry,) = tl.admin.deliveries()["deliveries"]
    assert entry["outcome"] == "failed" and [a["status"] for a in entry["attempts"]] == [500, 500, 500]
    assert tl.data(f"/webhooks/{webhook['id']}")["errors_counter"] == 1
    assert tl.data(f"/webhooks/{webhook['id']}")["enabled"] is True  # never disabled automatically

    catcher.status = 204
    tl.admin.add_messages(chat["id"], [{"text": "two"}])
    _settle(tl)
    assert tl.data(f"/webhooks/{webhook['id']}")["errors_counter"] == 0  # consecutive failures only


def test_a_receiver_slower_than_the_timeout_counts_as_a_failed_attempt(tl, hooks):
    root, catcher = hooks
    _subscribe(tl, "message:new", f"{root}/hook/slow")
    catcher.delay = 1.0  # the timeout is 0.5 s in these tests (5 s by default)
    tl.admin.add_messages(tl.chat_by_name("Anna Kowalska")["id"], [{"text": "slow"}])
    _settle(tl)
    (entry,) = tl.admin.deliveries()["deliveries"]
    assert entry["outcome"] == "failed" and {a.get("error") for a in entry["attempts"]} == {"ReadTimeout"}


def test_deleting_a_webhook_stops_its_queued_deliveries(tl, hooks):
    root, catcher = hooks
    webhook = _subscribe(tl, "message:new", f"{root}/hook/deleted")
    tl.admin.faults(webhook_reorder_ms=1000)  # holds each delivery back up to a second
    tl.admin.add_messages(tl.chat_by_name("Anna Kowalska")["id"], [{"text": f"m{n}"} for n in range(5)])
    tl.api.delete(f"{tl.admin.api_url}/webhooks/{webhook['id']}")
    report = _settle(tl)
    assert report["totals"]["cancelled"] + report["totals"].get("delivered", 0) == 5
    assert len(catcher.received) == report["totals"].get("delivered", 0) < 5


def test_duplicate_and_reorder_faults_send_twice_and_out_of_order(tl, hooks):
    root, catcher = hooks
    _subscribe(tl, "message:new", f"{root}/hook/faulty")
    tl.admin.faults(webhook_duplicate_share=1.0, webhook_reorder_ms=400)
    chat = tl.chat_by_name("Anna Kowalska")
    now = int(tl.admin.clock()["now"])
    uids = tl.admin.add_messages(chat["id"], [{"text": f"m{n}", "ts": now - 100 + n} for n in range(20)])
    _settle(tl)
    got = [b["message"]["message_uid"] for b in catcher.bodies()]
    assert sorted(got) == sorted(uids * 2)
    assert [u for u in dict.fromkeys(got)] != uids  # first arrivals are not in message order


def test_deliveries_cost_no_api_quota(tl, hooks):
    root, _ = hooks
    _subscribe(tl, "message:new", f"{root}/hook/quota")
    chat = tl.chat_by_name("Anna Kowalska")
    before = tl.admin.stats()["quota_used"]
    tl.admin.add_messages(chat["id"], [{"text": f"m{n}"} for n in range(10)])
    assert _settle(tl)["totals"]["delivered"] == 10
    assert tl.admin.stats()["quota_used"] == before


def test_subscriptions_and_the_clock_survive_a_restart_with_a_state_file(tmp_path):
    from timelines_zoho_sandbox.timelinesai.state import EmulatorState

    path = str(tmp_path / "timelinesai.json")
    first = EmulatorState("http://127.0.0.1:1", path)
    webhook = first.webhooks.create({"event_type": "message:new", "url": "https://r.example/h"}, limit=10)
    first.webhooks_changed()
    first.set_clock(at=1_775_000_000)
    again = EmulatorState("http://127.0.0.1:1", path)
    assert [s.info() for s in again.webhooks.live()] == [webhook.info()]
    assert again.clock.now() == 1_775_000_000 and again.workspace.horizon == 1_775_000_000


def test_a_day_played_on_the_clock_delivers_every_whatsapp_message_once_in_documented_shapes(tl, hooks):
    root, catcher = hooks
    _subscribe(tl, "message:new", f"{root}/hook/day")
    tl.admin.set_clock("2026-04-04T00:00:00+02:00")
    tl.admin.advance_clock(86_400)
    _settle(tl)
    bodies = catcher.bodies("message:new")
    for body in bodies:  # groups, unassigned chats, text-free attachments, renamed contacts...
        _whspec("MessageData", body)
    uids = [b["message"]["message_uid"] for b in bodies]
    assert len(uids) == len(set(uids)) > 50
    expected = set()
    for chat in tl.all_chats():
        messages = tl.data(
            f"/chats/{chat['id']}/messages", after="2026-04-04T00:00:01+02:00", before="2026-04-05T00:00:00+02:00"
        )["messages"]
        assert len(messages) < 50  # one page holds the chat's day
        expected |= {m["uid"] for m in messages if m["message_type"] == "whatsapp"}
    assert set(uids) == expected
