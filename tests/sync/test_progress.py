"""Long steps log their progress: done and total, rate and time left, every few seconds and once at the end."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from timelines_zoho.sync.progress import Meter

log = logging.getLogger("timelines_zoho.sync.load_notes")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_is_logged_every_few_seconds_with_rate_and_time_left(caplog) -> None:
    clock = Clock()
    meter = Meter(log, "notes", 400, every=5, clock=clock)
    with caplog.at_level(logging.INFO, logger=log.name):
        for _ in range(3):
            clock.now += 2
            meter.advance(50)  # 150 done at 6 s: one line, after the 5 s mark
        clock.now += 6
        meter.advance(50)
        clock.now += 8
        meter.advance(200)
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "notes: 150/400 done (38%), 25.0/s, about 10s left",
        "notes: 200/400 done (50%), 16.7/s, about 12s left",
        "notes: 400/400 done in 20.0s (20.0/s)",
    ]
    assert {record.name for record in caplog.records} == {"timelines_zoho.sync.load_notes"}


def test_a_counted_step_advances_by_its_batch_from_several_threads(caplog) -> None:
    meter = Meter(log, "attachments", 64, every=3600)
    upload = meter.counting(lambda batch: batch, size=len)
    with caplog.at_level(logging.INFO, logger=log.name), ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(upload, [[n, n] for n in range(32)]))[5] == [5, 5]
    assert meter.done == 64
    [line] = [record.getMessage() for record in caplog.records]
    assert line.startswith("attachments: 64/64 done in ")
