"""Zoho CRM as the sync's destination: every Zoho field name, error code and query the loaders rely on.

The loaders speak sync/destination.py; this maps it onto ZohoCRMHook. Record fields follow the integration's
settings (adding a mapped field: the setting, `_record_fields` here, and the settings page). Zoho's errors become
the seam's failure kinds: a batch whose answer was lost is UNKNOWN, a batch Zoho answered with an error is
REFUSED, and an item refused because its note or its record was deleted says so (INVALID_DATA naming `id` or
`Parent_Id`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator, Sequence
from typing import IO, Any

from timelines_zoho.hooks.errors import RecordResult, WriteOutcomeUnknown, ZohoAPIError
from timelines_zoho.hooks.queries import BATCH_SIZE
from timelines_zoho.hooks.zoho_verdicts import ZOHO_NOTE_FILE_LIMIT, not_applied, permanent_refusal, too_large
from timelines_zoho.state import IntegrationSettings
from timelines_zoho.sync.destination import (
    DestinationError,
    Failure,
    FileRef,
    NewRecord,
    NoteRef,
    NoteWrite,
    Outcome,
    RecordRef,
)

log = logging.getLogger(__name__)
LEAD_SOURCE = "TimelinesAI"
PERSON_MODULES = ("Contacts", "Leads")
UNKNOWN_OUTCOME = "; whether Zoho stored it is unknown, so the note's files are checked before it is sent again"


def match_fields(settings: IntegrationSettings) -> list[str]:
    """Return the phone fields the index reads: the chosen one, plus Phone and Mobile for Contacts and Leads."""
    fields = [settings.phone_field or "Phone"]
    if (settings.module or "Contacts") in ("Contacts", "Leads"):
        fields += ["Phone", "Mobile"]
    return list(dict.fromkeys(fields))


def refused(result: RecordResult) -> str:
    """Say in words why Zoho refused one record."""
    detail = f" ({result.details})" if result.details else ""
    return f"Zoho refused it: {result.code}: {result.message}{detail}"


def _gone(result: RecordResult, field: str) -> bool:
    """Tell whether Zoho refused a write because the note (`id`) or its record (`Parent_Id`) no longer exists."""
    return result.code == "INVALID_DATA" and (result.details or {}).get("api_name") == field


def _outcome(result: RecordResult, gone_field: str | None = None, gone: Failure | None = None) -> Outcome:
    if result.ok:
        return Outcome(id=result.id)
    if gone_field and gone and _gone(result, gone_field):
        return Outcome(failure=gone, reason=refused(result))
    return Outcome(failure=Failure.REFUSED, reason=refused(result))


@contextlib.contextmanager
def _batch_errors() -> Iterator[None]:
    """Turn a batch write's lost answer into UNKNOWN and Zoho's error answer into REFUSED."""
    try:
        yield
    except WriteOutcomeUnknown as error:
        raise DestinationError(Failure.UNKNOWN, str(error)) from error
    except ZohoAPIError as error:
        raise DestinationError(Failure.REFUSED, f"Zoho error {error.code}: {error.message}") from error


def _size(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ZohoDestination:
    """The sync's destination on one Zoho org, for the module and fields the settings chose."""

    batch_size = BATCH_SIZE
    file_limit = ZOHO_NOTE_FILE_LIMIT
    too_large = staticmethod(too_large)

    def __init__(self, hook: Any, settings: IntegrationSettings) -> None:
        self.hook, self.settings = hook, settings
        self.module = settings.module or "Contacts"
        self.name_field = settings.name_field or "Last_Name"
        # A person's name in Contacts and Leads is First_Name + Last_Name; Zoho's read-only Full_Name joins them, so
        # a linked "John Smith" is titled "John Smith", not "Smith". Our own records carry no First_Name.
        self.display_field = "Full_Name" if (self.module in PERSON_MODULES and self.name_field == "Last_Name") \
            else self.name_field
        self.phone_fields = match_fields(settings)

    # -- records -----------------------------------------------------------------------------------------

    def _ref(self, row: dict[str, Any]) -> RecordRef:
        phones = tuple(row[f] for f in self.phone_fields if isinstance(row.get(f), str))
        return RecordRef(str(row["id"]), phones, self._name(row), row.get("Modified_Time"))

    def _name(self, row: dict[str, Any]) -> str | None:
        return row.get(self.display_field) or row.get(self.name_field)

    def find_records(self, phone: str) -> list[RecordRef]:
        # Only the chosen phone field is compared, as the search's matches must be the index's.
        field = self.settings.phone_field
        return [RecordRef(str(r["id"]), (r[field],) if isinstance(r.get(field), str) else (), self._name(r))
                for r in self.hook.search_records(self.module, phone=phone)]

    def records_changed_since(self, watermark: str | None) -> Iterator[RecordRef]:
        fields = ", ".join(dict.fromkeys(["id", *self.phone_fields, self.name_field, self.display_field,
                                          "Modified_Time"]))
        if watermark:
            # >= rather than >: records saved in the same second as the watermark are read again, never missed.
            query = f"select {fields} from {self.module} where Modified_Time >= {self.hook.coql_quote(watermark)}"
        else:
            query = f"select {fields} from {self.module} where id is not null"
        return (self._ref(row) for row in self.hook.coql(query))

    @functools.cached_property
    def _owners(self) -> tuple[dict[str, str], str | None]:
        """Active users by lower-cased email, and the connecting user: read once, when a record is created."""
        owners = {
            str(user.get("email", "")).strip().lower(): str(user["id"])
            for user in self.hook.list_users("ActiveUsers")
            if user.get("email") and user.get("id")
        }
        current = self.hook.current_user()
        return owners, str(current["id"]) if current else None

    def owner_for(self, email: str | None) -> str | None:
        """Return the Zoho user with this email, else the connecting user."""
        owners, current = self._owners
        return owners.get((email or "").strip().lower()) or current

    def _record_fields(self, record: NewRecord) -> dict[str, Any]:
        """The one place a chat's values meet Zoho field names."""
        s = self.settings
        fields: dict[str, Any] = {
            self.name_field: record.name,
            s.phone_field or "Phone": record.phone_e164,
            s.lead_source_field or "Lead_Source": LEAD_SOURCE,
            s.chat_link_field or "Description": record.chat_url,
        }
        owner = self.owner_for(record.owner_email)
        if owner:
            fields["Owner"] = {"id": owner}
        return fields

    def create_records(self, records: Sequence[NewRecord]) -> list[Outcome]:
        with _batch_errors():  # reading the owners is part of the batch: its error defers the batch too
            results = self.hook.insert_records(self.module, [self._record_fields(r) for r in records])
        return [_outcome(r) for r in results]

    def rename_records(self, names: Sequence[tuple[str, str]]) -> list[Outcome]:
        try:
            results = self.hook.update_records(self.module, [{"id": rid, self.name_field: n} for rid, n in names])
        except WriteOutcomeUnknown as error:
            raise DestinationError(Failure.UNKNOWN, str(error)) from error
        return [_outcome(r) for r in results]

    # -- notes -------------------------------------------------------------------------------------------

    def create_notes(self, notes: Sequence[NoteWrite]) -> list[Outcome]:
        bodies = [{"Note_Title": n.title, "Note_Content": n.content,
                   "Parent_Id": {"module": {"api_name": self.module}, "id": n.record_id}} for n in notes]
        with _batch_errors():
            results = self.hook.create_notes(bodies)
        return [_outcome(r, "Parent_Id", Failure.RECORD_GONE) for r in results]

    def update_notes(self, notes: Sequence[NoteWrite]) -> list[Outcome]:
        bodies = [{"Note_Title": n.title, "Note_Content": n.content, "id": n.note_id} for n in notes]
        with _batch_errors():
            results = self.hook.update_notes(bodies)
        return [_outcome(r, "id", Failure.NOTE_GONE) for r in results]

    def record_notes(self, record_id: str) -> list[NoteRef]:
        try:
            listed = list(self.hook.list_notes(self.module, record_id))
        except ZohoAPIError as error:
            if error.code != "INVALID_DATA":  # anything but "no such record" fails the task
                raise
            raise DestinationError(Failure.RECORD_GONE, f"record {record_id} was deleted") from error
        return [NoteRef(str(n["id"]), n.get("Note_Title"), n.get("Note_Content") or "") for n in listed]

    # -- files -------------------------------------------------------------------------------------------

    def note_files(self, note_id: str) -> list[FileRef]:
        try:
            listed = list(self.hook.list_attachments("Notes", note_id))
        except (ZohoAPIError, OSError) as error:
            why = f"{error.code}: {error.message}" if isinstance(error, ZohoAPIError) else type(error).__name__
            raise DestinationError(Failure.UNAVAILABLE, why) from error
        # An entry without an id (a garbled listing) can never be adopted, so it is not listed.
        return [FileRef(str(a["id"]), a.get("File_Name"), _size(a.get("Size")), str(a.get("Created_Time") or ""))
                for a in listed if isinstance(a, dict) and a.get("id")]

    def attach_file(self, note_id: str, filename: str, stream: IO[bytes]) -> Outcome:
        try:
            return Outcome(id=self.hook.upload_attachment("Notes", note_id, filename, stream))
        except WriteOutcomeUnknown as error:  # the transport's verdict: sent, and no readable answer came back
            return Outcome(failure=Failure.UNKNOWN, reason=str(error) + UNKNOWN_OUTCOME)
        except ZohoAPIError as error:
            reason = permanent_refusal(error)
            if reason is not None:
                return Outcome(failure=Failure.PERMANENT, reason=reason)
            why = f"Zoho error {error.code}: {error.message}"
            if not_applied(error):
                return Outcome(failure=Failure.REFUSED, reason=why)
            return Outcome(failure=Failure.UNKNOWN, reason=why + UNKNOWN_OUTCOME)
        except OSError as error:  # the connection broke after the file was sent (requests' errors are OSErrors)
            return Outcome(failure=Failure.UNKNOWN,
                           reason=f"the upload got no answer ({type(error).__name__})" + UNKNOWN_OUTCOME)


