"""How a run that does not succeed ends: failed in the run records, with its reason, and its staged files gone.

Three ways in, because Airflow has three: a task that fails for good (its on_failure_callback records the error,
the most useful reason), the DAG run failing (its on_failure_callback closes the run and cleans up), and a person
marking the run failed in the UI, which runs no callback at all but tells listeners (`RunListener`, registered by
the plugin on the API server and the scheduler). Each is safe to call twice.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from airflow.listeners import hookimpl

log = logging.getLogger(__name__)

DAG_ID = "timelines_zoho_sync"
DAG_IDS = (DAG_ID, "timelines_zoho_realtime")  # both run the sync's steps and record their runs
REASON_LIMIT = 500
# A signed download URL or a token in a query string must not reach the run records the settings page shows.
_QUERY = re.compile(r"(https?://[^\s?#'\"]+)\?[^\s'\"]*")


def fail_run(run_key: str, reason: str, *, clean: bool = True) -> None:
    """Close the run as failed (unless already closed) and, with `clean`, remove its staged files."""
    from timelines_zoho.sync import staging
    from timelines_zoho.sync.runner import open_store

    if open_store().fail_run(run_key, _safe(reason)):
        log.warning("run %s failed: %s", run_key, _safe(reason))
    if clean:
        staging.clean_run(run_key)


def task_failed(context: dict[str, Any]) -> None:
    """A task failed with no retries left: record its error as the run's reason (the files stay for its peers)."""
    error = context.get("exception")
    task_id = getattr(context.get("ti"), "task_id", "a task")
    detail = f"{type(error).__name__}: {error}" if error is not None else "no error was given"
    fail_run(context["dag_run"].run_id, f"{task_id} failed: {detail}", clean=False)


def dag_run_failed(context: dict[str, Any]) -> None:
    """The DAG run failed: close it (the reason a task gave wins) and clean up."""
    fail_run(context["dag_run"].run_id, f"the Airflow run failed ({context.get('reason') or 'no reason given'})")


class RunListener:
    """Airflow listener: a sync run marked failed (in the UI or the API) ends failed and cleans up."""

    @hookimpl
    def on_dag_run_failed(self, dag_run: Any, msg: str) -> None:
        if getattr(dag_run, "dag_id", None) not in DAG_IDS:
            return
        try:
            fail_run(dag_run.run_id, f"the Airflow run was marked failed ({msg or 'no reason given'})")
        except Exception:  # a listener must never break the API call that marked the run
            log.exception("could not close sync run %s", dag_run.run_id)


def _safe(reason: str) -> str:
    return _QUERY.sub(r"\1?…", reason)[:REASON_LIMIT]
