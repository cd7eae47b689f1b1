"""Ordered indexes on id and Modified_Time, and the COQL planner that answers range queries from them."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any

from timelines_zoho_sandbox.zoho.matching import Predicate, Record, as_epoch, as_number, comparable, sort_key

_FIRST = itemgetter(0)
_KEY_AND_ID = itemgetter(0, 1)
_RECORD = itemgetter(2)
_ABSENT = object()


@dataclass(frozen=True)
class Bound:
    """One side of a range a WHERE implies for every matching row: `column op literal`."""

    column: str
    op: str  # one of < <= > >=
    literal: Any


class OrderedIndex:
    """Records sorted by one field's key, for range lookups and ordered walks by bisect.

    Entries are (key, id, record): the record itself, so a walk reads records in order without a lookup by id.
    """

    def __init__(self, key: Callable[[Record], Any], records: Iterable[Record] = ()) -> None:
        self.key = key  # None for a record the index leaves out
        self.key_of: dict[str, Any] = {}
        entries = []
        for record in records:
            if (value := key(record)) is not None:
                self.key_of[record["id"]] = value
                entries.append((value, record["id"], record))
        entries.sort(key=_KEY_AND_ID)
        self.entries: list[tuple[Any, str, Record]] = entries

    def add(self, record: Record) -> None:
        """Index a new or changed record."""
        record_id, value = record["id"], self.key(record)
        if value is not None and self.key_of.get(record_id, _ABSENT) == value:
            self.entries[self._position(record_id)] = (value, record_id, record)  # same place, new contents
            return
        self.discard(record_id)
        if value is None:
            return
        entry = (value, record_id, record)
        self.key_of[record_id] = value
        # Ids and modification times mostly grow, so most additions land at the end.
        if not self.entries or entry[:2] > self.entries[-1][:2]:
            self.entries.append(entry)
        else:
            self.entries.insert(bisect.bisect_left(self.entries, entry[:2], key=_KEY_AND_ID), entry)

    def discard(self, record_id: str) -> None:
        """Drop a record from the index, if it is there."""
        if record_id in self.key_of:
            del self.entries[self._position(record_id)]
            del self.key_of[record_id]

    def _position(self, record_id: str) -> int:
        return bisect.bisect_left(self.entries, (self.key_of[record_id], record_id), key=_KEY_AND_ID)

    def span(self, low: tuple[Any, bool] | None, high: tuple[Any, bool] | None) -> tuple[int, int]:
        """Return the entry positions [start, stop) whose keys lie between the (key, inclusive) bounds."""
        start, stop = 0, len(self.entries)
        if low is not None:
            find = bisect.bisect_left if low[1] else bisect.bisect_right
            start = find(self.entries, low[0], key=_FIRST)
        if high is not None:
            find = bisect.bisect_right if high[1] else bisect.bisect_left
            stop = find(self.entries, high[0], key=_FIRST)
        return start, max(start, stop)


def _id_key(record: Record) -> Any:
    return sort_key(record.get("id"))


def _modified_key(record: Record) -> float | None:
    return as_epoch(record.get("Modified_Time"))


# Per field: how a record is keyed, the literal coercion whose ranges the keys answer exactly, and how such a
# coerced literal becomes a key. `id` keys every record by its COQL sort order; Modified_Time only datetimes.
_INDEXED: dict[str, tuple[Callable[[Record], Any], Callable[[Any], Any], Callable[[Any], Any]]] = {
    "id": (_id_key, as_number, lambda number: (1, number)),
    "Modified_Time": (_modified_key, as_epoch, lambda epoch: epoch),
}


def build_indexes(records: Iterable[Record]) -> dict[str, OrderedIndex]:
    """Build a module's ordered indexes over its records."""
    rows = list(records)
    return {field: OrderedIndex(key, rows) for field, (key, _, _) in _INDEXED.items()}


def _bounds_key(field: str, bounds: Sequence[Bound]) -> tuple[tuple[Any, bool] | None, tuple[Any, bool] | None]:
    """Return the tightest (key, inclusive) low and high bounds on `field` that its index can answer."""
    low: tuple[Any, bool] | None = None
    high: tuple[Any, bool] | None = None
    _, coercion, to_key = _INDEXED[field]
    for bound in bounds:
        literal, coerce = comparable(bound.literal)
        if bound.column != field or coerce is not coercion:
            continue
        side = (to_key(literal), "=" in bound.op)
        if ">" in bound.op:
            low = side if low is None or side[0] > low[0] or (side[0] == low[0] and not side[1]) else low
        else:
            high = side if high is None or side[0] < high[0] or (side[0] == high[0] and not side[1]) else high
    return low, high


def plan(
    where: Predicate | None,
    bounds: Sequence[Bound],
    order: Sequence[tuple[str, bool]],
    offset: int,
    wanted: int,
    indexes: Mapping[str, OrderedIndex],
) -> tuple[list[Record], bool] | None:
    """Find matches from the indexes: (page past `offset`, cut to `wanted`, True), (unsorted matches, False), or
    None when only a scan gives the answer."""
    if not any(name == "id" for name, _ in order):
        return None  # ties would fall back on insertion order, which only a scan reproduces
    ranges = {field: _bounds_key(field, bounds) for field in _INDEXED}
    # Only `id` indexes every record; another index is a source of candidates only when the WHERE bounds it.
    spans = {
        field: indexes[field].span(*ranges[field]) for field in _INDEXED if field == "id" or ranges[field] != (None, None)
    }
    narrowest = min(spans, key=lambda field: spans[field][1] - spans[field][0])
    first, last = spans[narrowest]
    if order[0][0] != "id":
        found = map(_RECORD, indexes[narrowest].entries[first:last])
        return list(filter(where, found) if where is not None else found), False
    descending = order[0][1]
    start, stop = spans["id"]
    # Walking ids in order stops after enough matches; guess its length from the narrowest range's density.
    walk = min(stop - start, (offset + wanted) * (stop - start) // max(last - first, 1))
    if narrowest == "id" or walk <= last - first:
        entries = indexes["id"].entries
        positions = range(stop - 1, start - 1, -1) if descending else range(start, stop)
        if where is None:
            return [entries[p][2] for p in positions[offset : offset + wanted]], True
        in_order: Iterable[tuple[Any, str, Record]] = map(entries.__getitem__, positions)
    else:
        key_of = indexes["id"].key_of
        in_order = sorted(indexes[narrowest].entries[first:last], key=lambda e: key_of[e[1]], reverse=descending)
    # map, filter and islice keep the loop in C: only `where` runs Python per record.
    matches = map(_RECORD, in_order)
    return list(islice(filter(where, matches) if where is not None else matches, offset, offset + wanted)), True
