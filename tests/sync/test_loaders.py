"""The loaders on their own, against the in-memory destination: batches, refusals, lost answers, deleted records.

Each test drives a loader with a real state store (SQLite) and checks what the destination holds and what the
run recorded. The end-to-end tests do the same through the Zoho emulator.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pandas as pd
import pytest
from fake_destination import FakeDestination

from timelines_zoho.state import NoteDay, NoteKey, StateStore
from timelines_zoho.sync.destination import NoteWrite
from timelines_zoho.sync.items import Items
from timelines_zoho.sync.load_attachments import AttachmentLoader
from timelines_zoho.sync.load_contacts import ContactLoader
from timelines_zoho.sync.load_notes import NoteLoader
from timelines_zoho.sync.phone_index import refresh_index
from timelines_zoho.transform.phones import whatsapp_phone_keys

DAY = "2026-03-31"


def _contacts(*phones: str) -> pd.DataFrame:
    return pd.DataFrame([
        {"chat_id": f"c{n}", "name": f"Person {n}", "phone_e164": phone, "match_keys": whatsapp_phone_keys(phone),
         "is_primary": True, "chat_url": f"https://app.timelines.ai/chat/c{n}/", "owner_email": None,
         "has_whatsapp_name": True}
        for n, phone in enumerate(phones)
    ])


def _bundles(*chat_ids: str, attachments: dict[str, list[dict]] | None = None) -> pd.DataFrame:
    return pd.DataFrame([
        {"chat_id": chat_id, "day": DAY, "part": 1, "parts": 1, "title": f"WhatsApp {DAY}",
         "content": f"https://app.timelines.ai/chat/{chat_id}/\n10:00 hello",
         "attachments": (attachments or {}).get(chat_id, [])}
        for chat_id in chat_ids
    ])


PHONES = [f"+4860010{n:04d}" for n in range(7)]


def _kept(store: StateStore, items: Items) -> Items:
    """Write the step's quarantine changes, as a task's flush does."""
    for kind, ids in items.to_release.items():
        store.release(kind, ids)
    store.quarantine(items.to_quarantine)
    return items


def _load_contacts(store: StateStore, dest: FakeDestination, contacts: pd.DataFrame, token: str = "t1") -> Items:
    items = Items()
    ContactLoader(dest, store, items, token=token).load(contacts)
    return _kept(store, items)


def _load_notes(store: StateStore, dest: FakeDestination, bundles: pd.DataFrame) -> Items:
    items = Items()
    NoteLoader(dest, store, items, token="notes").load(bundles)
    return _kept(store, items)


def _outcomes(items: Items, kind: str) -> dict[str, tuple[str, str | None]]:
    return {item_id: (outcome, reason) for k, item_id, outcome, reason in items.outcomes if k == kind}


# -- contacts ------------------------------------------------------------------------------------------------


def test_contacts_are_created_in_batches_of_the_destination_size(store: StateStore) -> None:
    dest = FakeDestination(batch_size=3)
    items = _load_contacts(store, dest, _contacts(*PHONES))
    assert [n for method, n in dest.calls if method == "create_records"] == [3, 3, 1]
    assert {outcome for outcome, _ in _outcomes(items, "contact").values()} == {"created"}
    assert len(dest.records) == 7 and len(store.links([f"c{n}" for n in range(7)])) == 7


def test_a_refused_contact_is_recorded_with_its_reason_and_quarantined(store: StateStore) -> None:
    dest = FakeDestination(refuse=lambda item: "a validation rule" if getattr(item, "name", "") == "Person 1" else None)
    items = _load_contacts(store, dest, _contacts(*PHONES[:3]))
    assert _outcomes(items, "contact")["c1"] == ("failed", "a validation rule")
    assert ("chat", "c1", "c1", "a validation rule") in items.to_quarantine
    assert set(store.links(["c0", "c1", "c2"])) == {"c0", "c2"}


def test_a_create_whose_answer_was_lost_is_found_by_phone_not_created_twice(store: StateStore) -> None:
    dest = FakeDestination(lose_answer_of={"create_records"})
    first = _load_contacts(store, dest, _contacts(PHONES[0]), token="run-1")
    assert _outcomes(first, "contact")["c0"][0] == "deferred" and len(dest.records) == 1  # applied, answer lost

    second = _load_contacts(store, dest, _contacts(PHONES[0]), token="run-2")
    assert _outcomes(second, "contact")["c0"] == ("created", None)
    assert ("find_records", 1) in dest.calls and len(dest.records) == 1
    assert store.links(["c0"])["c0"].record_id == next(iter(dest.records))


def test_a_lost_rename_is_deferred_and_sent_again_by_the_next_run(store: StateStore) -> None:
    dest = FakeDestination()
    _load_contacts(store, dest, _contacts(PHONES[0]))
    renamed = _contacts(PHONES[0]).assign(name="Anna Nowak")
    dest.lose_answer_of.add("rename_records")
    assert _outcomes(_load_contacts(store, dest, renamed, token="t2"), "contact")["c0"][0] == "deferred"
    assert _outcomes(_load_contacts(store, dest, renamed, token="t3"), "contact")["c0"] == ("renamed", None)


# -- notes ---------------------------------------------------------------------------------------------------


def _linked(store: StateStore, dest: FakeDestination, count: int) -> list[str]:
    _load_contacts(store, dest, _contacts(*PHONES[:count]))
    return [f"c{n}" for n in range(count)]


def test_notes_are_written_in_batches_and_an_unchanged_note_costs_no_call(store: StateStore) -> None:
    dest = FakeDestination(batch_size=2)
    chats = _linked(store, dest, 5)
    items = _load_notes(store, dest, _bundles(*chats))
    assert [n for method, n in dest.calls if method == "create_notes"] == [2, 2, 1]
    assert {o for o, _ in _outcomes(items, "note").values()} == {"created"}
    calls = len(dest.calls)
    again = _load_notes(store, dest, _bundles(*chats))
    assert {o for o, _ in _outcomes(again, "note").values()} == {"unchanged"} and len(dest.calls) == calls


def test_a_note_create_whose_answer_was_lost_is_adopted_from_the_record_notes(store: StateStore) -> None:
    dest = FakeDestination()
    [chat] = _linked(store, dest, 1)
    dest.lose_answer_of.add("create_notes")
    first = _load_notes(store, dest, _bundles(chat))
    key = NoteKey(chat, DAY, 1)
    assert _outcomes(first, "note")[key.item_id][0] == "deferred"
    assert store.quarantined("note")[0].note_day == NoteDay(chat, DAY)

    second = _load_notes(store, dest, _bundles(chat))
    assert _outcomes(second, "note")[key.item_id] == ("updated", None)
    assert len(dest.notes) == 1 and store.notes([key])[key].note_id == next(iter(dest.notes))
    assert store.quarantined("note") == []


def test_a_refused_note_is_failed_with_its_reason_and_its_day_quarantined(store: StateStore) -> None:
    dest = FakeDestination(refuse=lambda item: "too long" if isinstance(item, NoteWrite) else None)
    [chat] = _linked(store, dest, 1)
    items = _load_notes(store, dest, _bundles(chat))
    assert _outcomes(items, "note")[NoteKey(chat, DAY, 1).item_id] == ("failed", "too long")
    assert [(q.note_day, q.reason) for q in store.quarantined("note")] == [(NoteDay(chat, DAY), "too long")]


def test_a_note_deleted_in_the_crm_is_created_again(store: StateStore) -> None:
    dest = FakeDestination()
    [chat] = _linked(store, dest, 1)
    _load_notes(store, dest, _bundles(chat))
    dest.notes.clear()
    items = _load_notes(store, dest, _bundles(chat).assign(content=lambda f: f["content"] + "\n10:05 more"))
    assert _outcomes(items, "note")[NoteKey(chat, DAY, 1).item_id] == ("recreated", None)
    assert len(dest.notes) == 1


def test_a_deleted_record_is_forgotten_and_its_phone_matches_the_record_made_again(store: StateStore) -> None:
    dest = FakeDestination()
    [chat] = _linked(store, dest, 1)
    refresh_index(dest, store)
    [old] = dest.records
    dest.delete_record(old)
    items = _load_notes(store, dest, _bundles(chat))
    assert _outcomes(items, "note")[NoteKey(chat, DAY, 1).item_id][0] == "deferred"
    assert store.links([chat]) == {} and store.index_records([old]) == {}

    new = dest.add_record(PHONES[0], "Person 0")  # a person makes the contact again in the CRM
    refresh_index(dest, store)
    relinked = _load_contacts(store, dest, _contacts(PHONES[0]), token="t2")
    assert _outcomes(relinked, "contact")["c0"] == ("linked", None)  # one match: the old record left the index
    assert store.links([chat])[chat].record_id == new


# -- attachments ---------------------------------------------------------------------------------------------


class FakeSource:
    """TimelinesAI's side of an attachment: a download with its declared size and bytes."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    @contextmanager
    def open_attachment(self, uid: str, url: Any):  # noqa: ANN201 - a context manager of a download
        data = self.files[uid]

        class Download:
            size = len(data)

            def chunks(self) -> Any:
                yield data

        yield Download()


def _with_note(store: StateStore, dest: FakeDestination, files: dict[str, bytes]) -> tuple[pd.DataFrame, str]:
    [chat] = _linked(store, dest, 1)
    attachments = {chat: [{"message_uid": uid, "filename": f"{uid}.jpg", "url": None} for uid in files]}
    bundles = _bundles(chat, attachments=attachments)
    _load_notes(store, dest, bundles)
    return bundles, next(iter(dest.notes))


def _load_files(store: StateStore, dest: FakeDestination, bundles: pd.DataFrame, files: dict[str, bytes]) -> Items:
    items = Items()
    AttachmentLoader(FakeSource(files), dest, store, items, token="files").load(bundles)
    return _kept(store, items)


@pytest.mark.parametrize("lost", [False, True])
def test_a_file_whose_upload_answer_was_lost_is_adopted_not_sent_again(store: StateStore, lost: bool) -> None:
    files = {"m1": b"x" * 10}
    dest = FakeDestination()
    bundles, note_id = _with_note(store, dest, files)
    if lost:
        dest.lose_answer_of.add("attach_file")
        assert _outcomes(_load_files(store, dest, bundles, files), "attachment")["m1"][0] == "failed"
        assert store.attachments(["m1"])["m1"].status == "pending"
    items = _load_files(store, dest, bundles, files)
    assert _outcomes(items, "attachment")["m1"] == ("uploaded", None)
    assert len(dest.files[note_id]) == 1 and store.attachments(["m1"])["m1"].attachment_id == dest.files[note_id][0].id


def test_files_the_crm_never_takes_are_refused_once_and_listed_in_the_note(store: StateStore) -> None:
    files = {"m1": b"x" * 2000, "m2": b"y" * 10}  # m1 is over the fake's limit, m2 is refused for itself
    dest = FakeDestination(refuse=lambda item: "no such type" if item == "m2.jpg" else None)
    bundles, note_id = _with_note(store, dest, files)
    items = _load_files(store, dest, bundles, files)
    assert _outcomes(items, "attachment") == {"m1": ("refused", dest.too_large(2000)), "m2": ("refused", "no such type")}
    content = dest.notes[note_id][1].content
    assert "m1.jpg" in content and "m2.jpg" in content and "no such type" in content
    assert [m for m, _ in dest.calls].count("attach_file") == 1
    _load_files(store, dest, bundles, files)
    assert [m for m, _ in dest.calls].count("attach_file") == 1, "a refused file is never sent again"


def test_the_zoho_destination_is_a_destination() -> None:
    """The protocol and the Zoho implementation stay in step (a method renamed on one side fails here)."""
    from timelines_zoho.hooks.zoho_destination import ZohoDestination
    from timelines_zoho.sync.destination import Destination

    wanted = {name for name in dir(Destination) if not name.startswith("_")} | set(Destination.__annotations__)
    assert wanted <= {name for name in dir(ZohoDestination) if not name.startswith("_")}
    assert wanted <= {name for name in dir(FakeDestination) if not name.startswith("_")} | {"batch_size", "file_limit"}
