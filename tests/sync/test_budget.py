"""The history import's budget, without a server: estimates, the longest run of days that fits, refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from timelines_zoho.sync import budget
from timelines_zoho.sync.window import Window

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
RANGE = Window(START, START + timedelta(days=10))


def _chat(n: int, created_day: int, last_day: int) -> dict:
    stamp = START + timedelta(days=last_day, hours=12)
    return {"id": n, "created_timestamp": (START + timedelta(days=created_day)).strftime("%Y-%m-%d %H:%M:%S +0000"),
            "last_message_timestamp": stamp.strftime("%Y-%m-%d %H:%M:%S +0000")}


CHATS = [_chat(n, 0, 9) for n in range(100)] + [_chat(100 + n, -40, -20) for n in range(5)]  # 5 idle in the range


def test_a_chat_costs_the_pages_of_its_messages_in_the_range_and_idle_chats_cost_nothing() -> None:
    spans = budget.chat_spans(CHATS, RANGE, "UTC")
    cost = budget.estimate(spans, len(CHATS), date(2026, 3, 1), date(2026, 3, 10), density=10)
    assert (cost.chats, cost.chat_days) == (100, 1000)
    assert cost.message_calls == 100 * 2  # 100 messages each: two pages of 50
    assert cost.listing_calls == 3
    assert cost.timelines_calls == 3 + 200 + budget.FIXED_CALLS
    assert cost.zoho_credits == 110  # 100 contacts and 1,000 notes at 0.1 credit each


def test_the_range_is_cut_to_the_oldest_days_that_fit_and_the_rest_is_kept() -> None:
    plan = budget.plan(CHATS, RANGE, "UTC", timelines_left=10_000, zoho_left=10_000, cap=110, density=10)
    assert plan.window == Window(START, START + timedelta(days=5))  # 5 days: 100 messages a chat, 1 page + 5 calls
    assert plan.rest == Window(START + timedelta(days=5), RANGE.end)
    assert plan.estimate.timelines_calls <= 110


def test_zoho_credits_left_today_spread_the_import_over_days() -> None:
    plan = budget.plan(CHATS, RANGE, "UTC", timelines_left=10_000, zoho_left=40, density=10)
    assert plan.window.end == START + timedelta(days=3)  # 100 contacts + 300 notes = 40 credits
    assert plan.estimate.zoho_credits <= 40


def test_an_import_whose_first_day_does_not_fit_is_refused_with_the_figures() -> None:
    with pytest.raises(budget.BudgetRefused, match=r"needs about 106 TimelinesAI calls .* 50 calls \(left this month\)"):
        budget.plan(CHATS, RANGE, "UTC", timelines_left=50, zoho_left=10_000, density=10)


def test_what_is_left_is_read_from_the_vendors_answers() -> None:
    assert budget.timelines_calls_left({"api_calls_quota": {"total": 200_000, "used": 199_990}}) == 10
    assert budget.timelines_calls_left({}) == 0
    assert budget.zoho_credits_left(123, 50_000) == 123
    assert budget.zoho_credits_left(None, 50_000) == 25_000  # no header: less than half was spent


def test_the_listing_read_for_the_budget_is_replayed_to_extract_without_a_second_call() -> None:
    class Listing:
        calls = 0

        def iter_chats(self, **filters):
            self.calls += 1
            yield from CHATS

    source = Listing()
    read, rest = budget.read_listing(source, START)
    replayed = budget.ReplayedListing(source, read, rest)
    assert [c["id"] for c in replayed.iter_chats()] == [c["id"] for c in CHATS]
    assert source.calls == 1
