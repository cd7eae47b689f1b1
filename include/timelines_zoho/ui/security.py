"""The page's defences against other web sites: the public URL, CSRF checks, and the response headers.

Airflow's login is a cookie (`_token`, SameSite=Lax), so a page on another site cannot read this one but can make
the browser POST to it. Every state-changing request must therefore come from the configured origin (`Origin`, or
`Referer` when a browser sends no `Origin`) and carry a token derived from the user's own login cookie.
A request that authenticates with an `Authorization: Bearer` header instead is not forgeable by a web page (a
cross-site form cannot set headers), so it needs no token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from timelines_zoho.hooks.datacentres import origin, trusted_origins
from timelines_zoho.settings import Actor
from timelines_zoho.ui.auth import Admin

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "_token"  # Airflow's JWT cookie (base_auth_manager.COOKIE_NAME_JWT_TOKEN)


def base_url() -> str:
    """Airflow's configured public URL (`[api] base_url`), else the API server's local address.

    Never the request's `Host` header, which whoever sends the request chooses.
    """
    from airflow.configuration import conf

    configured = (conf.get("api", "base_url", fallback="") or "").strip().rstrip("/")
    return configured or f"http://localhost:{conf.get('api', 'port', fallback='8080')}"


def public_origin() -> str:
    """The origin browsers see Airflow's UI at: the only origin allowed to post to and to frame the page."""
    return origin(base_url())


def app_path(request: Request, path: str = "") -> str:
    """This app's path on the server (where Airflow mounted it), from routing, not from a header."""
    return f"{request.scope.get('root_path', '').rstrip('/')}{path}"


def app_url(request: Request, path: str = "") -> str:
    """An absolute URL of this app, on the configured origin."""
    return f"{public_origin()}{app_path(request, path)}"


@lru_cache(maxsize=1)
def _key() -> bytes:
    from airflow.configuration import conf

    secret = conf.get("api", "secret_key", fallback="") or ""
    # Without a configured key each process has its own: tokens then work only against the process that issued them.
    material = secret.encode() if secret else secrets.token_bytes(32)
    return hashlib.sha256(b"timelines-zoho csrf\x00" + material).digest()


def _login(request: Request) -> str:
    return request.cookies.get(LOGIN_COOKIE) or ""


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's login: it changes with every login and is useless to anyone else."""
    return hmac.new(_key(), _login(request).encode(), hashlib.sha256).hexdigest()


def _refuse(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, f"Cross-site request refused: {reason}. Reload the page and try "
                                                    "again from Airflow.")


def _bearer(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


async def check_same_site(request: Request) -> None:
    """Refuse a state-changing request that may come from another site (see the module's docstring)."""
    if _bearer(request):
        return
    expected = public_origin()
    sent_origin = request.headers.get("origin")
    if sent_origin is not None:
        if sent_origin.lower() != expected:
            raise _refuse(f"it came from {sent_origin}, not {expected}")
    elif origin(request.headers.get("referer")) != expected:
        raise _refuse("the browser named no origin of this site")
    form = await request.form()
    sent = str(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or "")
    if not _login(request) or not hmac.compare_digest(sent, csrf_token(request)):
        raise _refuse("the form's token does not belong to your login")


async def checked_admin(request: Request, actor: Admin) -> Actor:
    """An admin, after the same-site checks (authorisation first, so non-admins learn only that they may not)."""
    await check_same_site(request)
    return actor


CheckedAdmin = Annotated[Actor, Depends(checked_admin)]


def security_headers() -> dict[str, str]:
    """Headers on every response: Airflow's UI is the only frame ancestor, forms post here or to Zoho only."""
    form_targets = " ".join(sorted(trusted_origins()))
    policy = "; ".join((
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
        f"form-action 'self' {form_targets}", f"frame-ancestors {public_origin()}", "base-uri 'none'",
    ))
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "SAMEORIGIN",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
