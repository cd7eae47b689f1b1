"""Issue 12 items 1, 2 and 8: where the client secret may go, the lock over both connections, a failed connect."""

from __future__ import annotations

import os
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
import requests
from test_zoho_oauth import _consent

from timelines_zoho.hooks.datacentres import DATA_CENTRES
from timelines_zoho.settings import Actor, OAuthRefused, SettingsError, SettingsLocked, connections
from timelines_zoho.settings.oauth import pending_conn_id
from timelines_zoho.state import IntegrationSettings

ADMIN = Actor("admin-user", is_admin=True)
REDIRECT = "http://127.0.0.1:1/timelines-zoho/oauth/callback"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def outbound(monkeypatch) -> list[tuple[str, str]]:
    """Every HTTP request this process sends (URL and body), still sent to the real emulators."""
    sent: list[tuple[str, str]] = []
    original = requests.Session.send

    def send(self, request, **kwargs):
        body = request.body.decode(errors="replace") if isinstance(request.body, bytes) else (request.body or "")
        sent.append((request.url, body))
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return sent


def test_client_secret_only_goes_to_a_data_centre_or_the_configured_sandbox(
        lifecycle, zoho_client, zoho_admin, conn_ids, outbound, hostile_site):
    # The consent flow, then each way an attacker could try to point the secret elsewhere.
    callback = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    forged = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    with pytest.raises(OAuthRefused):
        lifecycle.finish_zoho_authorization(ADMIN, code=forged["code"], state=forged["state"],
                                            accounts_server=f"{hostile_site.url}/accounts")
    callback = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    lifecycle.finish_zoho_authorization(ADMIN, code=callback["code"], state=callback["state"],
                                        accounts_server=callback["accounts-server"])
    stored = replace(zoho_client, client_secret="")
    for attack in (replace(stored, data_centre="us"), replace(stored, accounts_url=f"{hostile_site.url}/accounts")):
        with pytest.raises(SettingsError):
            lifecycle.connect_zoho_grant_code(ADMIN, attack, "1000.anything")
    lifecycle.connect_zoho_grant_code(ADMIN, stored, zoho_admin.grant_code(dc="eu", client_id=zoho_client.client_id))
    from timelines_zoho.hooks import ZohoCRMHook

    assert ZohoCRMHook(zoho_conn_id=conn_ids["zoho_conn_id"]).test_connection()[0]

    carrying = [url for url, body in outbound if zoho_client.client_secret in url + body]
    allowed = {origin(dc.accounts_url) for dc in DATA_CENTRES.values()} | {origin(os.environ["AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL"])}
    assert len(carrying) >= 3, "the flow exchanged codes and refreshed, each with the secret"
    assert {origin(url) for url in carrying} <= allowed
    assert all(url.endswith("/oauth/v2/token") for url in carrying)
    assert hostile_site.requests == []


def test_reconnecting_without_the_secret_to_another_accounts_host_is_refused(connected, zoho_client, conn_ids, outbound):
    before = connections.get_fields(conn_ids["zoho_conn_id"])
    with pytest.raises(SettingsError, match="requires the client secret"):
        connected.connect_zoho_grant_code(ADMIN, replace(zoho_client, client_secret="", data_centre="eu",
                                                         accounts_url=None), "1000.x")
    with pytest.raises(SettingsError, match="requires the client secret"):
        connected.start_zoho_authorization(ADMIN, replace(zoho_client, client_secret="", client_id="1000.OTHER"),
                                           REDIRECT)
    assert connections.get_fields(conn_ids["zoho_conn_id"]) == before and outbound == []


def test_hook_never_sends_the_secret_to_another_host_than_it_was_first_used_with(
        set_zoho_connection, outbound):
    from timelines_zoho.hooks import ZohoCRMHook
    from timelines_zoho.hooks.errors import ZohoAuthError

    conn_id = set_zoho_connection(client_secret_host="https://accounts.zoho.eu")
    outbound.clear()
    with pytest.raises(ZohoAuthError) as refused:
        ZohoCRMHook(zoho_conn_id=conn_id).current_user()
    assert refused.value.code == "CLIENT_SECRET_HOST_CHANGED" and outbound == []


def test_a_named_data_centre_never_uses_a_url_stored_beside_it(set_zoho_connection, hostile_site):
    from timelines_zoho.hooks import ZohoCRMHook

    conn_id = set_zoho_connection(data_centre="eu", accounts_url=f"{hostile_site.url}/accounts",
                                  api_domain=hostile_site.url)
    hook = ZohoCRMHook(zoho_conn_id=conn_id)
    hook.get_conn()
    assert hook.auth.credentials.data_centre == DATA_CENTRES["eu"]


# -- item 2: the lock covers both connections ------------------------------------------------------------

def test_connections_cannot_be_replaced_while_the_integration_is_active(connected, zoho_client, zoho_admin,
                                                                        sandbox, timelines_tokens, conn_ids):
    connected.activate(ADMIN, connected.with_defaults(IntegrationSettings(module="Contacts")))
    before = {name: connections.get_fields(conn_id) for name, conn_id in conn_ids.items()}
    code = zoho_admin.grant_code(dc="eu", client_id=zoho_client.client_id)
    for change in (lambda: connected.connect_timelines(ADMIN, timelines_tokens["owner"], sandbox.timelines_url),
                   lambda: connected.connect_zoho_grant_code(ADMIN, zoho_client, code),
                   lambda: connected.start_zoho_authorization(ADMIN, zoho_client, REDIRECT)):
        with pytest.raises(SettingsLocked, match="read-only"):
            change()
    assert {name: connections.get_fields(conn_id) for name, conn_id in conn_ids.items()} == before
    assert connections.get_fields(pending_conn_id(conn_ids["zoho_conn_id"])) is None
    connected.deactivate(ADMIN)
    assert connected.connect_zoho_grant_code(ADMIN, zoho_client, code).get("email")


# -- item 8: a TimelinesAI host that cannot be reached ---------------------------------------------------

def test_unreachable_timelines_host_is_a_clear_error_and_leaves_no_pending_token(lifecycle, conn_ids):
    with pytest.raises(SettingsError, match=r"Cannot reach TimelinesAI at http://127\.0\.0\.1:9/") as failed:
        lifecycle.connect_timelines(ADMIN, "secret-owner-token", "http://127.0.0.1:9/integrations/api")
    assert "secret-owner-token" not in failed.value.message + failed.value.hint
    assert connections.get_fields(f"{conn_ids['timelines_conn_id']}__pending") is None
    assert connections.get_fields(conn_ids["timelines_conn_id"]) is None


def test_refused_timelines_tokens_leave_no_pending_connection(lifecycle, sandbox, timelines_tokens, conn_ids):
    for token in ("not-a-token", timelines_tokens["admin"]):
        with pytest.raises(SettingsError):
            lifecycle.connect_timelines(ADMIN, token, sandbox.timelines_url)
        assert connections.get_fields(f"{conn_ids['timelines_conn_id']}__pending") is None
