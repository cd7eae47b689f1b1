"""The CI guard of the benchmarks at W0: Zoho calls within 1.1 × the lower bound, at least 30 × fewer than the
per-message peer, and an idle hourly run that reads O(1) TimelinesAI pages. Counts only; no time is checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from timelines_zoho.sync.load_attachments import UPLOAD_THREADS
from timelines_zoho_sandbox.bench import bounds, harness, peers
from timelines_zoho_sandbox.bench.workloads import TZ, W0

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def emulators() -> Iterator[harness.Emulators]:
    """Both emulators on free ports, private to this module."""
    from timelines_zoho_sandbox.server import start_sandbox
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    running = start_sandbox()
    yield harness.Emulators(TimelinesAISandboxAdmin(running.timelines_root), ZohoSandboxAdmin(running.zoho_url))
    running.stop()


@pytest.fixture(scope="module")
def runs(emulators, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """W0 synced once over its two days, then an hourly run after the last message."""
    from timelines_zoho_sandbox.timelinesai.generator import generate

    start, end = W0.window()
    with pytest.MonkeyPatch.context() as monkeypatch:
        harness.seed(emulators, W0)
        harness.wire(emulators, tmp_path_factory.mktemp("w0"), monkeypatch.setenv)
        monkeypatch.setenv(UPLOAD_THREADS, "4")  # overlapping uploads must not change what is written
        main = harness.run("w0-main", start, end, end + timedelta(hours=1))
        idle = harness.run("w0-idle", *harness.idle_window(end))
        chats = peers.window_chats(harness.timelines_hook(), start, end, TZ, sample=0)
        yield {"main": main, "idle": idle, "changed": bounds.changed_in(generate(W0.params), start, end),
               "chats": chats, "emulators": emulators, "monkeypatch": monkeypatch}


def test_zoho_calls_within_1_1_of_the_lower_bound(runs) -> None:
    main = runs["main"]
    bound = bounds.zoho_bound(main.summary["counts"], W0.index_rows)
    assert main.summary["counts"]["notes_created"] > 0
    assert main.summary["counts"]["attachments_uploaded"] == runs["changed"].attachments > 0
    assert main.calls("zoho") <= 1.1 * bound["calls"], (main.summary["api"]["zoho"], bound)
    assert main.credits("zoho") <= 1.3 * bound["credits"], (main.summary["api"]["zoho"], bound)


def test_per_message_peer_spends_at_least_30_times_more_zoho_calls(runs) -> None:
    zoho = harness.fresh_zoho(runs["emulators"], W0, runs["monkeypatch"].setenv)
    changed = runs["changed"]
    peer = peers.replay("per-message", zoho, runs["chats"], changed.chats, changed.messages)
    assert peer.scale == 1.0, "W0 replays every chat"
    assert peer.calls >= 30 * runs["main"].calls("zoho")


def test_timelines_calls_near_the_pages_that_changed(runs) -> None:
    assert runs["main"].calls("timelines") <= 1.1 * bounds.timelines_bound(runs["changed"])


def test_idle_hourly_run_reads_one_page_of_chats_and_no_messages(runs) -> None:
    api = runs["idle"].summary["api"]["timelines"]
    assert api["by_endpoint"].get("GET /chats") == 1, "an idle run must not list the whole workspace"
    assert "GET /chats/{id}/messages" not in api["by_endpoint"]
    assert api["calls"] <= bounds.timelines_bound(bounds.Changed(0, 0, 0, 0))
    assert runs["idle"].calls("zoho") <= bounds.METADATA_CALLS + 1, "metadata and one incremental index query"
