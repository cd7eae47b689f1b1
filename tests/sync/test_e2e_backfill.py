"""A backfill (one real per-interval run per day, daily timetable in the workspace timezone) leaves Zoho in the
same state as one run over the same days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sync_support import TZ, load_dag, normalised, wire

DAYS = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]  # includes the DST day


def test_three_day_backfill_equals_one_run_over_the_three_days(emulators, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TIMELINES_ZOHO_SCHEDULE", "daily")
    monkeypatch.setenv("TIMELINES_ZOHO_SCHEDULE_TZ", TZ)
    backfill = wire(emulators, tmp_path / "backfill", monkeypatch)
    dag = load_dag()
    for day in DAYS:
        # A daily CronDataIntervalTimetable run whose interval ends at the next local midnight covers `day`.
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(TZ))
        # A manual run resumes from the last success, so each day is named: `day` is that calendar day.
        run = dag.test(logical_date=end, run_conf={"day": day.isoformat()})
        assert run.state == "success"
        assert run.data_interval_start == end - timedelta(days=1) and run.data_interval_end == end
    windows = [r.window_start.astimezone(ZoneInfo(TZ)).date() for r in backfill.store.recent_runs(3)]
    assert sorted(windows) == DAYS
    by_backfill = normalised(backfill.dump())
    assert by_backfill["notes"]

    single = wire(emulators, tmp_path / "single", monkeypatch)
    single.run_days(DAYS[0], DAYS[-1])
    assert normalised(single.dump()) == by_backfill


def test_a_default_manual_run_with_a_logical_date_resumes_from_the_last_success(emulators, tmp_path,
                                                                                 monkeypatch) -> None:
    synced = wire(emulators, tmp_path, monkeypatch)
    synced.run_days(DAYS[0], DAYS[-1])
    [last] = synced.store.recent_runs(1)

    # What the UI's trigger form sends by default: a logical date (now) and no window params.
    run = load_dag().test(logical_date=datetime.now(ZoneInfo(TZ)).replace(microsecond=0))
    assert run.state == "success"
    [resumed] = synced.store.recent_runs(1)
    assert resumed.id != last.id
    assert resumed.window_start == last.window_end, "the run starts where the last successful one ended"


def test_make_syncs_runs_keep_their_real_times_and_a_second_run_of_a_day_replaces_nothing(
        emulators, tmp_path, monkeypatch) -> None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    from timelines_zoho_sandbox import local_run

    synced = wire(emulators, tmp_path, monkeypatch)
    dag = load_dag()
    began = datetime.now(ZoneInfo("UTC"))
    first, second = (local_run.run_day(dag, DAYS[0]) for _ in range(2))

    with create_session() as session:
        runs = [session.query(DagRun).filter_by(dag_id=dag.dag_id, run_id=run.run_id).one()
                for run in (first, second)]
        states = [{ti.state for ti in run.get_task_instances(session=session)} for run in runs]
        for run in runs:
            assert run.start_date >= began and run.end_date > run.start_date, "real start and end times"
            assert (run.run_type, run.triggered_by.value) == ("manual", "cli")
            assert run.triggering_user_name != "dag_test"
    assert first.run_id != second.run_id
    assert states == [{"success"}, {"success"}], "the first run's tasks were not cleared by the second"
    windows = {r.window_start.astimezone(ZoneInfo(TZ)).date() for r in synced.store.recent_runs(2)}
    assert windows == {DAYS[0]}
