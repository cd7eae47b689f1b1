"""Per-item outcomes of one task, with the quarantine entries to add and release, written to the store at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from timelines_zoho.state import NoteDay, StateStore

Outcome = tuple[str, str, str, str | None]


@dataclass
class Items:
    """Outcomes (kind, id, outcome, reason) and quarantine changes gathered by a load step."""

    outcomes: list[Outcome] = field(default_factory=list)
    to_quarantine: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    to_release: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, item_id: Any, outcome: str, reason: str | None = None) -> None:
        """Record one item's outcome."""
        self.outcomes.append((kind, str(item_id), outcome, reason))

    def quarantine(self, kind: str, item_id: Any, chat_id: Any, reason: str) -> None:
        """Set an item aside for a later run."""
        self.to_quarantine.append((kind, str(item_id), None if chat_id is None else str(chat_id), reason))

    def release(self, kind: str, item_id: Any) -> None:
        """Take an item that succeeded out of the quarantine."""
        self.to_release.setdefault(kind, []).append(str(item_id))

    def quarantine_day(self, day: NoteDay, reason: str) -> None:
        """Set a chat-day aside: the next run extracts it again and rewrites its notes."""
        self.quarantine("note", day.item_id, day.chat_id, reason)

    def release_day(self, day: NoteDay) -> None:
        self.release("note", day.item_id)

    def flush(self, store: StateStore, run_id: int) -> dict[str, int]:
        """Write everything to the store and return the count of each outcome."""
        for kind, ids in self.to_release.items():
            store.release(kind, ids)
        store.quarantine(self.to_quarantine)
        store.record_items(run_id, self.outcomes)
        counts: dict[str, int] = {}
        for kind, _, outcome, _ in self.outcomes:
            counts[f"{kind}.{outcome}"] = counts.get(f"{kind}.{outcome}", 0) + 1
        return counts
