"""The receiver flood bar (issue 14): 10,000 deliveries in a minute, duplicates included; none lost, p99 < 1 s.

`python -m timelines_zoho_sandbox.bench.webhook_flood [--deliveries 10000] [--seconds 60] [--duplicates 0.2] [--state-url URL]`
starts the receiver as its own process (as compose runs it), posts the emulator's real `message:new` payloads
at an even pace from a pool of senders, duplicates and shuffles included, then prints the figures as JSON:
answers by status, latency percentiles, and whether the inbox holds every message exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import msgspec
import numpy as np

from timelines_zoho.state import StateStore
from timelines_zoho.webhooks.secret import ReceiverSecret
from timelines_zoho_sandbox.timelinesai import events
from timelines_zoho_sandbox.timelinesai.generator import WorkspaceParams, generate


def _payloads(count: int) -> list[tuple[str, bytes]]:
    """Return (uid, body) of `count` message:new events of a generated workspace."""
    workspace = generate(WorkspaceParams(seed=7, chats=400, messages=int(count * 1.2), days=2))
    out = []
    for index in range(len(workspace.messages)):
        for event_type, body in events.message_events(workspace, index, lambda uid, name: f"https://f.example/{uid}"):
            if event_type == "message:new":
                out.append((body["message"]["message_uid"], msgspec.json.encode(body)))
        if len(out) == count:
            return out
    raise RuntimeError(f"the workspace has only {len(out)} WhatsApp messages")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_receiver(state_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "TIMELINES_ZOHO_STATE_URL": state_url}
    command = [sys.executable, "-m", "timelines_zoho.webhooks", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the receiver did not start")


def run(deliveries: int, seconds: float, duplicates: float, state_url: str, senders: int) -> dict:
    """Flood a fresh receiver and return the figures."""
    store = StateStore(state_url)
    store.migrate()
    secret = ReceiverSecret(store).rotate()
    unique = round(deliveries / (1 + duplicates))
    payloads = _payloads(unique)
    rng = random.Random(14)
    queue = payloads + rng.sample(payloads, deliveries - unique)
    rng.shuffle(queue)
    port = _free_port()
    receiver = _start_receiver(state_url, port)
    url = f"http://127.0.0.1:{port}/timelinesai/webhooks/{secret}"
    client = httpx.Client(timeout=5.0, limits=httpx.Limits(max_connections=senders))
    latencies = np.zeros(len(queue))
    statuses: list[int] = [0] * len(queue)
    started = time.monotonic()

    def send(n: int) -> None:
        due = started + n * seconds / len(queue)
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        sent = time.monotonic()
        try:
            statuses[n] = client.post(url, content=queue[n][1], headers={"Content-Type": "application/json"}).status_code
        except httpx.HTTPError:
            statuses[n] = -1  # a timeout (5 s, as TimelinesAI's) or a refused connection
        latencies[n] = time.monotonic() - sent

    try:
        with ThreadPoolExecutor(senders) as pool:
            list(pool.map(send, range(len(queue))))
        wall = time.monotonic() - started
    finally:
        receiver.terminate()
        receiver.wait(timeout=30)
        client.close()
    held = store.inbox_size()[0]
    store.dispose()
    counts = {str(s): statuses.count(s) for s in sorted(set(statuses))}
    return {
        "deliveries": len(queue),
        "unique_messages": unique,
        "duplicates": len(queue) - unique,
        "seconds_planned": seconds,
        "seconds_taken": round(wall, 1),
        "answers": counts,
        "latency_ms": {
            f"p{q}": round(float(np.percentile(latencies, q)) * 1000, 1) for q in (50, 95, 99)
        } | {"max": round(float(latencies.max()) * 1000, 1)},
        "inbox_messages": held,
        "lost": unique - held,
        "bar_met": bool(held == unique and counts.get("200", 0) == len(queue) and np.percentile(latencies, 99) < 1.0),
        "state_store": state_url.split("://", 1)[0],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m timelines_zoho_sandbox.bench.webhook_flood", description=__doc__)
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--duplicates", type=float, default=0.2, help="share of extra copies (0.2: 1 in 6 is one)")
    parser.add_argument("--senders", type=int, default=32, help="concurrent connections, as TimelinesAI's workers")
    parser.add_argument("--state-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.state_url or f"sqlite:///{Path(folder) / 'flood.db'}"
        print(json.dumps(run(args.deliveries, args.seconds, args.duplicates, url, args.senders), indent=2))


if __name__ == "__main__":
    main()
