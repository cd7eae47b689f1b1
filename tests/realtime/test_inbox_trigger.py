"""The inbox trigger over a real state store: a burst fires one event after it goes quiet, and only once."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from timelines_zoho.realtime.trigger import InboxTrigger
from timelines_zoho.state import InboxMessage, StateStore


def _run(coroutine):
    """Run on a fresh loop in a thread: no loop another test left on this thread can refuse it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def store(tmp_path) -> StateStore:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    store.migrate()
    yield store
    store.dispose()


def _land(store: StateStore, chat: str, n: int) -> None:
    at = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.timezone.utc)
    store.add_to_inbox([InboxMessage(f"{chat}-{n}", chat, at, {"uid": f"{chat}-{n}"})], "webhook")


def _trigger(store: StateStore, **knobs: float) -> InboxTrigger:
    return InboxTrigger(**({"poll_interval": 0.05, "debounce": 0.4, "max_wait": 5.0} | knobs), state_url=store.url)


async def _first_event(trigger: InboxTrigger, timeout: float):
    async def first():
        async for event in trigger.run():
            return event
    try:
        return await asyncio.wait_for(first(), timeout)
    except TimeoutError:
        return None


def test_a_burst_becomes_one_event_after_it_goes_quiet(store: StateStore) -> None:
    async def scenario():
        waiting = asyncio.create_task(_first_event(_trigger(store, debounce=1.5), timeout=20))
        for n in range(10):  # a burst of 10 deliveries, 0.1 s apart, to 3 chats
            await asyncio.to_thread(_land, store, f"c{n % 3}", n)
            assert not waiting.done(), f"fired during the burst, after delivery {n}"
            await asyncio.sleep(0.1)
        burst_end = time.monotonic()
        event = await waiting
        return event, time.monotonic() - burst_end

    event, after = _run(scenario())
    assert event is not None and event.payload["chats"] == 3
    assert event.payload["newest"] == store.inbox_pending(None).newest.isoformat()  # the last delivery is in it
    assert 1.0 <= after < 5  # it waited for the quiet
    # A restarted trigger (the triggerer starts it again after each event) does not fire for the same entries.
    assert _run(_first_event(_trigger(store), timeout=1.0)) is None
    _land(store, "c9", 99)
    again = _run(_first_event(_trigger(store), timeout=5.0))
    assert again is not None and again.payload["chats"] == 1


def test_a_steady_stream_still_fires_within_max_wait(store: StateStore) -> None:
    async def scenario():
        waiting = asyncio.create_task(_first_event(_trigger(store, max_wait=1.0), timeout=10))
        started = time.monotonic()
        n = 0
        while not waiting.done():  # never quiet for the 0.4 s debounce
            await asyncio.to_thread(_land, store, "c1", n)
            n += 1
            await asyncio.sleep(0.1)
        return await waiting, time.monotonic() - started

    event, waited = _run(scenario())
    assert event is not None and 1.0 <= waited < 3.0


def test_the_trigger_serializes_to_its_import_path_and_knobs() -> None:
    classpath, kwargs = InboxTrigger(debounce=3.0).serialize()
    assert classpath == "timelines_zoho.realtime.trigger.InboxTrigger"
    assert InboxTrigger(**kwargs).serialize() == (classpath, kwargs)
