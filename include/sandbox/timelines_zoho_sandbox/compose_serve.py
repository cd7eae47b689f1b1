"""Serve both emulators for the compose `sandbox` profile: bound on all interfaces, addressed by service name."""

from __future__ import annotations

import os
import signal
import threading

from timelines_zoho_sandbox.server import serve_app
from timelines_zoho_sandbox.timelinesai.app import create_app as create_timelines_app
from timelines_zoho_sandbox.zoho.app import create_app as create_zoho_app


def main() -> None:
    """Run until SIGTERM; the public URLs are the ones other containers use (attachment links, OAuth domains)."""
    state_dir = os.environ.get("SANDBOX_STATE_DIR", "/opt/airflow/sandbox-state")
    os.makedirs(state_dir, exist_ok=True)
    timelines_url = os.environ.get("SANDBOX_TIMELINES_URL", "http://sandbox:8701")
    zoho_url = os.environ.get("SANDBOX_ZOHO_URL", "http://sandbox:8702")
    servers = [
        serve_app(lambda _: create_timelines_app(timelines_url, f"{state_dir}/timelinesai.json"), "0.0.0.0", 8701),
        serve_app(lambda _: create_zoho_app(zoho_url, f"{state_dir}/zoho.json"), "0.0.0.0", 8702),
    ]
    print(f"TimelinesAI API: {timelines_url}/integrations/api\nZoho CRM: {zoho_url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
