"""Reliability fixtures: a private pair of emulators per module and the clean W0 baseline to compare against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import reliability_harness as harness

from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin


@pytest.fixture(scope="module")
def emulators() -> Iterator[tuple[TimelinesAISandboxAdmin, ZohoSandboxAdmin]]:
    """Both emulators on free ports, private to one test module (tests reseed them freely)."""
    from timelines_zoho_sandbox.server import start_sandbox

    running = start_sandbox()
    yield TimelinesAISandboxAdmin(running.timelines_root), ZohoSandboxAdmin(running.zoho_url)
    running.stop()


@pytest.fixture(scope="module")
def baseline(emulators, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The normalised Zoho dump, call count and expected notes of a W0 sync without any fault."""
    timelines, zoho = emulators
    wired = harness.wire(timelines, zoho, tmp_path_factory.mktemp("baseline"))
    summary = harness.sync(wired, "baseline")
    dump = zoho.state()
    return {"dump": harness.normalise(dump), "raw": dump, "summary": summary,
            "expected": harness.expected_notes(wired), "calls": sum(zoho.stats()["calls"].values())}


@pytest.fixture
def fresh(emulators, tmp_path: Path) -> harness.Wired:
    """A freshly seeded W0 integration with its own state store."""
    timelines, zoho = emulators
    return harness.wire(timelines, zoho, tmp_path)
