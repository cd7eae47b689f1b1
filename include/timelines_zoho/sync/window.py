"""Which time window a run syncs, and the whole calendar days (in the workspace timezone) it touches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_LOOKBACK = timedelta(hours=1)


class WindowError(ValueError):
    """The run's window params are not usable."""


@dataclass(frozen=True)
class Window:
    """A half-open UTC interval [start, end)."""

    start: datetime
    end: datetime

    def days(self, tz: str) -> list[date]:
        """Return every calendar day in `tz` that the window touches."""
        zone = ZoneInfo(tz)
        first = self.start.astimezone(zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def day_span(self, tz: str) -> Window:
        """Return the window widened to whole calendar days in `tz` (midnight to midnight, DST-aware)."""
        days = self.days(tz)
        return Window(day_start(days[0], tz), day_start(days[-1] + timedelta(days=1), tz))

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, value: dict[str, str]) -> Window:
        return cls(datetime.fromisoformat(value["start"]), datetime.fromisoformat(value["end"]))


def day_start(day: date, tz: str) -> datetime:
    """Return local midnight of `day` in `tz`, as UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def parse_instant(value: Any) -> datetime | None:
    """Parse an ISO date or date-time param (naive means UTC); blank gives None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0))
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise WindowError(f"not an ISO date or date-time: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _plain_utc(value: datetime) -> datetime:
    """Return a standard-library UTC datetime (pendulum's arithmetic drops a `timezone.utc` tzinfo)."""
    return datetime.fromtimestamp(value.timestamp(), timezone.utc)


def parse_day(value: Any) -> date | None:
    """Parse the `day` param (an ISO calendar date); blank gives None."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise WindowError(f"day is not an ISO calendar date (YYYY-MM-DD): {value!r}") from exc


def resolve_window(
    *,
    params: dict[str, Any],
    interval_start: datetime | None,
    interval_end: datetime | None,
    last_success_end: datetime | None,
    now: datetime,
    manual: bool = False,
    tz: str = "UTC",
    lookback: timedelta = DEFAULT_LOOKBACK,
) -> Window:
    """Choose the run's window: window params, else the `day` param (a calendar day in `tz`), else the data
    interval of a scheduled or backfill run, else since the last successful window.

    A manual run's data interval is ignored: the UI's trigger form always sends a logical date, and the interval
    Airflow infers from it is one hour (or empty at a midnight DST change), not what the user asked for.
    """
    start, end = parse_instant(params.get("window_start")), parse_instant(params.get("window_end"))
    day = parse_day(params.get("day"))
    if day is not None:
        if start is not None or end is not None:
            raise WindowError("give either day or window_start/window_end, not both")
        start, end = day_start(day, tz), day_start(day + timedelta(days=1), tz)
    if start is None and end is None and not manual and interval_start is not None and interval_end is not None:
        start, end = interval_start, interval_end
    end = _plain_utc(end or now)
    start = _plain_utc(start or last_success_end or end - lookback)
    if start >= end:
        raise WindowError(f"the window is empty: start {start.isoformat()} is not before end {end.isoformat()}")
    return Window(start, end)
