"""A history import against the emulators: budgeted before its first message read, resumable within a cap, and
leaving Zoho exactly as per-day runs do, also when a scheduled run already synced one of its days."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sync_support import END, TZ, normalised, wire

from timelines_zoho.sync import budget, history_import, runner

DAYS = [END - timedelta(days=n) for n in (3, 2, 1, 0)]
MESSAGES = "GET /chats/{chat_id}/messages"


def _range(first=DAYS[0], last=DAYS[-1]) -> dict[str, str]:
    zone = ZoneInfo(TZ)
    return {"window_start": datetime.combine(first, time(0), tzinfo=zone).isoformat(),
            "window_end": datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).isoformat()}


def test_an_import_beyond_the_quota_left_is_refused_before_its_first_message_read(sync) -> None:
    total = sync.timelines.stats()["quota_total"]
    sync.timelines.settings(api_calls_quota_total=sync.timelines.stats()["quota_used"] + 6)  # the workspace, the listing, little else
    try:
        with pytest.raises(budget.BudgetRefused, match=r"cannot start: its first day needs about \d+ TimelinesAI"):
            runner.start_and_extract("history-refused", {"history_import": True, **_range()}, None, None)
        stats = sync.timelines.stats()
    finally:  # the emulators outlive the test
        sync.timelines.settings(api_calls_quota_total=total)
    assert stats["calls"].get(MESSAGES, 0) == 0
    assert stats["quota_used"] <= stats["quota_total"]
    run = sync.store.recent_runs(1)[0]
    assert run.status == "failed" and "history import refused" in run.summary["reason"]


@pytest.mark.parametrize(("param", "reason"), [({"timelines_rate": 50}, "at most 30"),
                                               ({"max_timelines_calls": "lots"}, "must be a number"),
                                               ({"zoho_daily_credits": -5}, "must be above 0")])
def test_a_bad_import_param_is_refused_with_its_reason(sync, param, reason) -> None:
    with pytest.raises(budget.BudgetRefused, match=reason):
        runner.start_and_extract("history-bad-param", {"history_import": True, **param, **_range()}, None, None)
    assert sync.timelines.stats()["calls"].get(MESSAGES, 0) == 0


def test_an_import_within_a_cap_resumes_and_writes_what_per_day_runs_write(emulators, tmp_path, monkeypatch) -> None:
    daily = wire(emulators, tmp_path / "daily", monkeypatch)
    for day in DAYS:
        daily.run_day(day)
    assert "GET /workspace" not in daily.timelines.stats()["calls"], "an ordinary run is not budgeted"
    by_day = normalised(daily.dump())

    imported = wire(emulators, tmp_path / "import", monkeypatch)
    imported.run_day(DAYS[1])  # a scheduled run already synced a day of the range: exactly once still holds
    chats = budget.read_listing(runner.Hooks().timelines(), datetime.min.replace(tzinfo=ZoneInfo(TZ)))[0]
    spans = budget.chat_spans(chats, runner.Window.from_dict({"start": _range()["window_start"],
                                                              "end": _range()["window_end"]}), TZ)
    two_days = budget.estimate(spans, len(chats), DAYS[0], DAYS[1], budget.DEFAULT_DENSITY).timelines_calls
    before = imported.timelines.stats()["quota_used"]

    first = imported.run({"history_import": True, "max_timelines_calls": two_days, "timelines_rate": 30, **_range()})
    spent = imported.timelines.stats()["quota_used"] - before
    assert spent <= two_days * 1.15  # the cap bounds the estimate, which is within the 15 % goal of what is spent
    progress = history_import.progress(imported.store)
    assert progress["status"] == "success"
    rest_start = datetime.fromisoformat(progress["plan"]["rest"]["start"])
    assert rest_start == datetime.fromisoformat(_range(DAYS[2])["window_start"])  # two days done, two left
    assert first["counts"].get("notes_created", 0) > 0

    imported.run({"history_import": True, "timelines_rate": 30})  # no range: continue where the cap stopped
    assert history_import.progress(imported.store)["plan"]["rest"] is None
    assert history_import.continued_window(imported.store) is None
    assert normalised(imported.dump()) == by_day
