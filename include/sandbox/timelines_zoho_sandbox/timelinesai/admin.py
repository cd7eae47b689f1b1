"""A small client for the TimelinesAI emulator's admin API, for tests, benchmarks and the demo."""

from __future__ import annotations

from typing import Any

import requests


class TimelinesAISandboxAdmin:
    """Drive `{root_url}/__admin` over HTTP; `api_url` is what a TimelinesAI client should use as its base."""

    def __init__(self, root_url: str, timeout: float = 120.0) -> None:
        self.root_url = root_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    @property
    def api_url(self) -> str:
        return f"{self.root_url}/integrations/api"

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        response = self.session.request(
            method, f"{self.root_url}/__admin{path}", json=body, timeout=self.timeout
        )
        if response.status_code >= 400:
            raise RuntimeError(
                f"TimelinesAI sandbox admin {path} failed ({response.status_code}): {response.text}"
            )
        return response.json()

    def seed(self, **knobs: Any) -> dict:
        """Generate a new workspace (seed, chats, messages, days, accounts, end, timezone, attachment_*)."""
        return self._call("POST", "/seed", knobs)

    def reset(self) -> dict:
        """Restore the default workspace, settings and faults."""
        return self._call("POST", "/reset")

    def settings(self, **values: Any) -> dict:
        """Set chat_url_mode ("relative"/"absolute"), url_ttl_seconds, api_calls_quota_total, webhook_limit,
        webhook_timeout_seconds or webhook_retry_delay_seconds."""
        return self._call("POST", "/settings", values)

    def faults(self, **values: Any) -> dict:
        """Set rate_limit_per_second, burst, throttle_status (429/403), plain_text_401, latency_ms,
        webhook_duplicate_share or webhook_reorder_ms."""
        return self._call("POST", "/faults", values)

    def tamper(self, *rules: dict) -> dict:
        """Spoil API answers after they are computed (HTML or truncated 200s, resets); see sandbox/tamper.py."""
        return self.faults(tamper=list(rules))

    def expire_urls(self) -> None:
        """Invalidate every attachment URL handed out so far."""
        self._call("POST", "/expire_urls")

    def add_messages(self, chat_id: int, messages: list[dict]) -> list[str]:
        """Append messages to a chat and return their uids."""
        return self._call("POST", f"/chats/{chat_id}/messages", {"messages": messages})["uids"]

    def rename_chat(self, chat_id: int, name: str) -> None:
        """Rename a chat from now on."""
        self._call("POST", f"/chats/{chat_id}/rename", {"name": name})

    def clock(self) -> dict:
        """Return the sandbox clock: now, offset, frozen_at, real."""
        return self._call("GET", "/clock")

    def set_clock(self, at: float | str, running: bool = False) -> dict:
        """Move the sandbox clock to `at` (epoch seconds or ISO with offset), stopped there unless `running`."""
        return self._call("POST", "/clock", {"at": at, "running": running})

    def advance_clock(self, seconds: float) -> dict:
        """Move the sandbox clock forward; what becomes visible fires its webhooks."""
        return self._call("POST", "/clock", {"advance": seconds})

    def real_clock(self) -> dict:
        """Return the sandbox clock to real time."""
        return self._call("POST", "/clock", {})

    def deliveries(self, limit: int = 100) -> dict:
        """Return the webhook delivery log: {"deliveries": [...], "totals": {...}, "pending": n}."""
        return self._call("GET", f"/webhooks/deliveries?limit={limit}")

    def wait_for_deliveries(self, timeout: float = 30) -> dict:
        """Block until no webhook delivery is queued or in flight; {"idle": bool, "totals", "pending"}."""
        return self._call("POST", "/webhooks/wait", {"timeout": timeout})

    def stats(self) -> dict:
        """Return calls per endpoint, quota use, sizes, params, settings, faults and tokens."""
        return self._call("GET", "/stats")

    def tokens(self) -> dict:
        """Return {"owner", "admin", "owner_email", "admin_email"}."""
        return self._call("GET", "/tokens")
