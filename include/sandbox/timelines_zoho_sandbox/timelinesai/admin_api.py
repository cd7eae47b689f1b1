"""The emulator's admin API under `/__admin` (JSON): seed, reset, mutate, faults, stats and tokens."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from timelines_zoho_sandbox.timelinesai.state import EmulatorState

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

    @router.get("/clock")
    def clock() -> JSONResponse:
        """Return the sandbox clock: `now` (epoch seconds), `offset`, `frozen_at`, `real`."""
        return JSONResponse(state.clock.to_dict())

    @router.post("/clock")
    def set_clock(body: Annotated[Payload | None, Body()] = None) -> JSONResponse:
        """Set the clock ({"at": epoch or ISO, "running": false}), advance it ({"advance": seconds}) or, with
        neither, return to real time; messages, chats and names that become visible fire their webhooks."""
        body = body or {}
        try:
            at = _moment(body["at"]) if "at" in body else None
            advance = float(body["advance"]) if "advance" in body else None
            return JSONResponse(state.set_clock(at, advance, bool(body.get("running", False))))
        except (TypeError, ValueError) as exc:
            return _fail(400, str(exc))

    @router.get("/webhooks/deliveries")
    def deliveries(limit: int = 100) -> JSONResponse:
        """Return the delivery log (newest last, attempts with status or error), totals and the pending count."""
        return JSONResponse(state.dispatcher.report(max(0, limit)))

    @router.post("/webhooks/wait")
    def wait(body: Annotated[Payload | None, Body()] = None) -> JSONResponse:
        """Wait until no delivery is queued or in flight (at most {"timeout": seconds}, default 30)."""
        idle = state.dispatcher.wait_idle(float((body or {}).get("timeout", 30)))
        return JSONResponse({"idle": idle, **state.dispatcher.report(0)})

    @router.get("/stats")
    def stats() -> JSONResponse:
        """Return calls per endpoint, quota use, sizes, settings, faults and tokens."""
        return JSONResponse(state.stats())

    @router.get("/tokens")
    def tokens() -> JSONResponse:
        """Return the Owner's and the Admin member's API tokens."""
        return JSONResponse(state.tokens())

    return router


def _moment(value: Any) -> float:
    """Read epoch seconds or an ISO date-time with an offset (a naive one is refused: whose midnight?)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError("at needs a UTC offset, e.g. 2026-04-05T09:00:00+02:00")
        return moment.timestamp()
    raise ValueError("at must be epoch seconds or an ISO date-time")
