"""Zoho OAuth: access tokens shared through a TokenCache and refreshed under its lock, once per expiry."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from timelines_zoho.hooks.datacentres import DataCentre, origin, trusted_api_domain, trusted_origins
from timelines_zoho.hooks.errors import ZohoAPIError, ZohoAuthError
from timelines_zoho.hooks.token_cache import TokenCache, cache_key
from timelines_zoho.hooks.transport import Transport, body_excerpt, json_body

log = logging.getLogger(__name__)

TOKEN_ENDPOINT = "POST /oauth/v2/token"


@dataclass(frozen=True)
class AccessToken:
    """A usable access token and the API domain Zoho said it belongs to."""

    access_token: str
    api_domain: str
    expires_at: float


@dataclass(frozen=True)
class ZohoCredentials:
    """What the `zoho_crm` connection holds; either `refresh_token` or a one-time `grant_code` is needed."""

    client_id: str
    client_secret: str
    data_centre: DataCentre
    refresh_token: str | None = None
    grant_code: str | None = None
    redirect_uri: str | None = None
    # The accounts host the client secret was first used with; it is never sent anywhere else.
    secret_host: str | None = None


def check_secret_destination(credentials: ZohoCredentials) -> None:
    """Refuse to post the client secret to a host outside the data-centre table, the configured custom host, or
    the host the secret was first used with (a forged form or connection cannot redirect it)."""
    target = origin(credentials.data_centre.accounts_url)
    if target not in trusted_origins():
        raise ZohoAuthError(0, "UNTRUSTED_ACCOUNTS_SERVER",
                            f"refusing to send the client secret to {target or 'an unnamed host'}: not a Zoho "
                            "data centre nor the configured custom accounts server")
    if credentials.secret_host and origin(credentials.secret_host) != target:
        raise ZohoAuthError(0, "CLIENT_SECRET_HOST_CHANGED",
                            f"the client secret was first used with {origin(credentials.secret_host)}, not "
                            f"{target}; enter the client secret again to use another accounts server")


def check_token_response(response: requests.Response) -> None:
    """Raise for an accounts-server failure; 5xx stays a plain (retryable) ZohoAPIError."""
    body = json_body(response)
    status = response.status_code
    if status >= 500:
        raise ZohoAPIError(status, f"HTTP_{status}", body_excerpt(response))
    if isinstance(body, dict) and body.get("error"):
        raise ZohoAuthError(status, str(body["error"]), str(body.get("error_description") or body["error"]))
    raise ZohoAuthError(status, f"HTTP_{status}", body_excerpt(response))


def _mask(*secrets: str | None) -> None:
    from airflow.sdk.log import mask_secret

    for secret in secrets:
        if secret:
            mask_secret(secret)


class ZohoOAuth:
    """Hand out a valid access token; refresh it only when it is about to expire or Zoho rejected it."""

    def __init__(
        self,
        credentials: ZohoCredentials,
        cache: TokenCache,
        transport: Transport,
        *,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 60.0,
    ) -> None:
        self.credentials = credentials
        self.cache = cache
        self.transport = transport
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.refreshes = 0
        secret_part = credentials.refresh_token or f"grant:{credentials.grant_code or ''}"
        self.key = cache_key(credentials.data_centre.accounts_url, credentials.client_id, secret_part)
        self._entry: dict[str, Any] | None = None
        _mask(credentials.client_secret, credentials.refresh_token, credentials.grant_code)

    def _fresh(self, entry: dict[str, Any] | None) -> bool:
        return bool(entry and entry.get("access_token") and entry["expires_at"] - self.refresh_margin > self.clock())

    def _token(self, entry: dict[str, Any]) -> AccessToken:
        self._entry = entry
        return AccessToken(entry["access_token"], entry["api_domain"], entry["expires_at"])

    def token(self) -> AccessToken:
        """Return a token valid for at least `refresh_margin` seconds, refreshing under the shared lock if needed."""
        if self._fresh(self._entry):
            return self._token(self._entry)
        entry = self.cache.read(self.key)
        if self._fresh(entry):
            _mask(entry["access_token"])
            return self._token(entry)
        with self.cache.lock(self.key):
            entry = self.cache.read(self.key)
            if self._fresh(entry):
                _mask(entry["access_token"])
                return self._token(entry)
            return self._token(self._refresh_locked(entry))

    def refresh_now(self) -> AccessToken:
        """Refresh even though the cached token is fresh: the only proof that the client secret still works."""
        with self.cache.lock(self.key):
            return self._token(self._refresh_locked(self.cache.read(self.key)))

    def refresh_after_rejection(self, rejected: str) -> AccessToken:
        """Zoho said INVALID_TOKEN: refresh, unless another worker already replaced that token."""
        with self.cache.lock(self.key):
            entry = self.cache.read(self.key)
            if self._fresh(entry) and entry["access_token"] != rejected:
                return self._token(entry)
            return self._token(self._refresh_locked(entry))

    def _refresh_locked(self, entry: dict[str, Any] | None) -> dict[str, Any]:
        creds = self.credentials
        refresh_token = creds.refresh_token or (entry or {}).get("refresh_token")
        if refresh_token:
            form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        elif creds.grant_code:
            log.info("exchanging the one-time Zoho grant code for a refresh token")
            form = {"grant_type": "authorization_code", "code": creds.grant_code}
            if creds.redirect_uri:
                form["redirect_uri"] = creds.redirect_uri
        else:
            raise ZohoAuthError(0, "NO_CREDENTIALS", "the connection has neither a refresh token nor a grant code")
        body = self.request_token(form)
        new = self._entry_from(body, refresh_token or body.get("refresh_token"))
        self.cache.write(self.key, new)
        self.refreshes += 1
        log.info("refreshed the Zoho access token; valid for %d s", int(new["expires_at"] - self.clock()))
        return new

    def _entry_from(self, body: dict[str, Any], refresh_token: str | None) -> dict[str, Any]:
        expires_in = float(body.get("expires_in_sec") or body.get("expires_in") or 3600)
        if expires_in > 86400:  # very old responses gave milliseconds
            expires_in /= 1000
        try:
            api_domain = trusted_api_domain(self.credentials.data_centre, body.get("api_domain"))
        except ValueError as exc:
            raise ZohoAuthError(200, "UNTRUSTED_API_DOMAIN", str(exc)) from exc
        if not api_domain:
            raise ZohoAuthError(200, "NO_API_DOMAIN", "the token response named no api_domain")
        entry = {"access_token": body["access_token"], "api_domain": api_domain,
                 "expires_at": self.clock() + expires_in}
        if refresh_token and not self.credentials.refresh_token:
            entry["refresh_token"] = refresh_token  # only kept when it came from a grant code
        return entry

    def request_token(self, form: dict[str, str]) -> dict[str, Any]:
        """POST to the accounts server's token endpoint; Zoho reports errors with HTTP 200 and an `error` key."""
        creds = self.credentials
        check_secret_destination(creds)
        response = self.transport.request(
            "POST",
            f"{creds.data_centre.accounts_url}/oauth/v2/token",
            endpoint=TOKEN_ENDPOINT,
            idempotent=True,  # a resent refresh only mints another access token; a used grant code is refused
            data={**form, "client_id": creds.client_id, "client_secret": creds.client_secret},
            check=check_token_response,
        )
        body = json_body(response)
        if not isinstance(body, dict) or "access_token" not in body:
            error = body.get("error") if isinstance(body, dict) else None
            description = body.get("error_description") if isinstance(body, dict) else None
            code = str(error or "INVALID_TOKEN_RESPONSE")
            raise ZohoAuthError(response.status_code, code, str(description or error or body_excerpt(response)))
        _mask(body["access_token"], body.get("refresh_token"))
        return body

    def exchange_grant_code(self, code: str, redirect_uri: str | None = None) -> dict[str, Any]:
        """Trade a one-time grant code for tokens and cache the access token under the new refresh token's key."""
        form = {"grant_type": "authorization_code", "code": code}
        redirect_uri = redirect_uri or self.credentials.redirect_uri
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        body = self.request_token(form)
        if body.get("refresh_token"):
            key = cache_key(self.credentials.data_centre.accounts_url, self.credentials.client_id,
                            body["refresh_token"])
            with self.cache.lock(key):
                self.cache.write(key, self._entry_from(body, None))
        return body
