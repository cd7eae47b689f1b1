"""A receiver over its own SQLite state store, and a TimelinesAI emulator of its own to deliver to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from timelines_zoho.state import StateStore
from timelines_zoho.webhooks import ReceiverSecret, create_receiver_app
from timelines_zoho_sandbox.server import RunningServer, serve_app
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin


@dataclass
class Receiver:
    """A running receiver, its store, and the URL TimelinesAI would be given."""

    store: StateStore
    root: str
    secret: str

    @property
    def url(self) -> str:
        return f"{self.root}/timelinesai/webhooks/{self.secret}"

    def post(self, body: object = None, *, url: str | None = None, **kwargs: object) -> requests.Response:
        if body is not None:
            kwargs["json"] = body
        return requests.post(url or self.url, timeout=30, **kwargs)


@pytest.fixture
def receiver(tmp_path) -> Iterator[Receiver]:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    store.migrate()
    secret = ReceiverSecret(store).rotate()
    server = serve_app(lambda url: create_receiver_app(store))
    yield Receiver(store, server.url, secret)
    server.stop()
    store.dispose()


@pytest.fixture
def timelines(timelines_server: RunningServer) -> TimelinesAISandboxAdmin:
    admin = TimelinesAISandboxAdmin(timelines_server.url)
    admin.reset()
    admin.settings(webhook_timeout_seconds=2.0, webhook_retry_delay_seconds=0.05)
    return admin
