"""Zoho OAuth: the authorization-code flow (consent page and callback) and pasted self-client grant codes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from timelines_zoho.hooks.datacentres import DATA_CENTRES, DataCentre, origin, resolve_data_centre
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


def resolve(client: ZohoClient) -> DataCentre:
    """Return the client's data centre: a named one with its own hosts, `custom` only on the configured host."""
    try:
        return resolve_data_centre(client.data_centre, client.accounts_url, client.api_domain)
    except ValueError as exc:
        raise SettingsError(str(exc), "Pick one of us, eu, in, au, jp, ca, sa, cn; custom is for a configured "
                                      "sandbox or on-premise accounts server.") from exc


def stored_secret_host(conn_id: str) -> str | None:
    """Return the accounts host the stored client secret was first used with (None when nothing is stored)."""
    conn = connections.get_fields(conn_id)
    if conn is None or not conn["has_password"]:
        return None
    extra = conn["extra"]
    if extra.get("client_secret_host"):
        return origin(extra["client_secret_host"])
    try:  # a connection made before the host was recorded: the host it uses today
        return origin(resolve_data_centre(extra.get("data_centre"), extra.get("accounts_url")).accounts_url)
    except ValueError:
        return None


def stage_client(conn_id: str, client: ZohoClient, **extra: Any) -> str:
    """Write the client into the staging connection and return its accounts server.

    Without a typed secret the stored one is reused, and only with the same client on the same accounts host:
    the stored secret is never sent to a host it was not first used with.
    """
    dc = resolve(client)
    values = {"data_centre": dc.code, "accounts_url": dc.accounts_url if dc.code == "custom" else None,
              "client_secret_host": origin(dc.accounts_url), "secret_reused": not client.client_secret, **extra}
    if dc.api_domain:
        values["api_domain"] = dc.api_domain
    staging = pending_conn_id(conn_id)
    connections.delete(staging)
    if not client.client_secret:
        stored = connections.get_fields(conn_id)
        host = stored_secret_host(conn_id)
        if stored is None or host is None:
            raise SettingsError("No Zoho client secret given and none stored.", "Pass the client ID and secret.")
        if host != origin(dc.accounts_url) or (client.client_id and client.client_id != stored["login"]):
            raise SettingsError("Changing the Zoho client or its accounts server requires the client secret.",
                                "Type the client secret again.")
        connections.copy(conn_id, staging)
    connections.upsert(staging, ZOHO_CONN_TYPE, login=client.client_id or None,
                       password=client.client_secret or None, extra=values,
                       drop_extra=tuple(k for k, v in values.items() if v is None))
    return dc.accounts_url


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


STATE_REFUSED = ("The authorization state does not match a pending request of yours (expired, reused or forged).",
                 "Click “Connect Zoho CRM” again.")


def check_state(store: StateStore, state: str | None, actor: str) -> None:
    """Refuse a callback whose state this server did not issue to `actor`; the state is not used up here."""
    if not state or store.oauth_state_actor(state) != actor:
        raise OAuthRefused(*STATE_REFUSED)


def consume_state(store: StateStore, state: str | None, actor: str) -> None:
    """Use the state up, once every other check of the callback passed (of two racing callbacks one wins)."""
    if not state or store.consume_oauth_state(state) != actor:
        raise OAuthRefused(*STATE_REFUSED)


def follow_accounts_server(conn_id: str, server: str) -> None:
    """Point the staged client at the accounts server the callback named (Zoho's multi-DC answer).

    A named region is stored by its code, so its own hosts apply. A reused secret never follows to another host.
    """
    staging = pending_conn_id(conn_id)
    staged = connections.get_extra(staging) or {}
    if staged.get("secret_reused") and origin(server) != origin(staged.get("client_secret_host")):
        raise OAuthRefused("Zoho answered from another accounts server than the stored client secret was used with.",
                           "Type the client secret again and connect.")
    code = next((dc.code for dc in DATA_CENTRES.values() if dc.accounts_url == server), None)
    extra = {"data_centre": code, "client_secret_host": origin(server)} if code else \
        {"data_centre": "custom", "accounts_url": server, "client_secret_host": origin(server)}
    connections.upsert(staging, ZOHO_CONN_TYPE, extra=extra, drop_extra=("accounts_url", "api_domain") if code else ())


def exchange_and_commit(conn_id: str, code: str) -> dict[str, Any]:
    """Exchange a grant code with the staged client, store the refresh token, and promote the connection."""
    from timelines_zoho.hooks import ZohoCRMHook
    from timelines_zoho.hooks.errors import ZohoAPIError

    staging = pending_conn_id(conn_id)
    if connections.get_extra(staging) is None:
        raise OAuthRefused("No Zoho connection attempt is pending.", "Enter the client ID and secret again.")
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
    connections.upsert(staging, ZOHO_CONN_TYPE, extra=extra, drop_extra=("grant_code", "redirect_uri", "secret_reused"))
    user = ZohoCRMHook(zoho_conn_id=staging).current_user() or {}
    connections.copy(staging, conn_id)
    connections.delete(staging)
    log.info("zoho connection %s stored for user id %s", conn_id, user.get("id"))
    return user
