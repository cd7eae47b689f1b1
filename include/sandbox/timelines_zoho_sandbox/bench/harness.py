"""Run the sync against the sandbox for one workload: emulators in their own process, wiring, measured runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from timelines_zoho_sandbox.bench.workloads import Workload
from timelines_zoho_sandbox.scenario import zoho_seed
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin


@dataclass
class Emulators:
    """Admin clients of a running pair of emulators."""

    timelines: TimelinesAISandboxAdmin
    zoho: ZohoSandboxAdmin


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def emulator_process() -> Iterator[Emulators]:
    """Start both emulators in a child process (so they do not share the sync's GIL) on free ports."""
    ports = [_free_port(), _free_port()]
    child = subprocess.Popen(
        [sys.executable, "-m", "timelines_zoho_sandbox", "--timelines-port", str(ports[0]),
         "--zoho-port", str(ports[1])],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        lines = [child.stdout.readline() for _ in range(2)] if child.stdout else []
        if len(lines) < 2 or not all(lines):
            raise RuntimeError("the sandbox process did not start")
        yield Emulators(TimelinesAISandboxAdmin(f"http://127.0.0.1:{ports[0]}"),
                        ZohoSandboxAdmin(f"http://127.0.0.1:{ports[1]}"))
    finally:
        child.terminate()
        child.wait(timeout=30)


def seed(emulators: Emulators, workload: Workload) -> None:
    """Seed the TimelinesAI workspace and the Zoho contacts and users of a workload."""
    emulators.timelines.seed(**workload.params.to_dict())
    _seed_zoho(emulators, workload)


def _seed_zoho(emulators: Emulators, workload: Workload) -> None:
    emulators.zoho.reset()
    emulators.zoho.seed(**zoho_seed(workload.params, contacts=workload.zoho_contacts,
                                    match_share=workload.match_share))


def wire(emulators: Emulators, folder: Path, setenv: Callable[[str, str], None] = os.environ.__setitem__) -> Any:
    """Point connections, state store, staging and token cache at the sandbox and `folder`; activate.

    Tests pass `monkeypatch.setenv` so the variables are restored afterwards.
    """
    from timelines_zoho.state import StateStore
    from timelines_zoho_sandbox import sandbox_wiring

    folder.mkdir(parents=True, exist_ok=True)
    env = sandbox_wiring.connection_uris(emulators.timelines, emulators.zoho) | {
        "TIMELINES_ZOHO_STATE_URL": f"sqlite:///{folder / 'state.db'}",
        "TIMELINES_ZOHO_STAGING_DIR": str(folder / "staging"),
        "TIMELINES_ZOHO_TOKEN_CACHE_DIR": str(folder / "tokens"),
    }
    for key, value in env.items():
        setenv(key, value)
    store = StateStore()
    store.migrate()
    sandbox_wiring.activate(store)  # the sandbox settings use the workloads' timezone
    return store


def fresh_zoho(emulators: Emulators, workload: Workload,
               setenv: Callable[[str, str], None] = os.environ.__setitem__) -> Any:
    """Reseed Zoho alone (for a peer model), point the connection at a new refresh token; return a new hook."""
    from timelines_zoho.hooks.zoho import ZohoCRMHook
    from timelines_zoho_sandbox import sandbox_wiring

    _seed_zoho(emulators, workload)
    for key, value in sandbox_wiring.connection_uris(emulators.timelines, emulators.zoho).items():
        setenv(key, value)
    setenv("TIMELINES_ZOHO_TOKEN_CACHE_DIR", tempfile.mkdtemp(prefix="bench-tokens-"))
    return ZohoCRMHook()


def timelines_hook() -> Any:
    """Return a TimelinesAI hook on the wired connection."""
    from timelines_zoho.hooks.timelinesai import TimelinesAIHook

    return TimelinesAIHook()


@dataclass
class Measured:
    """One run: its summary, wall seconds and calls per service (from the hooks' own counts)."""

    summary: dict[str, Any]
    seconds: float
    cpu_seconds: float  # the sync's own CPU (emulators excluded): on a loaded machine wall time is not ours alone

    def calls(self, service: str) -> int:
        return int(self.summary["api"].get(service, {}).get("calls", 0))

    def credits(self, service: str) -> int:
        return int(self.summary["api"].get(service, {}).get("credits", 0))


def run(key: str, start: datetime, end: datetime, now: datetime) -> Measured:
    """Run the whole sync inline over [start, end) as if it were `now`, and time it."""
    from timelines_zoho.sync.runner import run_inline

    began, cpu = time.perf_counter(), time.process_time()
    summary = run_inline(key, {"window_start": start.isoformat(), "window_end": end.isoformat()}, now=now)
    return Measured(summary, time.perf_counter() - began, time.process_time() - cpu)


def idle_window(end: datetime) -> tuple[datetime, datetime, datetime]:
    """Return an hourly window with no message in it nor in the 2-hour margin before it, and the run's `now`."""
    start = end + timedelta(hours=3)
    return start, start + timedelta(hours=1), start + timedelta(hours=1, minutes=5)
