"""The token bucket that paces TimelinesAI reads, on a fake clock."""

from __future__ import annotations

import pytest

from timelines_zoho.hooks.pacing import DEFAULT_TIMELINES_RATE, TokenBucket, timelines_rate


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_calls_go_through_at_the_rate_and_no_faster() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, clock=clock, sleep=clock.sleep)
    for _ in range(11):
        bucket.wait()
    assert clock.now == pytest.approx(5.0)  # the first is free, then one every half second


def test_idle_time_builds_no_more_than_one_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, burst=3, clock=clock, sleep=clock.sleep)
    clock.now = 100.0
    for _ in range(4):
        bucket.wait()
    assert clock.now == pytest.approx(100.5)


@pytest.mark.parametrize(("given", "rate"), [(None, DEFAULT_TIMELINES_RATE), ("", DEFAULT_TIMELINES_RATE),
                                             (30, 30.0), ("0.5", 0.5)])
def test_a_rate_is_read_from_the_param(given: object, rate: float) -> None:
    assert timelines_rate(given) == rate


@pytest.mark.parametrize("given", [0, -1, 31, "fast"])
def test_a_rate_outside_what_timelinesai_allows_is_refused(given: object) -> None:
    with pytest.raises(ValueError, match="TimelinesAI rate"):
        timelines_rate(given)
