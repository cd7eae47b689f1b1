"""The settings UI: status, the settings form with dependent dropdowns, activate/deactivate, recent runs."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from timelines_zoho.hooks.datacentres import DATA_CENTRES, configured_custom_accounts_url
from timelines_zoho.settings import Lifecycle, SettingsError
from timelines_zoho.settings.oauth import ZohoClient
from timelines_zoho.state import IntegrationSettings, StateStore
from timelines_zoho.ui.auth import Admin, Viewer, is_admin
from timelines_zoho.ui.security import (
    CSRF_FIELD,
    CheckedAdmin,
    app_path,
    app_url,
    csrf_token,
    security_headers,
)
from timelines_zoho.ui.views import page_context

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def _back(request: Request, **message: str) -> RedirectResponse:
    """Redirect to the page (303, so a refresh does not resubmit) with a notice or an error.

    The target is built from Airflow's configured base URL: a request's Host header never chooses it.
    """
    url = app_url(request, "/")
    query = {k: v for k, v in message.items() if v}
    return RedirectResponse(f"{url}?{urlencode(query)}" if query else url, status_code=303)


def create_app(store: StateStore | None = None, **conn_ids: str) -> FastAPI:
    """Build the app; `store` and the connection ids are injectable for tests."""
    app = FastAPI(title="WhatsApp → Zoho settings", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    state: dict[str, Lifecycle] = {}

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.update(security_headers())
        return response

    def lifecycle() -> Lifecycle:
        # Built on first use, so the plugin import does not touch the database at API-server start.
        if "it" not in state:
            state["it"] = Lifecycle(store, **conn_ids)
            state["it"].store.migrate()
        return state["it"]

    def render(request: Request, user: Any, status_code: int = 200, **extra: Any) -> HTMLResponse:
        context = page_context(lifecycle(), extra.pop("draft", None))
        custom = configured_custom_accounts_url()
        context.update(user=user.get_name(), admin=is_admin(user), base=app_path(request),
                       csrf_field=CSRF_FIELD, csrf_token=csrf_token(request),
                       data_centres=[*DATA_CENTRES, *(["custom"] if custom else [])], custom_accounts_url=custom,
                       notice=request.query_params.get("notice"),
                       error=request.query_params.get("error"), hint=request.query_params.get("hint"), **extra)
        return templates.TemplateResponse(request, "page.html", context, status_code=status_code)

    @app.exception_handler(HTTPException)
    async def _auth_error(request: Request, exc: HTTPException) -> Response:
        """Send a browser without a session to Airflow's login page; everything else gets the status."""
        from airflow.api_fastapi.app import get_auth_manager

        if exc.status_code == 401 and request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            query = f"?{request.url.query}" if request.url.query else ""
            next_url = f"{app_url(request)}{request.url.path.removeprefix(app_path(request))}{query}"
            return RedirectResponse(get_auth_manager().get_url_login(next_url=next_url), status_code=303)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(SettingsError)
    async def _settings_error(request: Request, exc: SettingsError) -> Response:
        if request.method == "POST":
            return _back(request, error=exc.message, hint=exc.hint)
        return JSONResponse({"detail": exc.message, "hint": exc.hint}, status_code=exc.status)

    @app.get("/", response_class=HTMLResponse, name="page")
    def page(request: Request, user: Viewer) -> HTMLResponse:
        return render(request, user)

    @app.get("/api/modules/{module}/fields")
    def module_fields(module: str, user: Viewer) -> dict[str, Any]:
        return asdict(lifecycle().field_options(module)) | {"timezone": lifecycle().default_timezone()}

    @app.post("/connect/timelines")
    def connect_timelines(
        request: Request, actor: CheckedAdmin, token: Annotated[str, Form()], base_url: Annotated[str, Form()] = ""
    ) -> RedirectResponse:
        workspace = lifecycle().connect_timelines(actor, token.strip(), base_url.strip() or None)
        return _back(request, notice=f"Connected to the TimelinesAI workspace {workspace.name}.")

    @app.post("/connect/zoho")
    def connect_zoho(
        request: Request,
        actor: CheckedAdmin,
        client_id: Annotated[str, Form()],
        client_secret: Annotated[str, Form()] = "",
        data_centre: Annotated[str, Form()] = "us",
        grant_code: Annotated[str, Form()] = "",
    ) -> RedirectResponse:
        # No accounts or API URL is taken from a form: a named data centre has its own, `custom` the configured one.
        client = ZohoClient(client_id.strip(), client_secret.strip(), data_centre)
        if grant_code.strip():
            user = lifecycle().connect_zoho_grant_code(actor, client, grant_code.strip())
            return _back(request, notice=f"Connected to Zoho CRM as {user.get('email') or 'the granting user'}.")
        redirect_uri = app_url(request, "/oauth/callback")
        return RedirectResponse(lifecycle().start_zoho_authorization(actor, client, redirect_uri), status_code=303)

    @app.get("/oauth/callback", name="oauth_callback")
    def oauth_callback(request: Request, actor: Admin) -> RedirectResponse:
        # A top-level navigation from Zoho, so no Origin check: the state, bound to this user, protects it.
        params = request.query_params
        if params.get("error"):
            return _back(request, error=f"Zoho did not authorize the connection: {params['error']}.")
        try:
            user = lifecycle().finish_zoho_authorization(
                actor, code=params.get("code"), state=params.get("state"),
                accounts_server=params.get("accounts-server"))
        except SettingsError as exc:
            return _back(request, error=exc.message, hint=exc.hint)
        return _back(request, notice=f"Connected to Zoho CRM as {user.get('email') or 'the consenting user'}.")

    @app.post("/activate", response_class=HTMLResponse)
    def activate(
        request: Request,
        actor: CheckedAdmin,
        user: Viewer,
        module: Annotated[str, Form()] = "",
        phone_field: Annotated[str, Form()] = "",
        name_field: Annotated[str, Form()] = "",
        chat_link_field: Annotated[str, Form()] = "",
        lead_source_field: Annotated[str, Form()] = "",
        timezone: Annotated[str, Form()] = "",
        keep_zoho_names: Annotated[bool, Form()] = False,
    ) -> Response:
        draft = IntegrationSettings(module or None, phone_field or None, name_field or None,
                                    chat_link_field or None, lead_source_field or None, timezone or None,
                                    keep_zoho_names=keep_zoho_names)
        try:
            lifecycle().activate(actor, draft)
        except SettingsError as exc:
            # Show the same form again: the draft is kept in the page, never saved, until activation works.
            return render(request, user, 400, draft=draft, failure={"message": exc.message, "hint": exc.hint,
                                                                     "code": getattr(exc, "code", "")})
        return _back(request, notice="The integration is active. A test contact was created in Zoho CRM.")

    @app.post("/deactivate")
    def deactivate(request: Request, actor: CheckedAdmin) -> RedirectResponse:
        lifecycle().deactivate(actor)
        return _back(request, notice="The integration is deactivated; the settings can be edited.")

    return app
