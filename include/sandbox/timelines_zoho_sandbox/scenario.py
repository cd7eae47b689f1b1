"""What the Zoho side should hold for a generated TimelinesAI workspace, so sandbox scenarios are realistic."""

from __future__ import annotations

import random
import re

from timelines_zoho_sandbox.timelinesai.generator import TEAM, WorkspaceParams, generate_people
from timelines_zoho_sandbox.timelinesai.model import Chat, Workspace

# Zoho users: the workspace Owner is the CEO; Tom Baker (account owner with a personal email) has no Zoho user.
ZOHO_USERS = ("olivia.nowak", "adam.wisniewski", "maria.santos", "lea.cohen")
# Phones of the hand-made chats as a person would have typed them into Zoho, without WhatsApp's rewrites.
MESSY_SPECIALS = {
    "+48601234567": "+48 601-234-567",
    "+5511987654321": "(11) 98765-4321",
    "+5511987654322": "+55 11 8765-4322",  # legacy Brazilian number: Zoho lacks the ninth digit
    "+5215512345678": "+52 55 1234 5678",  # Mexico: no "1" after +52
    "+5491123456789": "011 15-2345-6789",  # Argentina: national form with 15, no 9
    "+4915112345678": "0151 12345678",
    "+972502345678": "050-234-5678",
    "+12025550143": "(202) 555-0143",
    "+34612345678": "0034612345678",
}
FIRST = "Ewa Marek Laura Paul Nina Omar Grace Felix Ines Hugo".split()
LAST = "Zielińska Schmidt Moreau Rossi Novak Haddad Taylor Weber Costa Ortiz".split()


def _messy(e164: str, rng: random.Random) -> str:
    """Return a phone in one of the formats people type: spaced, 00-prefixed, bare digits, or dashed."""
    digits = e164[1:]
    style = rng.randrange(4)
    if style == 0:
        return f"00{digits}"
    if style == 1:
        return digits
    if style == 2:
        return f"+{digits[:2]} {digits[2:5]}-{digits[5:8]}-{digits[8:]}"
    return e164


def zoho_seed(
    workspace_or_seed: Workspace | WorkspaceParams | int,
    *,
    contacts: int = 60,
    match_share: float = 0.5,
    duplicates: int = 2,
    seed: int | None = None,
) -> dict:
    """Return the Zoho emulator's seed dict for a TimelinesAI workspace (pure: same input, same output).

    Shape (accepted as is by `POST {zoho_root}/__admin/seed`):
    `{"users": [{"full_name", "email", "role": "CEO" | "Standard", "status": "active"}, ...],
      "records": {"Contacts": [{"Last_Name", "First_Name", "Phone", "Mobile", "Email"}, ...]}}`.
    Users' emails match some TimelinesAI account owners, not all (Tom Baker's does not). About
    `match_share` of the contacts carry the phone of a direct WhatsApp chat, written the way people type
    phones (`+48 601-234-567`, `0048601234567`, `48601234567`, national forms, BR/MX/AR numbers without
    WhatsApp's rewrite), in `Phone` or `Mobile`; the rest are unrelated. `duplicates` extra contacts
    repeat a matched number, so those chats are ambiguous. Every hand-made chat's number is included.
    """
    if isinstance(workspace_or_seed, Workspace):
        chats, seed_value = workspace_or_seed.chats, workspace_or_seed.seed
    else:
        params = (
            workspace_or_seed
            if isinstance(workspace_or_seed, WorkspaceParams)
            else WorkspaceParams(seed=workspace_or_seed)
        )
        chats, seed_value = generate_people(params), params.seed
    if not 0 <= match_share <= 1:
        raise ValueError("match_share must be between 0 and 1")
    rng = random.Random(seed if seed is not None else seed_value)
    users = [
        {
            "full_name": name,
            "email": email,
            "role": "CEO" if role == "Owner" else "Standard",
            "status": "active",
        }
        for name, email, role, _team in TEAM
        if email.split("@")[0] in ZOHO_USERS
    ]
    direct = _direct_phones(chats)
    matched = min(round(contacts * match_share), len(direct))
    specials = [p for p in direct if p in MESSY_SPECIALS][:matched]
    others = [p for p in direct if p not in MESSY_SPECIALS]
    chosen = specials + rng.sample(others, matched - len(specials))
    records = []
    for n, e164 in enumerate(chosen):
        raw = MESSY_SPECIALS.get(e164) or _messy(e164, rng)
        records.append(_contact(n, raw, rng, in_mobile=n % 3 == 2))
    for n in range(duplicates if chosen else 0):
        records.append(_contact(len(records), _messy(chosen[n], rng), rng, in_mobile=False))
    while len(records) < contacts + min(duplicates, len(chosen)):
        records.append(_contact(len(records), f"+1 555 01{rng.randrange(10_000):04d}", rng, in_mobile=False))
    return {"users": users, "records": {"Contacts": records}}


def _direct_phones(chats: list[Chat]) -> list[str]:
    """Return distinct dialable phones of direct chats (not +0, not @lid), hand-made chats first."""
    seen: dict[str, None] = {}
    for chat in chats:
        if (
            chat.phone
            and not chat.is_group
            and chat.jid.endswith("@s.whatsapp.net")
            and re.fullmatch(r"\+\d{8,15}", chat.phone)
        ):
            seen.setdefault(chat.phone)
    return list(seen)


def _contact(n: int, phone: str, rng: random.Random, in_mobile: bool) -> dict:
    first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
    return {
        "Last_Name": last,
        "First_Name": first,
        "Phone": None if in_mobile else phone,
        "Mobile": phone if in_mobile else None,
        "Email": f"{first.lower()}.{n}@example.org",
    }
