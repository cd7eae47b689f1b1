"""`make sync ARGS=--live`: after the history, new sandbox messages reach Zoho within seconds by the webhook path.

A receiver is served over the demo's state store and subscribed by the settings lifecycle (as a deployment with
`TIMELINES_ZOHO_WEBHOOK_URL` does). Messages are then added to a few chats, a handful at a time; the emulator
delivers them, the inbox trigger fires after its debounce and an event-driven run syncs their chats. In the demo
the trigger and the runs execute in this process; in a deployment Airflow's triggerer and scheduler run them.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from timelines_zoho.settings import Actor, Lifecycle
from timelines_zoho.settings import webhooks as subscriptions
from timelines_zoho.state import StateStore
from timelines_zoho.webhooks import create_receiver_app
from timelines_zoho_sandbox import sandbox_wiring
from timelines_zoho_sandbox.bench.webhook_path import collect_landed, run_dispatcher, timelines_chats
from timelines_zoho_sandbox.server import serve_app
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%H:%M:%S")


def run_live(store: StateStore, timelines: TimelinesAISandboxAdmin, zoho: ZohoSandboxAdmin,
             messages: int = 12, per_burst: int = 3, pause: float = 4.0) -> None:
    """Add `messages` new messages in bursts and print, for each, when it was written and when it was in Zoho."""
    import os

    timelines.real_clock()
    receiver = serve_app(lambda url: create_receiver_app(store))
    os.environ[subscriptions.URL_ENV] = receiver.url
    Lifecycle(store).deactivate(Actor("sandbox", is_admin=True))
    sandbox_wiring.activate(store)  # activation subscribes the receiver
    notes = "\n".join(n["Note_Content"] for n in zoho.state()["records"]["Notes"])
    chats = [c for c in timelines_chats(timelines) if f"/chat/{c['id']}/" in notes][:3]
    created: dict[str, float] = {}
    landed: dict[str, float] = {}
    lock, stop, runs = threading.Lock(), threading.Event(), []

    def collect() -> None:
        with lock:
            before = set(landed)
            collect_landed(zoho, created, landed)
            for text in sorted(set(landed) - before, key=created.get):
                print(f"  {text!r}: written {_clock(created[text])}, in Zoho {_clock(landed[text])} "
                      f"({landed[text] - created[text]:.1f} s)", flush=True)

    print(f"\nLive: {messages} new messages to {len(chats)} chats, webhook → receiver → inbox → run")
    dispatcher = threading.Thread(target=run_dispatcher, args=(store, stop, runs, collect), daemon=True)
    dispatcher.start()
    try:
        for n in range(messages):
            chat = chats[n % len(chats)]
            text = f"live message {n + 1} at {datetime.now(timezone.utc):%H:%M:%S}"
            with lock:
                created[text] = time.time()
            timelines.add_messages(chat["id"], [{"text": text}])
            if (n + 1) % per_burst == 0:
                time.sleep(pause)
        deadline = time.time() + 60
        while len(landed) < len(created) and time.time() < deadline:
            time.sleep(1)
    finally:
        stop.set()
        dispatcher.join(timeout=60)
        receiver.stop()
    waits = sorted(landed[t] - created[t] for t in landed)
    print(f"Live: {len(landed)}/{len(created)} messages in Zoho in {len(runs)} event-driven runs; "
          f"slowest {waits[-1]:.1f} s" if waits else "Live: nothing reached Zoho")
