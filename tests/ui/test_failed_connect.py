"""Issue 12 item 8 on the page: an unreachable TimelinesAI host is a clear error, never a 500, and leaves nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from timelines_zoho.settings import connections

UNREACHABLE = "http://127.0.0.1:9/integrations/api"


def test_connect_to_an_unreachable_host_redirects_with_the_reason(admin_client, conn_ids):
    response = admin_client.post("/connect/timelines", data={"token": "owner-token", "base_url": UNREACHABLE,
                                                             "csrf_token": admin_client.csrf}, follow_redirects=False)
    assert response.status_code == 303
    error = parse_qs(urlsplit(response.headers["location"]).query)["error"][0]
    assert error.startswith(f"Cannot reach TimelinesAI at {UNREACHABLE}") and "owner-token" not in error
    assert connections.get_fields(f"{conn_ids['timelines_conn_id']}__pending") is None
    assert connections.get_fields(conn_ids["timelines_conn_id"]) is None


def test_page_shows_an_unreachable_workspace_instead_of_failing(admin_client, conn_ids):
    connections.upsert(conn_ids["timelines_conn_id"], "timelines_ai", host=UNREACHABLE, password="owner-token")
    page = admin_client.get("/")
    assert page.status_code == 200
    assert "Reading the TimelinesAI workspace failed: cannot reach the service" in page.text
    assert "owner-token" not in page.text
