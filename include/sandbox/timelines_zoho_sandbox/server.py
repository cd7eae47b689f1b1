"""Run both emulators as real HTTP servers on 127.0.0.1, in background threads of this process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI


@dataclass
class RunningServer:
    """One uvicorn server bound to a real socket."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Sandbox:
    """Both emulators; `timelines_url` ends in `/integrations/api`, `zoho_url` is the server root."""

    timelines_root: str
    zoho_url: str
    servers: list[RunningServer] = field(default_factory=list)

    @property
    def timelines_url(self) -> str:
        return f"{self.timelines_root}/integrations/api"

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve_app(make_app: Callable[[str], FastAPI], host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Bind first (so port 0 gives a free port), build the app with its own public URL, then serve."""
    sock = _bind(host, port)
    url = f"http://{host}:{sock.getsockname()[1]}"
    config = uvicorn.Config(make_app(url), log_level="warning", access_log=False, timeout_keep_alive=30)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"sandbox {url}")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"sandbox server at {url} did not start")
        time.sleep(0.01)
    return RunningServer(url=url, server=server, thread=thread)


def start_sandbox(
    host: str = "127.0.0.1", timelines_port: int = 0, zoho_port: int = 0, state_dir: str | None = None
) -> Sandbox:
    """Start the TimelinesAI and Zoho CRM emulators; state persists in `state_dir` only when given."""
    from timelines_zoho_sandbox.timelinesai.app import create_app as create_timelines_app
    from timelines_zoho_sandbox.zoho.app import create_app as create_zoho_app

    def state_file(name: str) -> str | None:
        return f"{state_dir}/{name}.json" if state_dir else None

    timelines = serve_app(lambda url: create_timelines_app(url, state_file("timelinesai")), host, timelines_port)
    zoho = serve_app(lambda url: create_zoho_app(url, state_file("zoho")), host, zoho_port)
    return Sandbox(timelines_root=timelines.url, zoho_url=zoho.url, servers=[timelines, zoho])
