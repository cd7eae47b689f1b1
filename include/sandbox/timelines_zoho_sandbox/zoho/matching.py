"""Value semantics shared by the emulator's COQL and search criteria: reading, comparing and sorting fields."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

Record = dict[str, Any]
Predicate = Callable[[Record], bool]
Test = Callable[[Any], bool]

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_INTEGER = re.compile(r"[+-]?\d+$")
_DECIMAL = re.compile(r"[+-]?\d*\.\d+$")
_ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def field_getter(path: str) -> Callable[[Record], Any]:
    """Return a reader for `Field` or `Lookup.field`; a lookup read whole compares as its id."""
    head, _, tail = path.partition(".")
    if tail:
        return lambda r: v.get(tail) if isinstance(v := r.get(head), dict) else None
    return lambda r: v.get("id") if isinstance(v := r.get(head), dict) else v


def on_field(path: str, test: Test) -> Predicate:
    """Return a record predicate applying `test` to the field at `path` (a lookup read whole is its id)."""
    head, _, tail = path.partition(".")
    if tail:
        get = field_getter(path)
        return lambda r: test(get(r))

    # One Python call per record for plain fields: this runs 100,000 times per query.
    def predicate(record: Record) -> bool:
        value = record.get(head)
        return test(value.get("id") if value.__class__ is dict else value)

    return predicate


def excluding_empty(test: Test) -> Test:
    """Negate a test the SQL way: an empty value matches neither the test nor its negation."""
    return lambda v: not is_empty(v) and not test(v)


def is_empty(value: Any) -> bool:
    """Tell whether Zoho would treat the value as null (absent, None, empty string or list)."""
    return value is None or value == "" or value == []


def as_number(value: Any) -> int | float | None:
    """Read a number from a number or numeric string; integers stay exact (19-digit ids)."""
    cls = value.__class__
    if cls is str:
        if value.isdigit():
            return int(value)
        if _INTEGER.match(value):
            return int(value)
        return float(value) if _DECIMAL.match(value) else None
    if cls is int or cls is float:
        return value
    return None


def as_epoch(value: Any) -> float | None:
    """Read an ISO date or datetime as POSIX seconds (no offset means UTC), else None."""
    # A cheap shape check first: most text is not a date, and parsing is the slow part.
    if value.__class__ is not str or len(value) < 10 or value[4] != "-":
        return None
    return _parse_epoch(value)


@lru_cache(maxsize=1 << 18)
def _parse_epoch(value: str) -> float | None:
    """Parse one ISO string; cached because every query re-reads the same stored timestamps."""
    if not _INSTANT.match(value):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)).timestamp()


def as_text(value: Any) -> str | None:
    """Read a value as case-folded text for case-insensitive comparison."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.casefold() if isinstance(value, str) else str(value).casefold()


def as_bool(value: Any) -> bool | None:
    """Read a boolean from a bool or its text form."""
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(as_text(value) or "")


def comparable(literal: Any) -> tuple[Any, Callable[[Any], Any]]:
    """Return the literal in comparable form and the function that brings a record value to that form."""
    if isinstance(literal, bool):
        return literal, as_bool
    number = as_number(literal)
    if number is not None and (not isinstance(literal, str) or _INTEGER.match(literal)):
        return number, as_number
    epoch = as_epoch(literal)
    if epoch is not None:
        return epoch, as_epoch
    return as_text(literal), as_text


def compare(op: str, literal: Any) -> Test:
    """Return a test `value <op> literal`; an empty or incomparable value never matches."""
    key, coerce = comparable(literal)
    apply = _ORDERED[op]
    if coerce is as_text:
        # The common case (a text literal against text) without the generic coercion.
        def test_text(value: Any) -> bool:
            if value.__class__ is str:
                return value != "" and apply(value.casefold(), key)
            return value is not None and value != [] and apply(as_text(value), key)

        return test_text

    def test(value: Any) -> bool:
        if is_empty(value):
            return False
        converted = coerce(value)
        return converted is not None and apply(converted, key)

    return test


def like(pattern: str) -> Test:
    """Return a case-insensitive test for an SQL LIKE pattern (`%` any run, `_` one character)."""
    parts = ("." if ch == "_" else ".*" if ch == "%" else re.escape(ch) for ch in pattern)
    regex = re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
    return lambda v: v is not None and regex.fullmatch(v if isinstance(v, str) else str(v)) is not None


def one_of(values: Sequence[Any]) -> Test:
    """Return a test for membership in the values, with the same coercions as `=`."""
    texts = {as_text(v) for v in values if comparable(v)[1] is as_text}
    others = [compare("=", v) for v in values if comparable(v)[1] is not as_text]

    def test(value: Any) -> bool:
        return as_text(value) in texts or any(t(value) for t in others)

    return test


def matcher(op: str, values: Sequence[Any]) -> Test:
    """Return the value test for a COQL operator (`=`, `<`, ..., `in`, `like`, `between`)."""
    if op == "like":
        return like(values[0])
    if op == "in":
        return one_of(values)
    if op == "between":
        low, high = compare(">=", values[0]), compare("<=", values[1])
        return lambda v: low(v) and high(v)
    return compare(op, values[0])


def sort_key(value: Any) -> tuple[int, Any]:
    """Order nulls first, then numbers (numeric strings and ids too), datetimes, then text."""
    if value.__class__ is str and value.isdigit():
        return (1, int(value))
    if isinstance(value, dict):
        value = value.get("id")
    if is_empty(value):
        return (0, 0)
    number = as_number(value)
    if number is not None:
        return (1, number)
    if isinstance(value, bool):
        return (1, int(value))
    epoch = as_epoch(value)
    if epoch is not None:
        return (2, epoch)
    return (3, as_text(value))


def projector(columns: Sequence[str]) -> Callable[[Record], Record]:
    """Return a row builder for the columns: selected values (lookups as {"id"}, dotted keys as values) plus `id`."""
    if any("." in column for column in columns):
        return lambda record: _project(record, columns)

    # Plain columns only, the common case: one comprehension per row, run up to 2,000 times per query.
    def row(record: Record) -> Record:
        out = {c: {"id": v.get("id")} if isinstance(v := record.get(c), dict) else v for c in columns}
        out["id"] = record.get("id")
        return out

    return row


def _project(record: Record, columns: Sequence[str]) -> Record:
    row: Record = {}
    for column in columns:
        head, _, tail = column.partition(".")
        value = record.get(head)
        if tail:
            row[column] = value.get(tail) if isinstance(value, dict) else None
        elif isinstance(value, dict):
            row[column] = {"id": value.get("id")}
        else:
            row[column] = value
    row["id"] = record.get("id")
    return row
