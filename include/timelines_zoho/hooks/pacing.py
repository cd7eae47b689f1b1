"""A token bucket that paces calls to a vendor at a steady rate, shared by the threads of one task."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_TIMELINES_RATE = 2.0  # requests/s: what TimelinesAI sustains in practice
MAX_TIMELINES_RATE = 30.0  # requests/s: TimelinesAI's documented limit per IP


def timelines_rate(value: object) -> float:
    """Return a valid TimelinesAI read rate: blank means the default; outside (0, 30] is refused."""
    if value is None or value == "":
        return DEFAULT_TIMELINES_RATE
    try:
        rate = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"the TimelinesAI rate must be a number of requests per second, not {value!r}") from None
    if not 0 < rate <= MAX_TIMELINES_RATE:
        raise ValueError(f"the TimelinesAI rate must be above 0 and at most {MAX_TIMELINES_RATE:g} requests/s, "
                         f"not {rate:g}")
    return rate


class TokenBucket:
    """Let `rate` calls a second through, with bursts of at most `burst`; `wait()` blocks until a call may go."""

    def __init__(self, rate: float, burst: float = 1.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate, self.burst = rate, burst
        self._clock, self._sleep = clock, sleep
        self._tokens, self._stamp = burst, clock()
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Take one token, sleeping until it is there; callers queue on the lock so the rate holds across threads."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens < 1:
                delay = (1 - self._tokens) / self.rate
                self._sleep(delay)
                self._stamp = self._clock()
                self._tokens = 1.0
            self._tokens -= 1
