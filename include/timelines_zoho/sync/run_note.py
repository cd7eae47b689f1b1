"""The run's summary as its DAG run note, where Airflow users look: the run page and the grid's run details.

A listener (registered by the plugin) writes it when a sync run ends, on the DAG run the scheduler, `dag.test`
or the API server is closing, so it lands in the same transaction as the run's state.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.listeners import hookimpl
from sqlalchemy import inspect

from timelines_zoho.state.store import RunRecord
from timelines_zoho.sync.run_end import DAG_ID
from timelines_zoho.sync.summary import render

log = logging.getLogger(__name__)

NOTE_LIMIT = 1000  # Airflow's dag_run_note.content is VARCHAR(1000)
MORE = "\n\nEvery skipped or failed item, with its reason, is in the report task's log."


def note_text(record: RunRecord | None, msg: str) -> str:
    """Return the note for a finished run: its counts and API use, or why it failed."""
    if record is None or record.summary is None:
        return f"Sync failed: {msg or 'no reason given'}"[:NOTE_LIMIT]
    if record.status == "failed":
        return f"Sync failed: {record.summary.get('reason') or msg or 'no reason given'}"[:NOTE_LIMIT]
    # Every line but the per-item ones (as many as there are issues): those stay in the report log.
    lines = [line for line in render(record.summary).splitlines() if not line.startswith("  - ")]
    return "\n".join(lines)[: NOTE_LIMIT - len(MORE)] + MORE


class RunNoteListener:
    """Airflow listener: a sync run that ends gets its summary as its note."""

    @hookimpl
    def on_dag_run_success(self, dag_run: Any, msg: str) -> None:
        _write_note(dag_run, msg)

    @hookimpl
    def on_dag_run_failed(self, dag_run: Any, msg: str) -> None:
        _write_note(dag_run, msg)


def _write_note(dag_run: Any, msg: str) -> None:
    if getattr(dag_run, "dag_id", None) != DAG_ID:
        return
    from timelines_zoho.sync.runner import open_store

    try:
        text = note_text(open_store().run_by_key(dag_run.run_id), msg)
        if inspect(dag_run).session is not None:
            # In the caller's transaction: the scheduler holds this run's row locked until it commits.
            dag_run.note = text
            return
        from airflow.models.dagrun import DagRun
        from airflow.utils.session import create_session

        with create_session() as session:  # `dag.test` hands over a run its session has let go
            session.query(DagRun).filter_by(dag_id=dag_run.dag_id, run_id=dag_run.run_id).one().note = text
    except Exception:  # a listener must never break the scheduler loop or the API call that ended the run
        log.exception("could not write the note of sync run %s", dag_run.run_id)
