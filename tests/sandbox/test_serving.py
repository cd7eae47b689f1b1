"""A second `make sync` uses the sandbox a `--serve` one keeps serving, and refuses a fixed port held by anything
else, so no connection is ever saved pointing at a throwaway port."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from timelines_zoho_sandbox import serving
from timelines_zoho_sandbox.server import Sandbox, start_sandbox


def _free_ports() -> tuple[int, int]:
    probes = [socket.socket() for _ in range(2)]
    for probe in probes:
        probe.bind(("127.0.0.1", 0))
    ports = tuple(probe.getsockname()[1] for probe in probes)
    for probe in probes:
        probe.close()
    return ports  # type: ignore[return-value]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox this process serves for tmp_path, as `make sync ARGS=--serve` leaves it."""
    sandbox = start_sandbox(state_dir=str(tmp_path))
    serving.announce(tmp_path, sandbox)
    yield sandbox
    serving.withdraw(tmp_path)
    sandbox.stop()


def test_a_serving_sandbox_is_reused_and_no_second_one_starts(served: Sandbox, tmp_path: Path) -> None:
    found, started = serving.open_sandbox(tmp_path, ports=_free_ports())
    assert started is None
    assert (found.timelines_root, found.zoho_url, found.pid) == (served.timelines_root, served.zoho_url, os.getpid())


def test_a_fixed_port_held_by_another_program_is_refused_clearly(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with pytest.raises(serving.SandboxBusy, match=f"port {taken} on 127.0.0.1 is in use"):
            serving.open_sandbox(tmp_path, ports=(taken, _free_ports()[1]))


def test_a_record_left_by_a_dead_process_is_ignored_and_the_sandbox_starts_on_the_fixed_ports(
    tmp_path: Path,
) -> None:
    ports = _free_ports()
    dead = {"pid": 2**22 + 1, "timelines_root": f"http://127.0.0.1:{ports[0]}", "zoho_url": "http://127.0.0.1:1"}
    (tmp_path / serving.SERVING_FILE).write_text(json.dumps(dead))
    found, started = serving.open_sandbox(tmp_path, ports=ports)
    try:
        assert started is not None
        assert (found.timelines_root, found.zoho_url) == tuple(f"http://127.0.0.1:{port}" for port in ports)
    finally:
        started.stop()


def test_withdraw_leaves_another_processes_record_alone(tmp_path: Path) -> None:
    record = tmp_path / serving.SERVING_FILE
    record.write_text(json.dumps({"pid": os.getpid() + 1, "timelines_root": "x", "zoho_url": "y"}))
    serving.withdraw(tmp_path)
    assert record.exists()
