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
CHAINS = 4  # five kills in a row per chain keeps CI time bounded: one wiring and one clean rerun per chain
SEED = 20260331


@pytest.fixture(scope="module")
def load_calls(emulators, tmp_path_factory: pytest.TempPathFactory) -> int:
    """Count the Zoho calls a clean W0 load makes, from a child process, to draw kill points from."""
    timelines, zoho = emulators
    wired = harness.wire(timelines, zoho, tmp_path_factory.mktemp("count"))
    result = harness.sync_in_child(wired, "count", count_only=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return int(json.loads(result.stdout.strip().splitlines()[-1])["load_calls"])


def kill_points(calls: int, chain: int) -> list[tuple[int, str]]:
    """Return one chain's seeded (call number, before/after) kill points, spread over the whole load."""
    rng = random.Random(SEED + chain)
    return [(rng.randint(1, calls), rng.choice(("before", "after"))) for _ in range(KILL_POINTS // CHAINS)]


@pytest.mark.parametrize("chain", range(CHAINS))
def test_sigkill_during_load_then_rerun_converges(
    chain: int, fresh: harness.Wired, baseline: dict[str, Any], load_calls: int
) -> None:
    """Each kill hits a fresh run or the rerun of a killed one (a crash during recovery), then a clean rerun."""
    survived = []
    for attempt, (call, when) in enumerate(kill_points(load_calls, chain)):
        killed = harness.sync_in_child(fresh, f"crashed-{chain}", kill_after=call, when=when)
        if killed.returncode == 0:
            continue  # a rerun of a half-done load made fewer calls than the drawn point: nothing to kill
        assert killed.returncode == -signal.SIGKILL, (call, when, killed.returncode, killed.stderr[-2000:])
        survived.append(f"call {call} {when}")
        if attempt % 2:
            harness.age_claims(fresh)  # sometimes the rerun comes after the claim lease, sometimes within it
    harness.sync(fresh, f"crashed-{chain}")  # Airflow's retry of the same task
    harness.age_claims(fresh)  # the next scheduled run comes after the claim lease
    harness.sync(fresh, f"next-{chain}")
    dump = fresh.zoho.state()
    assert survived, "no kill point hit a running load"
    assert harness.duplicates(dump) == {"contacts": 0, "notes": 0, "attachments": 0}
    assert harness.lost_messages(fresh, dump, baseline["expected"]) == []
    assert harness.normalise(dump) == baseline["dump"]
    harness.record_figures("crash", **{f"chain_{chain}": survived})
