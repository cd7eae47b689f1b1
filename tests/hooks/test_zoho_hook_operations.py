"""ZohoCRMHook operations against the Zoho emulator: batching, per-record results, retries, paging, quoting, files."""

from __future__ import annotations

import io

import pytest

from timelines_zoho.hooks import FileTokenCache, ZohoAPIError, ZohoCRMHook, coql_quote

CONN = "zoho_crm_test"


@pytest.fixture
def hook(zoho_connect, tmp_path, policy) -> ZohoCRMHook:
    zoho_connect()
    return ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path), retry_policy=policy)


def calls(admin, endpoint: str) -> int:
    return admin.stats()["calls"].get(endpoint, 0)


def test_insert_of_250_goes_in_three_calls_with_results_in_input_order(zoho_admin, hook: ZohoCRMHook) -> None:
    results = hook.insert_records("Contacts", [{"Last_Name": f"N{i}"} for i in range(250)], trigger=[])
    assert [r.index for r in results] == list(range(250)) and all(r.ok and r.id for r in results)
    assert calls(zoho_admin, "POST /crm/v8/Contacts") == 3
    assert hook.stats["POST /Contacts"] == {"calls": 3, "credits": 10 + 10 + 5}


def test_partial_batch_maps_each_input_to_its_own_result(zoho_admin, hook: ZohoCRMHook) -> None:
    results = hook.insert_records("Contacts", [{"Last_Name": "A"}, {"First_Name": "no last"}, {"Last_Name": "C"}])
    assert [(r.index, r.ok, r.code) for r in results] == [
        (0, True, "SUCCESS"), (1, False, "MANDATORY_NOT_FOUND"), (2, True, "SUCCESS")]
    assert results[1].details["api_name"] == "Last_Name" and results[1].id is None
    assert zoho_admin.stats()["records"]["Contacts"] == 2


def test_all_failed_batch_returns_results_instead_of_raising(hook: ZohoCRMHook) -> None:
    results = hook.insert_records("Contacts", [{"First_Name": "x"}, {"First_Name": "y"}])
    assert [(r.ok, r.code) for r in results] == [(False, "MANDATORY_NOT_FOUND")] * 2


def test_update_and_upsert_map_results(zoho_admin, hook: ZohoCRMHook) -> None:
    (created,) = hook.insert_records("Contacts", [{"Last_Name": "Old", "Email": "o@x.example"}])
    (updated,) = hook.update_records("Contacts", [{"id": created.id, "Last_Name": "New"}])
    assert updated.ok and hook.get_record("Contacts", created.id)["Last_Name"] == "New"
    upserted = hook.upsert_records("Contacts", [{"Last_Name": "Up", "Email": "o@x.example"},
                                                {"Last_Name": "Fresh", "Email": "f@x.example"}], ["Email"])
    assert [r.ok for r in upserted] == [True, True] and upserted[0].id == created.id
    assert zoho_admin.stats()["records"]["Contacts"] == 2


def test_fail_fast_400_carries_zohos_code_without_retrying(zoho_admin, hook: ZohoCRMHook, sleep) -> None:
    with pytest.raises(ZohoAPIError) as caught:
        list(hook.list_records("Contacts", [f"F{i}" for i in range(51)]))
    assert (caught.value.status, caught.value.code) == (400, "LIMIT_EXCEEDED")
    assert caught.value.details and sleep.waits == []
    assert calls(zoho_admin, "GET /crm/v8/Contacts") == 1


def test_coql_syntax_error_is_reported_with_details(hook: ZohoCRMHook) -> None:
    with pytest.raises(ZohoAPIError) as caught:
        list(hook.coql("select from"))
    assert caught.value.code == "SYNTAX_ERROR"


def test_5xx_are_retried_until_the_call_succeeds(zoho_admin, hook: ZohoCRMHook, sleep) -> None:
    hook.get_org()
    zoho_admin.faults(error_rate=0.3, seed=7)
    for _ in range(6):
        assert hook.get_org()["id"]
    zoho_admin.faults(error_rate=0.0)
    assert len(sleep.waits) > 0
    assert calls(zoho_admin, "GET /crm/v8/org") == 7 + len(sleep.waits) == hook.stats["GET /org"]["calls"]


def test_429_and_dropped_connections_are_retried_with_backoff(zoho_admin, hook: ZohoCRMHook, sleep) -> None:
    hook.get_org()
    zoho_admin.faults(rate_limit_rate=0.4, reset_rate=0.2, seed=3)
    for _ in range(6):
        assert hook.list_modules()
    zoho_admin.faults(rate_limit_rate=0.0, reset_rate=0.0)
    assert len(sleep.waits) > 0
    assert calls(zoho_admin, "GET /crm/v8/settings/modules") == 6 + len(sleep.waits)


def test_retries_stop_at_the_attempt_bound(zoho_admin, hook: ZohoCRMHook, sleep) -> None:
    hook.get_org()
    zoho_admin.faults(error_rate=1.0)
    with pytest.raises(ZohoAPIError) as caught:
        hook.get_org()
    zoho_admin.faults(error_rate=0.0)
    assert caught.value.code == "INTERNAL_ERROR" and len(sleep.waits) == 4
    assert calls(zoho_admin, "GET /crm/v8/org") == 1 + 5


def test_list_records_pages_past_2000_with_page_token(zoho_admin, hook: ZohoCRMHook) -> None:
    zoho_admin.seed(records={"Contacts": [{"Last_Name": f"L{i:05d}"} for i in range(2300)]})
    rows = list(hook.list_records("Contacts", ["Last_Name"]))
    assert len({r["id"] for r in rows}) == 2300
    assert calls(zoho_admin, "GET /crm/v8/Contacts") == 12  # 10 pages by number, 2 by page_token


def test_coql_pages_past_2000_by_id(zoho_admin, hook: ZohoCRMHook) -> None:
    zoho_admin.seed(records={"Contacts": [{"Last_Name": f"Q{i:05d}"} for i in range(4100)]})
    rows = list(hook.coql("select Last_Name from Contacts where Last_Name like 'Q%'"))
    assert len({r["id"] for r in rows}) == 4100
    assert calls(zoho_admin, "POST /crm/v8/coql") == 3


@pytest.mark.parametrize("name", ["O'Brien", "x') or (Last_Name != 'y", "Smith, John (x)", "ends\\", "\\' or ''='"])
def test_hostile_values_cannot_change_a_coql_query(zoho_admin, hook: ZohoCRMHook, name: str) -> None:
    zoho_admin.seed(records={"Contacts": [{"Last_Name": name, "Phone": "+48 601 (234), 567\\"}, {"Last_Name": "y"}]})
    by_name = list(hook.coql(f"select Last_Name from Contacts where Last_Name = {coql_quote(name)}"))
    by_phone = list(hook.coql(f"select Phone from Contacts where Phone = {coql_quote('+48 601 (234), 567' + chr(92))}"))
    assert [r["Last_Name"] for r in by_name] == [name]
    assert len(by_phone) == 1


def test_search_by_phone_email_and_criteria(zoho_admin, hook: ZohoCRMHook) -> None:
    zoho_admin.seed(records={"Contacts": [{"Last_Name": "Kowalski", "Phone": "+48601234567", "Email": "k@x.example"}]})
    assert [r["Last_Name"] for r in hook.search_records("Contacts", email="k@x.example")] == ["Kowalski"]
    assert [r["Last_Name"] for r in hook.search_records("Contacts", criteria="(Last_Name:equals:Kowalski)")] == ["Kowalski"]
    assert list(hook.search_records("Contacts", email="nobody@x.example")) == []  # 204 is empty, not an error
    with pytest.raises(ValueError):
        list(hook.search_records("Contacts", phone="1", email="k@x.example"))


def test_notes_create_update_and_list(hook: ZohoCRMHook) -> None:
    (contact,) = hook.insert_records("Contacts", [{"Last_Name": "Noted"}])
    parent = {"module": {"api_name": "Contacts"}, "id": contact.id}
    created = hook.create_notes([{"Note_Title": f"T{i}", "Note_Content": "c", "Parent_Id": parent} for i in range(3)]
                                + [{"Parent_Id": parent}])
    assert [r.ok for r in created] == [True, True, True, False]
    (updated,) = hook.update_notes([{"id": created[0].id, "Note_Content": "changed"}])
    assert updated.ok
    notes = {n["id"]: n for n in hook.list_notes("Contacts", contact.id)}
    assert len(notes) == 3 and notes[created[0].id]["Note_Content"] == "changed"


def test_attachments_are_streamed_to_records_and_notes(zoho_admin, hook: ZohoCRMHook) -> None:
    (contact,) = hook.insert_records("Contacts", [{"Last_Name": "Files"}])
    payload = bytes(range(256)) * 4096  # 1 MiB
    attachment_id = hook.upload_attachment("Contacts", contact.id, "report (1).pdf", io.BytesIO(payload))
    listed = list(hook.list_attachments("Contacts", contact.id))
    assert [a["id"] for a in listed] == [attachment_id] and listed[0]["File_Name"] == "report (1).pdf"
    stored = zoho_admin.session.get(f"{zoho_admin.root_url}/__admin/attachments/{attachment_id}").content
    assert stored == payload
    (note,) = hook.create_notes([{"Note_Title": "n", "Parent_Id": {"module": {"api_name": "Contacts"}, "id": contact.id}}])
    assert hook.upload_attachment("Notes", note.id, "a.txt", io.BytesIO(b"hello"))


def test_users_modules_fields_org_and_picklist_option(hook: ZohoCRMHook) -> None:
    assert [u["email"] for u in hook.list_users()] == ["ann@acme.example"]
    assert hook.current_user()["email"] == "ann@acme.example"
    assert "Contacts" in {m["api_name"] for m in hook.list_modules()}
    lead_source = next(f for f in hook.list_fields("Contacts") if f["api_name"] == "Lead_Source")
    hook.add_picklist_option("Contacts", lead_source["id"], "TimelinesAI")
    values = next(f for f in hook.list_fields("Contacts") if f["api_name"] == "Lead_Source")["pick_list_values"]
    assert "TimelinesAI" in {v["display_value"] for v in values}
    assert hook.get_org()["id"]
