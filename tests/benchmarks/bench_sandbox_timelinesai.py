"""Benchmark the TimelinesAI emulator at scale: seed 50,000 chats / 1,000,000 messages, then time requests.

Run: .venv/bin/python tests/benchmarks/bench_sandbox_timelinesai.py [--chats N --messages N --requests N]
Prints seed time, peak RSS and p50/p95 latency of /chats and /chats/{id}/messages over real HTTP.
The emulator runs in its own process, so the client does not compete with it for the GIL.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time

import psutil
import requests

from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin

SERVER = (
    "import sys\n"
    "from timelines_zoho_sandbox.server import serve_app\n"
    "from timelines_zoho_sandbox.timelinesai.app import create_app\n"
    "server = serve_app(lambda url: create_app(url))\n"
    "print(server.url, flush=True)\n"
    "sys.stdin.read()\n"
)


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms  (n={len(ordered)})"


def _time(session: requests.Session, url: str, params: dict) -> float:
    started = time.perf_counter()
    response = session.get(url, params=params, timeout=30)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    admin = TimelinesAISandboxAdmin(server.stdout.readline().strip(), timeout=600)
    started = time.perf_counter()
    seeded = admin.seed(seed=1, chats=args.chats, messages=args.messages, days=args.days)
    seed_seconds = time.perf_counter() - started
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {seeded['tokens']['owner']}"
    api = admin.api_url
    rng = random.Random(1)
    pages = max(1, args.chats // 50)
    chat_ids = [
        c["id"]
        for p in range(1, 21)
        for c in session.get(f"{api}/chats", params={"page": p}).json()["data"]["chats"]
    ]
    wid = session.get(f"{api}/whatsapp_accounts").json()["data"]["whatsapp_accounts"][0]["id"]
    runs = {
        "GET /workspace (baseline: no data work)": lambda: _time(session, f"{api}/workspace", {}),
        "GET /chats?page=N (after one walk)": lambda: _time(
            session, f"{api}/chats", {"page": rng.randint(1, pages)}
        ),
        "GET /chats?whatsapp_account_id&group=false": lambda: _time(
            session,
            f"{api}/chats",
            {"whatsapp_account_id": wid, "group": "false", "page": rng.randint(1, 50)},
        ),
        "GET /chats/{id}/messages": lambda: _time(
            session, f"{api}/chats/{rng.choice(chat_ids)}/messages", {}
        ),
        "GET /chats/{id}/messages?asc&after=": lambda: _time(
            session,
            f"{api}/chats/{rng.choice(chat_ids)}/messages",
            {"sorting_order": "asc", "after": "2026-02-01"},
        ),
    }
    print(f"seeded {seeded['chats']:,} chats and {seeded['messages']:,} messages")
    walk = [_time(session, f"{api}/chats", {"page": page}) for page in range(1, pages + 2)]
    print(f"{'GET /chats first walk of every page (cold)':45s} {_percentiles(walk)}  total {sum(walk):.1f} s")
    print(
        f"seed time (HTTP round trip): {seed_seconds:.1f} s  (generator inside the server: {seeded['seconds']:.1f} s)"
    )
    for name, run in runs.items():
        for _ in range(20):
            run()  # warm up connections and caches
        print(f"{name:45s} {_percentiles([run() for _ in range(args.requests)])}")
    rss = psutil.Process(server.pid).memory_info()
    peak = getattr(rss, "peak_wset", None) or _peak_rss_linux(server.pid)
    print(f"emulator RSS now {rss.rss / 2**20:,.0f} MiB, peak {peak / 2**20:,.0f} MiB")
    print(f"machine load average (1 min): {psutil.getloadavg()[0]:.1f} on {psutil.cpu_count()} CPUs")
    server.stdin.close()
    server.wait(timeout=30)


def _peak_rss_linux(pid: int) -> int:
    """Return VmHWM (peak resident set) of a process from /proc."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        line = next(line for line in fh if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


if __name__ == "__main__":
    main()
