"""The Zoho Accounts server of each data centre: consent page, token endpoint and revoke."""

from __future__ import annotations

import base64
import html
import time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from timelines_zoho_sandbox.zoho.state import DATA_CENTRES, ZohoState

router = APIRouter()

GRANT_TTL = 180  # seconds a grant code stays valid
REFRESH_WINDOW = 600  # the throttle window: 10 refreshes per 10 minutes per refresh token
REFRESH_LIMIT = 10
ACTIVE_TOKENS = 15  # active access tokens per refresh token; the 16th evicts the oldest
THROTTLED = {"error_description": "You have made too many requests continuously. Please try again after some time.",
             "error": "Access Denied", "status": "failure"}


def accounts_url(base_url: str, dc: str) -> str:
    """Return the accounts server URL of a data centre."""
    return f"{base_url}/{dc}/accounts"


def api_domain(base_url: str, dc: str) -> str:
    """Return the API domain of a data centre."""
    return f"{base_url}/{dc}/api"


def issue_grant(state: ZohoState, client_id: str, scopes: list[str], dc: str, *, redirect_uri: str | None = None,
                user_id: str | None = None, ttl: float = GRANT_TTL, offline: bool = True) -> str:
    """Create a one-time grant code; only an offline grant yields a refresh token."""
    code = f"1000.{state.token_hex()}.{state.token_hex()}"
    state.grants[code] = {"client_id": client_id, "scopes": scopes, "dc": dc, "redirect_uri": redirect_uri,
                          "user_id": user_id or state.current_user_id(), "expires_at": time.time() + ttl,
                          "offline": offline}
    return code


def issue_refresh_token(state: ZohoState, client_id: str, scopes: list[str], dc: str, user_id: str | None = None) -> str:
    """Create a refresh token directly (as a self client would after its code exchange)."""
    token = f"1000.{state.token_hex()}.{state.token_hex()}"
    state.refresh_tokens[token] = {"client_id": client_id, "scopes": scopes, "dc": dc,
                                   "user_id": user_id or state.current_user_id(), "refreshes": []}
    return token


def issue_access_token(state: ZohoState, base_url: str, refresh_token: str) -> dict[str, Any]:
    """Mint an access token for a refresh token and return the token response body."""
    grant = state.refresh_tokens[refresh_token]
    token = f"1000.{state.token_hex()}.{state.token_hex()}"
    ttl = int(state.faults["token_ttl"])
    state.access_tokens[token] = {"refresh_token": refresh_token, "scopes": grant["scopes"], "dc": grant["dc"],
                                  "user_id": grant["user_id"], "expires_at": time.time() + ttl}
    active = [t for t, v in state.access_tokens.items() if v["refresh_token"] == refresh_token]
    for stale in active[:-ACTIVE_TOKENS]:
        del state.access_tokens[stale]
    state.stats["tokens_issued"] += 1
    return {"access_token": token, "scope": " ".join(grant["scopes"]), "api_domain": api_domain(base_url, grant["dc"]),
            "token_type": "Bearer", "expires_in": ttl}


async def _params(request: Request) -> dict[str, str]:
    """Merge query string, form body and Basic auth credentials, as Zoho accepts all three."""
    params = dict(request.query_params)
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return params
        params.setdefault("client_id", client_id)
        params.setdefault("client_secret", secret)
    return params


def _client_error(state: ZohoState, params: dict[str, str]) -> str | None:
    client = state.clients.get(params.get("client_id", ""))
    if client is None:
        return "invalid_client"
    if client["client_secret"] != params.get("client_secret"):
        return "invalid_client_secret"
    return None


def _known_dc(dc: str) -> bool:
    return dc in DATA_CENTRES


@router.post("/{dc}/accounts/oauth/v2/token")
async def token(dc: str, request: Request) -> Response:
    """Exchange a grant code or refresh an access token; errors come with HTTP 200, as Zoho's do."""
    state: ZohoState = request.app.state.zoho
    base_url: str = request.app.state.base_url
    if not _known_dc(dc):
        return JSONResponse({"error": "invalid_client"})
    params = await _params(request)
    grant_type = params.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        return JSONResponse({"error": "unsupported_grant_type" if grant_type else "invalid_request"})
    error = _client_error(state, params)
    if error:
        return JSONResponse({"error": error})
    if grant_type == "authorization_code":
        return JSONResponse(_exchange_code(state, base_url, dc, params))
    refresh = state.refresh_tokens.get(params.get("refresh_token", ""))
    if refresh is None or refresh["client_id"] != params["client_id"]:
        return JSONResponse({"error": "invalid_code"})
    if refresh["dc"] != dc:
        return JSONResponse({"error": "invalid_client"})
    now = time.time()
    refresh["refreshes"] = [t for t in refresh["refreshes"] if now - t < REFRESH_WINDOW]
    if len(refresh["refreshes"]) >= REFRESH_LIMIT:
        return JSONResponse(THROTTLED, status_code=int(state.faults["throttle_status"]))
    refresh["refreshes"].append(now)
    state.stats["refreshes"] += 1
    return JSONResponse(issue_access_token(state, base_url, params["refresh_token"]))


def _exchange_code(state: ZohoState, base_url: str, dc: str, params: dict[str, str]) -> dict[str, Any]:
    grant = state.grants.get(params.get("code", ""))
    if grant is None or grant["expires_at"] < time.time() or grant["client_id"] != params["client_id"]:
        return {"error": "invalid_code"}
    if grant["dc"] != dc:
        return {"error": "invalid_client"}
    if grant["redirect_uri"] and params.get("redirect_uri") != grant["redirect_uri"]:
        return {"error": "invalid_redirect_uri"}
    del state.grants[params["code"]]  # a code works once
    refresh_token = issue_refresh_token(state, grant["client_id"], grant["scopes"], dc, grant["user_id"])
    body = issue_access_token(state, base_url, refresh_token)
    if not grant.get("offline", True):
        return body  # access_type=online: no refresh token for the client
    return {"access_token": body.pop("access_token"), "refresh_token": refresh_token, **body}


@router.post("/{dc}/accounts/oauth/v2/token/revoke")
async def revoke(dc: str, request: Request) -> JSONResponse:
    """Revoke a refresh token and every access token minted from it."""
    state: ZohoState = request.app.state.zoho
    params = await _params(request)
    token_value = params.get("token", "")
    if token_value not in state.refresh_tokens or state.refresh_tokens[token_value]["dc"] != dc:
        return JSONResponse({"error": "invalid_token"})
    del state.refresh_tokens[token_value]
    for access in [t for t, v in state.access_tokens.items() if v["refresh_token"] == token_value]:
        del state.access_tokens[access]
    return JSONResponse({"status": "success"})


def _consent_error(message: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><title>Zoho Accounts</title><h1>Error</h1><p>{html.escape(message)}</p>",
                        status_code=400)


@router.get("/{dc}/accounts/oauth/v2/auth")
async def consent_page(dc: str, request: Request) -> HTMLResponse:
    """Show the consent page with an Accept button, after checking the client and its redirect URI."""
    state: ZohoState = request.app.state.zoho
    params = dict(request.query_params)
    problem = _consent_problem(state, dc, params)
    if problem:
        return _consent_error(problem)
    client = state.clients[params["client_id"]]
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in params.items())
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in params["scope"].split(","))
    return HTMLResponse(
        f"<!doctype html><html><head><title>Zoho Accounts – consent</title></head><body>"
        f"<h1>{html.escape(client['client_name'])} would like to access your Zoho CRM data</h1>"
        f"<ul>{scopes}</ul><form method='post'>{hidden}"
        f"<button type='submit' name='decision' value='accept' id='accept'>Accept</button> "
        f"<button type='submit' name='decision' value='reject' id='reject'>Reject</button></form></body></html>"
    )


def _consent_problem(state: ZohoState, dc: str, params: dict[str, str]) -> str | None:
    if not _known_dc(dc):
        return "Invalid data centre"
    client = state.clients.get(params.get("client_id", ""))
    if client is None:
        return "Invalid Client"
    if params.get("response_type") != "code":
        return "Invalid response_type"
    if params.get("redirect_uri") not in client["redirect_uris"]:
        return "Invalid Redirect Uri"
    if not params.get("scope"):
        return "Invalid OAuth Scope"
    return None


@router.post("/{dc}/accounts/oauth/v2/auth")
async def consent_decision(dc: str, request: Request) -> Response:
    """Redirect back to the client with a grant code (accepted) or `error=access_denied` (rejected)."""
    state: ZohoState = request.app.state.zoho
    form = await request.form()
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    decision = params.pop("decision", "reject")
    problem = _consent_problem(state, dc, params)
    if problem:
        return _consent_error(problem)
    query: dict[str, str] = {}
    if decision == "accept":
        scopes = [s.strip() for s in params["scope"].split(",") if s.strip()]
        query["code"] = issue_grant(state, params["client_id"], scopes, dc, redirect_uri=params["redirect_uri"],
                                    offline=params.get("access_type") == "offline")
        query["location"] = dc
        query["accounts-server"] = accounts_url(request.app.state.base_url, dc)
    else:
        query["error"] = "access_denied"
    if "state" in params:
        query["state"] = params["state"]
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return RedirectResponse(f"{params['redirect_uri']}{separator}{urlencode(query)}", status_code=302)
