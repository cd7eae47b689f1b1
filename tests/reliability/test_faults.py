"""Injected faults on both vendors end in exactly the Zoho state of a run without faults."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import reliability_harness as harness

pytestmark = pytest.mark.slow
# The issue asks for an expiry every 100 calls; W0 makes about 45 Zoho calls, so expire more often than that.
EXPIRE_EVERY = 10


class FaultDriver(threading.Thread):
    """Expire Zoho access tokens every EXPIRE_EVERY API calls and add latency spikes to both vendors while a sync runs."""

    def __init__(self, wired: harness.Wired) -> None:
        super().__init__(daemon=True)
        self.wired, self.halt = wired, threading.Event()
        self.expiries = self.spikes = 0

    def run(self) -> None:
        next_expiry = EXPIRE_EVERY
        spiking = False
        while not self.halt.wait(0.05):
            calls = sum(self.wired.zoho.stats()["calls"].values())
            if calls >= next_expiry:
                self.wired.zoho.expire_tokens()
                self.expiries += 1
                next_expiry = (calls // EXPIRE_EVERY + 1) * EXPIRE_EVERY
            spiking = not spiking and int(time.monotonic() * 4) % 5 == 0
            if spiking:
                self.spikes += 1
            self.wired.zoho.faults(latency_ms=400 if spiking else 0)
            self.wired.timelines.faults(latency_ms=400 if spiking else 0)

    def stop(self) -> None:
        self.halt.set()
        self.join()
        self.wired.zoho.faults(latency_ms=0)
        self.wired.timelines.faults(latency_ms=0)


def test_faulty_vendors_end_in_the_state_of_a_clean_run(fresh: harness.Wired, baseline: dict[str, Any]) -> None:
    wired = fresh
    wired.zoho.faults(seed=8, error_rate=0.10, rate_limit_rate=0.05, reset_rate=0.02)
    # TimelinesAI answers 429 with Retry-After past a small burst, and its file links live one second.
    wired.timelines.faults(rate_limit_per_second=40, burst=5, throttle_status=429)
    wired.timelines.settings(url_ttl_seconds=1)
    driver = FaultDriver(wired)
    driver.start()
    try:
        harness.sync(wired, "faulty")
    finally:
        driver.stop()
        wired.zoho.faults(error_rate=0.0, rate_limit_rate=0.0, reset_rate=0.0)
        wired.timelines.faults(rate_limit_per_second=None)
    # What a fault deferred (a write whose answer was lost included) is picked up by the next runs.
    extra_runs = harness.converge(wired, baseline, "faulty")
    dump = wired.zoho.state()
    calls = sum(wired.zoho.stats()["calls"].values())
    assert harness.duplicates(dump) == {"contacts": 0, "notes": 0, "attachments": 0}
    assert harness.lost_messages(wired, dump, baseline["expected"]) == []
    assert harness.differences(harness.normalise(dump), baseline["dump"]) == []
    assert calls > baseline["calls"], "the faults never fired"
    assert driver.expiries >= 1
    harness.record_figures("faults", zoho_failed_calls_retried=calls - baseline["calls"],
                           token_expiries=driver.expiries, latency_spikes=driver.spikes,
                           extra_runs=extra_runs,
                           timelines_throttled=wired.timelines.stats().get("throttled", "n/a"))


def test_credits_running_out_stop_the_run_cleanly_and_the_next_run_completes(
    fresh: harness.Wired, baseline: dict[str, Any]
) -> None:
    wired = fresh
    used = wired.zoho.stats()["credits_window"]
    wired.zoho.faults(credits_budget=used + 12)
    first = harness.sync(wired, "out-of-credits")
    reasons = " ".join(i["reason"] or "" for i in first["issues"])
    assert "TOO_MANY_REQUESTS" in reasons or "credits" in reasons.lower(), first["issues"][:3]
    wired.zoho.faults(credits_budget=100_000)
    harness.age_claims(wired)
    harness.sync(wired, "credits-back")
    dump = wired.zoho.state()
    assert harness.duplicates(dump) == {"contacts": 0, "notes": 0, "attachments": 0}
    assert harness.lost_messages(wired, dump, baseline["expected"]) == []
    assert harness.differences(harness.normalise(dump), baseline["dump"]) == []
    harness.record_figures("credits", exhausted_runs=1, issues_reported=len(first["issues"]), recovered=True)
