"""zoho_seed: the Zoho side of a sandbox scenario, derived purely from the TimelinesAI workspace."""

from __future__ import annotations

import re
from collections import Counter

from timelines_zoho_sandbox.scenario import zoho_seed
from timelines_zoho_sandbox.timelinesai.generator import WorkspaceParams, generate


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _phones(seed: dict) -> list[str]:
    return [c["Phone"] or c["Mobile"] for c in seed["records"]["Contacts"]]


def test_seed_is_pure_and_shaped_for_the_zoho_emulator():
    first, second = zoho_seed(42, contacts=40, match_share=0.5), zoho_seed(42, contacts=40, match_share=0.5)
    assert first == second
    assert set(first) == {"users", "records"}
    assert all(set(u) == {"full_name", "email", "role", "status"} for u in first["users"])
    assert {u["role"] for u in first["users"]} == {"CEO", "Standard"}
    contact_keys = {"Last_Name", "First_Name", "Phone", "Mobile", "Email"}
    assert all(set(c) == contact_keys for c in first["records"]["Contacts"])


def test_users_match_some_but_not_all_account_owners():
    ws = generate(WorkspaceParams())
    owners = {ws.teammates[a.owner].email for a in ws.accounts}
    users = {u["email"] for u in zoho_seed(ws, contacts=10, match_share=0.5)["users"]}
    assert owners & users and owners - users


def test_match_share_of_contacts_carry_whatsapp_phones_in_messy_formats():
    ws = generate(WorkspaceParams())
    seed = zoho_seed(ws, contacts=60, match_share=0.5, duplicates=2)
    chat_digits = {_digits(c.phone) for c in ws.chats if c.phone}
    phones = _phones(seed)
    matched = [p for p in phones if _digits(p) in chat_digits or _digits(p).removeprefix("00") in chat_digits]
    assert len(phones) == 62 and 25 <= len(matched) <= 34
    assert "+48 601-234-567" in phones and any(p.startswith("00") for p in phones)
    assert any(re.fullmatch(r"\d{10,}", p) for p in phones)  # bare digits without +
    assert {"+55 11 8765-4322", "+52 55 1234 5678", "011 15-2345-6789"} <= set(phones)  # BR/MX/AR unrewritten


def test_duplicates_put_one_number_on_two_contacts():
    seed = zoho_seed(42, contacts=30, match_share=0.5, duplicates=2)
    counts = Counter(_digits(p)[-8:] for p in _phones(seed))  # the tail survives every messy format
    assert sum(1 for n in counts.values() if n >= 2) >= 2


def test_zero_match_share_gives_no_whatsapp_phones():
    ws = generate(WorkspaceParams())
    chat_digits = {_digits(c.phone) for c in ws.chats if c.phone}
    seed = zoho_seed(ws, contacts=20, match_share=0.0)
    assert not any(_digits(p) in chat_digits for p in _phones(seed))
