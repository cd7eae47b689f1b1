"""End-to-end fixtures: a private pair of emulators and a freshly seeded, wired, active integration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sync_support import Sync, wire

from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin


@pytest.fixture(scope="module")
def emulators() -> Iterator[tuple[TimelinesAISandboxAdmin, ZohoSandboxAdmin]]:
    """Both emulators on free ports, private to one test module (tests reseed them freely)."""
    from timelines_zoho_sandbox.server import start_sandbox

    running = start_sandbox()
    yield TimelinesAISandboxAdmin(running.timelines_root), ZohoSandboxAdmin(running.zoho_url)
    running.stop()


@pytest.fixture
def sync(emulators, tmp_path, monkeypatch) -> Sync:
    """A freshly seeded, wired and activated integration."""
    return wire(emulators, tmp_path, monkeypatch)

