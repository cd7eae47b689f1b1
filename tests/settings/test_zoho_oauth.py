"""Connecting Zoho through the emulator's consent page: the state check, the accounts server, replayed codes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from timelines_zoho.settings import Actor, OAuthRefused, connections
from timelines_zoho.settings.oauth import pending_conn_id

ADMIN = Actor("admin-user", is_admin=True)


REDIRECT = "http://127.0.0.1:1/timelines-zoho/oauth/callback"


def _consent(url: str) -> dict[str, str]:
    """Accept on the consent page, as the user would, and return the callback's query."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    form = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()} | {"decision": "accept"}
    answer = requests.post(url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def test_consent_flow_stores_refresh_token_and_api_domain(lifecycle, zoho_client, conn_ids, zoho_admin):
    callback = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    assert callback["accounts-server"] == zoho_admin.accounts_url("eu")
    user = lifecycle.finish_zoho_authorization(ADMIN, code=callback["code"], state=callback["state"],
                                               accounts_server=callback["accounts-server"])
    assert user.get("email")
    extra = connections.get_extra(conn_ids["zoho_conn_id"])
    assert extra["refresh_token"] and extra["api_domain"] == zoho_admin.api_domain("eu")
    assert extra["grant_code"] is None and connections.get_extra(pending_conn_id(conn_ids["zoho_conn_id"])) is None
    status = lifecycle.zoho_status()
    assert status["api_domain"] == zoho_admin.api_domain("eu")
    assert (status["user"], status["org"]) == (user["email"], "Sandbox Org")
    assert "refresh_token" not in str(status) and extra["refresh_token"] not in str(status)


def test_state_mismatch_is_refused(lifecycle, zoho_client, conn_ids):
    callback = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    with pytest.raises(OAuthRefused, match="state does not match"):
        lifecycle.finish_zoho_authorization(ADMIN, code=callback["code"], state="forged-state")
    assert connections.get_extra(conn_ids["zoho_conn_id"]) is None


def test_replayed_code_is_refused(lifecycle, zoho_client, zoho_admin):
    code = zoho_admin.grant_code(dc="eu", client_id=zoho_client.client_id)
    lifecycle.connect_zoho_grant_code(ADMIN, zoho_client, code)
    with pytest.raises(OAuthRefused, match="Zoho refused the grant code"):
        lifecycle.connect_zoho_grant_code(ADMIN, zoho_client, code)


def test_replayed_callback_is_refused_by_its_used_state(lifecycle, zoho_client):
    callback = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    lifecycle.finish_zoho_authorization(ADMIN, code=callback["code"], state=callback["state"])
    with pytest.raises(OAuthRefused, match="state does not match"):
        lifecycle.finish_zoho_authorization(ADMIN, code=callback["code"], state=callback["state"])


def test_callback_with_foreign_accounts_server_is_refused(lifecycle, zoho_client, conn_ids):
    callback = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    with pytest.raises(OAuthRefused, match="unknown accounts server"):
        lifecycle.finish_zoho_authorization(ADMIN, code=callback["code"], state=callback["state"],
                                            accounts_server="https://evil.example/accounts")
    assert connections.get_extra(conn_ids["zoho_conn_id"]) is None


OTHER_ADMIN = Actor("other-admin", is_admin=True)


def test_callback_of_another_airflow_user_is_refused_and_the_owner_can_still_finish(lifecycle, zoho_client, conn_ids):
    callback = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    with pytest.raises(OAuthRefused, match="state does not match"):
        lifecycle.finish_zoho_authorization(OTHER_ADMIN, code=callback["code"], state=callback["state"])
    assert connections.get_extra(conn_ids["zoho_conn_id"]) is None
    assert lifecycle.finish_zoho_authorization(ADMIN, code=callback["code"], state=callback["state"]).get("email")


def test_forged_callback_does_not_use_up_the_state_of_the_genuine_one(lifecycle, zoho_client, conn_ids):
    callback = _consent(lifecycle.start_zoho_authorization(ADMIN, zoho_client, REDIRECT))
    with pytest.raises(OAuthRefused, match="unknown accounts server"):
        lifecycle.finish_zoho_authorization(ADMIN, code="1000.forged", state=callback["state"],
                                            accounts_server="https://evil.example/accounts")
    user = lifecycle.finish_zoho_authorization(ADMIN, code=callback["code"], state=callback["state"],
                                               accounts_server=callback["accounts-server"])
    assert user.get("email") and connections.get_extra(conn_ids["zoho_conn_id"])["refresh_token"]


def test_a_connection_made_elsewhere_shows_its_real_user_and_org(lifecycle, zoho_client, zoho_admin, conn_ids):
    """`make sync` and Airflow's own form store no user name: the page asked Zoho nothing and said "None"."""
    user = lifecycle.connect_zoho_grant_code(ADMIN, zoho_client,
                                             zoho_admin.grant_code(dc="eu", client_id=zoho_client.client_id))
    connections.upsert(conn_ids["zoho_conn_id"], "zoho_crm", drop_extra=("connected_user", "connected_org"))
    status = lifecycle.zoho_status()
    assert (status["user"], status["org"]) == (user["email"], "Sandbox Org")
    assert connections.get_extra(conn_ids["zoho_conn_id"])["connected_user"] == user["email"], "asked once"


def test_the_stored_connection_names_every_form_field_so_the_edit_form_shows_them(
        lifecycle, zoho_client, zoho_admin, conn_ids):
    """Airflow 3.3's Edit form drops the extra fields its stored JSON lacks (the grant code, once used)."""
    from timelines_zoho.hooks import ZohoCRMHook
    from timelines_zoho.provider import ZOHO_CONNECTION

    lifecycle.connect_zoho_grant_code(ADMIN, zoho_client, zoho_admin.grant_code(dc="eu", client_id=zoho_client.client_id))
    extra = connections.get_extra(conn_ids["zoho_conn_id"])
    assert set(ZOHO_CONNECTION["conn-fields"]) <= set(extra)
    assert extra["grant_code"] is None and extra["refresh_token"]
    assert ZohoCRMHook(zoho_conn_id=conn_ids["zoho_conn_id"]).test_connection()[0]
