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


def test_a_run_that_fails_before_it_begins_is_listed_with_its_reason(client, token_for, store, monkeypatch):
    """The integration is not active, so extract fails before recording a run; the run-end path still lists it."""
    from types import SimpleNamespace

    from timelines_zoho.sync import run_end, runner

    monkeypatch.setattr(runner, "open_store", lambda: store)
    try:
        runner.start_and_extract("manual__not_active", {}, None, None, manual=True)
    except runner.IntegrationNotActive as error:
        run_end.task_failed({"exception": error, "ti": SimpleNamespace(task_id="extract"),
                             "dag_run": SimpleNamespace(run_id="manual__not_active")})
    run_end.dag_run_failed({"dag_run": SimpleNamespace(run_id="manual__not_active"), "reason": "task_failure"})
    client.cookies.set("_token", token_for("viewer"))
    page = client.get("/").text
    assert "manual__not_active" in page and 'class="state failed"' in page and "none chosen" in page
    assert "extract failed: IntegrationNotActive: The TimelinesAI → Zoho CRM integration is not active" in page
    assert [r.status for r in store.recent_runs()] == ["failed"]


def test_the_chart_covers_every_run_of_its_days_not_only_the_listed_ones(client, token_for, store):
    for hour in range(12):  # more runs than the table lists, all on one day
        run_id = store.start_run(f"scheduled__{hour}", datetime(2026, 11, 20, hour, tzinfo=timezone.utc),
                                 datetime(2026, 11, 20, hour + 1, tzinfo=timezone.utc))
        store.finish_run(run_id, "success", {"counts": {"notes_created": 1}, "issues": []})
    client.cookies.set("_token", token_for("viewer"))
    page = client.get("/").text
    assert page.count("<tr><td>scheduled__") == 10
    assert "notes synced per day" in page.lower() and ": 12 notes</title>" in page
