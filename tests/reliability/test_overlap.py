"""Overlapping runs: a backfill racing a scheduled run over the same days, in two processes, duplicates nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import reliability_harness as harness

pytestmark = pytest.mark.slow


def test_backfill_racing_a_scheduled_run_duplicates_nothing(fresh: harness.Wired, baseline: dict[str, Any]) -> None:
    # Both runs create the same contacts (same phones) at the same moment, each in its own process.
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda key: harness.sync_in_child(fresh, key), ["scheduled", "backfill"]))
    assert [r.returncode for r in runs] == [0, 0], [r.stderr[-2000:] for r in runs]
    dump = fresh.zoho.state()
    assert harness.duplicates(dump) == {"contacts": 0, "notes": 0, "attachments": 0}
    harness.age_claims(fresh)
    harness.sync(fresh, "next")  # what one run deferred (a claim the other held) the next run completes
    dump = fresh.zoho.state()
    assert harness.duplicates(dump) == {"contacts": 0, "notes": 0, "attachments": 0}
    assert harness.lost_messages(fresh, dump, baseline["expected"]) == []
    assert harness.differences(harness.normalise(dump), baseline["dump"]) == []
    harness.record_figures("overlap", racing_runs=2, duplicates=0)
