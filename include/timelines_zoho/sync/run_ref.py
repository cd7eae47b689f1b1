"""The run as it travels between tasks: a typed reference, turned into JSON for XCom only here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from timelines_zoho.sync.window import Window


@dataclass(frozen=True)
class StagedInput:
    """Where extract staged what TimelinesAI holds (staging refs)."""

    chats: str
    messages: str
    accounts: str


@dataclass(frozen=True)
class RunRef:
    """One sync run: its ids, staging folder, window, timezone, mode, clock and staged input."""

    run_id: int
    run_key: str
    dir: str
    window: Window
    tz: str
    dry_run: bool
    now: datetime
    staged: StagedInput | None = None

    def with_staged(self, staged: StagedInput) -> RunRef:
        return replace(self, staged=staged)

    @property
    def input(self) -> StagedInput:
        """The staged input; a run reference is handed on only after extract staged it."""
        if self.staged is None:
            raise ValueError(f"run {self.run_key} has staged nothing yet")
        return self.staged

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form XCom carries."""
        return {"run_id": self.run_id, "run_key": self.run_key, "dir": self.dir, "window": self.window.as_dict(),
                "tz": self.tz, "dry_run": self.dry_run, "now": self.now.isoformat(),
                "staged": asdict(self.staged) if self.staged else None}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> RunRef:
        staged = value.get("staged")
        return cls(int(value["run_id"]), str(value["run_key"]), str(value["dir"]), Window.from_dict(value["window"]),
                   str(value["tz"]), bool(value["dry_run"]), datetime.fromisoformat(value["now"]),
                   StagedInput(**staged) if staged else None)
