"""What the sync writes to Zoho is E.164, also where WhatsApp spells a country's numbers its own way."""

from __future__ import annotations

import pandas as pd
from test_transform_contacts import ACCOUNTS, chat

from timelines_zoho.transform import build_contacts
from timelines_zoho.transform.phones import to_e164, whatsapp_phone_keys, zoho_phone_keys


def test_mexico_521_chat_creates_its_record_with_the_e164_phone() -> None:
    contacts, rejected = build_contacts(pd.DataFrame([chat(1, phone="+5212221234567", name="")]), ACCOUNTS)
    assert rejected.empty
    row = contacts.iloc[0]
    assert row["phone_e164"] == "+522221234567", "Mexico dropped the mobile 1 in 2019: E.164 has no 521"
    assert row["name"] == "New WhatsApp contact: +522221234567"
    # Matching is unchanged: both spellings are keys, so a Zoho record typed either way still matches.
    assert set(row["match_keys"]) == {"+522221234567", "+5212221234567"}
    assert set(row["match_keys"]) & set(zoho_phone_keys("+52 1 222 123 4567"))
    assert set(row["match_keys"]) & set(zoho_phone_keys("+52 222 123 4567"))


def test_the_mexican_e164_form_is_kept_and_other_countries_quirks_are_left_alone() -> None:
    assert to_e164("+522221234567") == "+522221234567"
    assert to_e164("+5491123456789") == "+5491123456789", "Argentina's mobile 9 is part of E.164"
    assert to_e164("+5511987654321") == "+5511987654321", "Brazil's ninth digit is part of the number"
    assert whatsapp_phone_keys(to_e164("+5215512345678")) == ["+525512345678", "+5215512345678"]
