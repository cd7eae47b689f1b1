"""The emulator's admin side: deterministic state dumps, the state file, the HTML view, and no 500s on bad input."""

from __future__ import annotations

import pytest
import requests

from timelines_zoho_sandbox.server import serve_app
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin
from timelines_zoho_sandbox.zoho.app import create_app


def _story(zoho: ZohoSandboxAdmin, api) -> None:
    [contact] = api.insert("Contacts", {"Last_Name": "Doe", "Phone": "+48 601 234 567"})
    api.post(f"Contacts/{contact}/Notes", {"data": [{"Note_Title": "Chat", "Note_Content": "hello"}]})
    api.call("POST", f"Contacts/{contact}/Attachments", files={"file": ("a.txt", b"abc")})


def test_state_dump_is_identical_for_the_same_story(zoho, make_api):
    dumps = []
    for _ in range(2):
        zoho.reset()
        zoho.seed(users=[{"full_name": "Ann Lee", "email": "ann@example.com", "role": "CEO", "status": "active"}])
        grant = zoho.refresh_token()
        _story(zoho, make_api(grant["api_domain"], grant["access_token"]))
        dumps.append(requests.get(f"{zoho.root_url}/__admin/state", timeout=30).content)
    assert dumps[0] == dumps[1]
    state = zoho.state()
    assert [r["Last_Name"] for r in state["records"]["Contacts"]] == ["Doe"]
    assert "Created_Time" not in state["records"]["Contacts"][0]
    assert state["attachments"][0]["sha256"].startswith("ba7816bf")


def test_seed_returns_ids_and_sets_up_org_and_default_client(zoho):
    result = zoho.seed(users=[{"full_name": "Sam Roe", "email": "sam@example.com", "role": "Sales",
                               "status": "active"}], records={"Contacts": [{"Last_Name": "A"}, {"Last_Name": "B"}]})
    assert len(result["users"]) == 1 and len(result["records"]["Contacts"]) == 2
    assert result["client"]["client_id"] in [c["client_id"] for c in zoho.clients()]
    bad = requests.post(f"{zoho.root_url}/__admin/seed", json={"records": {"Contacts": [{"Nope": 1}]}}, timeout=30)
    assert bad.status_code == 400 and "Nope" in bad.json()["error"]


def test_state_survives_a_restart_only_with_a_state_file(tmp_path):
    state_file = str(tmp_path / "not-yet" / "zoho.json")
    first = serve_app(lambda url: create_app(url, state_file))
    admin = ZohoSandboxAdmin(first.url)
    [record_id] = admin.seed(records={"Contacts": [{"Last_Name": "Kept"}]})["records"]["Contacts"]
    first.stop()
    second = serve_app(lambda url: create_app(url, state_file))
    try:
        assert [r["id"] for r in ZohoSandboxAdmin(second.url).state()["records"]["Contacts"]] == [record_id]
    finally:
        second.stop()
    memory = serve_app(lambda url: create_app(url))
    try:
        assert ZohoSandboxAdmin(memory.url).state()["records"]["Contacts"] == []
    finally:
        memory.stop()


def test_html_view_shows_records_with_notes_and_attachments(zoho, api):
    _story(zoho, api)
    page = requests.get(f"{zoho.root_url}/", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Doe" in page.text and "Chat" in page.text and "hello" in page.text and "a.txt" in page.text


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("POST", "Contacts", {"json": ["not", "an", "object"]}),
    ("POST", "Contacts", {"json": {"data": "x"}}),
    ("POST", "Contacts", {"json": {"data": [None, 5, "x"]}}),
    ("PUT", "Contacts", {"json": {"data": [{"id": {"nested": 1}}]}}),
    ("POST", "Contacts/upsert", {"json": {"data": [{"Last_Name": "x"}], "duplicate_check_fields": "Email"}}),
    ("GET", "Contacts", {"params": {"fields": "Last_Name", "page": "-1"}}),
    ("GET", "Contacts", {"params": {"fields": "Last_Name", "page_token": "forged"}}),
    ("GET", "Contacts/search", {"params": {"phone": "abc"}}),
    ("POST", "Notes", {"json": {"data": [{"Note_Title": 5, "Parent_Id": "x"}]}}),
    ("POST", "coql", {"data": b"\xff\xfe"}),
    ("PATCH", "settings/fields", {"params": {"module": "Contacts"}, "json": {"fields": [{"id": []}]}}),
    ("DELETE", "users", {}),
    ("GET", "Contacts/abc", {}),
])
def test_bad_requests_get_zoho_errors_never_500(api, method, path, kwargs):
    response = api.call(method, path, **kwargs)
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert body.get("status") == "error" or all(
        item["status"] == "error" for item in body.get("data", body.get("fields", [])))


def test_html_view_shows_description_and_every_other_writable_field(zoho, api):
    [account] = api.insert("Accounts", {"Account_Name": "Acme"})
    api.insert("Contacts", {"Last_Name": "Roe", "Description": "https://app.timelines.ai/chat/123/messages/",
                            "WhatsApp_Chat_URL": "https://app.timelines.ai/chat/123/", "Account_Name": {"id": account}})
    page = requests.get(f"{zoho.root_url}/", params={"module": "Contacts"}, timeout=30).text
    header = page.split("<tr>", 2)[1]
    for column in ("Description", "WhatsApp_Chat_URL", "Lead_Source", "Mobile", "Account_Name"):
        assert f"<th>{column}</th>" in header
    assert "https://app.timelines.ai/chat/123/messages/" in page and "<td>Acme</td>" in page
    assert "<th>Created_By</th>" not in header
