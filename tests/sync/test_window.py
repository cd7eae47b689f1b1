"""Which window a run syncs: manual runs resume however they were triggered, and `day` is a calendar day in the
workspace timezone, also where DST changes at local midnight."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pendulum
import pytest

from timelines_zoho.sync.window import Window, WindowError, resolve_window

UTC = timezone.utc
NOW = datetime(2026, 3, 31, 9, 30, tzinfo=UTC)
LAST_SUCCESS = datetime(2026, 3, 30, 14, 0, tzinfo=UTC)
HAVANA = "America/Havana"  # 2026-03-08 00:00 does not exist there: clocks jump to 01:00


def resolve(params: dict, *, manual: bool, interval: tuple | None = None, tz: str = "UTC") -> Window:
    start, end = interval or (None, None)
    return resolve_window(params=params, interval_start=start, interval_end=end, last_success_end=LAST_SUCCESS,
                          now=NOW, manual=manual, tz=tz)


def test_manual_run_with_the_forms_logical_date_resumes_from_the_last_success() -> None:
    # The UI form always sends a logical date; Airflow infers a one-hour interval from it.
    form_interval = (datetime(2026, 3, 31, 8, tzinfo=UTC), datetime(2026, 3, 31, 9, tzinfo=UTC))
    assert resolve({}, manual=True, interval=form_interval) == Window(LAST_SUCCESS, NOW)


def test_scheduled_run_syncs_its_data_interval() -> None:
    interval = (datetime(2026, 3, 31, 8, tzinfo=UTC), datetime(2026, 3, 31, 9, tzinfo=UTC))
    assert resolve({}, manual=False, interval=interval) == Window(*interval)


def test_window_params_override_a_manual_runs_resume() -> None:
    window = resolve({"window_start": "2026-03-29T00:00:00+02:00", "window_end": "2026-03-30"}, manual=True)
    assert window == Window(datetime(2026, 3, 28, 22, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC))


def test_day_before_a_midnight_dst_change_is_that_calendar_day() -> None:
    from airflow.sdk import CronDataIntervalTimetable
    from airflow.serialization.encoders import coerce_to_core_timetable

    # The logical date a daily run for 7 March carries; Airflow's manual interval for it is another day.
    logical = pendulum.instance(datetime(2026, 3, 8, tzinfo=ZoneInfo(HAVANA)))
    timetable = coerce_to_core_timetable(CronDataIntervalTimetable("0 0 * * *", timezone=HAVANA))
    inferred = timetable.infer_manual_data_interval(run_after=logical)
    assert inferred.start.astimezone(ZoneInfo(HAVANA)).date() != date(2026, 3, 7)

    window = resolve({"day": "2026-03-07"}, manual=True, interval=(inferred.start, inferred.end), tz=HAVANA)
    assert window == Window(datetime(2026, 3, 7, 5, tzinfo=UTC), datetime(2026, 3, 8, 5, tzinfo=UTC))
    assert window.days(HAVANA) == [date(2026, 3, 7)]


def test_day_of_a_midnight_dst_change_is_23_hours() -> None:
    window = resolve({"day": "2026-03-08"}, manual=True, tz=HAVANA)
    assert window.end - window.start == timedelta(hours=23)
    assert window.days(HAVANA) == [date(2026, 3, 8)]


def test_day_and_window_params_together_are_refused() -> None:
    with pytest.raises(WindowError, match="either day or window_start"):
        resolve({"day": "2026-03-07", "window_start": "2026-03-07T00:00:00Z"}, manual=True)


def test_day_that_is_not_a_date_is_refused_with_the_value() -> None:
    with pytest.raises(WindowError, match="'07/03/2026'"):
        resolve({"day": "07/03/2026"}, manual=True)
