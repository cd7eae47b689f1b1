"""A history import's budget: what a range costs at each vendor, decided before its first message read.

Decisions:

- The estimate comes from the chat listing alone (50 chats a call): a chat costs the pages of its messages in the
  range, at least one. The listing has no message counts, so a chat's messages are its active days in the range
  (from its creation or the range's start to its last message or the range's end) times a density per chat-day.
- Zoho credits: contacts and notes are written 100 to a call at 1 credit per 10 records (0.1 each); a note per
  active chat-day. Attachments and the phone index are left out (their sizes are not in the listing).
- TimelinesAI's `/workspace` says how many calls are left this month. Zoho sends `X-API-CREDITS-REMAINING` only
  once half the day's credits are spent, so without it half the edition's budget is taken as what is left.
- When the range does not fit what is left (or the user's cap), the import syncs the longest run of oldest days whose
  estimate fits (the cap bounds the estimate: a chat denser than assumed costs a page more) and records where it
  stopped; the next import continues there, so Zoho's rolling 24 h window spreads a large
  import over days. Not even one day fitting is a refusal, with the figures, before any message is read.
- Only a history import is budgeted up front: an ordinary run spends what its interval needs and stops cleanly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from timelines_zoho.sync.window import Window, day_start
from timelines_zoho.transform.timestamps import parse_timestamp

PAGE = 50
CREDITS_PER_WRITE = 0.1  # Zoho: 1 credit per 10 records of an insert or update
FIXED_CALLS = 3  # the workspace (its quota), accounts and teammates, read once per import
DEFAULT_DENSITY = 20.0  # messages per active chat-day when nothing better is known (W1's shape: about 18)
DEFAULT_ZOHO_DAILY_CREDITS = 50_000  # Standard edition's base; the edition's figure is a setting


class BudgetRefused(RuntimeError):
    """The import cannot start: not even its first day fits what the vendors have left."""


@dataclass(frozen=True)
class Estimate:
    """What a range will cost: TimelinesAI calls and Zoho credits."""

    chats: int
    chat_days: int
    listing_calls: int
    message_calls: int
    zoho_credits: int

    @property
    def timelines_calls(self) -> int:
        return self.listing_calls + self.message_calls + FIXED_CALLS


@dataclass(frozen=True)
class Plan:
    """The part of the asked range this run imports, what it should cost, and what is left for later."""

    asked: Window
    window: Window
    estimate: Estimate
    timelines_left: int
    zoho_left: int
    rest: Window | None

    def as_dict(self) -> dict[str, Any]:
        return {"asked": self.asked.as_dict(), "window": self.window.as_dict(),
                "rest": self.rest.as_dict() if self.rest else None, "timelines_left": self.timelines_left,
                "zoho_left": self.zoho_left, **asdict(self.estimate),
                "timelines_calls": self.estimate.timelines_calls}


@dataclass(frozen=True)
class _ChatSpan:
    first: date
    last: date


def chat_spans(chats: list[dict], span: Window, tz: str) -> list[_ChatSpan]:
    """Return each listed chat's active days within the range's whole-day span (chats idle in it are left out)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    out = []
    for chat in chats:
        last = parse_timestamp(chat.get("last_message_timestamp"))
        if last is None or last < span.start:
            continue
        created = parse_timestamp(chat.get("created_timestamp")) or span.start
        first_at, last_at = max(created, span.start), min(last, span.end - timedelta(microseconds=1))
        if first_at <= last_at:
            out.append(_ChatSpan(first_at.astimezone(zone).date(), last_at.astimezone(zone).date()))
    return out


def estimate(spans: list[_ChatSpan], listed: int, first: date, last: date, density: float) -> Estimate:
    """Estimate the cost of importing the days first..last for chats with these active spans."""
    chats = chat_days = pages = 0
    for chat in spans:
        days = (min(chat.last, last) - max(chat.first, first)).days + 1
        if days <= 0:
            continue
        chats += 1
        chat_days += days
        pages += max(1, math.ceil(days * density / PAGE))
    credits = math.ceil((chats + chat_days) * CREDITS_PER_WRITE)
    return Estimate(chats=chats, chat_days=chat_days, listing_calls=max(1, math.ceil(listed / PAGE)),
                    message_calls=pages, zoho_credits=credits)


def plan(chats: list[dict], window: Window, tz: str, *, timelines_left: int, zoho_left: int,
         cap: int | None = None, density: float = DEFAULT_DENSITY) -> Plan:
    """Choose the longest run of oldest days whose estimate fits what is left; refuse when none does."""
    days = window.days(tz)
    spans = chat_spans(chats, window.day_span(tz), tz)
    allowed = min(timelines_left, cap) if cap is not None else timelines_left
    fits: tuple[date, Estimate] | None = None
    for day in days:  # a prefix only grows in cost, so the first one that does not fit ends the search
        cost = estimate(spans, len(chats), days[0], day, density)
        if cost.timelines_calls > allowed or cost.zoho_credits > zoho_left:
            break
        fits = (day, cost)
    if fits is None:
        whole = estimate(spans, len(chats), days[0], days[0], density)
        raise BudgetRefused(
            f"the history import from {days[0]} cannot start: its first day needs about {whole.timelines_calls} "
            f"TimelinesAI calls and {whole.zoho_credits} Zoho credits, and {allowed} calls "
            f"({'your cap' if cap is not None and cap < timelines_left else 'left this month'}) and "
            f"{zoho_left} credits (left today) remain"
        )
    last_day, cost = fits
    end = day_start(last_day + timedelta(days=1), tz)
    ran = Window(window.start, min(end, window.end))
    rest = Window(ran.end, window.end) if ran.end < window.end else None
    return Plan(window, ran, cost, timelines_left, zoho_left, rest)


def timelines_calls_left(workspace: dict) -> int:
    """Return the API calls left this month from `/workspace` (an absent quota counts as none left)."""
    quota = workspace.get("api_calls_quota") or {}
    try:
        return max(int(quota["total"]) - int(quota["used"]), 0)
    except (KeyError, TypeError, ValueError):
        return 0


def zoho_credits_left(header: int | None, daily_budget: int) -> int:
    """Return Zoho's remaining credits: its header when sent, else half the budget (the header's threshold)."""
    return header if header is not None else daily_budget // 2


class ReplayedListing:
    """A chat source whose listing replays the chats the budget already read, then reads on; the rest passes through.

    The estimate and the import share one listing, so the budget costs no TimelinesAI call of its own.
    """

    def __init__(self, source: Any, read: list[dict], rest: Iterator[dict]) -> None:
        self._source, self._read, self._rest = source, read, rest

    def iter_chats(self, **filters: Any) -> Iterator[dict]:
        if filters:
            yield from self._source.iter_chats(**filters)
            return
        yield from self._read
        for chat in self._rest:
            self._read.append(chat)
            yield chat

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)


def read_listing(source: Any, since: datetime) -> tuple[list[dict], Iterator[dict]]:
    """Read the listing down to a full page of chats older than `since` (as a run does) and keep the rest unread."""
    chats: list[dict] = []
    listing = source.iter_chats()
    older_in_a_row = 0
    for chat in listing:
        chats.append(chat)
        last = parse_timestamp(chat.get("last_message_timestamp"))
        older_in_a_row = 0 if last is not None and last >= since else older_in_a_row + 1
        if older_in_a_row >= PAGE:
            break
    return chats, listing
