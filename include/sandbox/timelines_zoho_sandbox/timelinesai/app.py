"""The TimelinesAI Public API emulator as a FastAPI app: `/integrations/api`, `/files`, and `/__admin`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import msgspec
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from timelines_zoho_sandbox.tamper import TamperMiddleware
from timelines_zoho_sandbox.timelinesai import content, render
from timelines_zoho_sandbox.timelinesai.admin_api import admin_router
from timelines_zoho_sandbox.timelinesai.envelope import Reject, error, ok
from timelines_zoho_sandbox.timelinesai.files import files_router, signer
from timelines_zoho_sandbox.timelinesai.model import Chat
from timelines_zoho_sandbox.timelinesai.queries import (
    BadRequest,
    UnknownMessage,
    filter_chats,
    filter_messages,
)
from timelines_zoho_sandbox.timelinesai.state import EmulatorState
from timelines_zoho_sandbox.timelinesai.webhooks import subscriptions_router

log = logging.getLogger(__name__)
API = "/integrations/api"
NOT_FOUND_HTML = (
    "<!DOCTYPE html><html><head><title>Page not found | TimelinesAI</title></head><body>"
    "<h1>404</h1><p>Oops! The page you are looking for does not exist.</p>"
    '<a href="https://app.timelines.ai/">Back to TimelinesAI</a></body></html>'
)
THROTTLE_403_HTML = (
    "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center>"
    "<hr><center>cloudflare</center></body></html>"
)


def _guard(state: EmulatorState) -> Callable[[Request], Awaitable[None]]:
    async def guard(request: Request) -> None:
        """Apply latency, rate limiting, auth and the API-call quota, and count the call."""
        state.tick()  # what the sandbox clock has made visible since the last call (and its webhooks)
        route = request.scope.get("route")
        state.calls[
            f"{request.method} {route.path_format.removeprefix(API) if route else request.url.path}"
        ] += 1
        if state.faults.latency_ms:
            await asyncio.sleep(state.faults.latency_ms / 1000)
        retry_after = state.throttle()
        if retry_after:
            if state.faults.throttle_status == 403:
                raise Reject(HTMLResponse(THROTTLE_403_HTML, status_code=403))
            raise Reject(
                error(
                    429,
                    f"Rate limit exceeded. Retry in {retry_after} seconds.",
                    "rate_limit_exceeded",
                    headers={"Retry-After": str(retry_after)},
                    error="Too Many Requests",
                )
            )
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        member = state.workspace.token_member(token.strip()) if scheme.lower() == "bearer" else None
        if member is None:
            if state.faults.plain_text_401:
                raise Reject(PlainTextResponse("Unauthorized", status_code=401))
            if not header:
                raise Reject(
                    error(401, "Authentication credentials were not provided", "missing_credentials")
                )
            raise Reject(error(401, "Invalid or expired token", "invalid_token"))
        if state.quota_used >= state.settings.api_calls_quota_total:
            raise Reject(error(403, "Monthly API calls quota exceeded", "quota_exceeded"))
        state.quota_used += 1
        request.state.member = member

    return guard


def api_router(state: EmulatorState) -> APIRouter:
    """Build the read endpoints of the Public API."""
    router = APIRouter(prefix=API, dependencies=[Depends(_guard(state))])
    sign = signer(state)

    def chat_or_404(chat_id: str) -> Chat:
        chat = state.workspace.visible_chat(int(chat_id)) if chat_id.isdigit() else None
        if chat is None:
            raise Reject(error(404, f'Whatsapp chat_id "{chat_id}" not found', "not_found"))
        return chat

    @router.get("/chats")
    async def list_chats(request: Request) -> Response:
        """List chats with every documented filter, 50 per page."""
        params = request.query_params
        indexes, more = filter_chats(state.workspace, params)
        absolute = state.settings.chat_url_mode == "absolute"
        with_msg = params.get("with_msg", "").lower() == "true"
        ws = state.workspace
        if with_msg:
            chats = [render.chat_json(ws, ws.chats[i], absolute, with_msg, sign) for i in indexes]
            return ok({"has_more_pages": more, "chats": chats})
        cache = ws.encoded_chats
        parts = []
        for i in indexes:  # chats change rarely, so each is encoded once and reused until the next change
            encoded = cache.get((i, absolute))
            if encoded is None:
                encoded = cache[(i, absolute)] = msgspec.json.encode(
                    render.chat_json(ws, ws.chats[i], absolute)
                )
            parts.append(encoded)
        head = b'{"status":"ok","data":{"has_more_pages":%s,"chats":[' % (b"true" if more else b"false")
        return Response(head + b",".join(parts) + b"]}}", media_type="application/json")

    @router.get("/chats/{chat_id}")
    async def get_chat(chat_id: str) -> Response:
        """Return one chat."""
        absolute = state.settings.chat_url_mode == "absolute"
        return ok(render.chat_json(state.workspace, chat_or_404(chat_id), absolute))

    @router.get("/chats/{chat_id}/messages")
    async def list_messages(chat_id: str, request: Request) -> Response:
        """Return a chat's messages with the documented windows, cursors, order and paging."""
        chat = chat_or_404(chat_id)
        try:
            indexes, more = filter_messages(state.workspace, chat.index, request.query_params)
        except UnknownMessage as exc:
            raise Reject(error(404, f'Message uid "{exc}" not found', "not_found")) from None
        return ok({"has_more_pages": more, "messages": render.messages_json(state.workspace, indexes, sign)})

    @router.get("/messages/{uid}")
    async def get_message(uid: str) -> Response:
        """Return one message with a fresh attachment URL."""
        index = content.uid_index(state.workspace.seed, uid, len(state.workspace.messages))
        if index is None or not state.workspace.messages.is_visible(index):
            raise Reject(error(404, f'Message uid "{uid}" not found', "not_found"))
        return ok(render.messages_json(state.workspace, [index], sign)[0])

    @router.get("/whatsapp_accounts")
    async def whatsapp_accounts() -> Response:
        """List connected numbers, disconnected ones included."""
        ws = state.workspace
        return ok({"whatsapp_accounts": [render.account_json(ws, a) for a in ws.accounts]})

    @router.get("/workspace")
    async def workspace() -> Response:
        """Return the workspace with quota counters that count real calls."""
        ws = state.workspace
        period = ("2026-11-01 00:00:00 +0100", "2026-12-01 00:00:00 +0100")
        return ok(
            {
                "workspace_id": ws.workspace_id,
                "display_name": ws.display_name,
                "plan": "Business",
                "seats": {"total": 10, "used": len(ws.teammates)},
                "messaging_quota": {
                    "total": 10_000,
                    "used": 0,
                    "period_start": period[0],
                    "period_end": period[1],
                },
                "api_calls_quota": {
                    "total": state.settings.api_calls_quota_total,
                    "used": state.quota_used,
                    "period_start": period[0],
                    "period_end": period[1],
                },
                "non_recurring_quota": {"remaining_balance": 0, "last_updated_at": period[0]},
            }
        )

    @router.get("/workspace/teammates")
    async def teammates() -> Response:
        """List teams and members with their roles."""
        ws = state.workspace
        teams = sorted({t.team for t in ws.teammates})
        return ok(
            {
                "teams": [{"title": t} for t in teams],
                "teammates": [render.teammate_json(ws, t) for t in ws.teammates],
            }
        )

    @router.get("/workspace/teammates/me")
    async def me(request: Request) -> Response:
        """Return the member the token belongs to."""
        return ok(render.teammate_json(state.workspace, request.state.member))

    router.include_router(subscriptions_router(state))
    return router


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Reject)
    async def rejected(request: Request, exc: Reject) -> Response:
        return exc.response

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return error(400, str(exc), "validation_error", errors=[{"fields": [exc.field], "msg": exc.msg}])

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/__admin"):
            return Response(
                msgspec.json.encode({"error": "invalid request", "detail": str(exc.errors())}), 400
            )
        return error(400, "Invalid parameters", "validation_error")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/__admin"):
            return HTMLResponse(NOT_FOUND_HTML, status_code=404)  # the branded page, trailing slash included
        if exc.status_code == 405:
            return error(405, f"Method {request.method} not allowed", "validation_error")
        return error(
            exc.status_code, str(exc.detail), "internal_error" if exc.status_code >= 500 else "not_found"
        )

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("TimelinesAI sandbox failed on %s", request.url.path)
        return error(500, "Internal server error", "internal_error")


def create_app(base_url: str, state_file: str | None = None) -> FastAPI:
    """Build the emulator for a server reachable at `base_url`; state persists only with `state_file`."""
    state = EmulatorState(base_url, state_file)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.save()

    app = FastAPI(
        title="TimelinesAI sandbox", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.router.redirect_slashes = False  # the real API answers a trailing slash with an HTML 404
    app.state.emulator = state
    app.include_router(api_router(state))
    app.include_router(files_router(state))
    app.include_router(admin_router(state))
    _install_error_handlers(app)
    app.add_middleware(TamperMiddleware, rules=lambda: state.faults.tamper, prefix=API)
    return app
