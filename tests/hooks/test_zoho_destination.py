"""ZohoDestination's translation, on its own: Zoho's shapes and codes in, the seam's shapes and failure kinds out.

The hook under it is a stand-in that answers what Zoho answers (its HTTP side has its own tests, and the
end-to-end sync runs the real hook against the emulator).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from timelines_zoho.hooks.errors import RecordResult, WriteOutcomeUnknown, ZohoAPIError
from timelines_zoho.hooks.zoho_destination import ZohoDestination
from timelines_zoho.state import IntegrationSettings
from timelines_zoho.sync.destination import DestinationError, Failure, NewRecord, NoteWrite

SETTINGS = IntegrationSettings(module="Leads", phone_field="Mobile", name_field="Company",
                               chat_link_field="Website", lead_source_field="Lead_Source")


class ZohoAnswers:
    """Answers each hook call with what the test set: a value, or an error raised."""

    def __init__(self, **answers: Any) -> None:
        self.answers, self.sent = answers, {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            self.sent[name] = args
            answer = self.answers[name]
            if isinstance(answer, BaseException):
                raise answer
            return answer

        return call


def _item(status: str, code: str, **details: Any) -> RecordResult:
    return RecordResult.from_item(0, {"status": status, "code": code, "message": "m", "details": details})


def test_records_carry_the_chosen_fields_and_the_owner_by_email() -> None:
    hook = ZohoAnswers(list_users=[{"email": "Ola@Example.com", "id": "u2"}], current_user={"id": "u1"},
                       insert_records=[_item("success", "SUCCESS", id="r1"), _item("success", "SUCCESS", id="r2")])
    dest = ZohoDestination(hook, SETTINGS)
    outcomes = dest.create_records([NewRecord("Ann", "+48600100200", "https://chat/1", "ola@example.com"),
                                    NewRecord("Bob", "+48600100201", "https://chat/2", None)])
    assert [o.id for o in outcomes] == ["r1", "r2"]
    module, bodies = hook.sent["insert_records"]
    assert module == "Leads"
    assert bodies[0] == {"Company": "Ann", "Mobile": "+48600100200", "Lead_Source": "TimelinesAI",
                         "Website": "https://chat/1", "Owner": {"id": "u2"}}
    assert bodies[1]["Owner"] == {"id": "u1"}  # no such user: the connecting one


@pytest.mark.parametrize(("error", "failure", "reason"), [
    (WriteOutcomeUnknown("Zoho CRM", "POST /Leads", "reset"), Failure.UNKNOWN, "the outcome is unknown"),
    (ZohoAPIError(400, "MANDATORY_NOT_FOUND", "required"), Failure.REFUSED, "Zoho error MANDATORY_NOT_FOUND: required"),
])
def test_a_failed_batch_is_one_destination_error_of_its_kind(error: Exception, failure: Failure, reason: str) -> None:
    dest = ZohoDestination(ZohoAnswers(create_notes=error), SETTINGS)
    with pytest.raises(DestinationError) as raised:
        dest.create_notes([NoteWrite("t", "c", record_id="r1")])
    assert raised.value.failure is failure and reason in raised.value.reason


def test_notes_name_their_parent_and_a_deleted_note_or_record_is_said_so() -> None:
    hook = ZohoAnswers(create_notes=[_item("error", "INVALID_DATA", api_name="Parent_Id")],
                       update_notes=[_item("error", "INVALID_DATA", api_name="id"), _item("error", "INVALID_DATA")])
    dest = ZohoDestination(hook, SETTINGS)
    [created] = dest.create_notes([NoteWrite("t", "c", record_id="r1")])
    assert created.failure is Failure.RECORD_GONE
    assert hook.sent["create_notes"][0][0]["Parent_Id"] == {"module": {"api_name": "Leads"}, "id": "r1"}
    gone, refused = dest.update_notes([NoteWrite("t", "c", note_id="n1"), NoteWrite("t", "c", note_id="n2")])
    assert gone.failure is Failure.NOTE_GONE
    assert refused.failure is Failure.REFUSED and refused.reason.startswith("Zoho refused it: INVALID_DATA")


def test_listing_a_deleted_record_notes_is_record_gone_and_other_errors_fail_the_task() -> None:
    gone = ZohoDestination(ZohoAnswers(list_notes=ZohoAPIError(400, "INVALID_DATA", "bad id")), SETTINGS)
    with pytest.raises(DestinationError) as raised:
        gone.record_notes("r1")
    assert raised.value.failure is Failure.RECORD_GONE
    with pytest.raises(ZohoAPIError):
        ZohoDestination(ZohoAnswers(list_notes=ZohoAPIError(401, "INVALID_TOKEN", "no")), SETTINGS).record_notes("r1")


def test_a_garbled_file_listing_offers_nothing_to_adopt() -> None:
    listed = [{"File_Name": "photo.jpg", "Size": "10"}, "garbage", {"id": "", "File_Name": "photo.jpg"},
              {"id": "9001", "File_Name": "photo.jpg", "Size": "ten", "Created_Time": "2026-03-31T10:00:00+02:00"}]
    [only] = ZohoDestination(ZohoAnswers(list_attachments=listed), SETTINGS).note_files("n1")
    assert (only.id, only.name, only.size) == ("9001", "photo.jpg", None)
    with pytest.raises(DestinationError) as raised:
        ZohoDestination(ZohoAnswers(list_attachments=ConnectionResetError()), SETTINGS).note_files("n1")
    assert raised.value.failure is Failure.UNAVAILABLE and raised.value.reason == "ConnectionResetError"


@pytest.mark.parametrize(("answer", "failure"), [
    ("a1", None),
    (ZohoAPIError(413, "FILE_SIZE_EXCEEDS", "big"), Failure.PERMANENT),
    (ZohoAPIError(400, "INVALID_DATA", "bad", {"param_name": "file"}), Failure.PERMANENT),
    (ZohoAPIError(400, "INVALID_DATA", "deleted note", {"id": "n1"}), Failure.REFUSED),
    (ZohoAPIError(500, "INTERNAL_ERROR", "oops"), Failure.UNKNOWN),
    (WriteOutcomeUnknown("Zoho CRM", "POST /Notes/{id}/Attachments", "timeout"), Failure.UNKNOWN),
    (ConnectionResetError(), Failure.UNKNOWN),
])
def test_an_upload_answer_is_stored_refused_for_good_not_stored_or_unknown(answer: Any, failure: Failure | None) -> None:
    outcome = ZohoDestination(ZohoAnswers(upload_attachment=answer), SETTINGS).attach_file("n1", "a.jpg", io.BytesIO())
    assert outcome.failure is failure and (outcome.id == "a1" if failure is None else outcome.reason)
