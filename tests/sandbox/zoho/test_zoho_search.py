"""Search and COQL in the emulator: fuzzy phone equals, email, word, criteria, caps, index delay, COQL errors."""

from __future__ import annotations


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["data"]]


def test_phone_search_matches_digits_contained_in_any_phone_field(api):
    first, second = api.insert("Contacts", {"Last_Name": "A", "Phone": "+48 601-234-567"},
                               {"Last_Name": "B", "Mobile": "0048601234567"})
    api.insert("Contacts", {"Last_Name": "C", "Phone": "+1 555 0100"})
    assert set(_ids(api.get("Contacts/search", phone="601234567"))) == {first, second}
    assert _ids(api.get("Contacts/search", phone="+48601234567")) == [second, first]
    assert api.get("Contacts/search", phone="999999").status_code == 204


def test_email_word_and_criteria_searches(api):
    jane, _ = api.insert("Contacts", {"Last_Name": "Doe", "First_Name": "Jane", "Email": "jane@example.com"},
                         {"Last_Name": "Smith", "Email": "smith@example.com"})
    assert _ids(api.get("Contacts/search", email="JANE@example.com")) == [jane]
    assert _ids(api.get("Contacts/search", word="jane")) == [jane]
    assert _ids(api.get("Contacts/search", criteria="(Last_Name:equals:Do)")) == [jane]
    bad = api.get("Contacts/search", criteria="(Last_Name:sounds_like:Doe)")
    assert bad.status_code == 400 and bad.json()["status"] == "error"


def test_search_without_a_parameter_and_past_2000_results_are_errors(api):
    missing = api.get("Contacts/search")
    assert missing.status_code == 400 and missing.json()["code"] == "EXPECTED_PARAM_MISSING"
    capped = api.get("Contacts/search", word="doe", page=11, per_page=200)
    assert capped.status_code == 400 and capped.json() == {
        "code": "LIMIT_REACHED", "details": {"limit": "2000"}, "message": "maximum response iteration limit reached",
        "status": "error"}


def test_index_delay_hides_new_records_from_search_but_not_from_coql(zoho, api):
    zoho.faults(index_delay=3600)
    [record_id] = api.insert("Contacts", {"Last_Name": "Fresh", "Phone": "+48 601 000 111"})
    assert api.get("Contacts/search", phone="601000111").status_code == 204
    rows = api.post("coql", {"select_query": "select Last_Name from Contacts where Last_Name = 'Fresh'"})
    assert [r["id"] for r in rows.json()["data"]] == [record_id]


def test_coql_selects_with_limit_and_reports_more_records(zoho, api):
    zoho.seed(records={"Contacts": [{"Last_Name": f"L{n}", "Lead_Source": "Chat"} for n in range(5)]})
    body = api.post("coql", {"select_query": "select Last_Name from Contacts where Lead_Source = 'Chat' "
                                             "order by Last_Name desc limit 2"}).json()
    assert [r["Last_Name"] for r in body["data"]] == ["L4", "L3"] and body["info"] == {"count": 2, "more_records": True}


def test_coql_errors_and_empty_results(api):
    syntax = api.post("coql", {"select_query": "select Last_Name Contacts"})
    assert syntax.status_code == 400 and syntax.json()["code"] == "SYNTAX_ERROR"
    missing = api.post("coql", {})
    assert missing.status_code == 400 and missing.json()["status"] == "error"
    empty = api.post("coql", {"select_query": "select Last_Name from Contacts where Last_Name = 'nobody'"})
    assert empty.status_code == 204


def test_coql_needs_the_coql_scope(zoho, make_api):
    grant = zoho.refresh_token(scopes=["ZohoCRM.modules.ALL"])
    response = make_api(grant["api_domain"], grant["access_token"]).post(
        "coql", {"select_query": "select Last_Name from Contacts limit 1"})
    assert response.status_code == 401 and response.json()["code"] == "OAUTH_SCOPE_MISMATCH"
