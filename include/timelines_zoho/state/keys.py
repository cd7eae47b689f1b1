"""The note's key, typed: (chat, calendar day, part), and the chat-day the quarantine retries.

The state store keeps these as strings in its quarantine and outcome columns; this is the only place that
writes or reads those strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple


class NoteDay(NamedTuple):
    """One chat's calendar day (ISO, in the workspace timezone): what a note failure re-extracts."""

    chat_id: str
    day: str

    @property
    def item_id(self) -> str:
        """The quarantine's id: `chat/day`."""
        return f"{self.chat_id}/{self.day}"

    @property
    def date(self) -> date:
        return date.fromisoformat(self.day[:10])

    @classmethod
    def parse(cls, item_id: str) -> NoteDay:
        """Read a quarantine id back; a `#part` suffix (a note's outcome id) is dropped."""
        chat_id, _, rest = item_id.partition("/")
        return cls(chat_id, rest.partition("#")[0])


class NoteKey(NamedTuple):
    """One note: (chat, day, part). A tuple, so the ledger can match it as a composite key."""

    chat_id: str
    day: str
    part: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> NoteKey:
        """The key of a note bundle (a row with chat_id, day and part)."""
        return cls(str(row["chat_id"]), row["day"], int(row["part"]))

    @property
    def note_day(self) -> NoteDay:
        return NoteDay(self.chat_id, self.day)

    @property
    def item_id(self) -> str:
        """The note's id in outcomes and write claims: `chat/day#part`."""
        return f"{self.chat_id}/{self.day}#{self.part}"
