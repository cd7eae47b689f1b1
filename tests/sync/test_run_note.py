"""The run's summary is its DAG run note, visible on the run page; a failed run's note says why."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sync_support import Sync

from timelines_zoho.state.store import RunRecord
from timelines_zoho.sync.run_note import NOTE_LIMIT, note_text


def _latest_note() -> str | None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        run = session.query(DagRun).filter_by(dag_id="timelines_zoho_sync").order_by(DagRun.id.desc()).first()
        return run.note


def test_a_finished_run_carries_its_summary_as_its_note(sync: Sync) -> None:
    summary = sync.run_day(date(2026, 3, 30))
    note = _latest_note()
    assert note is not None and note.startswith("Sync of ")
    assert f"Contacts: {summary['counts']['contacts_created']} created" in note
    assert f"Skipped or failed items: {len(summary['issues'])}" in note
    assert "report task's log" in note and len(note) <= NOTE_LIMIT


def _record(status: str, summary: dict | None) -> RunRecord:
    now = datetime(2026, 3, 30, tzinfo=timezone.utc)
    return RunRecord(1, "manual__x", now, now, status, now, now, summary)


def test_a_failed_runs_note_gives_the_recorded_reason() -> None:
    note = note_text(_record("failed", {"reason": "prepare_zoho failed: ZohoAuthError: invalid_client"}), "task_failure")
    assert note == "Sync failed: prepare_zoho failed: ZohoAuthError: invalid_client"


def test_a_run_ended_before_its_record_was_closed_gets_airflows_reason() -> None:
    assert note_text(_record("running", None), "marked failed") == "Sync failed: marked failed"
    assert len(note_text(_record("failed", {"reason": "x" * 5000}), "")) == NOTE_LIMIT
