"""A TimelinesAI emulator of our own over real HTTP, reset before each test so tests stay independent."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from timelines_zoho_sandbox.server import RunningServer
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin


@dataclass
class TimelinesSandbox:
    """The admin client plus an API session authenticated as the workspace Owner."""

    admin: TimelinesAISandboxAdmin
    api: requests.Session
    tokens: dict

    def get(self, path: str, **params: object) -> requests.Response:
        return self.api.get(f"{self.admin.api_url}{path}", params=params, timeout=30)

    def data(self, path: str, **params: object) -> dict:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def all_chats(self, **params: object) -> list[dict]:
        chats, page = [], 1
        while True:
            data = self.data("/chats", page=page, **params)
            chats += data["chats"]
            if not data["has_more_pages"]:
                return chats
            page += 1

    def chat_by_name(self, name: str) -> dict:
        return next(c for c in self.all_chats() if c["name"] == name)


@pytest.fixture
def tl(timelines_server: RunningServer) -> TimelinesSandbox:
    admin = TimelinesAISandboxAdmin(timelines_server.url)
    admin.reset()
    tokens = admin.tokens()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {tokens['owner']}"
    return TimelinesSandbox(admin=admin, api=session, tokens=tokens)
