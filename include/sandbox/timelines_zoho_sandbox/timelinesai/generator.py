"""Build a deterministic TimelinesAI workspace from a seed and size knobs.

The first chats are hand-made so every documented quirk is present in every workspace (see `special.py`);
the rest are drawn in bulk with numpy, so a million messages take seconds and a few dozen MB.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import phonenumbers

from timelines_zoho_sandbox.timelinesai import content
from timelines_zoho_sandbox.timelinesai.model import (
    MT_CALL,
    MT_NOTE,
    MT_WHATSAPP,
    Account,
    Chat,
    MessageStore,
    Teammate,
    Workspace,
)
from timelines_zoho_sandbox.timelinesai.special import SpecialBuilder

DOMAIN = "acme-sandbox.example"
# (name, email, role, team): the first two hold API tokens; Tom's email matches no Zoho user (see scenario.py).
TEAM = (
    ("Olivia Nowak", f"olivia.nowak@{DOMAIN}", "Owner", "Default"),
    ("Adam Wiśniewski", f"adam.wisniewski@{DOMAIN}", "Admin", "Default"),
    ("Tom Baker", "tom.baker.sales@gmail.example", "Agent", "Sales"),
    ("Maria Santos", f"maria.santos@{DOMAIN}", "Team supervisor", "Sales"),
    ("Lea Cohen", f"lea.cohen@{DOMAIN}", "Agent", "Support"),
)
ACCOUNT_OWNERS = (0, 2, 1, 3, 4)
REGIONS = ("PL", "DE", "GB", "US", "BR", "MX", "AR", "IL", "ES", "IN", "FR", "IT")
FIRST = "Anna Piotr Jan Zoë Łukasz Jürgen Amélie José Ana Olga Priya Noa Chen Ahmed Emily Jack Sofía Mateo Yuki".split()
LAST = "Nowak Müller Smith García Rossi Kowalski Dubois Silva Levi Cohen Patel Kim Brown Ivanova Żak O'Neil".split()
GROUP_WORDS = ("Team", "Project", "Orders", "Family", "Suppliers", "Warsaw office", "Trade fair", "Logistics")
LABELS = ("customer", "lead", "vip", "supplier", "support", "invoice-sent")


@dataclass(frozen=True)
class WorkspaceParams:
    """Size and shape knobs; the same params always produce the same workspace."""

    seed: int = 42
    chats: int = 120
    messages: int = 3_000
    days: int = 21
    accounts: int = 4
    end: str = "2026-04-05"
    timezone: str = "Europe/Warsaw"
    attachment_share: float = 0.05
    attachment_scale: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)


def _local_ts(tz: ZoneInfo, day: dt.date, hour: int, minute: int = 0) -> int:
    return int(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).timestamp())


def _teammates(seed: int, start_ts: int) -> list[Teammate]:
    members = []
    for i, (name, email, role, team) in enumerate(TEAM):
        token = str(
            uuid.UUID(
                int=content.mix64(seed * 31 + i + 1_000) << 64 | content.mix64(seed * 17 + i + 5_000),
                version=4,
            )
        )
        members.append(
            Teammate(
                user_id=13_900 + 37 * i,
                display_name=name,
                email=email,
                role=role,
                team=team,
                created_ts=start_ts - 86_400 * (400 - 30 * i),
                token=token if i < 2 else None,
            )
        )
    return members


def _accounts(count: int, start_ts: int) -> list[Account]:
    accounts = []
    for i in range(count):
        phone = f"+4850010{i:04d}"
        owner = ACCOUNT_OWNERS[i % len(ACCOUNT_OWNERS)]
        status = "disconnected" if i == 3 else "active"  # the fourth number shows a disconnected account
        accounts.append(
            Account(
                wid=f"{phone[1:]}@s.whatsapp.net",
                phone=phone,
                account_name=["ACME Sales", "Tom (work)", "ACME Support", "Old number", "Lea"][i % 5],
                owner=owner,
                connected_ts=start_ts - 86_400 * (200 - 20 * i),
                status=status,
            )
        )
    return accounts


def _phone_templates() -> list[tuple[str, str]]:
    """Return (country code, national mobile number) per region, from libphonenumber's example numbers."""
    out = []
    for region in REGIONS:
        number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        out.append((str(number.country_code), str(number.national_number)))
    return out


def _bulk_chats(
    rng: np.random.Generator,
    first_index: int,
    count: int,
    accounts: list[Account],
    start_ts: int,
    end_ts: int,
    taken: set[tuple[int, str]],
) -> list[Chat]:
    templates = _phone_templates()
    live = [i for i, a in enumerate(accounts) if a.status == "active"]
    kinds = rng.choice(3, size=count, p=[0.85, 0.08, 0.07])  # direct, group, unnamed direct
    regions = rng.integers(0, len(templates), size=count)
    tails = rng.integers(0, 1_000_000, size=count)
    acc = rng.choice(live, size=count)
    created = rng.integers(start_ts - 86_400 * 300, end_ts - 3_600, size=count)
    flags = rng.random((count, 6))
    first, last = rng.integers(0, len(FIRST), size=count), rng.integers(0, len(LAST), size=count)
    # Python lists: indexing numpy scalars one by one is what made this loop slow
    kinds, regions, tails, acc, created = (a.tolist() for a in (kinds, regions, tails, acc, created))
    flags, first, last = flags.tolist(), first.tolist(), last.tolist()
    chats = []
    for k in range(count):
        index = first_index + k
        account = int(acc[k])
        cc, national = templates[int(regions[k])]
        phone = f"+{cc}{national[:-6]}{int(tails[k]):06d}"
        while (account, phone) in taken:
            phone = f"+{cc}{national[:-6]}{(int(phone[-6:]) + 1) % 1_000_000:06d}"
        taken.add((account, phone))
        name = f"{FIRST[first[k]]} {LAST[last[k]]}"
        chat = Chat(
            index=index,
            id=0,
            names=[(int(created[k]), name)],
            phone=phone,
            jid=f"{phone[1:]}@s.whatsapp.net",
            account=account,
            created_ts=int(created[k]),
            closed=bool(flags[k][0] < 0.05),
            read=bool(flags[k][1] < 0.7),
            labels=[LABELS[int(flags[k][2] * 100) % len(LABELS)]] if flags[k][2] < 0.3 else [],
            gpt=bool(flags[k][3] < 0.1),
            responsible=None if flags[k][4] < 0.3 else int(flags[k][4] * 1000) % len(TEAM),
        )
        if kinds[k] == 1:
            chat.is_group, chat.phone = True, None
            chat.jid = f"1203630{int(tails[k]) * 1000 + index:011d}@g.us"
            chat.names = [(int(created[k]), f"{GROUP_WORDS[index % len(GROUP_WORDS)]} {LAST[last[k]]}")]
            chat.members = [
                {
                    "name": f"{FIRST[(index + j) % len(FIRST)]}",
                    "phone": f"+{cc}{national[:-6]}{(int(tails[k]) + j + 1) % 1_000_000:06d}",
                    "role": "admin" if j == 0 else "member",
                    "chat_id": None,
                }
                for j in range(3 + index % 6)
            ]
        elif kinds[k] == 2:
            chat.names = [(int(created[k]), phone)]
        elif flags[k][5] < 0.03:  # saved as a contact later: unnamed first, then renamed
            chat.names = [(int(created[k]), phone), ((int(created[k]) + end_ts) // 2, name)]
        chats.append(chat)
    return chats


def _bulk_messages(
    rng: np.random.Generator,
    params: WorkspaceParams,
    chats: list[Chat],
    count: int,
    start_ts: int,
    end_ts: int,
) -> dict[str, np.ndarray]:
    n_chats = len(chats)
    weights = 1.0 / np.arange(1, n_chats + 1) ** 0.7
    chat_pick = rng.permutation(n_chats)[rng.choice(n_chats, size=count, p=weights / weights.sum())]
    chat_idx = np.array([c.index for c in chats], dtype=np.int32)[chat_pick]
    created = np.array([c.created_ts for c in chats], dtype=np.int64)[chat_pick]
    lo = np.maximum(created + 60, start_ts)
    ts = lo + (rng.random(count) * np.maximum(end_ts - lo, 1)).astype(np.int64)
    mtype = rng.choice(3, size=count, p=[0.975, 0.015, 0.01]).astype(np.int8)
    from_me = (rng.random(count) < 0.45) | (mtype == MT_NOTE)
    status = np.where(from_me, rng.choice([1, 2, 3, 4], size=count, p=[0.1, 0.3, 0.59, 0.01]), 0)
    status = np.where(mtype == MT_CALL, rng.choice([5, 6], size=count), status).astype(np.int8)
    origin = np.where(from_me, rng.integers(0, 4, size=count), 0)
    origin = np.where(mtype == MT_NOTE, 1, origin).astype(np.int8)
    text_kind = rng.choice(5, size=count, p=[0.905, 0.06, 0.025, 0.005, 0.005]).astype(np.int8)
    has_att = (rng.random(count) < params.attachment_share) & (mtype == MT_WHATSAPP)
    att_kind = np.where(has_att, rng.integers(0, len(content.ATTACHMENT_KINDS), size=count), -1)
    text_kind = np.where(has_att & (rng.random(count) < 0.5), content.TEXT_NONE, text_kind)
    text_kind = np.where(mtype == MT_CALL, content.TEXT_NONE, text_kind)
    lo_size = np.array([k.min_size for k in content.ATTACHMENT_KINDS])[np.maximum(att_kind, 0)]
    hi_size = np.array([k.max_size for k in content.ATTACHMENT_KINDS])[np.maximum(att_kind, 0)]
    size = (
        np.exp(np.log(lo_size) + rng.random(count) * (np.log(hi_size) - np.log(lo_size)))
        * params.attachment_scale
    )
    n_members = np.array([len(c.members or ()) or 1 for c in chats])[chat_pick]
    return {
        "chat": chat_idx,
        "ts": ts,
        "delay": rng.integers(0, 4, size=count),
        "from_me": from_me,
        "mtype": mtype,
        "status": status,
        "origin": origin,
        "text_kind": text_kind,
        "member": rng.integers(0, 1 << 14, size=count) % n_members,
        "att_kind": att_kind,
        "att_size": np.where(has_att, np.maximum(size, 1).astype(np.int64), 0),
    }


@dataclass
class _People:
    """Everything but the messages: cheap to build, and all that the Zoho scenario needs."""

    params: WorkspaceParams
    tz: ZoneInfo
    start_ts: int
    end_ts: int
    rng: np.random.Generator
    teammates: list[Teammate]
    accounts: list[Account]
    special: SpecialBuilder
    chats: list[Chat]


def _people(params: WorkspaceParams) -> _People:
    if params.accounts < 2:
        raise ValueError("accounts must be at least 2 (one owner matching a Zoho user, one not)")
    if params.days < 1 or not 0 <= params.attachment_share <= 1 or params.attachment_scale <= 0:
        raise ValueError("days must be at least 1, attachment_share within [0, 1], attachment_scale above 0")
    try:
        tz = ZoneInfo(params.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {params.timezone!r}") from None
    end_day = dt.date.fromisoformat(params.end)
    end_ts = _local_ts(tz, end_day + dt.timedelta(days=1), 0) - 1
    start_ts = end_ts + 1 - params.days * 86_400
    rng = np.random.default_rng(params.seed)
    accounts = _accounts(params.accounts, start_ts)
    special = SpecialBuilder(params, tz, start_ts, end_ts, accounts)
    chats = special.chats()
    if params.chats < len(chats) or params.messages < special.message_count():
        raise ValueError(
            f"chats must be at least {len(chats)} and messages at least {special.message_count()} "
            "so every documented case is present"
        )
    taken = {(c.account, c.phone) for c in chats if c.phone}
    chats += _bulk_chats(rng, len(chats), params.chats - len(chats), accounts, start_ts, end_ts, taken)
    ids = 27_600_000 + np.cumsum(rng.integers(1, 40, size=len(chats)))
    for chat, chat_id in zip(chats, ids.tolist(), strict=True):
        chat.id = chat_id
    special.link_members(chats)
    return _People(
        params, tz, start_ts, end_ts, rng, _teammates(params.seed, start_ts), accounts, special, chats
    )


def generate_people(params: WorkspaceParams) -> list[Chat]:
    """Return the chats `generate(params)` would build, without generating any message."""
    return _people(params).chats


def generate(params: WorkspaceParams | None = None) -> Workspace:
    """Build the whole workspace for `params` (defaults: a small workspace spanning a DST change)."""
    params = params or WorkspaceParams()
    p = _people(params)
    n_special = len(p.special.chats())
    bulk_chats = p.chats[n_special:] or p.chats
    bulk = _bulk_messages(
        p.rng, params, bulk_chats, params.messages - p.special.message_count(), p.start_ts, p.end_ts
    )
    rows = p.special.message_rows()
    columns = {name: np.concatenate([np.asarray(rows[name]), bulk[name]]) for name in bulk}
    store = MessageStore(columns, len(p.chats))
    store.text.update(p.special.texts)
    store.filename.update(p.special.filenames)
    store.data.update(p.special.data)
    return Workspace(
        seed=params.seed,
        params=params.to_dict(),
        tz=p.tz,
        workspace_id=f"acme-sandbox-{params.seed}",
        display_name="ACME Sandbox",
        teammates=p.teammates,
        accounts=p.accounts,
        chats=p.chats,
        messages=store,
    )
