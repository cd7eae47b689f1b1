"""Notes in the emulator: v8 Parent_Id, the related-list form, length limits and EXPECTED_FIELD_MISSING."""

from __future__ import annotations


def _parent(record_id: str) -> dict:
    return {"module": {"api_name": "Contacts"}, "id": record_id}


def test_notes_are_created_on_a_parent_and_listed_by_it(api):
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    created = api.post("Notes", {"data": [{"Note_Title": "Chat 01/02/2025", "Note_Content": "hi",
                                           "Parent_Id": _parent(contact)}]})
    assert created.status_code == 201 and created.json()["data"][0]["message"] == "record added"
    related = api.post(f"Contacts/{contact}/Notes", {"data": [{"Note_Title": "Second", "Note_Content": "x"}]})
    assert related.status_code == 201
    listed = api.get(f"Contacts/{contact}/Notes", fields="Note_Title,Parent_Id").json()["data"]
    assert [n["Note_Title"] for n in listed] == ["Second", "Chat 01/02/2025"]
    assert listed[0]["Parent_Id"]["module"]["api_name"] == "Contacts" and listed[0]["Parent_Id"]["id"] == contact


def test_note_limits_and_missing_title_and_content(api):
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    response = api.post("Notes", {"data": [
        {"Note_Title": "t" * 121, "Note_Content": "x", "Parent_Id": _parent(contact)},
        {"Note_Title": "ok", "Note_Content": "c" * 65536, "Parent_Id": _parent(contact)},
        {"Parent_Id": _parent(contact)},
        {"Note_Title": "ok", "Note_Content": "c" * 65535, "Parent_Id": _parent(contact)},
        {"Note_Title": "orphan", "Parent_Id": _parent("4876876000099999999")},
    ]})
    assert response.status_code == 207
    title, content, empty, ok, orphan = response.json()["data"]
    assert title["code"] == "INVALID_DATA" and title["details"]["maximum_length"] == 120
    assert content["code"] == "INVALID_DATA" and content["details"]["api_name"] == "Note_Content"
    assert empty["code"] == "EXPECTED_FIELD_MISSING" and empty["message"] == "should contain either content or title"
    assert [f["api_name"] for f in empty["details"]["expected_fields"]] == ["Note_Content", "Note_Title"]
    assert ok["status"] == "success"
    assert orphan["code"] == "INVALID_DATA" and orphan["details"]["api_name"] == "Parent_Id"


def test_note_update_by_id_and_in_bulk(api):
    [contact] = api.insert("Contacts", {"Last_Name": "Doe"})
    note = api.post("Notes", {"data": [{"Note_Title": "a", "Note_Content": "1", "Parent_Id": _parent(contact)}]}
                    ).json()["data"][0]["details"]["id"]
    assert api.put(f"Notes/{note}", {"data": [{"Note_Content": "2"}]}).json()["data"][0]["message"] == "record updated"
    bulk = api.put("Notes", {"data": [{"id": note, "Note_Title": "b"}, {"id": "1", "Note_Title": "c"}]})
    assert bulk.status_code == 207
    stored = api.get(f"Notes/{note}").json()["data"][0]
    assert (stored["Note_Title"], stored["Note_Content"], stored["$attachments"]) == ("b", "2", [])
    assert api.get("Notes").json()["code"] == "REQUIRED_PARAM_MISSING"
    assert api.get("Notes", fields="Note_Title").json()["data"][0]["Note_Title"] == "b"
