"""Related lists in the emulator: their metadata, the lookups behind them, and the records an href lists."""

from __future__ import annotations

import pytest

from timelines_zoho_sandbox.zoho.catalog import CUSTOM_MODULE


def _related(api, module: str) -> dict[str, dict]:
    response = api.get("settings/related_lists", module=module)
    assert response.status_code == 200, response.text
    return {entry["api_name"]: entry for entry in response.json()["related_lists"]}


@pytest.mark.parametrize("module", ["Contacts", "Leads", "Accounts", "Deals", CUSTOM_MODULE])
def test_every_record_module_lists_notes_and_attachments_with_an_href(api, module):
    related = _related(api, module)
    assert related["Notes"]["href"] == f"{module}/{{ENTITYID}}/Notes"
    assert related["Attachments"]["href"] == f"{module}/{{ENTITYID}}/Attachments"
    notes_module = {m["api_name"]: m for m in api.get("settings/modules").json()["modules"]}["Notes"]
    assert related["Notes"]["module"] == {"api_name": "Notes", "id": notes_module["id"]}
    assert [entry["sequence_number"] for entry in related.values()] == [str(n) for n in range(1, len(related) + 1)]


def test_a_lookup_gives_its_target_module_a_related_list_and_describes_it(api):
    accounts = _related(api, "Accounts")
    contacts_list = accounts["Contacts"]
    assert contacts_list["href"] == "Accounts/{ENTITYID}/Contacts"
    assert contacts_list["connectedlookupApiName"] == "Account_Name"
    modules = {m["api_name"]: m for m in api.get("settings/modules").json()["modules"]}
    assert contacts_list["module"] == {"api_name": "Contacts", "id": modules["Contacts"]["id"]}
    fields = {f["api_name"]: f for f in api.get("settings/fields", module="Contacts").json()["fields"]}
    lookup = fields["Account_Name"]["lookup"]
    assert lookup["module"] == {"api_name": "Accounts", "id": modules["Accounts"]["id"]}
    assert (lookup["api_name"], lookup["display_label"], lookup["id"]) == ("Contacts", "Contacts", contacts_list["id"])
    assert _related(api, "Contacts")["Deals"]["connectedlookupApiName"] == "Contact_Name"
    assert modules["Accounts"]["related_lists"] == api.get("settings/related_lists", module="Accounts").json()[
        "related_lists"]


def test_notes_parent_id_describes_the_multi_module_lookup_of_every_record_module(api):
    fields = {f["api_name"]: f for f in api.get("settings/fields", module="Notes").json()["fields"]}
    parent = fields["Parent_Id"]["multi_module_lookup"]
    assert (parent["api_name"], parent["display_label"]) == ("Notes", "Notes")
    modules = {m["api_name"]: m["id"] for m in api.get("settings/modules").json()["modules"]}
    assert {m["api_name"]: m["id"] for m in parent["modules"]} == {
        name: modules[name] for name in ("Contacts", "Leads", "Accounts", "Deals", CUSTOM_MODULE)}


def test_a_lookup_related_list_lists_the_records_pointing_at_the_record(api):
    [acme, other] = api.insert("Accounts", {"Account_Name": "Acme"}, {"Account_Name": "Other"})
    [ann, bob, _] = api.insert("Contacts", {"Last_Name": "Ann", "Account_Name": {"id": acme}},
                               {"Last_Name": "Bob", "Account_Name": {"id": acme}},
                               {"Last_Name": "Cy", "Account_Name": {"id": other}})
    listed = api.get(f"Accounts/{acme}/Contacts", fields="Last_Name")
    assert listed.status_code == 200
    assert sorted((r["id"], r["Last_Name"]) for r in listed.json()["data"]) == [(ann, "Ann"), (bob, "Bob")]
    [empty] = api.insert("Accounts", {"Account_Name": "Nobody's"})
    assert api.get(f"Accounts/{empty}/Contacts", fields="Last_Name").status_code == 204
    assert api.get(f"Accounts/{acme}/Contacts").json()["code"] == "REQUIRED_PARAM_MISSING"


def test_an_unknown_relation_or_record_gets_zoho_errors(api):
    [acme] = api.insert("Accounts", {"Account_Name": "Acme"})
    unknown = api.get(f"Accounts/{acme}/Bananas", fields="Last_Name")
    assert unknown.status_code == 400
    assert unknown.json()["message"] == "The relation name given seems to be invalid"
    missing = api.get("Accounts/4876876000099999999/Contacts", fields="Last_Name")
    assert missing.status_code == 400 and missing.json()["details"] == {"resource_path_index": 1}


def test_related_lists_need_a_real_module(api):
    missing = api.get("settings/related_lists")
    assert missing.status_code == 400 and missing.json()["code"] == "REQUIRED_PARAM_MISSING"
    assert api.get("settings/related_lists", module="Nope").json()["code"] == "INVALID_MODULE"
    notes = api.get("settings/related_lists", module="Notes")
    assert notes.status_code == 400 and notes.json()["code"] == "NOT_SUPPORTED"


def test_one_related_list_by_id(api):
    notes = _related(api, "Leads")["Notes"]
    one = api.get(f"settings/related_lists/{notes['id']}", module="Leads")
    assert one.status_code == 200 and one.json()["related_lists"] == [notes]
    assert api.get("settings/related_lists/4876876000099999999", module="Leads").status_code == 400
