"""Progress of a long step in its task log: done and total, rate and time left, every few seconds."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
EVERY_SECONDS = 5.0


class Meter:
    """Count work done out of `total` and log it at most every `every` seconds, and once when all is done."""

    def __init__(self, log: logging.Logger, what: str, total: int, *, every: float = EVERY_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.log, self.what, self.total, self.every, self.clock = log, what, total, every, clock
        self.done = 0
        self.started = self.last = clock()
        self.lock = threading.Lock()  # uploads advance it from several threads

    def advance(self, count: int = 1) -> None:
        """Add `count` to the work done; log when it is time to."""
        with self.lock:
            self.done += count
            now = self.clock()
            if self.done >= self.total or now - self.last >= self.every:
                self.last = now
                self._log(now - self.started)

    def counting(self, step: F, size: Callable[[Any], int] = lambda _first: 1) -> F:
        """Wrap `step` so each call advances the meter by `size(first argument)` once it returns."""
        @functools.wraps(step)
        def counted(*args: Any, **kwargs: Any) -> Any:
            result = step(*args, **kwargs)
            self.advance(size(args[0]) if args else 1)
            return result

        return counted  # type: ignore[return-value]

    def _log(self, elapsed: float) -> None:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.done >= self.total:
            self.log.info("%s: %d/%d done in %.1fs (%.1f/s)", self.what, self.done, self.total, elapsed, rate)
            return
        left = f"about {(self.total - self.done) / rate:.0f}s left" if rate else "time left unknown"
        self.log.info("%s: %d/%d done (%.0f%%), %.1f/s, %s", self.what, self.done, self.total,
                      100 * self.done / self.total, rate, left)
