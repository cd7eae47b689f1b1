"""Users, org and metadata in the emulator, including the picklist PATCH and the mandatory-field knob."""

from __future__ import annotations

import pytest

from timelines_zoho_sandbox.zoho.catalog import CUSTOM_MODULE


def test_users_are_filtered_by_type_under_the_users_key(zoho, api):
    zoho.seed(users=[{"full_name": "Old Timer", "email": "old@example.com", "role": "Sales", "status": "inactive"}])
    everyone = api.get("users").json()
    assert [u["email"] for u in everyone["users"]] == ["patricia@example.com", "old@example.com"]
    active = api.get("users", type="ActiveUsers").json()["users"]
    assert [u["email"] for u in active] == ["patricia@example.com"]
    current = api.get("users", type="CurrentUser").json()["users"]
    assert current[0]["full_name"] == "Patricia Boyle" and current[0]["profile"]["name"] == "Administrator"
    assert api.get("users", type="Martians").status_code == 400


def test_modules_include_a_custom_module_without_phone_fields(api):
    modules = {m["api_name"]: m for m in api.get("settings/modules").json()["modules"]}
    assert {"Contacts", "Leads", "Accounts", "Deals", CUSTOM_MODULE} <= set(modules)
    assert modules[CUSTOM_MODULE]["generated_type"] == "custom" and modules["Notes"]["status"] == "system_hidden"
    custom = api.get("settings/fields", module=CUSTOM_MODULE).json()["fields"]
    assert not [f for f in custom if f["data_type"] == "phone"]
    contacts = {f["api_name"]: f for f in api.get("settings/fields", module="Contacts").json()["fields"]}
    assert {"Phone", "Mobile"} <= {n for n, f in contacts.items() if f["data_type"] == "phone"}
    assert contacts["WhatsApp_Chat_URL"]["custom_field"] and contacts["WhatsApp_Chat_URL"]["data_type"] == "website"
    assert contacts["Last_Name"]["system_mandatory"] is True
    assert api.get("settings/fields", module="Nope").json()["code"] == "INVALID_MODULE"


def test_patch_adds_a_picklist_option_that_records_can_then_use(api):
    fields = api.get("settings/fields", module="Contacts").json()["fields"]
    lead_source = next(f for f in fields if f["api_name"] == "Lead_Source")
    assert api.post("Contacts", {"data": [{"Last_Name": "x", "Lead_Source": "TimelinesAI"}]}).status_code == 400
    body = {"fields": [{"id": lead_source["id"], "pick_list_values": [{"display_value": "TimelinesAI",
                                                                      "actual_value": "TimelinesAI"}]}]}
    patched = api.call("PATCH", "settings/fields", params={"module": "Contacts"}, json=body)
    assert patched.json() == {"fields": [{"code": "SUCCESS", "details": {"id": lead_source["id"]},
                                          "message": "field updated", "status": "success"}]}
    again = api.call("PATCH", "settings/fields", params={"module": "Contacts"}, json=body)
    assert again.status_code == 400 and again.json()["fields"][0]["code"] == "DUPLICATE_DATA"
    api.insert("Contacts", {"Last_Name": "x", "Lead_Source": "TimelinesAI"})


def test_mandatory_custom_field_knob_makes_inserts_fail(zoho, api):
    zoho.faults(mandatory_custom_field="Customer_Tier")
    response = api.post("Leads", {"data": [{"Last_Name": "x"}]})
    assert response.status_code == 400
    assert response.json()["data"][0]["details"] == {"api_name": "Customer_Tier", "json_path": "$.data[0].Customer_Tier"}
    zoho.faults(mandatory_custom_field=None)
    api.insert("Leads", {"Last_Name": "x"})


@pytest.mark.parametrize("path", ["org", "settings/modules/Contacts"])
def test_org_and_single_module(api, path):
    body = api.get(path).json()
    key = "org" if path == "org" else "modules"
    assert len(body[key]) == 1 and body[key][0]["id"].isdigit()
