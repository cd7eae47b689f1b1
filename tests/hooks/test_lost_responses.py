"""Writes whose answer is lost are never resent blind; unreadable pages are errors, never "the end of the data".

Each fault comes from the emulators' tamper rules: the call is handled (a write is applied), then its answer is
cut off, held past the client's timeout, or replaced by HTML or truncated JSON with status 200.
"""

from __future__ import annotations

import pytest
import requests

from timelines_zoho.hooks import (
    FileTokenCache,
    TimelinesAIHook,
    UnreadableResponse,
    WriteOutcomeUnknown,
    ZohoAPIError,
    ZohoCRMHook,
)
from timelines_zoho.hooks.transport import sent_nothing

CONN = "zoho_crm_test"
NOTES = r"/crm/v8/Notes$"
CONTACTS = r"/crm/v8/Contacts$"


@pytest.fixture
def hook(zoho_connect, tmp_path, policy) -> ZohoCRMHook:
    zoho_connect()
    return ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path), retry_policy=policy, timeout=(5.0, 1.0))


@pytest.fixture
def record_id(hook: ZohoCRMHook) -> str:
    (result,) = hook.insert_records("Contacts", [{"Last_Name": "Parent"}], trigger=[])
    return str(result.id)


def contacts_in(admin) -> int:
    return admin.stats()["records"]["Contacts"]


def note(record: str, title: str = "Chat (31/03/2026)") -> dict:
    return {"Note_Title": title, "Note_Content": "x", "Parent_Id": {"module": {"api_name": "Contacts"}, "id": record}}


@pytest.mark.parametrize("mode", ["reset", "timeout", "html", "truncated"])
def test_lost_response_on_contacts_insert_is_not_resent(zoho_admin, hook: ZohoCRMHook, mode: str) -> None:
    hook.get_org()  # the token is minted before the fault is armed
    zoho_admin.tamper({"path": CONTACTS, "method": "POST", "mode": mode, "count": 1, "delay": 2.0})
    with pytest.raises(WriteOutcomeUnknown) as caught:
        hook.insert_records("Contacts", [{"Last_Name": f"N{i}"} for i in range(19)], trigger=[])
    assert contacts_in(zoho_admin) == 19, "the batch was applied once, and never sent again"
    assert (caught.value.vendor, caught.value.endpoint) == ("Zoho CRM", "POST /Contacts")
    assert "oauthtoken" not in str(caught.value) and "http" not in str(caught.value)


@pytest.mark.parametrize("mode", ["reset", "html"])
def test_lost_response_on_notes_create_is_not_resent(zoho_admin, hook: ZohoCRMHook, record_id: str,
                                                     mode: str) -> None:
    zoho_admin.tamper({"path": NOTES, "method": "POST", "mode": mode, "count": 1})
    with pytest.raises(WriteOutcomeUnknown):
        hook.create_notes([note(record_id, f"Day {i}") for i in range(78)])
    assert len(zoho_admin.state()["records"]["Notes"]) == 78


def test_lost_response_on_upload_is_not_resent(zoho_admin, hook: ZohoCRMHook, record_id: str) -> None:
    import io

    zoho_admin.tamper({"path": r"/Attachments$", "method": "POST", "mode": "reset", "count": 1})
    with pytest.raises(WriteOutcomeUnknown):
        hook.upload_attachment("Contacts", record_id, "photo.jpg", io.BytesIO(b"jpeg bytes"))
    assert len(zoho_admin.state()["attachments"]) == 1


def test_429_and_503_on_a_write_are_resent_since_zoho_did_not_apply_them(zoho_admin, hook: ZohoCRMHook,
                                                                         sleep) -> None:
    hook.get_org()
    zoho_admin.faults(rate_limit_rate=0.3, seed=3)
    results = [hook.insert_records("Contacts", [{"Last_Name": f"R{i}"}], trigger=[]) for i in range(6)]
    zoho_admin.faults(rate_limit_rate=0.0)
    assert all(r.ok for (r,) in results) and len(sleep.waits) > 0
    assert contacts_in(zoho_admin) == 6


def test_500_on_a_write_is_an_unknown_outcome_not_a_resend(zoho_admin, hook: ZohoCRMHook, sleep) -> None:
    hook.get_org()
    zoho_admin.faults(error_rate=1.0)
    with pytest.raises(WriteOutcomeUnknown):
        hook.insert_records("Contacts", [{"Last_Name": "Once"}], trigger=[])
    zoho_admin.faults(error_rate=0.0)
    assert zoho_admin.stats()["calls"]["POST /crm/v8/Contacts"] == 1 and sleep.waits == []


def test_a_refused_connection_provably_sent_nothing() -> None:
    with pytest.raises(requests.ConnectionError) as caught:
        requests.post("http://127.0.0.1:9/crm/v8/Contacts", json={}, timeout=2)
    assert sent_nothing(caught.value)
    assert not sent_nothing(requests.ConnectionError("Connection aborted."))  # a reset after sending


def test_reads_are_still_retried_after_a_reset(zoho_admin, hook: ZohoCRMHook, sleep) -> None:
    hook.get_org()
    zoho_admin.tamper({"path": r"/crm/v8/org$", "mode": "reset", "count": 2})
    assert hook.get_org()["id"] and len(sleep.waits) == 2


def test_coql_is_a_read_and_is_retried_after_a_garbled_200(zoho_admin, hook: ZohoCRMHook, sleep) -> None:
    hook.insert_records("Contacts", [{"Last_Name": f"Q{i}"} for i in range(3)], trigger=[])
    zoho_admin.tamper({"path": r"/crm/v8/coql$", "mode": "html", "count": 1})
    rows = list(hook.coql("select Last_Name from Contacts where Last_Name like 'Q%'"))
    assert len(rows) == 3 and len(sleep.waits) == 1


@pytest.mark.parametrize("mode", ["html", "truncated"])
def test_garbled_coql_page_fails_with_vendor_endpoint_and_status_not_empty(zoho_admin, hook: ZohoCRMHook,
                                                                           mode: str) -> None:
    hook.insert_records("Contacts", [{"Last_Name": f"Q{i}"} for i in range(3)], trigger=[])
    zoho_admin.tamper({"path": r"/crm/v8/coql$", "mode": mode, "count": 99})
    with pytest.raises(UnreadableResponse) as caught:
        list(hook.coql("select Last_Name from Contacts where Last_Name like 'Q%'"))
    assert (caught.value.vendor, caught.value.endpoint, caught.value.status) == ("Zoho CRM", "POST /coql", 200)


def test_garbled_page_two_of_zoho_records_fails_the_task_not_truncates(zoho_admin, hook: ZohoCRMHook) -> None:
    zoho_admin.seed(records={"Contacts": [{"Last_Name": f"L{i:03d}"} for i in range(450)]})
    zoho_admin.tamper({"path": r"/crm/v8/Contacts$", "method": "GET", "mode": "html", "after": 1, "count": 99})
    with pytest.raises(UnreadableResponse) as caught:
        list(hook.list_records("Contacts", ["Last_Name"]))
    assert "GET /Contacts" in str(caught.value) and "200" in str(caught.value)


def test_garbled_page_two_of_zoho_records_once_is_retried_and_complete(zoho_admin, hook: ZohoCRMHook) -> None:
    zoho_admin.seed(records={"Contacts": [{"Last_Name": f"L{i:03d}"} for i in range(450)]})
    zoho_admin.tamper({"path": r"/crm/v8/Contacts$", "method": "GET", "mode": "truncated", "after": 1, "count": 1})
    assert len(list(hook.list_records("Contacts", ["Last_Name"]))) == 450


def test_garbled_notes_list_is_an_error_not_no_notes(zoho_admin, hook: ZohoCRMHook, record_id: str) -> None:
    hook.create_notes([note(record_id)])
    zoho_admin.tamper({"path": r"/Notes$", "method": "GET", "mode": "html", "count": 99})
    with pytest.raises(UnreadableResponse):
        list(hook.list_notes("Contacts", record_id))


def test_unreadable_200_on_notes_create_raises_outcome_unknown(zoho_admin, hook: ZohoCRMHook,
                                                                record_id: str) -> None:
    zoho_admin.tamper({"path": NOTES, "method": "POST", "mode": "truncated", "count": 1})
    with pytest.raises(WriteOutcomeUnknown):
        hook.create_notes([note(record_id)])


def test_zoho_refusal_of_a_write_is_still_a_typed_error(hook: ZohoCRMHook) -> None:
    with pytest.raises(ZohoAPIError):
        hook.upload_attachment("Contacts", "1234567", "x.txt", __import__("io").BytesIO(b"x"))


# -- TimelinesAI pages ----------------------------------------------------------------------------------------


@pytest.fixture
def timelines(timelines_admin, set_connection, policy) -> TimelinesAIHook:
    timelines_admin.reset()
    set_connection("timelines_ai_test", conn_type="timelines_ai", host=timelines_admin.api_url,
                   password=timelines_admin.tokens()["owner"])
    yield TimelinesAIHook(timelines_conn_id="timelines_ai_test", retry_policy=policy)
    timelines_admin.reset()


@pytest.mark.parametrize("mode", ["html", "truncated"])
def test_garbled_page_two_of_messages_fails_the_task_not_truncates(timelines_admin, timelines: TimelinesAIHook,
                                                                    mode: str) -> None:
    chat = next(timelines.iter_chats(group=False))
    timelines_admin.add_messages(chat["id"], [{"text": f"m{i}", "ts": 1_700_000_000 + i} for i in range(130)])
    timelines_admin.tamper({"path": r"/messages$", "mode": mode, "after": 1, "count": 99})
    with pytest.raises(UnreadableResponse) as caught:
        list(timelines.iter_messages(chat["id"]))
    assert (caught.value.vendor, caught.value.endpoint, caught.value.status) == (
        "TimelinesAI", "GET /chats/{id}/messages", 200)


def test_garbled_page_two_of_messages_once_is_retried_and_complete(timelines_admin,
                                                                   timelines: TimelinesAIHook) -> None:
    chat = next(timelines.iter_chats(group=False))
    timelines_admin.add_messages(chat["id"], [{"text": f"m{i}", "ts": 1_700_000_000 + i} for i in range(130)])
    everything = list(timelines.iter_messages(chat["id"]))
    timelines_admin.tamper({"path": r"/messages$", "mode": "html", "after": 1, "count": 1})
    assert list(timelines.iter_messages(chat["id"])) == everything


def test_garbled_page_of_chats_fails_not_ends(timelines_admin, timelines: TimelinesAIHook) -> None:
    timelines_admin.tamper({"path": r"/chats$", "mode": "html", "after": 1, "count": 99})
    with pytest.raises(UnreadableResponse):
        list(timelines.iter_chats())
