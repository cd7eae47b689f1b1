"""End to end with `dag.test()` against both emulators: one test per behaviour of PRODUCT.md's "How contacts
sync" and "How chats sync", each checking Zoho's resulting state (the emulator's admin dump)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import date
from typing import Any

import pytest
from sync_support import SPECIAL_NAMES, Sync, absolute, chats_by_url, notes_of, wire, workspace

FIRST, LAST = date(2026, 3, 18), date(2026, 3, 31)
TITLE = re.compile(r"^WhatsApp chat with .+ \((\d\d)/(\d\d)/(\d{4})\)$")


@pytest.fixture(scope="module")
def synced(emulators, tmp_path_factory) -> Any:
    """Two weeks of a generated workspace synced by one DAG run."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        sync = wire(emulators, tmp_path_factory.mktemp("e2e"), monkeypatch, chats=60, messages=1200, days=14,
                    zoho_contacts=40)
        seeded = sync.dump()
        calls_before = sync.zoho.stats()["calls"]
        summary = sync.run_days(FIRST, LAST)
        calls_after = sync.zoho.stats()["calls"]
        yield {"sync": sync, "summary": summary, "seeded": seeded, "dump": sync.dump(),
               "calls": sum(calls_after.values()) - sum(calls_before.values()),
               "chats": workspace(), "monkeypatch": monkeypatch}


def _contacts(dump: dict) -> list[dict]:
    return dump["records"]["Contacts"]


def _created(dump: dict) -> list[dict]:
    """Records the sync created (the activation's test contact, chat 0, is not one)."""
    return [c for c in _contacts(dump) if c.get("Lead_Source") == "TimelinesAI"
            and c.get("Description") and "/chat/0/" not in c["Description"]]


def _issues(summary: dict, kind: str | None = None) -> dict[str, str]:
    return {i["id"]: i["reason"] for i in summary["issues"] if kind is None or i["kind"] == kind}


def test_chats_matching_a_zoho_phone_are_linked_not_created(synced) -> None:
    dump, seeded = synced["dump"], synced["seeded"]
    # The night-shift chat's +34612345678 is stored in Zoho as "0034612345678".
    stored = [c["id"] for c in _contacts(seeded) if "0034612345678" in (c.get("Phone"), c.get("Mobile"))]
    assert len(stored) == 1
    assert not [c for c in _created(dump) if c["Mobile"] == "+34612345678"]
    assert notes_of(dump, stored[0]), "the chat's notes must sit on the existing record"
    assert synced["summary"]["counts"]["contacts_linked"] >= 1


def test_unmatched_chats_create_records_with_e164_numbers(synced) -> None:
    created = _created(synced["dump"])
    assert len(created) == synced["summary"]["counts"]["contacts_created"] > 0
    assert all(re.fullmatch(r"\+[1-9]\d{6,14}", c["Mobile"]) for c in created)
    assert len({c["Mobile"] for c in created}) == len(created), "one record per phone"


def test_groups_broadcasts_and_newsletters_are_never_synced(synced) -> None:
    names = {c.get("Last_Name") for c in _contacts(synced["dump"])}
    for key in ("group", "broadcast", "newsletter"):
        assert SPECIAL_NAMES[key] not in names
    reasons = " | ".join(_issues(synced["summary"], "chat").values())
    for word in ("group chat", "broadcast list", "newsletter"):
        assert word in reasons


def test_owner_is_the_account_owners_zoho_user_else_the_connecting_user(synced) -> None:
    dump, chats = synced["dump"], chats_by_url(synced["chats"])
    zoho_emails = {u["email"] for u in dump["users"]}
    fallback = 0
    for record in _created(dump):
        owner_email = chats[record["Description"]]["owner_email"]
        if owner_email in zoho_emails:
            assert record["Owner"]["email"] == owner_email
        else:
            fallback += 1
            assert record["Owner"]["email"] == synced["dump"]["org"]["primary_email"]
    assert fallback, "the scenario has an account owner without a Zoho user (Tom Baker)"


def test_name_is_the_whatsapp_name_or_new_whatsapp_contact(synced) -> None:
    chats = chats_by_url(synced["chats"])
    placeholders = 0
    for record in _created(synced["dump"]):
        chat = chats[record["Description"]]
        if record["Last_Name"].startswith("New WhatsApp contact: "):
            placeholders += 1
            assert record["Last_Name"] == f"New WhatsApp contact: {record['Mobile']}"
        else:
            assert record["Last_Name"] == chat["name"].strip()
    assert placeholders >= 1, "the unnamed chat (+447700900123) gets the placeholder name"


def test_created_records_carry_lead_source_and_absolute_chat_link(synced) -> None:
    for record in _created(synced["dump"]):
        assert record["Lead_Source"] == "TimelinesAI"
        assert re.fullmatch(r"https?://.+/chat/\d+/messages/", record["Description"])


def test_one_note_per_chat_and_day_titled_with_the_date(synced) -> None:
    notes = synced["dump"]["records"]["Notes"]
    assert notes
    per_parent_title = Counter((n["Parent_Id"]["id"], n["Note_Title"]) for n in notes)
    assert max(per_parent_title.values()) == 1
    for note in notes:
        assert TITLE.match(note["Note_Title"]) and len(note["Note_Title"]) <= 120
    assert synced["summary"]["counts"]["notes_created"] == len(notes) - 0


def test_notes_carry_the_chat_url(synced) -> None:
    urls = {absolute(c["chat_url"]) for c in synced["chats"]}
    for note in synced["dump"]["records"]["Notes"]:
        assert any(url in note["Note_Content"] for url in urls)


def test_midnight_and_dst_night_split_into_the_right_days(synced) -> None:
    dump = synced["dump"]
    url = next(absolute(c["chat_url"]) for c in synced["chats"] if c.get("phone") == "+34612345678")
    notes = {n["Note_Title"][-11:-1]: n["Note_Content"] for n in dump["records"]["Notes"] if url in n["Note_Content"]}
    evening, morning = notes["28/03/2026"], notes["29/03/2026"]
    times_evening = re.findall(r"^(\d\d):(\d\d) ", evening, re.M)
    times_morning = re.findall(r"^(\d\d):(\d\d) ", morning, re.M)
    assert times_evening and times_morning
    assert all(h >= "22" for h, _ in times_evening[-3:])
    assert all(h <= "04" for h, _ in times_morning[:3])
    assert not [1 for h, _ in times_morning if h == "02"], "02:xx does not exist on 29/03/2026 in Warsaw"


def test_attachments_are_on_their_days_note(synced) -> None:
    dump, counts = synced["dump"], synced["summary"]["counts"]
    notes = {n["id"]: n for n in dump["records"]["Notes"]}
    files = [a for a in dump["attachments"] if a["parent_id"] in notes]
    assert len(files) == counts["attachments_uploaded"] > 0
    for file in files:
        assert f"[attachment: {file['File_Name']}]" in notes[file["parent_id"]]["Note_Content"]


def test_each_bad_input_is_recorded_with_its_reason(synced) -> None:
    reasons = _issues(synced["summary"])
    text = " | ".join(reasons.values())
    for expected in ("linked id (@lid)", "'+0' is not a possible phone number", "matches 2 Zoho records"):
        assert expected in text
    assert all(reasons.values()), "every skipped or failed item has a reason"


def test_zoho_calls_stay_within_ten_percent_of_the_lower_bound(synced) -> None:
    summary = synced["summary"]
    c = summary["counts"]
    index_rows = len(_contacts(synced["seeded"]))
    attempted = sum(1 for i in summary["issues"] if i["kind"] == "attachment" and "Zoho refused" in i["reason"])
    refused_listing = 1 if c["attachments_refused"] else 0
    bound = (math.ceil(c["contacts_created"] / 100) + math.ceil(c["notes_created"] / 100)
             + math.ceil(c["notes_updated"] / 100) + refused_listing + math.ceil(index_rows / 2000)
             + c["attachments_uploaded"] + attempted)
    assert synced["calls"] <= 1.1 * bound, f"{synced['calls']} Zoho calls for a lower bound of {bound}"
    assert summary["api"]["zoho"]["calls"] == synced["calls"]


def test_rerun_of_the_same_window_leaves_zoho_byte_identical(synced) -> None:
    sync: Sync = synced["sync"]
    summary = sync.run_days(FIRST, LAST)
    assert json.dumps(sync.dump(), sort_keys=True) == json.dumps(synced["dump"], sort_keys=True)
    assert summary["counts"]["notes_created"] == summary["counts"]["contacts_created"] == 0
    assert summary["counts"]["notes_unchanged"] == synced["summary"]["counts"]["notes_created"]
