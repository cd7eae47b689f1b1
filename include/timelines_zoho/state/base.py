"""What the store's mixins share: a session factory and dialect-aware bulk helpers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from sqlalchemy import Engine, Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

T = TypeVar("T")
CHUNK = 500  # keeps IN lists well under SQLite's bound-parameter limit


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most `size` values."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class StoreBase:
    """Declares what every mixin of `StateStore` relies on."""

    engine: Engine

    def session(self) -> AbstractContextManager[Session]:  # pragma: no cover - provided by StateStore
        raise NotImplementedError

    def _insert(self, table: Any) -> Any:
        """Return the dialect's INSERT, which has `on_conflict_do_nothing/do_update`."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def _upsert(self, session: Session, table: Any, rows: Iterable[dict[str, Any]], keys: list[str]) -> None:
        """Insert rows, replacing the non-key columns of rows whose keys already exist (one executemany)."""
        rows = list(rows)
        if not rows:
            return
        stmt: Insert = self._insert(table)
        changed = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=changed) if changed else (
            stmt.on_conflict_do_nothing(index_elements=keys)
        )
        # Parameters apart from the statement: it compiles once (cached) and the driver batches the rows.
        session.execute(stmt, rows)

    def _insert_new(self, session: Session, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
        """Insert rows whose keys are not taken yet; the others are left as they are (claims)."""
        if rows:
            session.execute(self._insert(table).on_conflict_do_nothing(index_elements=keys), rows)
