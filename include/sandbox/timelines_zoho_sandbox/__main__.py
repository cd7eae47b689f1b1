"""`python -m timelines_zoho_sandbox`: start both emulators on 127.0.0.1 and print their URLs."""

from __future__ import annotations

import argparse
import signal
import threading

from timelines_zoho_sandbox.server import start_sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timelines-port", type=int, default=8701)
    parser.add_argument("--zoho-port", type=int, default=8702)
    parser.add_argument("--state-dir", help="keep emulator state in this folder across restarts")
    args = parser.parse_args()
    sandbox = start_sandbox(timelines_port=args.timelines_port, zoho_port=args.zoho_port, state_dir=args.state_dir)
    print(f"TimelinesAI API: {sandbox.timelines_url}", flush=True)
    print(f"Zoho CRM:        {sandbox.zoho_url}  (records view at /, admin API at /__admin)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    sandbox.stop()


if __name__ == "__main__":
    main()
