"""Zoho OAuth: the authorization-code flow (consent page and callback) and pasted self-client grant codes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from timelines_zoho.hooks.datacentres import DATA_CENTRES, resolve_data_centre
from timelines_zoho.settings import connections
from timelines_zoho.settings.errors import OAuthRefused, SettingsError

if TYPE_CHECKING:
    from timelines_zoho.state import StateStore

log = logging.getLogger(__name__)

ZOHO_CONN_TYPE = "zoho_crm"
SCOPES = ",".join(
    (
        "ZohoCRM.modules.ALL",
        "ZohoCRM.settings.ALL",
        "ZohoCRM.users.READ",
        "ZohoCRM.org.READ",
        "ZohoCRM.coql.READ",
    )
)


@dataclass(frozen=True)
class ZohoClient:
    """What an admin enters to connect Zoho: the API client and where its accounts server is."""

    client_id: str
    client_secret: str
    data_centre: str = "us"
    accounts_url: str | None = None
    api_domain: str | None = None


def pending_conn_id(conn_id: str) -> str:
    """Name of the staging connection used until a connection attempt succeeds."""
    return f"{conn_id}__pending"


def accounts_url_for(data_centre: str, accounts_url: str | None) -> str:
    """Return the accounts server of a data centre (an explicit URL wins: custom and sandbox setups)."""
    try:
        return resolve_data_centre(data_centre, accounts_url).accounts_url
    except ValueError as exc:
        raise SettingsError(str(exc), "Pick one of us, eu, in, au, jp, ca, sa, cn, or custom with its URLs.") from exc


def stage_client(conn_id: str, client: ZohoClient, **extra: Any) -> str:
    """Write the client into the staging connection and return its accounts server."""
    accounts = accounts_url_for(client.data_centre, client.accounts_url)
    values = {"data_centre": client.data_centre, "accounts_url": accounts, **extra}
    if client.api_domain:
        values["api_domain"] = client.api_domain.rstrip("/")
    staging = pending_conn_id(conn_id)
    connections.delete(staging)
    if not client.client_secret:
        # Reconnecting with the stored client: start from the current connection, which holds the secret.
        if connections.get_extra(conn_id) is None:
            raise SettingsError("No Zoho client secret given and none stored.", "Pass the client ID and secret.")
        connections.copy(conn_id, staging)
    connections.upsert(staging, ZOHO_CONN_TYPE, login=client.client_id or None,
                       password=client.client_secret or None, extra=values)
    return accounts


def authorization_url(accounts_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    """Build the consent-page URL: offline access, forced consent so a refresh token is always returned."""
    query = {
        "scope": SCOPES,
        "client_id": client_id,
        "response_type": "code",
        "access_type": "offline",
        "prompt": "consent",
        "redirect_uri": redirect_uri,
        "state": state,
    }
    return f"{accounts_url}/oauth/v2/auth?{urlencode(query)}"


def trusted_accounts_server(server: str, configured: str) -> str:
    """Return the callback's accounts server when it is a Zoho one or on the configured host, else refuse it.

    The client secret goes to whatever `accounts-server` names, so an unknown host is never followed.
    """
    parts, mine = urlsplit(server), urlsplit(configured)
    host = parts.hostname or ""
    zoho_servers = {dc.accounts_url for dc in DATA_CENTRES.values()}
    if (parts.scheme, parts.netloc) == (mine.scheme, mine.netloc) or server.rstrip("/") in zoho_servers:
        return server.rstrip("/")
    raise OAuthRefused(f"The callback named an unknown accounts server ({host or server!r}).",
                       "Start the connection again from this page.")


def consume_state(store: StateStore, state: str | None) -> None:
    """Accept a callback only with a state this server issued and nobody used yet."""
    if not state or store.consume_oauth_state(state) is None:
        raise OAuthRefused("The authorization state does not match a pending request (expired, reused or forged).",
                           "Click “Connect Zoho CRM” again.")


def exchange_and_commit(conn_id: str, code: str, accounts_server: str | None = None) -> dict[str, Any]:
    """Exchange a grant code with the staged client, store the refresh token, and promote the connection."""
    from timelines_zoho.hooks import ZohoCRMHook
    from timelines_zoho.hooks.errors import ZohoAPIError

    staging = pending_conn_id(conn_id)
    if connections.get_extra(staging) is None:
        raise OAuthRefused("No Zoho connection attempt is pending.", "Enter the client ID and secret again.")
    if accounts_server:
        connections.upsert(staging, ZOHO_CONN_TYPE, extra={"accounts_url": accounts_server})
    try:
        tokens = ZohoCRMHook(zoho_conn_id=staging).exchange_grant_code(code)
        refresh_token = tokens["refresh_token"]
    except ZohoAPIError as exc:
        raise OAuthRefused(f"Zoho refused the grant code: {exc.code or exc.status} {exc.message}".strip(),
                           "Grant codes work once and expire within minutes: generate a new one.") from exc
    except KeyError as exc:
        raise OAuthRefused("Zoho returned no refresh token.", "Connect again; consent must be given anew.") from exc
    extra = {"refresh_token": refresh_token}
    if tokens.get("api_domain"):
        extra["api_domain"] = tokens["api_domain"].rstrip("/")
    connections.upsert(staging, ZOHO_CONN_TYPE, extra=extra, drop_extra=("grant_code", "redirect_uri"))
    user = ZohoCRMHook(zoho_conn_id=staging).current_user() or {}
    connections.copy(staging, conn_id)
    connections.delete(staging)
    log.info("zoho connection %s stored for user id %s", conn_id, user.get("id"))
    return user
