"""Issue 12 item 1: a page on another origin cannot make a logged-in admin's browser change anything."""

from __future__ import annotations

import pytest

from timelines_zoho.settings import connections

BASE_URL = "http://airflow.test"
CHANGES = [
    ("/deactivate", {}),
    ("/activate", {"module": "Contacts"}),
    ("/connect/timelines", {"token": "attacker-token", "base_url": "http://127.0.0.1:9/integrations/api"}),
    ("/connect/zoho", {"client_id": "c", "client_secret": "", "data_centre": "us", "grant_code": "1000.x"}),
]


@pytest.mark.parametrize(("path", "form"), CHANGES)
def test_cross_origin_post_with_the_admin_cookie_is_refused_and_changes_nothing(admin_client, store, path, form):
    response = admin_client.post(path, data=form | {"csrf_token": admin_client.csrf},
                                 headers={"Origin": "http://127.0.0.1:9999"}, follow_redirects=False)
    assert response.status_code == 403
    assert "Cross-site request refused" in response.json()["detail"]
    assert store.audit_log(10) == [] and store.get_settings() is None


@pytest.mark.parametrize(("path", "form"), CHANGES)
def test_post_without_the_token_of_this_login_is_refused(admin_client, store, token_for, path, form):
    assert admin_client.post(path, data=form, follow_redirects=False).status_code == 403
    assert admin_client.post(path, data=form | {"csrf_token": "0" * 64}, follow_redirects=False).status_code == 403
    # A token from an earlier login of the same user is not this login's token.
    stale = admin_client.csrf
    admin_client.cookies.set("_token", token_for("admin"))
    assert admin_client.post(path, data=form | {"csrf_token": stale}, follow_redirects=False).status_code == 403
    assert store.audit_log(10) == []


def test_post_naming_no_origin_is_refused_and_a_same_origin_referer_is_accepted(admin_client):
    del admin_client.headers["Origin"]
    form = {"csrf_token": admin_client.csrf}
    assert admin_client.post("/deactivate", data=form, follow_redirects=False).status_code == 403
    referred = admin_client.post("/deactivate", data=form, headers={"Referer": f"{BASE_URL}/timelines-zoho/"},
                                 follow_redirects=False)
    assert referred.status_code == 303 and "not+active" in referred.headers["location"]


def test_same_origin_post_with_the_token_reaches_the_lifecycle(admin_client):
    response = admin_client.post("/deactivate", data={"csrf_token": admin_client.csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{BASE_URL}/timelines-zoho/?error=")


def test_every_form_on_the_page_carries_the_token(admin_client):
    page = admin_client.get("/").text
    assert page.count('method="post"') == page.count(f'name="csrf_token" value="{admin_client.csrf}"') >= 2


def test_the_zoho_form_offers_no_accounts_or_api_url(admin_client):
    page = admin_client.get("/").text
    assert 'name="accounts_url"' not in page and 'name="api_domain"' not in page


def test_stored_client_secret_never_goes_to_a_host_named_by_the_form(admin_client, zoho_connected, hostile_site):
    """The issue's attack, sent even with a valid token: the stored secret stays home, the connection is kept."""
    conn_id, before = zoho_connected
    form = {"client_id": before["login"], "client_secret": "", "data_centre": "us", "grant_code": "1000.attacker",
            "accounts_url": hostile_site.url, "api_domain": hostile_site.url, "csrf_token": admin_client.csrf}
    response = admin_client.post("/connect/zoho", data=form, follow_redirects=False)
    assert response.status_code == 303 and "error=" in response.headers["location"]
    assert hostile_site.requests == []
    assert connections.get_fields(conn_id) == before
