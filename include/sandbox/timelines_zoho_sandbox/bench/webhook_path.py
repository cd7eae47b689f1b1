"""The webhook-path bars (issue 14): TimelinesAI calls per synced message, and latency from creation to note.

`python -m timelines_zoho_sandbox.bench.webhook_path [--waves 10] [--per-wave 20] [--results docs/benchmarks.json]`

Both emulators answer with 150 ms latency; the sandbox clock is real time. After the day's history is synced,
waves of new messages are added; the emulator delivers them to the receiver, the inbox trigger (its real
code, debounce included) fires, and an event-driven run syncs the chats. A message's latency is from just before
it was added to the end of the run that put it in a Zoho note. The trigger and the runs execute in this process,
not in Airflow's triggerer and scheduler, so Airflow's scheduling delay (seconds) is not in these figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import requests

from timelines_zoho.fernet_key import ensure_sandbox_fernet_key
from timelines_zoho.realtime import run as realtime
from timelines_zoho.realtime.trigger import InboxTrigger
from timelines_zoho.state import StateStore
from timelines_zoho.sync import runner
from timelines_zoho.webhooks import ReceiverSecret, create_receiver_app
from timelines_zoho_sandbox import sandbox_wiring
from timelines_zoho_sandbox.server import serve_app, start_sandbox
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

ROOT = Path(__file__).resolve().parents[4]
LATENCY_MS = 150
GOAL_CALLS_PER_MESSAGE = 0.05
GOAL_P95_SECONDS = 60.0


def _wire(folder: Path) -> tuple[TimelinesAISandboxAdmin, ZohoSandboxAdmin, StateStore, object]:
    running = start_sandbox()
    timelines, zoho = TimelinesAISandboxAdmin(running.timelines_root), ZohoSandboxAdmin(running.zoho_url)
    timelines.real_clock()
    sandbox_wiring.seed(timelines, zoho, chats=40, messages=400, days=2, end=datetime.now(timezone.utc).date(),
                        timezone="UTC", zoho_contacts=30)
    os.environ.update(sandbox_wiring.connection_uris(timelines, zoho))
    os.environ |= {"TIMELINES_ZOHO_STATE_URL": f"sqlite:///{folder / 'state.db'}",
                   "TIMELINES_ZOHO_STAGING_DIR": str(folder / "staging"), "TIMELINES_ZOHO_TOKEN_CACHE_DIR": str(folder / "tokens")}
    ensure_sandbox_fernet_key(folder)  # a throwaway key for a throwaway token cache
    store = StateStore()
    store.migrate()
    sandbox_wiring.activate(store)
    return timelines, zoho, store, running


def subscribe_receiver(timelines: TimelinesAISandboxAdmin, store: StateStore) -> object:
    """Serve a receiver over `store` and subscribe it to message:new; return the running server."""
    secret = ReceiverSecret(store).rotate()
    server = serve_app(lambda url: create_receiver_app(store))
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {timelines.tokens()['owner']}"
    api.post(f"{timelines.api_url}/webhooks", timeout=30, json={
        "event_type": "message:new", "url": f"{server.url}/timelinesai/webhooks/{secret}"}).raise_for_status()
    return server


def measure(waves: int, per_wave: int, chats_per_wave: int, pause: float) -> dict:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        timelines, zoho, store, running = _wire(folder)
        now = datetime.now(timezone.utc)
        runner.run_inline("scheduled__history", {"window_start": (now - timedelta(days=1)).isoformat(),
                                                 "window_end": now.isoformat()})
        receiver = subscribe_receiver(timelines, store)
        timelines.faults(latency_ms=LATENCY_MS)
        zoho.faults(latency_ms=LATENCY_MS)
        # Chats the history gave a note: the others (no phone, broadcasts) are excluded by design, not late.
        notes = "\n".join(n["Note_Content"] for n in zoho.state()["records"]["Notes"])
        chats = [c for c in timelines_chats(timelines) if f"/chat/{c['id']}/" in notes]
        before = Counter(timelines.stats()["calls"])
        created: dict[str, float] = {}
        landed: dict[str, float] = {}
        runs: list[float] = []
        stop = threading.Event()
        lock = threading.Lock()

        def collect() -> None:
            with lock:
                collect_landed(zoho, created, landed)

        dispatcher = threading.Thread(target=run_dispatcher, args=(store, stop, runs, collect), daemon=True)
        dispatcher.start()
        try:
            for wave in range(waves):
                for n in range(chats_per_wave):
                    chat = chats[(wave * chats_per_wave + n) % len(chats)]
                    texts = [f"bench w{wave} c{chat['id']} #{k}" for k in range(per_wave // chats_per_wave)]
                    at = time.time()
                    with lock:
                        created.update(dict.fromkeys(texts, at))
                    timelines.add_messages(chat["id"], [{"text": t} for t in texts])
                time.sleep(pause)
            deadline = time.time() + 120
            while len(landed) < len(created) and time.time() < deadline:
                time.sleep(1)
                collect()
            stop.set()
            dispatcher.join(timeout=60)
            calls = Counter(timelines.stats()["calls"]) - before
        finally:
            stop.set()
            dispatcher.join(timeout=30)
            receiver.stop()
            running.stop()
        seconds = np.array([landed[t] - created[t] for t in landed])
        total = sum(calls.values())
        figures = {
            "messages": len(created), "landed": len(landed), "runs": len(runs), "latency_ms": LATENCY_MS,
            "latency_p50_s": round(float(np.percentile(seconds, 50)), 2) if len(seconds) else None,
            "latency_p95_s": round(float(np.percentile(seconds, 95)), 2) if len(seconds) else None,
            "latency_max_s": round(float(seconds.max()), 2) if len(seconds) else None,
            "timelines_calls": total, "calls_per_message": round(total / max(len(created), 1), 4),
            "calls_by_endpoint": dict(calls), "goal_calls_per_message": GOAL_CALLS_PER_MESSAGE,
            "goal_p95_s": GOAL_P95_SECONDS, "airflow": "trigger and runs in-process; no scheduler or triggerer",
        }
        figures["bars_met"] = {"calls": figures["calls_per_message"] <= GOAL_CALLS_PER_MESSAGE,
                               "latency": len(landed) == len(created) and (figures["latency_p95_s"] or 1e9) <= GOAL_P95_SECONDS}
        return figures


def run_dispatcher(store: StateStore, stop: threading.Event, runs: list[float], collect: Callable[[], None]) -> None:
    """What the triggerer and the scheduler do: wait for the trigger's event, then run the event-driven DAG."""
    async def next_event() -> bool:
        async for _ in InboxTrigger(poll_interval=0.5, state_url=store.url).run():
            return True
        return False

    while not stop.is_set():
        try:
            asyncio.run(asyncio.wait_for(next_event(), 2.0))
        except TimeoutError:
            continue
        if realtime.run_inline(f"{time.time_ns()}") is not None:
            runs.append(time.time())
            collect()


def timelines_chats(timelines: TimelinesAISandboxAdmin) -> list[dict]:
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {timelines.tokens()['owner']}"
    return api.get(f"{timelines.api_url}/chats", timeout=30).json()["data"]["chats"]


def collect_landed(zoho: ZohoSandboxAdmin, created: dict[str, float], landed: dict[str, float]) -> None:
    """Stamp each message whose text a Zoho note now holds with the time it was first seen there."""
    content = "\n".join(n["Note_Content"] for n in zoho.state()["records"]["Notes"])
    now = time.time()
    for text in created:
        if text not in landed and text in content:
            landed[text] = now


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m timelines_zoho_sandbox.bench.webhook_path", description=__doc__)
    parser.add_argument("--waves", type=int, default=10)
    parser.add_argument("--per-wave", type=int, default=20)
    parser.add_argument("--chats-per-wave", type=int, default=4)
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between waves")
    parser.add_argument("--results", default=str(ROOT / "docs" / "benchmarks.json"))
    args = parser.parse_args(argv)
    figures = measure(args.waves, args.per_wave, args.chats_per_wave, args.pause)
    print(json.dumps(figures, indent=2))
    path = Path(args.results)
    results = json.loads(path.read_text()) if path.exists() else {}
    results["webhook_path"] = figures
    path.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
