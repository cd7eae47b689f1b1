"""The emulated workspace: small objects for accounts, teammates and chats; numpy columns for messages."""

from __future__ import annotations

import bisect
import sys
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

# message_type / status / origin codes stored per message
MESSAGE_TYPES = ("whatsapp", "whatsapp_call", "note")
MT_WHATSAPP, MT_CALL, MT_NOTE = range(3)
STATUSES = ("Not connected", "Sent", "Delivered", "Read", "Failed", "answered", "missed")
ORIGINS = ("synced from WhatsApp", "Shared Inbox", "Public API", "Mass Messaging", "Chrome Extension")
COLUMNS = {
    "chat": np.int32,
    "ts": np.int64,
    "delay": np.int32,
    "from_me": np.bool_,
    "mtype": np.int8,
    "status": np.int8,
    "origin": np.int8,
    "text_kind": np.int8,
    "member": np.int16,
    "att_kind": np.int16,
    "att_size": np.int64,
}
ALL_TIME = sys.maxsize  # the horizon of a workspace that no clock has looked at yet: everything is visible


@dataclass(slots=True)
class Teammate:
    """A workspace member; `token` is set for members that hold an API token."""

    user_id: int
    display_name: str
    email: str
    role: str
    team: str
    created_ts: int
    token: str | None = None
    status: str = "Active"


@dataclass(slots=True)
class Account:
    """A connected WhatsApp number; `owner` indexes the teammate who connected it."""

    wid: str
    phone: str
    account_name: str
    owner: int
    connected_ts: int
    status: str = "active"


@dataclass(slots=True)
class Chat:
    """One chat; `names` is its rename history as sorted (timestamp, name) pairs, the last one current."""

    index: int
    id: int
    names: list[tuple[int, str]]
    phone: str | None
    jid: str
    account: int
    created_ts: int
    is_group: bool = False
    closed: bool = False
    read: bool = True
    labels: list[str] = field(default_factory=list)
    gpt: bool = False
    responsible: int | None = None
    unattended: bool = False
    allowed: bool = True
    members: list[dict] | None = None

    @property
    def name(self) -> str:
        return self.names[-1][1]

    def name_at(self, ts: int) -> str:
        """Return the chat's name as it was at `ts` (the first name for anything earlier)."""
        at = bisect.bisect_right(self.names, ts, key=lambda pair: pair[0])
        return self.names[max(at - 1, 0)][1]


class MessageStore:
    """All messages as numpy columns, plus a per-chat time-sorted index for O(page) queries."""

    def __init__(self, columns: dict[str, np.ndarray], n_chats: int) -> None:
        self.cols = {name: np.asarray(columns[name], dtype=dtype) for name, dtype in COLUMNS.items()}
        self.n_chats = n_chats
        self.text: dict[int, str | None] = {}
        self.filename: dict[int, str] = {}
        self.data: dict[int, dict] = {}
        self.horizon = ALL_TIME
        self.reindex()

    def __len__(self) -> int:
        return len(self.cols["ts"])

    def reindex(self) -> None:
        """Sort by (chat, timestamp, index) and derive chat ranges, positions and last messages."""
        chat, ts = self.cols["chat"], self.cols["ts"]
        self.order = np.lexsort((np.arange(len(ts)), ts, chat)).astype(np.int64)
        self.sorted_ts = ts[self.order]
        self.start = np.searchsorted(chat[self.order], np.arange(self.n_chats + 1)).astype(np.int64)
        self.pos = np.empty(len(ts), dtype=np.int64)
        self.pos[self.order] = np.arange(len(ts))
        self.set_horizon(self.horizon)

    def set_horizon(self, horizon: int) -> None:
        """Show only messages with a timestamp up to `horizon`: a visible prefix of each chat's sorted slice."""
        self.horizon = horizon
        chat, ts = self.cols["chat"], self.cols["ts"]
        visible = ts <= horizon
        counts = np.bincount(chat[visible], minlength=self.n_chats)[: self.n_chats]
        self.visible_end = self.start[:-1] + counts
        has = counts > 0
        self.last = np.where(has, self.order[np.maximum(self.visible_end - 1, 0)] if len(ts) else -1, -1)
        later = ts[~visible]
        self.next_ts = int(later.min()) if len(later) else None

    def is_visible(self, index: int) -> bool:
        return int(self.cols["ts"][index]) <= self.horizon

    def append(self, rows: dict[str, list]) -> list[int]:
        """Append rows (column name → values) and return their new indexes."""
        first = len(self)
        count = len(rows["ts"])
        for name, dtype in COLUMNS.items():
            self.cols[name] = np.concatenate([self.cols[name], np.asarray(rows[name], dtype=dtype)])
        self.reindex()
        return list(range(first, first + count))

    def chat_slice(self, chat: int) -> tuple[int, int]:
        """Return [start, end) of a chat's visible messages in the sorted order."""
        return int(self.start[chat]), int(self.visible_end[chat])


@dataclass
class Workspace:
    """Everything the emulator serves, built by the generator from a seed."""

    seed: int
    params: dict
    tz: ZoneInfo
    workspace_id: str
    display_name: str
    teammates: list[Teammate]
    accounts: list[Account]
    chats: list[Chat]
    messages: MessageStore
    chat_order: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.horizon = self.messages.horizon
        self.chat_by_id = {chat.id: chat for chat in self.chats}
        self.encoded_chats: dict[tuple[int, bool], bytes] = {}  # GET /chats JSON per (chat, absolute URLs)
        self.reorder_chats()

    def last_ts(self, chat: int) -> int | None:
        """Return the timestamp of the chat's last message, or None when it has none."""
        last = int(self.messages.last[chat])
        return None if last < 0 else int(self.messages.cols["ts"][last])

    def reorder_chats(self) -> None:
        """Order chats as GET /chats does: last message desc (no messages last), then name asc."""

        def key(chat: Chat) -> tuple[int, int, str]:
            ts = self.last_ts(chat.index)
            return (ts is None, -(ts or 0), self.name(chat).casefold())

        ordered = sorted(self.chats, key=key)
        self.chat_order = np.array([chat.index for chat in ordered], dtype=np.int64)
        self.chat_cols = {
            "is_group": np.array([c.is_group for c in ordered]),
            "closed": np.array([c.closed for c in ordered]),
            "read": np.array([c.read for c in ordered]),
            "gpt": np.array([c.gpt for c in ordered]),
            "account": np.array([c.account for c in ordered], dtype=np.int64),
            "responsible": np.array([-1 if c.responsible is None else c.responsible for c in ordered]),
            "created": np.array([c.created_ts for c in ordered], dtype=np.int64),
        }

    def name(self, chat: Chat) -> str:
        """Return the chat's name as the sandbox clock sees it now."""
        return chat.name_at(self.horizon)

    def visible_chat(self, chat_id: int) -> Chat | None:
        """Return a chat that exists at the horizon (created by then), else None."""
        chat = self.chat_by_id.get(chat_id)
        return chat if chat is not None and chat.created_ts <= self.horizon else None

    def next_change(self) -> int | None:
        """Return the earliest moment after the horizon when a message, chat or name becomes visible."""
        later = [self.messages.next_ts] if self.messages.next_ts is not None else []
        for chat in self.chats:
            later += [ts for ts in (chat.created_ts, *(t for t, _ in chat.names[1:])) if ts > self.horizon]
        return min(later, default=None)

    def observe(self, horizon: int) -> tuple[np.ndarray, list[Chat]]:
        """Move the horizon; return the messages and chats that became visible (none when it moves back)."""
        old = self.horizon
        ts, created = self.messages.cols["ts"], np.array([c.created_ts for c in self.chats], dtype=np.int64)
        if horizon > old:
            messages = np.flatnonzero((ts > old) & (ts <= horizon))
            chats = [self.chats[i] for i in np.flatnonzero((created > old) & (created <= horizon)).tolist()]
        else:
            messages, chats = np.empty(0, dtype=np.int64), []
        self.horizon = horizon
        self.messages.set_horizon(horizon)
        self.encoded_chats.clear()  # names, last messages and order may all have moved
        self.reorder_chats()
        return messages, chats

    def forget_chat(self, chat: int) -> None:
        """Drop a changed chat's cached JSON and re-sort the chat list."""
        self.encoded_chats.pop((chat, False), None)
        self.encoded_chats.pop((chat, True), None)
        self.reorder_chats()

    def token_member(self, token: str) -> Teammate | None:
        """Return the teammate a bearer token belongs to."""
        return next((t for t in self.teammates if t.token is not None and t.token == token), None)
