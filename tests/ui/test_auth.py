"""The plugin app is protected by Airflow's own authentication; only admins may change anything."""

from __future__ import annotations

import pytest

CHANGES = [
    ("/deactivate", {}),
    ("/activate", {"module": "Contacts"}),
    ("/connect/timelines", {"token": "t"}),
    ("/connect/zoho", {"client_id": "c", "client_secret": "s"}),
]


def test_browser_without_session_is_sent_to_airflow_login(client):
    response = client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert "/auth/login" in response.headers["location"]


def test_api_call_without_session_is_401(client):
    assert client.get("/api/modules/Contacts/fields").status_code == 401


def test_forged_token_is_refused(client):
    client.cookies.set("_token", "not-a-jwt")
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 403


def test_viewer_sees_the_page_read_only(client, token_for):
    client.cookies.set("_token", token_for("viewer"))
    page = client.get("/")
    assert page.status_code == 200
    assert "read-only" in page.text and "Connect TimelinesAI" not in page.text


@pytest.mark.parametrize("role", ["viewer", "user", "op"])
@pytest.mark.parametrize(("path", "form"), CHANGES)
def test_non_admin_roles_get_403_on_every_change(client, token_for, store, role, path, form):
    client.cookies.set("_token", token_for(role))
    response = client.post(path, data=form, follow_redirects=False)
    assert response.status_code == 403
    assert "Only Airflow admins" in response.json()["detail"]
    assert store.audit_log(10) == []


def test_bearer_token_works_like_the_cookie(client, token_for):
    response = client.post("/deactivate", headers={"Authorization": f"Bearer {token_for('viewer')}"})
    assert response.status_code == 403


def test_admin_passes_authorisation_and_gets_the_lifecycle_answer(admin_client):
    response = admin_client.post("/deactivate", data={"csrf_token": admin_client.csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert "not+active" in response.headers["location"]
    page = admin_client.get("/", headers={"Accept": "text/html"})
    assert "Admin" in page.text and "Connect TimelinesAI" in page.text
