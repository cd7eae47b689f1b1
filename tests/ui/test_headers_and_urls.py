"""Issue 12 items 4 and 5: redirects come from the configured base URL, and the page tells browsers who may frame it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

BASE_URL = "http://airflow.test"
HOSTILE_HOST = {"Host": "evil.example"}


def test_redirect_after_a_change_ignores_a_hostile_host_header(admin_client):
    response = admin_client.post("/deactivate", data={"csrf_token": admin_client.csrf}, headers=HOSTILE_HOST,
                                 follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{BASE_URL}/timelines-zoho/?")


def test_oauth_redirect_uri_is_built_from_the_base_url_not_the_host_header(admin_client, sandbox):
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    registered = ZohoSandboxAdmin(sandbox.zoho_url).create_client([f"{BASE_URL}/timelines-zoho/oauth/callback"])
    form = {"client_id": registered["client_id"], "client_secret": registered["client_secret"],
            "data_centre": "custom", "csrf_token": admin_client.csrf}
    response = admin_client.post("/connect/zoho", data=form, headers=HOSTILE_HOST, follow_redirects=False)
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["redirect_uri"] == [f"{BASE_URL}/timelines-zoho/oauth/callback"]


def test_login_redirect_names_the_page_on_the_base_url(client):
    response = client.get("/", headers={"Accept": "text/html", **HOSTILE_HOST}, follow_redirects=False)
    assert response.status_code == 303
    assert "evil.example" not in response.headers["location"]


def test_page_allows_only_airflows_ui_to_frame_it_and_forbids_sniffing(admin_client):
    headers = admin_client.get("/").headers
    policy = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert policy["frame-ancestors"] == BASE_URL
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
    assert "https://evil.example" not in policy["form-action"] and "https://accounts.zoho.eu" in policy["form-action"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "same-origin"


def test_static_files_and_errors_carry_the_headers_too(client):
    for response in (client.get("/static/settings.js"), client.get("/api/modules/Contacts/fields")):
        assert "frame-ancestors" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
