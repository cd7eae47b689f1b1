"""The emulator's admin API under `/__admin` (JSON): seed, reset, mutate, faults, stats and tokens."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from timelines_zoho.sandbox.timelinesai.state import EmulatorState

Payload = dict[str, Any]


def _fail(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def admin_router(state: EmulatorState) -> APIRouter:
    """Build the admin routes; bad input gets a 400 JSON error, an unknown chat a 404."""
    router = APIRouter(prefix="/__admin")

    def summary(seconds: float) -> Payload:
        return {**state.stats(), "seconds": round(seconds, 3)}

    @router.post("/seed")
    def seed(body: Annotated[Payload | None, Body()] = None) -> JSONResponse:
        """Generate a new workspace from a seed and size knobs."""
        started = time.perf_counter()
        try:
            state.seed(body or {})
        except (TypeError, ValueError) as exc:
            return _fail(400, str(exc))
        return JSONResponse(summary(time.perf_counter() - started))

    @router.post("/reset")
    def reset() -> JSONResponse:
        """Restore the default workspace, settings and faults."""
        started = time.perf_counter()
        state.reset()
        return JSONResponse(summary(time.perf_counter() - started))

    def configure(part: str, body: Payload | None) -> JSONResponse:
        try:
            state.configure(**{part: body or {}})
        except (TypeError, ValueError) as exc:
            return _fail(400, str(exc))
        return JSONResponse(state.stats()[part])

    @router.post("/settings")
    def settings(body: Annotated[Payload | None, Body()] = None) -> JSONResponse:
        """Change chat_url_mode, url_ttl_seconds or api_calls_quota_total."""
        return configure("settings", body)

    @router.post("/faults")
    def faults(body: Annotated[Payload | None, Body()] = None) -> JSONResponse:
        """Set rate limiting, the 403 throttle mode, plain-text 401s or latency."""
        return configure("faults", body)

    @router.post("/expire_urls")
    def expire_urls() -> JSONResponse:
        """Invalidate every attachment URL issued so far."""
        state.expire_urls()
        return JSONResponse({"url_generation": state.url_generation})

    @router.post("/chats/{chat_id}/messages")
    def add_messages(chat_id: int, body: Annotated[Payload, Body()]) -> JSONResponse:
        """Append messages: [{text, from_me, ts, message_type: "note", attachment: {filename, size}}]."""
        messages = body.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            return _fail(400, "messages must be a list of objects")
        try:
            uids = state.add_messages(chat_id, messages)
        except KeyError:
            return _fail(404, f"chat {chat_id} not found")
        except (TypeError, ValueError, AttributeError) as exc:
            return _fail(400, str(exc))
        return JSONResponse({"uids": uids})

    @router.post("/chats/{chat_id}/rename")
    def rename(chat_id: int, body: Annotated[Payload, Body()]) -> JSONResponse:
        """Rename a chat from now on."""
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            return _fail(400, "name must be a non-empty string")
        try:
            state.rename_chat(chat_id, name)
        except KeyError:
            return _fail(404, f"chat {chat_id} not found")
        return JSONResponse({"chat_id": chat_id, "name": name})

    @router.get("/stats")
    def stats() -> JSONResponse:
        """Return calls per endpoint, quota use, sizes, settings, faults and tokens."""
        return JSONResponse(state.stats())

    @router.get("/tokens")
    def tokens() -> JSONResponse:
        """Return the Owner's and the Admin member's API tokens."""
        return JSONResponse(state.tokens())

    return router
