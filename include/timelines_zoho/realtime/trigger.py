"""The inbox trigger: an Airflow event trigger (run by the triggerer) that fires when the inbox gets new entries.

It fires once a burst has gone quiet for `debounce` seconds, or `max_wait` seconds after it first saw the burst,
whichever comes first, so a burst becomes one run and a steady stream still gets a run every `max_wait`. Then it
records the newest landing it fired for (in the state store: the triggerer may restart it, and a restarted
trigger must not fire again for the same entries) and ends; the triggerer starts it again for the next event.
An entry stamped before that mark but committed after it would wait for the next event or the scheduled run;
the receiver stamps an entry in the transaction that commits it, milliseconds before, and the trigger fires only
after `debounce` seconds of quiet, so that does not happen in practice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

FIRED_MARK = "realtime_fired_through"


class InboxTrigger(BaseEventTrigger):
    """Fire a TriggerEvent when inbox entries landed after the last firing and have gone quiet."""

    def __init__(self, poll_interval: float = 1.0, debounce: float = 2.0, max_wait: float = 15.0,
                 state_url: str | None = None) -> None:
        super().__init__()
        self.poll_interval, self.debounce, self.max_wait = poll_interval, debounce, max_wait
        self.state_url = state_url  # None: the configured store (TIMELINES_ZOHO_STATE_URL)
        self._first_seen: float | None = None  # when this trigger first saw the pending burst (monotonic)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "timelines_zoho.realtime.trigger.InboxTrigger",
            {"poll_interval": self.poll_interval, "debounce": self.debounce, "max_wait": self.max_wait,
             "state_url": self.state_url},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from timelines_zoho.state import StateStore

        store = StateStore(self.state_url)
        try:
            while True:
                event = await asyncio.to_thread(self._check, store)
                if event is not None:
                    yield event
                    return
                await asyncio.sleep(self.poll_interval)
        finally:
            store.dispose()

    def _check(self, store: Any) -> TriggerEvent | None:
        """One look at the inbox (blocking: run in a thread, the triggerer's loop serves other triggers)."""
        mark = store.get_meta(FIRED_MARK)
        pending = store.inbox_pending(datetime.fromisoformat(mark) if mark else None)
        if pending.newest is None:
            self._first_seen = None
            return None
        now = time.monotonic()
        self._first_seen = self._first_seen or now
        quiet = time.time() - pending.newest.timestamp()
        if quiet < self.debounce and now - self._first_seen < self.max_wait:
            return None
        store.set_meta(FIRED_MARK, pending.newest.isoformat())
        self.log.info("inbox: %d chats with new entries, newest landed %.1f s ago", pending.chats, quiet)
        return TriggerEvent({"chats": pending.chats, "newest": pending.newest.isoformat()})
