"""API-domain plumbing: OAuth check and scopes, 24-hour credits, edition concurrency, faults and stats."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from timelines_zoho_sandbox.tamper import pick_rule, tampered
from timelines_zoho_sandbox.zoho.catalog import CUSTOM_MODULE
from timelines_zoho_sandbox.zoho.errors import ZohoError
from timelines_zoho_sandbox.zoho.state import DATA_CENTRES, ZohoState

API_PATH = re.compile(r"^/([a-z]{2})/api(/.*)$")
ID_SEGMENT = re.compile(r"/\d{6,}(?=/|$)")
HEAVY_PATH = re.compile(r"/crm/v8/(coql|[A-Za-z0-9_]+/search)$")  # calls under the sub-concurrency limit
DAY = 86400
CREDITS_EXHAUSTED = "Number of API requests for the 24 hour period is exceeded"
CONCURRENCY_EXCEEDED = "The concurrency limit of the user for the app is exceeded"


def too_many(message: str) -> ZohoError:
    """Build Zoho's 429 TOO_MANY_REQUESTS error."""
    return ZohoError(429, "TOO_MANY_REQUESTS", message)


def module_scope(module: str, op: str) -> str:
    """Return the module scope an operation needs, e.g. ZohoCRM.modules.contacts.READ."""
    resource = "custom" if module == CUSTOM_MODULE else module.lower()
    return f"ZohoCRM.modules.{resource}.{op}"


def scope_allows(granted: list[str], required: str) -> bool:
    """Tell whether any granted scope covers `required` (ALL covers everything below it, WRITE covers CREATE/UPDATE)."""
    need = required.lower().split(".")
    for scope in granted:
        have = scope.lower().split(".")
        if have == need:
            return True
        if have[-1] == "all" and need[: len(have) - 1] == have[:-1]:
            return True
        if have[-1] == "write" and have[:-1] == need[:-1] and need[-1] in ("create", "update"):
            return True
    return False


def credits_used(state: ZohoState, now: float | None = None) -> int:
    """Return the credits spent in the rolling 24-hour window (kept in one-minute buckets)."""
    minute = int((now or time.time()) // 60)
    for bucket in [b for b in state.credits if int(b) <= minute - DAY // 60]:
        del state.credits[bucket]
    return sum(state.credits.values())


@dataclass
class ApiContext:
    """One authenticated API call: who calls, with which scopes, in which data centre."""

    state: ZohoState
    base_url: str
    dc: str
    user_id: str
    scopes: list[str]

    def require(self, *scopes: str) -> None:
        """Raise OAUTH_SCOPE_MISMATCH unless every listed scope is granted."""
        for scope in scopes:
            if not scope_allows(self.scopes, scope):
                raise ZohoError(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")

    def charge(self, credits: int) -> None:
        """Spend API credits, or fail with 429 when the 24-hour budget cannot cover them."""
        if credits_used(self.state) + credits > int(self.state.faults["credits_budget"]):
            raise too_many(CREDITS_EXHAUSTED)
        minute = str(int(time.time() // 60))
        self.state.credits[minute] = self.state.credits.get(minute, 0) + credits
        self.state.stats["credits_used"] += credits


async def api_context(dc: str, request: Request) -> ApiContext:
    """Authenticate a call by its `Zoho-oauthtoken` header, checking expiry and data centre."""
    state: ZohoState = request.app.state.zoho
    if dc not in DATA_CENTRES:
        raise ZohoError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")
    header = request.headers.get("authorization", "")
    prefix, _, token = header.partition(" ")
    if prefix != "Zoho-oauthtoken" or not token:
        raise ZohoError(401, "AUTHENTICATION_FAILURE", "Authentication failed")
    grant = state.access_tokens.get(token.strip())
    if grant is None or grant["expires_at"] < time.time() or grant["dc"] != dc:
        raise ZohoError(401, "INVALID_TOKEN", "invalid oauth token")
    return ApiContext(state, request.app.state.base_url, dc, grant["user_id"], grant["scopes"])


def endpoint_key(method: str, path: str) -> str:
    """Name an endpoint for stats: the path below the API domain with ids folded."""
    return f"{method} {ID_SEGMENT.sub('/{id}', path)}"


class ApiLimitsMiddleware:
    """Pure ASGI middleware for the API domains: stats, injected faults, concurrency and the credits header."""

    def __init__(self, app: ASGIApp, state: ZohoState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = API_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or match.group(1) not in DATA_CENTRES:
            await self.app(scope, receive, send)
            return
        state = self.state
        calls = state.stats["calls"]
        key = endpoint_key(scope["method"], match.group(2))
        calls[key] = calls.get(key, 0) + 1
        faults = state.faults
        heavy = HEAVY_PATH.search(match.group(2)) is not None
        if state.in_flight >= int(faults["concurrency"]) or (
                heavy and state.heavy_in_flight >= int(faults["sub_concurrency"])):
            await _send_error(send, too_many(CONCURRENCY_EXCEEDED))
            return
        state.in_flight += 1
        state.heavy_in_flight += heavy
        try:
            if faults["latency_ms"]:
                await asyncio.sleep(float(faults["latency_ms"]) / 1000)
            if faults["reset_rate"] and state.rng.random() < float(faults["reset_rate"]):
                await _drop_connection(send)
                return
            if faults["error_rate"] and state.rng.random() < float(faults["error_rate"]):
                await _send_error(send, ZohoError(500, "INTERNAL_ERROR", "Internal Server Error"))
                return
            if faults["rate_limit_rate"] and state.rng.random() < float(faults["rate_limit_rate"]):
                await _send_error(send, too_many(CONCURRENCY_EXCEEDED))
                return
            rule = pick_rule(faults["tamper"], scope["method"], match.group(2)) if faults["tamper"] else None
            if rule is not None:  # applied, then the answer is lost or spoiled
                await tampered(self.app, rule, scope, receive, self._with_credits_header(send))
            else:
                await self.app(scope, receive, self._with_credits_header(send))
        finally:
            state.in_flight -= 1
            state.heavy_in_flight -= heavy

    def _with_credits_header(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                budget = int(self.state.faults["credits_budget"])
                used = credits_used(self.state)
                if used * 2 >= budget:
                    remaining = str(max(budget - used, 0)).encode()
                    message["headers"] = [*message.get("headers", []), (b"x-api-credits-remaining", remaining)]
            await send(message)

        return wrapped


async def _send_error(send: Send, error: ZohoError) -> None:
    body = json.dumps(error.body()).encode()
    await send({"type": "http.response.start", "status": error.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(send: Send) -> None:
    """Promise a body and stop half-way: the server closes the socket and the client sees a broken connection."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
    await send({"type": "http.response.body", "body": b'{"data":[', "more_body": False})


def parse_json_body(raw: bytes) -> Any:
    """Parse a request body, answering Zoho's INVALID_DATA for anything that is not JSON."""
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ZohoError(400, "INVALID_DATA", "the input data is not a valid JSON", {}) from exc


Api = Annotated[ApiContext, Depends(api_context)]
