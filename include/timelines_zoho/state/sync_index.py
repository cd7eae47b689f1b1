"""The Zoho phone index (normalised key → record ids) and its Modified_Time watermark."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, select, update

from timelines_zoho.state.base import StoreBase, chunks
from timelines_zoho.state.models import IndexRecordRow, MetaRow, PhoneKeyRow

WATERMARK = "index_modified_time"
INDEX_BATCH = 2000  # rows per transaction while scanning, one COQL page


@dataclass(frozen=True)
class IndexedRecord:
    """A Zoho record as the index knows it."""

    record_id: str
    name: str | None
    modified_time: str | None
    keys: tuple[str, ...] = ()


class IndexMixin(StoreBase):
    """Phone index and small named values."""

    def get_meta(self, key: str) -> str | None:
        """Return a named value, or None."""
        with self.session() as session:
            row = session.get(MetaRow, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a named value."""
        with self.session() as session:
            self._upsert(session, MetaRow.__table__, [{"key": key, "value": value}], ["key"])

    def index_watermark(self) -> str | None:
        """Return the latest Modified_Time the index has seen (None before the first full scan)."""
        return self.get_meta(WATERMARK)

    def upsert_index_records(self, records: list[IndexedRecord], watermark: str | None = None) -> None:
        """Replace these records and their phone keys, and advance the watermark, in one transaction."""
        with self.session() as session:
            ids = [r.record_id for r in records]
            for part in chunks(ids):
                session.execute(delete(PhoneKeyRow).where(PhoneKeyRow.record_id.in_(part)))
            self._upsert(
                session,
                IndexRecordRow.__table__,
                ({"record_id": r.record_id, "name": r.name, "modified_time": r.modified_time} for r in records),
                ["record_id"],
            )
            keys = {(key, r.record_id) for r in records for key in r.keys}
            self._upsert(
                session, PhoneKeyRow.__table__, ({"key": k, "record_id": rid} for k, rid in sorted(keys)),
                ["key", "record_id"],
            )
            if watermark is not None:
                self._upsert(session, MetaRow.__table__, [{"key": WATERMARK, "value": watermark}], ["key"])

    def set_index_names(self, names: dict[str, str]) -> None:
        """Record names we just wrote to Zoho, keeping each record's phone keys."""
        if not names:
            return
        records = IndexRecordRow.__table__.c
        with self.session() as session:
            session.execute(
                update(IndexRecordRow.__table__).where(records.record_id == bindparam("rid")).values(name=bindparam("nm")),
                [{"rid": record_id, "nm": name} for record_id, name in names.items()],
            )

    def delete_index_records(self, record_ids: list[str]) -> None:
        """Forget records that no longer exist in Zoho."""
        with self.session() as session:
            for part in chunks(record_ids):
                session.execute(delete(PhoneKeyRow).where(PhoneKeyRow.record_id.in_(part)))
                session.execute(delete(IndexRecordRow).where(IndexRecordRow.record_id.in_(part)))

    def match_phone_keys(self, keys: list[str]) -> dict[str, set[str]]:
        """Return, for each key present in the index, the record ids stored under it."""
        found: dict[str, set[str]] = defaultdict(set)
        with self.session() as session:
            for part in chunks(sorted(set(keys))):
                for key, record_id in session.execute(
                    select(PhoneKeyRow.key, PhoneKeyRow.record_id).where(PhoneKeyRow.key.in_(part))
                ):
                    found[key].add(record_id)
        return dict(found)

    def index_records(self, record_ids: list[str]) -> dict[str, IndexedRecord]:
        """Return the indexed records with these ids."""
        with self.session() as session:
            out = {}
            for part in chunks(sorted(set(record_ids))):
                for row in session.scalars(select(IndexRecordRow).where(IndexRecordRow.record_id.in_(part))):
                    out[row.record_id] = IndexedRecord(row.record_id, row.name, row.modified_time)
            return out

    def index_size(self) -> int:
        """Return how many records the index holds."""
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(IndexRecordRow)) or 0
