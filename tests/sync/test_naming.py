"""The naming decisions on their own: renames against hand edits, and the name a note title carries."""

from __future__ import annotations

from timelines_zoho.sync.naming import is_placeholder, keeps_zoho_edit, note_title


def test_by_default_a_whatsapp_rename_wins_over_a_hand_edit() -> None:
    assert not keeps_zoho_edit("Ann", "Ann (edited by sales)", keep_zoho_names=False)


def test_keep_zoho_names_keeps_a_hand_edit_only() -> None:
    assert keeps_zoho_edit("Ann", "Ann (edited by sales)", keep_zoho_names=True)
    assert not keeps_zoho_edit("Ann", "Ann", keep_zoho_names=True), "Zoho still holds what we wrote"
    assert not keeps_zoho_edit("Ann", None, keep_zoho_names=True), "an unknown Zoho name is no edit"


def test_the_placeholder_name_is_no_name() -> None:
    assert is_placeholder("New WhatsApp contact: +971501234567")
    assert is_placeholder(None) and is_placeholder("  ")
    assert not is_placeholder("Ann")


def test_a_note_title_takes_the_records_zoho_name() -> None:
    assert note_title("WhatsApp chat with +971501234567 (03/04/2026)", "Fatima Zoho", "2026-04-03", 1, 1) == (
        "WhatsApp chat with Fatima Zoho (03/04/2026)")
    assert note_title("x", "Fatima Zoho", "2026-04-03", 2, 3) == "WhatsApp chat with Fatima Zoho, part 2 of 3 (03/04/2026)"


def test_a_placeholder_or_unknown_zoho_name_keeps_the_transforms_title() -> None:
    phone_title = "WhatsApp chat with +971501234567 (03/04/2026)"
    assert note_title(phone_title, "New WhatsApp contact: +971501234567", "2026-04-03", 1, 1) == phone_title
    assert note_title(phone_title, None, "2026-04-03", 1, 1) == phone_title
