"""Answers that go wrong after the work is done, shared by both emulators: the fault rules under `tamper`.

A rule is `{"path": regex, "method": "POST" (optional), "after": n (optional), "count": n, "mode": ...}`. The
first `after` matching calls pass untouched, the next `count` are tampered with, then the rule is spent. Every
mode lets the request be handled first (a write is applied), then spoils the answer:

- `reset`: the status line and part of the body arrive, then the connection closes (a reset after sending);
- `timeout`: the answer is held back for `delay` seconds (past the client's read timeout), then sent;
- `html`: status 200 with an HTML page (a proxy's error page) instead of JSON;
- `truncated`: status 200 with the first half of the JSON body, its length declared honestly.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MODES = ("reset", "timeout", "html", "truncated")
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
             b"<body><h1>Bad Gateway</h1><p>The proxy received an invalid response.</p></body></html>")


def check_rules(rules: Any) -> list[dict[str, Any]]:
    """Validate tamper rules as an admin sets them; raise ValueError with what is wrong."""
    if not isinstance(rules, list):
        raise ValueError("tamper must be a list of rules")
    for rule in rules:
        if not isinstance(rule, dict) or not isinstance(rule.get("path"), str):
            raise ValueError(f"a tamper rule needs a path pattern: {rule!r}")
        if rule.get("mode") not in MODES:
            raise ValueError(f"tamper mode must be one of {', '.join(MODES)}: {rule!r}")
        re.compile(rule["path"])
        rule.setdefault("count", 1)
        rule.setdefault("after", 0)
    return rules


def pick_rule(rules: list[dict[str, Any]], method: str, path: str) -> dict[str, Any] | None:
    """Return the rule that spoils this call (counting it), or None; spent rules stay listed with count 0."""
    for rule in rules:
        if rule["count"] <= 0 or (rule.get("method") and rule["method"].upper() != method.upper()):
            continue
        if not re.search(rule["path"], path):
            continue
        if rule["after"] > 0:
            rule["after"] -= 1
            return None
        rule["count"] -= 1
        rule["fired"] = rule.get("fired", 0) + 1
        return rule
    return None


async def tampered(app: ASGIApp, rule: dict[str, Any], scope: Scope, receive: Receive, send: Send) -> None:
    """Let the app handle the call, keep its answer, and send the spoiled one the rule asks for."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    body = b"".join(chunks)
    mode = rule["mode"]
    if mode == "timeout":
        await asyncio.sleep(float(rule.get("delay", 2.0)))
        await _answer(send, int(start.get("status", 200)), body, dict(start.get("headers") or []))
    elif mode == "reset":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body) + 4096).encode())]})
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": False})
    elif mode == "html":
        await _answer(send, 200, HTML_PAGE, {b"content-type": b"text/html; charset=utf-8"})
    else:
        await _answer(send, 200, body[: max(1, len(body) // 2)], {b"content-type": b"application/json"})


async def _answer(send: Send, status: int, body: bytes, headers: dict[bytes, bytes]) -> None:
    headers = {k: v for k, v in headers.items() if k.lower() != b"content-length"}
    headers[b"content-length"] = str(len(body)).encode()
    await send({"type": "http.response.start", "status": status, "headers": list(headers.items())})
    await send({"type": "http.response.body", "body": body})


class TamperMiddleware:
    """Pure ASGI middleware applying the tamper rules `rules()` returns to HTTP calls under `prefix`."""

    def __init__(self, app: ASGIApp, rules: Callable[[], list[dict[str, Any]]], prefix: str = "") -> None:
        self.app, self.rules, self.prefix = app, rules, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        rules = self.rules() if scope["type"] == "http" and path.startswith(self.prefix) else None
        rule = pick_rule(rules, scope["method"], path) if rules else None
        if rule is None:
            await self.app(scope, receive, send)
        else:
            await tampered(self.app, rule, scope, receive, send)
