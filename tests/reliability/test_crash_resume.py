"""SIGKILL at 20 seeded points during load, in real child processes; every rerun converges on the clean state."""

from __future__ import annotations

import json
import random
import signal
from typing import Any

import pytest
import reliability_harness as harness

pytestmark = pytest.mark.slow
KILL_POINTS = 20
SEED = 20260331


@pytest.fixture(scope="module")
def load_calls(emulators, tmp_path_factory: pytest.TempPathFactory) -> int:
    """Count the Zoho calls a clean W0 load makes, from a child process, to draw kill points from."""
    timelines, zoho = emulators
    wired = harness.wire(timelines, zoho, tmp_path_factory.mktemp("count"))
    result = harness.sync_in_child(wired, "count", count_only=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return int(json.loads(result.stdout.strip().splitlines()[-1])["load_calls"])


def kill_point(calls: int, point: int) -> tuple[int, str]:
    """Return one seeded (call number, before/after) kill point, anywhere in the load."""
    rng = random.Random(SEED + point)
    return rng.randint(1, calls), rng.choice(("before", "after"))


@pytest.mark.parametrize("point", range(KILL_POINTS))
def test_sigkill_during_load_then_rerun_converges(
    point: int, fresh: harness.Wired, baseline: dict[str, Any], load_calls: int
) -> None:
    call, when = kill_point(load_calls, point)
    killed = harness.sync_in_child(fresh, "crashed", kill_after=call, when=when)
    assert killed.returncode == -signal.SIGKILL, (call, when, killed.returncode, killed.stderr[-2000:])
    harness.sync(fresh, "crashed")  # Airflow's retry of the same task, within the claim lease
    harness.age_claims(fresh)  # the next scheduled run comes after the lease
    harness.sync(fresh, "next")
    dump = fresh.zoho.state()
    assert harness.duplicates(dump) == {"contacts": 0, "notes": 0, "attachments": 0}
    assert harness.lost_messages(fresh, dump, baseline["expected"]) == []
    assert harness.differences(harness.normalise(dump), baseline["dump"]) == []
    harness.record_figures("crash", **{f"point_{point:02d}": [f"call {call} of {load_calls} ({when})"]})
