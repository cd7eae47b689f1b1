"""Layouts in the emulator: each module's standard layout, its sections and the fields placed in them."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from timelines_zoho_sandbox.zoho.app import create_app
from timelines_zoho_sandbox.zoho.catalog import CUSTOM_MODULE


@pytest.mark.parametrize("module", ["Contacts", "Leads", "Accounts", "Deals", CUSTOM_MODULE, "Notes"])
def test_the_standard_layout_places_every_field_once(api, module):
    response = api.get("settings/layouts", module=module)
    assert response.status_code == 200, response.text
    [layout] = response.json()["layouts"]
    assert (layout["name"], layout["api_name"], layout["status"]) == ("Standard", "Standard__s", "active")
    placed = [field["id"] for section in layout["sections"] for field in section["fields"]]
    fields = api.get("settings/fields", module=module).json()["fields"]
    assert sorted(placed) == sorted(f["id"] for f in fields)
    for section in layout["sections"]:
        assert all(field["section_id"] == section["sequence_number"] for field in section["fields"])
    [listed] = {m["api_name"]: m for m in api.get("settings/modules").json()["modules"]}[module]["layouts"]
    assert (listed["id"], listed["name"]) == (layout["id"], "Standard")


def test_layout_fields_carry_the_layout_mandatory_flag_and_current_picklist(api):
    fields = {f["api_name"]: f for f in api.get("settings/fields", module="Contacts").json()["fields"]}
    body = {"fields": [{"id": fields["Lead_Source"]["id"], "pick_list_values": [{"display_value": "TimelinesAI"}]}]}
    assert api.call("PATCH", "settings/fields", params={"module": "Contacts"}, json=body).status_code == 200
    [layout] = api.get("settings/layouts", module="Contacts").json()["layouts"]
    placed = {field["api_name"]: field for section in layout["sections"] for field in section["fields"]}
    assert placed["Last_Name"]["required"] is True and placed["First_Name"]["required"] is False
    assert "TimelinesAI" in [o["display_value"] for o in placed["Lead_Source"]["pick_list_values"]]
    assert [s["display_label"] for s in layout["sections"]] == ["Contact Information", "Description Information"]


def test_one_layout_by_id_and_the_errors(api):
    [layout] = api.get("settings/layouts", module="Deals").json()["layouts"]
    one = api.get(f"settings/layouts/{layout['id']}", module="Deals")
    assert one.status_code == 200 and one.json()["layouts"] == [layout]
    wrong = api.get("settings/layouts/4876876000099999999", module="Deals")
    assert wrong.status_code == 400 and wrong.json()["code"] == "INVALID_DATA"
    missing = api.get("settings/layouts")
    assert missing.status_code == 400 and missing.json()["code"] == "REQUIRED_PARAM_MISSING"
    assert api.get("settings/layouts", module="Nope").json()["code"] == "INVALID_MODULE"



def test_a_state_file_saved_before_layouts_existed_answers_204_not_500(tmp_path):
    state_file = tmp_path / "zoho.json"
    with TestClient(create_app("http://sandbox.test", str(state_file))) as client:
        client.post("/__admin/seed", json={"users": [{"full_name": "Pat Boyle", "email": "pat@example.com", "role": "CEO"}]})
        token = client.post("/__admin/refresh-token", json={}).json()["access_token"]
    saved = json.loads(state_file.read_text())
    for module in saved["modules"].values():
        module["layouts"], module["related_lists"] = [], []  # what the catalogue held before layouts existed
    state_file.write_text(json.dumps(saved))
    with TestClient(create_app("http://sandbox.test", str(state_file))) as client:
        headers = {"Authorization": f"Zoho-oauthtoken {token}"}
        for path in ("settings/layouts", "settings/related_lists"):
            response = client.get(f"/us/api/crm/v8/{path}", params={"module": "Leads"}, headers=headers)
            assert response.status_code == 204, f"{path}: {response.status_code} {response.text}"
