"""Webhook deliveries (timelinesai-api.md §9.2): JSON POSTs with no signature, a 5 s timeout, 3 attempts.

After the third failed attempt the subscription's `errors_counter` goes up (a success resets it: the spec calls
it consecutive failures); the webhook is never disabled. Faults: a share of deliveries sent twice, and a random
hold-back of up to `webhook_reorder_ms` per delivery, so that several workers deliver out of order.
"""

from __future__ import annotations

import itertools
import logging
import queue
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
import msgspec

if TYPE_CHECKING:
    from timelines_zoho_sandbox.timelinesai.state import EmulatorState

log = logging.getLogger(__name__)
ATTEMPTS = 3
WORKERS = 8
LOG_SIZE = 1000  # what the vendor's execution log keeps
TICK_SECONDS = 0.2


@dataclass
class Delivery:
    """One event on its way to one subscription."""

    id: int
    webhook_id: int
    event_type: str
    key: str  # the message uid or chat id the event is about
    body: bytes
    duplicate: bool = False
    attempts: list[dict] = field(default_factory=list)

    def entry(self, outcome: str) -> dict:
        return {
            "id": self.id, "webhook_id": self.webhook_id, "event_type": self.event_type, "key": self.key,
            "duplicate": self.duplicate, "attempts": self.attempts, "outcome": outcome,
        }


class Dispatcher:
    """A queue ordered by due time, drained by worker threads; a ticker thread lets the clock fire events."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.queue: queue.PriorityQueue[tuple[float, int, Delivery]] = queue.PriorityQueue()
        self.ids = itertools.count(1)
        self.rng = random.Random(state.params.seed)
        self.log: deque[dict] = deque(maxlen=LOG_SIZE)
        self.totals: Counter[str] = Counter()
        self.outstanding = 0  # queued, waiting for a retry or being sent: counted from enqueue to finish
        self.generation = 0  # a reset drops what is queued for the old workspace
        self.lock = threading.Lock()
        self.started = False
        self.client: httpx.Client | None = None

    def _start(self) -> None:
        with self.lock:
            if self.started:
                return
            self.started = True
            self.client = httpx.Client(follow_redirects=False, headers={"User-Agent": "TimelinesAI-Webhooks/2.0"})
        for n in range(WORKERS):
            threading.Thread(target=self._work, daemon=True, name=f"timelinesai webhooks {n}").start()
        threading.Thread(target=self._tick, daemon=True, name="timelinesai clock").start()

    def wake(self) -> None:
        """Start the threads once a subscription exists (a sandbox nobody subscribed to runs none)."""
        if not self.started:
            self._start()

    def enqueue(self, events: list[tuple[str, str, dict]]) -> int:
        """Queue each event for each enabled subscription of its type; return how many deliveries were queued."""
        faults, queued = self.state.faults, 0
        for event_type, key, payload in events:
            subscribers = self.state.webhooks.for_event(event_type)
            if not subscribers:
                continue
            body = msgspec.json.encode(payload)
            for webhook in subscribers:
                copies = 2 if faults.webhook_duplicate_share and self.rng.random() < faults.webhook_duplicate_share else 1
                for copy in range(copies):
                    delivery = Delivery(next(self.ids), webhook.id, event_type, key, body, duplicate=copy > 0)
                    hold = self.rng.random() * faults.webhook_reorder_ms / 1000 if faults.webhook_reorder_ms else 0
                    self.queue.put((time.monotonic() + hold, delivery.id, delivery))
                    queued += 1
        with self.lock:
            self.totals["queued"] += queued
            self.outstanding += queued
        if queued:
            self.wake()
        return queued

    def clear(self) -> None:
        """Forget queued deliveries, the log and the totals (a reset)."""
        with self.lock:
            self.generation += 1
            self.log.clear()
            self.totals.clear()
            self.outstanding = 0
        while True:
            try:
                self.queue.get_nowait()
            except queue.Empty:
                return

    def pending(self) -> int:
        return self.outstanding

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or being sent; return whether that happened within `timeout`."""
        deadline = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _tick(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            try:
                self.state.tick()
            except Exception:  # the ticker must survive a bad moment (a reseed mid-tick)
                log.exception("TimelinesAI sandbox clock tick failed")

    def _work(self) -> None:
        while True:
            due, _, delivery = self.queue.get()
            generation = self.generation
            try:
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if generation == self.generation:
                    self._attempt(delivery)
            except Exception:
                log.exception("TimelinesAI sandbox delivery %d failed", delivery.id)
                self._finish(delivery, "crashed")

    def _attempt(self, delivery: Delivery) -> None:
        webhook = self.state.webhooks.find(delivery.webhook_id)
        if webhook is None or not webhook.enabled:
            self._finish(delivery, "cancelled")  # deleting or pausing stops deliveries at once
            return
        settings, started = self.state.settings, time.monotonic()
        record: dict = {"at": time.time()}
        try:
            assert self.client is not None
            response = self.client.post(
                webhook.url, content=delivery.body, headers={"Content-Type": "application/json"},
                timeout=settings.webhook_timeout_seconds,
            )
            record["status"] = response.status_code
        except httpx.HTTPError as exc:
            record["error"] = type(exc).__name__
        record["ms"] = round((time.monotonic() - started) * 1000, 1)
        delivery.attempts.append(record)
        if 200 <= record.get("status", 0) < 300:
            webhook.errors_counter = 0
            self._finish(delivery, "delivered")
        elif len(delivery.attempts) < ATTEMPTS:
            retry_at = time.monotonic() + settings.webhook_retry_delay_seconds
            self.queue.put((retry_at, delivery.id, delivery))
        else:
            webhook.errors_counter += 1
            self._finish(delivery, "failed")

    def _finish(self, delivery: Delivery, outcome: str) -> None:
        with self.lock:
            self.outstanding = max(0, self.outstanding - 1)  # one sent across a reset is not counted twice
            self.totals[outcome] += 1
            self.totals["attempts"] += len(delivery.attempts)
            self.log.append(delivery.entry(outcome))

    def report(self, limit: int) -> dict:
        """Return the newest `limit` log entries (newest last), totals and how many are pending."""
        with self.lock:
            entries = list(self.log)[-limit:] if limit else []
            return {"deliveries": entries, "totals": dict(self.totals), "pending": self.pending()}
