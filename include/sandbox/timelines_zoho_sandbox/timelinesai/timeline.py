"""What the sandbox clock makes visible, and the webhooks that fire for it (a part of EmulatorState)."""

from __future__ import annotations

import threading

import numpy as np

from timelines_zoho_sandbox.timelinesai import events
from timelines_zoho_sandbox.timelinesai.clock import SandboxClock
from timelines_zoho_sandbox.timelinesai.deliveries import Dispatcher
from timelines_zoho_sandbox.timelinesai.files import signer
from timelines_zoho_sandbox.timelinesai.model import Workspace
from timelines_zoho_sandbox.timelinesai.webhooks import WebhookRegistry


class TimelineMixin:
    """Move the workspace's horizon with the clock; queue the events of what became visible or was added."""

    lock: threading.Lock
    clock: SandboxClock
    workspace: Workspace
    webhooks: WebhookRegistry
    dispatcher: Dispatcher
    next_change: int | None

    def save(self) -> None:  # pragma: no cover - provided by EmulatorState
        raise NotImplementedError

    def set_clock(self, at: float | None = None, advance: float | None = None, running: bool = False) -> dict:
        """Set or advance the sandbox clock (or, with neither, go back to real time); fire what became visible."""
        if at is not None:
            self.clock.set(at, running)
        elif advance is not None:
            self.clock.advance(advance)
        else:
            self.clock = SandboxClock()
        self._observe()
        self.save()
        return self.clock.to_dict()

    def tick(self) -> None:
        """Catch up with the clock when something became visible since the last look (cheap otherwise)."""
        now = int(self.clock.now())
        horizon = self.workspace.horizon
        if now < horizon or (self.next_change is not None and now >= self.next_change):
            self._observe()

    def _observe(self, announce: bool = True) -> None:
        with self.lock:
            ws = self.workspace
            messages, chats = ws.observe(int(self.clock.now()))
            self.next_change = ws.next_change()
            news = events.events_for(ws, messages, chats, signer(self)) if announce and self.webhooks.live() else []
        self.dispatcher.enqueue(news)

    def webhooks_changed(self) -> None:
        """Persist subscriptions and start the delivery threads once there is one."""
        self.dispatcher.wake()
        self.save()

    def _announce_added(self, count: int) -> None:
        """Queue the events of the `count` messages just appended that are visible already."""
        with self.lock:
            ws = self.workspace
            self.next_change = ws.next_change()
            added = range(len(ws.messages) - count, len(ws.messages))  # _apply appends at the end
            visible = np.array([i for i in added if ws.messages.is_visible(i)], dtype=np.int64)
            news = events.events_for(ws, visible, [], signer(self)) if self.webhooks.live() else []
        self.dispatcher.enqueue(news)
