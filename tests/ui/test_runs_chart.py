"""The runs section: notes synced per day from the store's recent runs, drawn as a small chart."""

from __future__ import annotations

from datetime import datetime, timezone

from timelines_zoho.state import RunRecord
from timelines_zoho.ui.views import notes_per_day


def _run(run_id: int, day: int, created: int, updated: int) -> RunRecord:
    start = datetime(2026, 11, day, 10, tzinfo=timezone.utc)
    return RunRecord(run_id, f"run-{run_id}", start, start, "success", start, start,
                     {"counts": {"notes_created": created, "notes_updated": updated, "notes_unchanged": 9}})


def test_notes_are_summed_per_day_oldest_first_with_bar_shares():
    chart = notes_per_day([_run(3, 21, 1, 1), _run(2, 20, 4, 0), _run(1, 20, 2, 2)])
    assert chart == [{"day": "2026-11-20", "notes": 8, "share": 1.0}, {"day": "2026-11-21", "notes": 2, "share": 0.25}]


def test_runs_without_summary_count_zero():
    run = _run(1, 20, 0, 0)
    run.summary = None
    assert notes_per_day([run]) == [{"day": "2026-11-20", "notes": 0, "share": 0.0}]


def test_page_draws_the_chart_and_the_run_counts(client, token_for, store):
    run_id = store.start_run("manual__1", datetime(2026, 11, 20, tzinfo=timezone.utc),
                                datetime(2026, 11, 21, tzinfo=timezone.utc))
    store.finish_run(run_id, "success", {"counts": {"notes_created": 5, "contacts_created": 2}, "issues": []})
    client.cookies.set("_token", token_for("viewer"))
    page = client.get("/").text
    assert "Notes synced per day" in page and "<rect" in page
    assert "notes created 5" in page and "contacts created 2" in page


def test_a_failed_run_shows_on_the_settings_page_with_its_reason(client, token_for, store):
    store.start_run("scheduled__failed", datetime(2026, 11, 20, tzinfo=timezone.utc),
                    datetime(2026, 11, 21, tzinfo=timezone.utc))
    assert store.fail_run("scheduled__failed", "prepare_zoho failed: ZohoAuthError: invalid_client")
    client.cookies.set("_token", token_for("viewer"))
    page = client.get("/").text
    assert "scheduled__failed" in page and 'class="state failed"' in page
    assert "prepare_zoho failed: ZohoAuthError: invalid_client" in page


def test_the_history_import_shows_its_estimate_and_progress(client, token_for, store):
    from timelines_zoho.sync import budget, history_import
    from timelines_zoho.sync.window import Window

    day = datetime(2026, 11, 1, tzinfo=timezone.utc)
    asked = Window(day, datetime(2026, 11, 11, tzinfo=timezone.utc))
    done = Window(day, datetime(2026, 11, 4, tzinfo=timezone.utc))
    estimate = budget.Estimate(chats=40, chat_days=120, listing_calls=1, message_calls=40, zoho_credits=16)
    run_id = store.start_run("manual__history", done.start, done.end)
    store.finish_run(run_id, "success", {"counts": {}, "issues": [], "api": {"timelines": {"calls": 45, "credits": 0}}})
    history_import.record(store, "manual__history",
                          budget.Plan(asked, done, estimate, 190, 25_000, Window(done.end, asked.end)))
    client.cookies.set("_token", token_for("viewer"))
    page = client.get("/").text
    assert "History import" in page and "2026-11-01 → 2026-11-11" in page
    assert "<td>TimelinesAI calls</td><td>44</td><td>45</td><td>190</td>" in page  # 1 + 40 + 3 fixed calls
    assert "Left for the next import: 2026-11-04 → 2026-11-11" in page
