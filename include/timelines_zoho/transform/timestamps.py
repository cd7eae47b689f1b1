"""Vectorised parsing of TimelinesAI timestamps (`YYYY-MM-DD HH:MM:SS ±ZZZZ`) into UTC nanoseconds.

The API's one format is parsed column-wise on a code-point matrix (a million rows in well under a second);
anything else (ISO 8601 with `T` or `±HH:MM`, fractions of a second) falls back to `datetime.fromisoformat` row
by row. A value without an offset is rejected rather than guessed, and so is an offset beyond ±14:00 or with
60 minutes or more. `parse_timestamp` reads one value by the same rules (extract filters chats and messages with
it): the project has this one parser of the API's timestamps.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

_WIDTH = 25  # len("2024-01-08 10:35:18 +0200")
_DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 23, 24]
_LITERAL_AT = {4: "-", 7: "-", 10: " ", 13: ":", 16: ":", 19: " "}
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_MAX_OFFSET_MINUTES = 14 * 60
_YEARS = (1900, 2200)  # inside the int64-nanosecond range, with room for any real message
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_CHUNK = 1 << 17
NS = 1_000_000_000


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Return days since 1970-01-01 for proleptic Gregorian dates (H. Hinnant's algorithm, vectorised)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _fast(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse the API format; return (utc ns, parsed mask, bad-offset mask)."""
    codes = values.astype(f"U{_WIDTH + 1}").view(np.uint32).reshape(len(values), _WIDTH + 1)
    digits = codes[:, _DIGIT_AT].astype(np.int64) - ord("0")
    shaped = ((digits >= 0) & (digits <= 9)).all(axis=1) & (codes[:, _WIDTH] == 0)
    for position, char in _LITERAL_AT.items():
        shaped &= codes[:, position] == ord(char)
    sign = codes[:, 20].astype(np.int64)
    shaped &= (sign == ord("+")) | (sign == ord("-"))
    digits = np.where(shaped[:, None], digits, 0)

    def number(first: int, width: int) -> np.ndarray:
        result = np.zeros(len(values), dtype=np.int64)
        for index in range(first, first + width):
            result = result * 10 + digits[:, index]
        return result

    year, month, day = number(0, 4), number(4, 2), number(6, 2)
    hour, minute, second = number(8, 2), number(10, 2), number(12, 2)
    offset_hours, offset_minutes = number(14, 2), number(16, 2)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    valid = (
        shaped
        & (year >= _YEARS[0])
        & (year <= _YEARS[1])
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= month_days)
        & (hour < 24)
        & (minute < 60)
        & (second < 60)
    )
    offset = offset_hours * 60 + offset_minutes
    bad_offset = valid & ((offset_minutes >= 60) | (offset > _MAX_OFFSET_MINUTES))
    offset = np.where(sign == ord("-"), -offset, offset)
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset * 60
    return np.where(valid, seconds * NS, 0), valid & ~bad_offset, bad_offset


def _checked(value: object) -> tuple[datetime | None, str | None]:
    """Parse one value in any ISO 8601 shape with an offset; return (aware datetime, None) or (None, problem)."""
    if not isinstance(value, str) or not value.strip():
        return None, "message has no timestamp"
    shown = value[:40]
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, f"unparsable timestamp {shown!r}"
    if parsed.tzinfo is None:
        return None, f"timestamp {shown!r} has no timezone offset"
    offset = parsed.utcoffset() or timedelta(0)
    if abs(offset) > timedelta(minutes=_MAX_OFFSET_MINUTES):
        return None, f"bad timezone offset in timestamp {shown!r}"
    if not _YEARS[0] <= parsed.year <= _YEARS[1]:
        return None, f"timestamp {shown!r} is out of range"
    return parsed, None


def parse_timestamp(value: object) -> datetime | None:
    """Parse one TimelinesAI timestamp by the same rules as `parse_timestamps` (None when it breaks them)."""
    return _checked(value)[0]


def _slow(value: object) -> tuple[int, str | None]:
    """Parse one value in any ISO 8601 shape; return (utc ns, problem or None)."""
    parsed, problem = _checked(value)
    if parsed is None:
        return 0, problem
    return (parsed - _EPOCH) // timedelta(microseconds=1) * 1000, None


def parse_timestamps(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (UTC nanoseconds as int64, problem per row: None or a reason in plain words) for an object array."""
    # Non-strings (None, NaN) become text that fails the shape check and is then explained by _slow.
    text = raw
    # Chunks bound the code-point matrix (4 bytes per character) to a few tens of megabytes.
    pieces = [_fast(text[start : start + _CHUNK]) for start in range(0, len(text), _CHUNK)] or [_fast(text)]
    utc, parsed, bad_offset = (np.concatenate(arrays) for arrays in zip(*pieces, strict=True))
    problems = np.full(len(raw), None, dtype=object)
    for index in np.flatnonzero(bad_offset):
        problems[index] = f"bad timezone offset in timestamp {raw[index][:40]!r}"
    for index in np.flatnonzero(~parsed & ~bad_offset):
        utc[index], problems[index] = _slow(raw[index])
    return utc, problems
