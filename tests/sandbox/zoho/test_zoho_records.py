"""Records API v8 in the emulator: list rules, paging, batch validation, duplicates, upsert, get."""

from __future__ import annotations

import re

import pytest


def test_list_requires_fields_and_at_most_fifty(api):
    missing = api.get("Contacts")
    assert missing.status_code == 400
    assert missing.json()["code"] == "REQUIRED_PARAM_MISSING" and missing.json()["details"] == {"param_name": "fields"}
    too_many = api.get("Contacts", fields=",".join(f"F{n}" for n in range(51)))
    assert too_many.status_code == 400
    assert too_many.json()["details"] == {"limit": 50, "param_name": "fields"}


def test_empty_module_lists_204_and_unknown_module_is_invalid_module(api):
    assert api.get("Leads", fields="Last_Name").status_code == 204
    response = api.get("contacts", fields="Last_Name")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_MODULE"


def test_paging_stops_at_2000_then_page_token_walks_the_rest(zoho, api):
    ids = zoho.seed(records={"Contacts": [{"Last_Name": f"L{n}"} for n in range(2300)]})["records"]["Contacts"]
    page10 = api.get("Contacts", fields="Last_Name", page=10, per_page=200).json()
    assert page10["info"]["more_records"] is True and page10["info"]["count"] == 200
    beyond = api.get("Contacts", fields="Last_Name", page=11, per_page=200)
    assert beyond.status_code == 400 and beyond.json()["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
    seen = [r["id"] for r in api.get("Contacts", fields="Last_Name", per_page=200).json()["data"]]
    token = api.get("Contacts", fields="Last_Name", per_page=200).json()["info"]["next_page_token"]
    while token:
        body = api.get("Contacts", fields="Last_Name", page_token=token).json()
        seen += [r["id"] for r in body["data"]]
        token = body["info"].get("next_page_token")
    assert seen == sorted(ids, reverse=True)


def test_ids_are_19_digit_strings_and_system_fields_are_set(api):
    [record_id] = api.insert("Contacts", {"Last_Name": "Doe"})
    record = api.get(f"Contacts/{record_id}").json()["data"][0]
    assert re.fullmatch(r"\d{19}", record_id)
    assert record["Owner"]["email"] == "patricia@example.com" and record["Created_By"]["name"] == "Patricia Boyle"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", record["Created_Time"])


def test_insert_validates_each_item_with_json_paths_and_answers_207(api):
    response = api.post("Contacts", {"data": [
        {"Last_Name": "Good"},
        {"First_Name": "No last name"},
        {"Last_Name": "x" * 81},
        {"Last_Name": "Bad source", "Lead_Source": "Carrier pigeon"},
        {"Last_Name": "Bad field", "Nope": 1},
    ], "trigger": ["workflow"]})
    assert response.status_code == 207
    data = response.json()["data"]
    assert data[0]["code"] == "SUCCESS" and data[0]["message"] == "record added"
    assert data[1]["code"] == "MANDATORY_NOT_FOUND"
    assert data[1]["details"] == {"api_name": "Last_Name", "json_path": "$.data[1].Last_Name"}
    assert data[2]["details"]["maximum_length"] == 80 and data[2]["details"]["json_path"] == "$.data[2].Last_Name"
    assert "Web Download" in data[3]["details"]["supported_values"]
    assert data[4]["code"] == "INVALID_DATA" and data[4]["details"]["api_name"] == "Nope"


def test_all_failed_is_400_and_more_than_100_is_rejected(api):
    failed = api.post("Contacts", {"data": [{"First_Name": "a"}]})
    assert failed.status_code == 400 and failed.json()["data"][0]["status"] == "error"
    too_many = api.post("Contacts", {"data": [{"Last_Name": "x"}] * 101})
    assert too_many.status_code == 400 and too_many.json()["code"] == "LIMIT_EXCEEDED"


def test_bad_json_and_bad_trigger_get_zoho_errors(api):
    raw = api.call("POST", "Contacts", data=b"{not json", headers={"Content-Type": "application/json"})
    assert raw.status_code == 400 and raw.json()["status"] == "error"
    trigger = api.post("Contacts", {"data": [{"Last_Name": "x"}], "trigger": ["fireworks"]})
    assert trigger.status_code == 400 and trigger.json()["details"]["api_name"] == "trigger"


def test_unique_field_gives_duplicate_data_with_the_existing_id(zoho, api):
    zoho.set_unique("Contacts", "Phone")
    [first] = api.insert("Contacts", {"Last_Name": "A", "Phone": "+48601234567"})
    response = api.post("Contacts", {"data": [{"Last_Name": "B", "Phone": "+48601234567"}]})
    assert response.status_code == 400
    item = response.json()["data"][0]
    assert item["code"] == "DUPLICATE_DATA" and item["details"]["duplicate_record"]["id"] == first
    assert item["details"]["json_path"] == "$.data[0].Phone"


def test_owner_is_settable_by_id_and_unknown_owner_is_invalid(zoho, api):
    [user_id] = zoho.seed(users=[{"full_name": "Sam Roe", "email": "sam@example.com", "role": "Sales",
                                   "status": "active"}])["users"]
    [record_id] = api.insert("Contacts", {"Last_Name": "Doe", "Owner": {"id": user_id}})
    assert api.get(f"Contacts/{record_id}").json()["data"][0]["Owner"] == {
        "name": "Sam Roe", "id": user_id, "email": "sam@example.com"}
    bad = api.post("Contacts", {"data": [{"Last_Name": "Doe", "Owner": {"id": "123"}}]}).json()["data"][0]
    assert bad["code"] == "INVALID_DATA" and bad["details"]["json_path"] == "$.data[0].Owner.id"


def test_update_changes_only_sent_fields_and_reports_missing_ids(api):
    [record_id] = api.insert("Contacts", {"Last_Name": "Doe", "First_Name": "Jane"})
    response = api.put("Contacts", {"data": [{"id": record_id, "Last_Name": "Roe"}, {"Last_Name": "no id"},
                                             {"id": "4876876000099999999", "Last_Name": "x"}]})
    assert response.status_code == 207
    codes = [item["code"] for item in response.json()["data"]]
    assert codes == ["SUCCESS", "MANDATORY_NOT_FOUND", "INVALID_DATA"]
    record = api.get(f"Contacts/{record_id}").json()["data"][0]
    assert (record["First_Name"], record["Last_Name"], record["Full_Name"]) == ("Jane", "Roe", "Jane Roe")
    assert api.put(f"Contacts/{record_id}", {"data": [{"Last_Name": ""}]}).status_code == 400


def test_upsert_matches_on_duplicate_check_fields(api):
    [record_id] = api.insert("Contacts", {"Last_Name": "Doe", "Email": "doe@example.com"})
    response = api.post("Contacts/upsert", {"data": [
        {"Last_Name": "Doe updated", "Email": "DOE@example.com"},
        {"Last_Name": "New", "Email": "new@example.com"},
    ], "duplicate_check_fields": ["Email"]})
    assert response.status_code == 200
    updated, inserted = response.json()["data"]
    assert (updated["action"], updated["duplicate_field"], updated["details"]["id"]) == ("update", "Email", record_id)
    assert (inserted["action"], inserted["duplicate_field"], inserted["message"]) == ("insert", None, "record added")
    not_unique = api.post("Contacts/upsert", {"data": [{"Last_Name": "x"}], "duplicate_check_fields": ["Phone"]})
    assert not_unique.status_code == 400 and not_unique.json()["details"]["api_name"] == "duplicate_check_fields"


def test_get_unknown_id_is_204_and_delete_removes(api):
    assert api.get("Contacts/4876876000099999999").status_code == 204
    [record_id] = api.insert("Contacts", {"Last_Name": "Doe"})
    assert api.call("DELETE", "Contacts", params={"ids": record_id}).json()["data"][0]["code"] == "SUCCESS"
    assert api.get(f"Contacts/{record_id}").status_code == 204


def test_if_modified_since_with_nothing_newer_is_304(api):
    api.insert("Contacts", {"Last_Name": "Doe"})
    later = api.call("GET", "Contacts", params={"fields": "Last_Name"},
                     headers={"If-Modified-Since": "2999-01-01T00:00:00+00:00"})
    assert later.status_code == 304
    earlier = api.call("GET", "Contacts", params={"fields": "Last_Name"},
                       headers={"If-Modified-Since": "2000-01-01T00:00:00+00:00"})
    assert earlier.status_code == 200 and earlier.json()["data"][0]["Last_Name"] == "Doe"


def test_get_one_record_with_fields_returns_those_fields_plus_id(api):
    [record_id] = api.insert("Contacts", {"Last_Name": "Doe", "First_Name": "Jane", "Email": "jane@example.com"})
    response = api.get(f"Contacts/{record_id}", fields="Email,Last_Name")
    assert response.status_code == 200
    assert response.json() == {"data": [{"id": record_id, "Email": "jane@example.com", "Last_Name": "Doe"}]}
    assert "First_Name" in api.get(f"Contacts/{record_id}").json()["data"][0]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "settings/anything"), ("GET", "settings"), ("PUT", "settings/anything"), ("DELETE", "org/whatever"),
    ("GET", "users/1/friends"), ("GET", "coql/x"), ("POST", "settings/anything"), ("PATCH", "org/whatever"),
    ("GET", "__nothing_here"), ("GET", "settings/x/Attachments"), ("POST", "settings/x/Attachments"),
])
def test_a_path_zoho_does_not_have_is_404_invalid_url_pattern(api, method, path):
    response = api.call(method, path)
    assert response.status_code == 404, response.text
    assert response.json() == {"code": "INVALID_URL_PATTERN", "details": {},
                               "message": "Please check if the URL trying to access is a correct one",
                               "status": "error"}


def test_a_wrong_method_on_a_path_zoho_has_is_invalid_request_method(api):
    for method, path in (("POST", "org"), ("DELETE", "settings/fields"), ("POST", "users/123")):
        response = api.call(method, path)
        assert (response.status_code, response.json()["code"]) == (400, "INVALID_REQUEST_METHOD"), (method, path)
