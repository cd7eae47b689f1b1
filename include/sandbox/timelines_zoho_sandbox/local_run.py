"""Run the DAG in this process (`dag.test`) so that the run reads true in the Airflow UI afterwards.

`dag.test(logical_date=D)` records start = D and replaces any earlier run with that logical date, and it marks
the run as triggered by `dag_test`. Here each run gets the moment it starts as its logical date (a run of its
own, with its real start time), the calendar day to sync as its `day` param, and is recorded as triggered from
the CLI by this user.
"""

from __future__ import annotations

import getpass
from datetime import date, datetime, timezone
from typing import Any


def run_day(dag: Any, day: date) -> Any:
    """Run `dag` for one calendar day in the workspace timezone and return its DagRun."""
    run = dag.test(logical_date=datetime.now(timezone.utc), run_conf={"day": day.isoformat()})
    _record_as_cli_run(run.dag_id, run.run_id)
    return run


def _record_as_cli_run(dag_id: str, run_id: str) -> None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.types import DagRunTriggeredByType

    with create_session() as session:
        row = session.query(DagRun).filter_by(dag_id=dag_id, run_id=run_id).one()
        row.triggered_by = DagRunTriggeredByType.CLI
        row.triggering_user_name = getpass.getuser()
