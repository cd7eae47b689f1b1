"""One sandbox per state folder: a `make sync ARGS=--serve` sandbox says where it serves, and later commands
(`make sync`, `make airflow`) use it instead of starting a second pair of emulators over the same state files.

The emulators only ever listen on the fixed ports, so the connections saved for the Airflow UI stay valid.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from timelines_zoho_sandbox.server import Sandbox, start_sandbox

SERVING_FILE = "serving.json"
FIXED_PORTS = (8701, 8702)  # TimelinesAI, Zoho


class SandboxBusy(RuntimeError):
    """A fixed port is taken by something that is not this state folder's serving sandbox."""


@dataclass(frozen=True)
class Serving:
    """Where a sandbox serves, and the process that owns it."""

    pid: int
    timelines_root: str
    zoho_url: str


def _answers(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((host, int(port))) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running(state_dir: Path) -> Serving | None:
    """Return the sandbox serving `state_dir`, when its process is alive and both emulators answer."""
    try:
        serving = Serving(**json.loads((state_dir / SERVING_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if _alive(serving.pid) and _answers(serving.timelines_root) and _answers(serving.zoho_url):
        return serving
    return None


def announce(state_dir: Path, sandbox: Sandbox) -> Serving:
    """Record that this process serves `sandbox` for `state_dir`."""
    serving = Serving(os.getpid(), sandbox.timelines_root, sandbox.zoho_url)
    (state_dir / SERVING_FILE).write_text(json.dumps(asdict(serving)))
    return serving


def withdraw(state_dir: Path) -> None:
    """Remove this process's record (a record of another process is left alone)."""
    path = state_dir / SERVING_FILE
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def open_sandbox(state_dir: Path, ports: tuple[int, int] = FIXED_PORTS) -> tuple[Serving, Sandbox | None]:
    """Use the sandbox serving `state_dir`, or start one on the fixed ports; the started one is returned too,
    for the caller to stop. Refuse when a port is taken by anything else."""
    serving = running(state_dir)
    if serving is not None:
        return serving, None
    for port in ports:
        if _answers(f"http://127.0.0.1:{port}"):
            raise SandboxBusy(
                f"port {port} on 127.0.0.1 is in use, and not by a sandbox serving {state_dir} "
                f"(no live {SERVING_FILE} there). Stop that program (or its `make sync ARGS=--serve` with "
                "another --var) and run again."
            )
    sandbox = start_sandbox(timelines_port=ports[0], zoho_port=ports[1], state_dir=str(state_dir))
    return Serving(os.getpid(), sandbox.timelines_root, sandbox.zoho_url), sandbox
