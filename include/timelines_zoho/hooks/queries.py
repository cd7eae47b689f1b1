"""Pure helpers for Zoho queries: literal quoting for COQL and search criteria, id paging, chunking."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

COQL_PAGE = 2000
BATCH_SIZE = 100

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_RECORD_ID = re.compile(r"^\d{1,25}$")
# A quoted literal ('' is an escaped quote inside it) or any run of characters outside quotes.
_TOKEN = re.compile(r"'(?:[^']|'')*'|[^']+")


def coql_quote(value: str | int | float | bool) -> str:
    """Render a value as a COQL literal that no character inside it can escape from."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot quote {type(value).__name__} for COQL")
    if _CONTROL.search(value):
        raise ValueError("COQL values cannot contain control characters")
    # Inside quotes only a quote ends the literal; doubling it is COQL's escape. A backslash is doubled so a
    # trailing one can never be read as escaping the closing quote.
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def criteria_quote(value: str) -> str:
    """Escape a value for a search `criteria` string: `(`, `)`, `,` and `\\` get a backslash, as Zoho documents."""
    return re.sub(r"([\\(),])", r"\\\1", value)


def record_id(value: str | int) -> str:
    """Validate a Zoho record id (digits only) so it can sit in a path or an unquoted COQL comparison."""
    text = str(value)
    if not _RECORD_ID.match(text):
        raise ValueError(f"not a Zoho record id: {text!r}")
    return text


def chunked(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[tuple[int, Sequence[T]]]:
    """Yield `(offset, chunk)` pairs of at most `size` items."""
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


def _outside_quotes(query: str) -> str:
    """Blank out quoted literals so keywords inside values are never mistaken for clauses."""
    return "".join(" " * len(t) if t.startswith("'") else t for t in _TOKEN.findall(query))


def _wrapped(condition: str) -> bool:
    """True when one bracket pair encloses the whole condition."""
    if not (condition.startswith("(") and condition.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(_outside_quotes(condition)):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(condition) - 1:
            return False
    return True


def is_pageable(query: str) -> bool:
    """A query without its own ORDER BY / LIMIT / OFFSET can be paged by id."""
    bare = _outside_quotes(query).lower()
    return not re.search(r"\b(order\s+by|limit|offset)\b", bare)


def coql_page(query: str, after_id: str | None, limit: int = COQL_PAGE) -> str:
    """Return the query for the page after `after_id`: `id > last`, ordered by id, `limit` rows."""
    query = query.strip().rstrip(";").strip()
    if after_id is not None:
        bare = _outside_quotes(query)
        match = re.search(r"\bwhere\b", bare, re.IGNORECASE)
        cursor = f"id > {record_id(after_id)}"
        if match:
            head, condition = query[: match.start()], query[match.end() :].strip()
            condition = condition if _wrapped(condition) else f"({condition})"
            query = f"{head}where ({condition} and {cursor})"
        else:
            query = f"{query} where {cursor}"
    return f"{query} order by id asc limit {limit}"
