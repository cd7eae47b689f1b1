"""The webhook path end to end: emulator → receiver → inbox → an event-driven run → Zoho, and the reconciliation.

The steps run in-process (the DAG's order, no Airflow); the receiver and both emulators are real HTTP servers.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests
from sync_support import Sync, workspace

from timelines_zoho.realtime import run as realtime
from timelines_zoho.sync import runner
from timelines_zoho.webhooks import ReceiverSecret, create_receiver_app
from timelines_zoho_sandbox.server import serve_app

pytestmark = pytest.mark.slow
CLOCK = datetime.fromisoformat("2026-03-31T15:00:00+02:00")
DAY = {"window_start": "2026-03-31T00:00:00+02:00", "window_end": "2026-04-01T00:00:00+02:00"}


class Receiver:
    """The webhook receiver over the integration's store, subscribed to message:new; it can go down and up."""

    def __init__(self, sync: Sync) -> None:
        self.sync, self.secret = sync, ReceiverSecret(sync.store).rotate()
        self.server = serve_app(lambda url: create_receiver_app(sync.store))
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {sync.timelines.tokens()['owner']}"
        answer = api.post(f"{sync.timelines.api_url}/webhooks", timeout=30, json={
            "event_type": "message:new", "url": f"{self.server.url}/timelinesai/webhooks/{self.secret}"})
        assert answer.status_code == 200, answer.text

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def receiver(sync: Sync) -> Iterator[Receiver]:
    sync.timelines.settings(webhook_timeout_seconds=2.0, webhook_retry_delay_seconds=0.05)
    sync.timelines.set_clock(CLOCK.isoformat())
    running = Receiver(sync)
    yield running
    running.stop()


def _timelines_calls(sync: Sync) -> Counter:
    return Counter(sync.timelines.stats()["calls"])


def _say(sync: Sync, chats: list[dict], per_chat: int, tag: str) -> dict[str, str]:
    """Add `per_chat` messages to each chat; return text → chat id."""
    texts = {}
    for chat in chats:
        batch = [f"{tag} {chat['id']} #{n}" for n in range(per_chat)]
        sync.timelines.add_messages(chat["id"], [{"text": text, "from_me": n % 2 == 0} for n, text in enumerate(batch)])
        texts.update(dict.fromkeys(batch, str(chat["id"])))
    return texts


def _notes(sync: Sync) -> list[dict]:
    return sync.dump()["records"]["Notes"]


def _missing(sync: Sync, texts: dict[str, str]) -> list[str]:
    content = "\n".join(n["Note_Content"] for n in _notes(sync))
    return [text for text in texts if text not in content]


def _duplicated_notes(sync: Sync) -> list[tuple[str, str]]:
    titles = Counter((n["Parent_Id"]["id"], n["Note_Title"], n["Note_Content"]) for n in _notes(sync))
    return [key[:2] for key, count in titles.items() if count > 1]


def _persons(count: int) -> list[dict]:
    return [c for c in workspace() if not c.get("is_group")][:count]


def test_webhook_messages_reach_zoho_in_one_run_of_only_their_chats(sync: Sync, receiver: Receiver) -> None:
    runner.run_inline("scheduled__history", DAY, now=CLOCK)  # the history: the day so far
    chats = _persons(3)
    others = {n["id"]: n["Note_Content"] for n in _notes(sync)}
    texts = _say(sync, chats, 20, "live")
    assert sync.timelines.wait_for_deliveries(timeout=30)["idle"]
    time.sleep(realtime.OVERLAP.total_seconds())  # the trigger's debounce: the burst has gone quiet
    before = _timelines_calls(sync)
    summary = realtime.run_inline("burst-1", now=CLOCK + timedelta(minutes=1))
    calls = _timelines_calls(sync) - before
    assert summary is not None and _missing(sync, texts) == []
    assert not any(path.startswith("GET /chats") and path.endswith("/chats") for path in calls), calls  # no listing
    # Only the three chats were read: the accounts and teammates once, and per chat the chat and its day.
    assert sum(calls.values()) <= 2 + 2 * len(chats), calls
    print(f"webhook path: {sum(calls.values())} TimelinesAI calls for {len(texts)} messages "
          f"({sum(calls.values()) / len(texts):.3f} per message): {dict(calls)}")
    ids = {str(c["id"]) for c in chats}
    changed = [n for n in _notes(sync) if n["id"] in others and n["Note_Content"] != others[n["id"]]]
    assert all(any(f"/chat/{i}/" in n["Note_Content"] for i in ids) for n in changed)
    # Nothing new: the next event-driven run has nothing to do and reads nothing.
    before = _timelines_calls(sync)
    assert realtime.run_inline("burst-2", now=CLOCK + timedelta(minutes=2)) is None
    assert _timelines_calls(sync) - before == Counter()
    assert _duplicated_notes(sync) == []


def test_a_ten_minute_receiver_outage_is_brought_in_by_the_scheduled_run_with_nothing_lost_or_doubled(
    sync: Sync, receiver: Receiver,
) -> None:
    chats = _persons(4)
    delivered = _say(sync, chats[:2], 5, "before")
    assert sync.timelines.wait_for_deliveries(timeout=30)["idle"]
    time.sleep(realtime.OVERLAP.total_seconds())
    assert realtime.run_inline("before-outage", now=CLOCK + timedelta(seconds=30)) is not None
    receiver.stop()
    lost: dict[str, str] = {}
    for minute in range(10):  # ten minutes of the sandbox clock with the receiver down
        sync.timelines.advance_clock(60)
        lost |= _say(sync, [chats[minute % 4]], 2, f"outage m{minute}")
    report = sync.timelines.wait_for_deliveries(timeout=60)
    # Every delivery failed: ours, and the seeded messages the clock made visible in those minutes.
    assert report["idle"] and report["totals"].get("failed", 0) >= len(lost)
    assert _missing(sync, lost) == list(lost)
    assert realtime.run_inline("during-outage", now=CLOCK + timedelta(minutes=11)) is None  # the inbox saw nothing
    # The scheduled run is the reconciliation: its window reads every chat active in it.
    runner.run_inline("scheduled__reconcile", DAY, now=CLOCK + timedelta(minutes=12))
    assert _missing(sync, delivered | lost) == []
    assert _duplicated_notes(sync) == []
    runner.run_inline("scheduled__again", DAY, now=CLOCK + timedelta(minutes=13))
    assert _duplicated_notes(sync) == []


def test_an_event_driven_run_racing_the_scheduled_run_over_the_same_chats_duplicates_nothing(
    sync: Sync, receiver: Receiver,
) -> None:
    texts = _say(sync, _persons(6), 4, "race")
    assert sync.timelines.wait_for_deliveries(timeout=30)["idle"]
    now = CLOCK + timedelta(minutes=1)
    with ThreadPoolExecutor(2) as pool:
        racing = [pool.submit(realtime.run_inline, "race", now=now),
                  pool.submit(runner.run_inline, "scheduled__race", DAY, now=now)]
        [future.result() for future in racing]
    assert _duplicated_notes(sync) == []
    contacts = Counter(c.get("Mobile") for c in sync.dump()["records"]["Contacts"] if c.get("Lead_Source") == "TimelinesAI")
    assert [m for m, n in contacts.items() if n > 1] == []
    # What one run left to the other (a claim it held) the next scheduled run completes, still once.
    runner.run_inline("scheduled__after", DAY, now=now + timedelta(minutes=11))
    assert _missing(sync, texts) == [] and _duplicated_notes(sync) == []


def test_activation_subscribes_the_receiver_and_deactivation_removes_it(sync: Sync, monkeypatch) -> None:
    from timelines_zoho.hooks.timelinesai import TimelinesAIHook
    from timelines_zoho.settings import Actor, Lifecycle
    from timelines_zoho.settings import webhooks as subscriptions
    from timelines_zoho_sandbox import sandbox_wiring

    hook, admin = TimelinesAIHook(), Actor("admin", is_admin=True)
    assert subscriptions.status(sync.store, hook).summary == subscriptions.POLLING_ONLY  # no receiver configured
    server = serve_app(lambda url: create_receiver_app(sync.store))
    try:
        monkeypatch.setenv(subscriptions.URL_ENV, server.url)
        Lifecycle(sync.store).deactivate(admin)
        sandbox_wiring.activate(sync.store)
        sandbox_wiring.activate(sync.store)  # already active: nothing more is subscribed
        ours = [s for s in hook.list_webhooks() if s["url"].startswith(server.url)]
        assert sorted(s["event_type"] for s in ours) == sorted(subscriptions.EVENT_TYPES)
        assert len({s["url"] for s in ours}) == 1
        sync.timelines.add_messages(_persons(1)[0]["id"], [{"text": "hello through the subscription"}])
        assert sync.timelines.wait_for_deliveries(timeout=30)["idle"]
        shown = subscriptions.status(sync.store, hook)
        assert shown.subscribed == sorted(subscriptions.EVENT_TYPES) and shown.errors == 0
        assert shown.last_delivery is not None and shown.backlog_chats == 1
        secret = ours[0]["url"].rsplit("/", 1)[1]
        assert secret not in json_of(sync.store.audit_log(20))  # the URL's secret is in no record
        Lifecycle(sync.store).deactivate(admin)
        assert [s for s in hook.list_webhooks() if s["url"].startswith(server.url)] == []
        assert subscriptions.status(sync.store, hook).subscribed == []
    finally:
        server.stop()


def json_of(entries: list) -> str:
    import dataclasses
    import json

    return json.dumps([dataclasses.asdict(e) for e in entries], default=str)
