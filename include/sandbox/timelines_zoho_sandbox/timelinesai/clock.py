"""The sandbox clock: real time unless the admin API sets it, so a generated day can be played hour by hour."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass


@dataclass
class SandboxClock:
    """`now()` is real time shifted by `offset`, or `frozen_at` while the clock is stopped.

    Setting the clock stops it by default: a test or benchmark that advances it hour by hour wants nothing to
    happen between its steps. `running=True` lets it tick on from the time set.
    """

    offset: float = 0.0
    frozen_at: float | None = None

    def now(self) -> float:
        """Return the sandbox's current epoch seconds."""
        return self.frozen_at if self.frozen_at is not None else time.time() + self.offset

    def set(self, at: float, running: bool = False) -> None:
        """Move the clock to `at` (epoch seconds), stopped there unless `running`."""
        self.offset, self.frozen_at = (at - time.time(), None) if running else (0.0, at)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (a stopped clock stays stopped)."""
        if seconds < 0:
            raise ValueError("advance takes a non-negative number of seconds; use set to go back")
        if self.frozen_at is not None:
            self.frozen_at += seconds
        else:
            self.offset += seconds

    def to_dict(self) -> dict:
        return {**asdict(self), "now": self.now(), "real": self.offset == 0.0 and self.frozen_at is None}
