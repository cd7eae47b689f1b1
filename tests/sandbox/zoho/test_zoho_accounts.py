"""The emulated Zoho Accounts servers: consent, code exchange, refresh throttle, revoke, data centres, scopes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin


def _token(zoho: ZohoSandboxAdmin, dc: str = "us", **params: str) -> dict:
    response = requests.post(f"{zoho.accounts_url(dc)}/oauth/v2/token", data=params, timeout=30)
    assert response.status_code == 200
    return response.json()


def _consent(zoho: ZohoSandboxAdmin, client: dict, dc: str = "eu", access: str = "offline") -> dict[str, list[str]]:
    params = {"scope": "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL", "client_id": client["client_id"],
              "response_type": "code", "access_type": access, "redirect_uri": "http://app.test/cb",
              "state": "xyz"}
    page = requests.get(f"{zoho.accounts_url(dc)}/oauth/v2/auth", params=params, timeout=30)
    assert page.status_code == 200 and "Accept" in page.text
    hidden = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    answer = requests.post(page.url.split("?")[0], data={**hidden, "decision": "accept"}, allow_redirects=False,
                           timeout=30)
    assert answer.status_code == 302
    target = urlparse(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "http://app.test/cb"
    return parse_qs(target.query)


def test_consent_redirects_with_code_location_and_accounts_server_and_code_works_once(zoho, make_api):
    client = zoho.create_client(["http://app.test/cb"])
    query = _consent(zoho, client)
    assert query["location"] == ["eu"] and query["state"] == ["xyz"]
    assert query["accounts-server"] == [zoho.accounts_url("eu")]
    exchange = {"grant_type": "authorization_code", "client_id": client["client_id"],
                "client_secret": client["client_secret"], "redirect_uri": "http://app.test/cb",
                "code": query["code"][0]}
    body = _token(zoho, "eu", **exchange)
    assert body["api_domain"] == zoho.api_domain("eu") and body["expires_in"] == 3600
    assert body["refresh_token"] and body["scope"] == "ZohoCRM.modules.ALL ZohoCRM.settings.ALL"
    assert _token(zoho, "eu", **exchange) == {"error": "invalid_code"}
    assert make_api(body["api_domain"], body["access_token"]).get("Contacts", fields="Last_Name").status_code == 204


def test_online_access_type_gets_no_refresh_token(zoho):
    client = zoho.create_client(["http://app.test/cb"])
    query = _consent(zoho, client, "us", access="online")
    body = _token(zoho, grant_type="authorization_code", client_id=client["client_id"],
                  client_secret=client["client_secret"], redirect_uri="http://app.test/cb", code=query["code"][0])
    assert "access_token" in body and "refresh_token" not in body


def test_consent_page_refuses_an_unregistered_redirect_uri(zoho):
    client = zoho.create_client(["http://app.test/cb"])
    page = requests.get(f"{zoho.accounts_url()}/oauth/v2/auth", timeout=30, params={
        "scope": "ZohoCRM.modules.ALL", "client_id": client["client_id"], "response_type": "code",
        "redirect_uri": "http://evil.test/cb"})
    assert page.status_code == 400 and "Redirect" in page.text


def test_token_errors_come_with_http_200(zoho):
    client = zoho.create_client([])
    code = zoho.grant_code(client_id=client["client_id"])
    base = {"grant_type": "authorization_code", "client_id": client["client_id"], "code": code}
    assert _token(zoho, **base, client_secret="wrong") == {"error": "invalid_client_secret"}
    assert _token(zoho, **{**base, "client_id": "nobody"}, client_secret="x") == {"error": "invalid_client"}
    assert _token(zoho, "in", **base, client_secret=client["client_secret"]) == {"error": "invalid_client"}
    assert _token(zoho, grant_type="password", client_id="x") == {"error": "unsupported_grant_type"}
    assert "access_token" in _token(zoho, **base, client_secret=client["client_secret"])


def test_eleventh_refresh_in_ten_minutes_is_access_denied(zoho):
    grant = zoho.refresh_token()
    params = {"grant_type": "refresh_token", "client_id": grant["client_id"],
              "client_secret": grant["client_secret"], "refresh_token": grant["refresh_token"]}
    for _ in range(10):
        body = _token(zoho, **params)
        assert body["api_domain"] == zoho.api_domain("us") and "refresh_token" not in body
    assert _token(zoho, **params) == {
        "error_description": "You have made too many requests continuously. Please try again after some time.",
        "error": "Access Denied", "status": "failure"}
    assert zoho.stats()["refreshes"] == 10


def test_revoke_kills_refresh_and_access_tokens(zoho, make_api):
    grant = zoho.refresh_token()
    revoked = requests.post(f"{zoho.accounts_url()}/oauth/v2/token/revoke", params={"token": grant["refresh_token"]},
                            timeout=30)
    assert revoked.json() == {"status": "success"}
    refresh = _token(zoho, grant_type="refresh_token", client_id=grant["client_id"],
                     client_secret=grant["client_secret"], refresh_token=grant["refresh_token"])
    assert refresh == {"error": "invalid_code"}
    response = make_api(grant["api_domain"], grant["access_token"]).get("Contacts", fields="Last_Name")
    assert response.status_code == 401 and response.json()["code"] == "INVALID_TOKEN"


def test_token_from_one_dc_is_invalid_at_another_dcs_api_domain(zoho, make_api):
    grant = zoho.refresh_token(dc="eu")
    response = make_api(zoho.api_domain("us"), grant["access_token"]).get("Contacts", fields="Last_Name")
    assert response.status_code == 401
    assert response.json() == {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token",
                               "status": "error"}


def test_unknown_data_centre_is_an_invalid_url(zoho, api):
    response = requests.get(f"{zoho.root_url}/xx/api/crm/v8/Contacts", params={"fields": "Last_Name"},
                            headers=dict(api.session.headers), timeout=30)
    assert response.status_code == 404 and response.json()["code"] == "INVALID_URL_PATTERN"


@pytest.mark.parametrize("header", [None, "Bearer abc", "Zoho-oauthtoken"])
def test_missing_or_garbled_auth_header_is_authentication_failure(zoho, header):
    headers = {"Authorization": header} if header else {}
    response = requests.get(f"{zoho.api_domain()}/crm/v8/Contacts", params={"fields": "Last_Name"},
                            headers=headers, timeout=30)
    assert response.status_code == 401 and response.json()["code"] == "AUTHENTICATION_FAILURE"


def test_token_without_fields_scope_gets_oauth_scope_mismatch(zoho, make_api):
    grant = zoho.refresh_token(scopes=["ZohoCRM.modules.ALL", "ZohoCRM.settings.modules.READ"])
    api = make_api(grant["api_domain"], grant["access_token"])
    assert api.get("settings/modules").status_code == 200
    response = api.get("settings/fields", module="Contacts")
    assert response.status_code == 401 and response.json()["code"] == "OAUTH_SCOPE_MISMATCH"


def test_expired_access_token_is_invalid_and_ttl_is_adjustable(zoho, make_api):
    zoho.faults(token_ttl=120)
    grant = zoho.refresh_token()
    assert grant["expires_in"] == 120
    zoho.expire_tokens()
    response = make_api(grant["api_domain"], grant["access_token"]).get("users")
    assert response.status_code == 401 and response.json()["code"] == "INVALID_TOKEN"
