"""The seeded chaos campaign: every fault kind at random points over several daily runs, people editing Zoho
between runs; each seed ends, after its later runs, in the Zoho state of the same days run without faults."""

from __future__ import annotations

import os
from collections.abc import Iterator

import chaos
import pytest
import reliability_harness as harness

from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

pytestmark = [pytest.mark.slow, pytest.mark.chaos]
SEEDS_ENV = "TIMELINES_ZOHO_CHAOS_SEEDS"
SEEDS = int(os.environ.get(SEEDS_ENV) or 30)  # CI runs these 30 on the small workload; raise it for a long soak
MAX_EXTRA_RUNS = 2


@pytest.fixture(scope="module")
def clean_emulators() -> Iterator[tuple[TimelinesAISandboxAdmin, ZohoSandboxAdmin]]:
    """A second pair of emulators for the fault-free replay, beside the faulty schedule's pair."""
    from timelines_zoho_sandbox.server import start_sandbox

    running = start_sandbox()
    yield TimelinesAISandboxAdmin(running.timelines_root), ZohoSandboxAdmin(running.zoho_url)
    running.stop()


@pytest.mark.parametrize("seed", range(SEEDS))
def test_chaos_seed_ends_in_the_fault_free_state(seed: int, emulators, clean_emulators, tmp_path) -> None:
    result = chaos.run_seed(emulators, clean_emulators, tmp_path, seed)
    harness.record_figures("chaos", **{f"seed_{seed:03d}": {
        "faults": dict(result.faults), "spoiled": dict(result.spoiled), "killed": result.killed,
        "failed_runs": result.failed_runs, "extra_runs": result.extra_runs,
        "details": result.details + result.edits}})
