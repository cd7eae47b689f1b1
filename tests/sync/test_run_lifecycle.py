"""A run's lifecycle under bad data and failures: the phone index survives garbled Zoho timestamps, and a failed
run ends failed, with its reason, and leaves no staged files (steps in-process, against the emulators)."""

from __future__ import annotations

import json
import os
import pathlib
import sys
from types import SimpleNamespace

import pytest
from sync_support import ROOT, Sync, load_dag

from timelines_zoho.sync import runner

sys.path.insert(0, str(ROOT / "plugins"))
from timelines_zoho_plugin import TimelinesZohoPlugin  # noqa: E402 - the plugins folder is not a package

WINDOW = {"window_start": "2026-03-30T00:00:00+02:00", "window_end": "2026-04-01T00:00:00+02:00"}
GARBLED_TIMES = {"Garbled Day First": "30/03/2026 10:00", "Garbled No Offset": "2026-03-30T10:00:00"}


def _seed_garbled_contacts(sync: Sync) -> dict[str, str]:
    """Put records whose Modified_Time is not an ISO instant with an offset into Zoho; return name → id."""
    rows = [
        {"Last_Name": name, "Mobile": f"+4860912345{n}", "Modified_Time": stamp}
        for n, (name, stamp) in enumerate(GARBLED_TIMES.items())
    ]
    created = sync.zoho.seed(records={"Contacts": rows})["records"]["Contacts"]
    return dict(zip(GARBLED_TIMES, map(str, created), strict=True))


def test_a_malformed_modified_time_in_zoho_is_reported_and_the_rest_of_the_index_goes_on(sync: Sync) -> None:
    garbled = _seed_garbled_contacts(sync)
    meta = runner.start_and_extract("garbled-index", WINDOW, None, None)
    runner.prepare_zoho(meta)

    every_id = {str(record["id"]) for record in sync.dump()["records"]["Contacts"]}
    assert sync.store.index_size() == len(every_id), "every record is indexed, the garbled ones too"
    assert sync.store.match_phone_keys(["+48609123450", "+48609123451"]), "their phones still match"
    items = sync.store.run_items(meta.run_id)
    reported = {item_id: reason for kind, item_id, outcome, reason in items if kind == "zoho_record"}
    assert set(reported) == set(garbled.values()), items
    assert all("Modified_Time" in reason for reason in reported.values())
    watermark = sync.store.index_watermark()
    assert watermark and watermark not in GARBLED_TIMES.values()

    # The next run reads incrementally from a watermark the garbled values never moved: nothing is skipped.
    sync.zoho.seed(records={"Contacts": [{"Last_Name": "Added Later", "Mobile": "+48609123459"}]})
    again = runner.start_and_extract("garbled-index-again", WINDOW, None, None)
    runner.prepare_zoho(again)
    assert sync.store.match_phone_keys(["+48609123459"]), "a record added after the garbled run is indexed"


def _staged_runs(tmp_path: pathlib.Path) -> list[str]:
    root = tmp_path / "staging"
    return sorted(path.name for path in root.iterdir()) if root.exists() else []


def test_a_run_that_fails_ends_failed_with_its_reason_and_leaves_no_staged_files(
    sync: Sync, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Zoho refuses the connection's credentials: prepare_zoho fails after extract staged the run's data.
    zoho_conn = json.loads(os.environ["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"])
    zoho_conn["login"], zoho_conn["extra"]["refresh_token"] = "1000.REVOKEDCLIENT", "1000.revoked.refresh"
    monkeypatch.setenv("AIRFLOW_CONN_ZOHO_CRM_DEFAULT", json.dumps(zoho_conn))
    dag = load_dag()
    for task in dag.tasks:
        task.retries = 0

    run = dag.test(run_conf=WINDOW)

    assert run.state == "failed"
    [record] = sync.store.recent_runs(1)
    assert record.status == "failed", "a failed run never stays 'running'"
    assert record.finished_at is not None
    assert record.summary["reason"].startswith("prepare_zoho failed: "), record.summary
    assert "1000.revoked.refresh" not in record.summary["reason"]
    assert _staged_runs(tmp_path) == [], "the failed run's staged files are gone"


def test_a_run_marked_failed_in_the_ui_ends_failed_and_is_cleaned_up(sync: Sync, tmp_path: pathlib.Path) -> None:
    from timelines_zoho.sync.run_end import RunListener

    meta = runner.start_and_extract("manual__marked-failed", WINDOW, None, None)
    runner.transform(meta)
    assert _staged_runs(tmp_path)
    marked = SimpleNamespace(dag_id="timelines_zoho_sync", run_id="manual__marked-failed")

    # What Airflow's API server calls after a person marks the run failed (no DAG callback runs then).
    listener = next(item for item in TimelinesZohoPlugin.listeners if isinstance(item, RunListener))
    listener.on_dag_run_failed(dag_run=marked, msg="marked failed")
    listener.on_dag_run_failed(dag_run=SimpleNamespace(dag_id="another_dag", run_id="x"), msg="not ours")

    [record] = sync.store.recent_runs(1)
    assert (record.run_key, record.status) == ("manual__marked-failed", "failed")
    assert "marked failed" in record.summary["reason"]
    assert _staged_runs(tmp_path) == []
