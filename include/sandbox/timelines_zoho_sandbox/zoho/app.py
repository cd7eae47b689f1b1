"""Wire the Zoho CRM emulator: accounts servers and API domains of every data centre, admin API and HTML view."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from timelines_zoho_sandbox.zoho import (
    accounts,
    admin_api,
    attachments,
    html,
    layouts,
    meta,
    notes,
    records,
    related,
    search,
)
from timelines_zoho_sandbox.zoho.admin_api import AdminError
from timelines_zoho_sandbox.zoho.errors import ZohoError, unknown_url, zoho_error_handler
from timelines_zoho_sandbox.zoho.limits import ApiLimitsMiddleware
from timelines_zoho_sandbox.zoho.state import ZohoState

log = logging.getLogger(__name__)

API_PREFIX = "/{dc}/api/crm/v8"


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    """Answer unknown URLs and wrong methods in Zoho's words."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = ZohoError(400, "INVALID_REQUEST_METHOD", "The HTTP request method type is not a valid one.")
    elif exc.status_code == 404:
        error = unknown_url()
    else:
        error = ZohoError(exc.status_code, "INVALID_DATA", str(exc.detail))
    return JSONResponse(error.body(), status_code=error.status)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """Answer malformed requests FastAPI rejects before a route runs."""
    return JSONResponse(ZohoError(400, "INVALID_DATA", "invalid data").body(), status_code=400)


async def _admin_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=400)


async def _internal_error(_request: Request, exc: Exception) -> JSONResponse:
    """Never leak a traceback: answer Zoho's INTERNAL_ERROR."""
    log.exception("unexpected error in the Zoho sandbox", exc_info=exc)
    return JSONResponse(ZohoError(500, "INTERNAL_ERROR", "Internal Server Error").body(), status_code=500)


def create_app(base_url: str, state_file: str | None = None) -> FastAPI:
    """Build the emulator app; `base_url` is the server root, state persists only when `state_file` is given."""
    state = ZohoState(state_file)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.save()

    app = FastAPI(title="Zoho CRM sandbox", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.zoho = state
    app.state.base_url = base_url.rstrip("/")
    app.add_exception_handler(ZohoError, zoho_error_handler)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(AdminError, _admin_error)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(ApiLimitsMiddleware, state=state)
    app.include_router(admin_api.router, prefix="/__admin")
    app.include_router(accounts.router)
    app.include_router(html.router)
    # Literal paths first; `related` serves /{module}/{id}/{list} for the lists Notes and Attachments do not.
    for module in (meta, layouts, search, notes, attachments, related, records):
        app.include_router(module.router, prefix=API_PREFIX)
    return app
