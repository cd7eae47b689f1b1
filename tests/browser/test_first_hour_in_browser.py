"""The first hour in Airflow's own UI: the DAG list, a default trigger that resumes, the run's note, the runs page.

The integration is set up headless (the CLI against the server's databases): the settings journey has its own test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime

import pytest
import requests
from airflow_ui import DAG_ID, login, new_context, wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST_DAY = {"window_start": "2026-03-30T00:00:00+02:00", "window_end": "2026-03-31T00:00:00+02:00"}
# A window that ends before it starts: the run fails in extract, before it records a window.
BACKWARDS = {"window_start": "2026-04-02T00:00:00Z", "window_end": "2026-04-01T00:00:00Z"}
SYNC_OF = re.compile(r"Sync of (\S+) → (\S+)")


def _cli(server, *args: str) -> None:
    env = server.env | {"_AIRFLOW_PROCESS_CONTEXT": "server"}
    done = subprocess.run([sys.executable, "-m", "timelines_zoho.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def _activate(server, sandbox) -> None:
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    zoho = ZohoSandboxAdmin(sandbox.zoho_url)
    client = zoho.create_client(["http://127.0.0.1:1/cb"])
    owner_token = TimelinesAISandboxAdmin(sandbox.timelines_root).tokens()["owner"]
    _cli(server, "connect-timelines", "--token", owner_token, "--base-url", sandbox.timelines_url)
    _cli(server, "connect-zoho", "--client-id", client["client_id"], "--client-secret", client["client_secret"],
         "--data-centre", "custom", "--accounts-url", zoho.accounts_url("eu"), "--api-domain", zoho.api_domain("eu"),
         "--grant-code", zoho.grant_code(dc="eu", client_id=client["client_id"]))
    _cli(server, "activate", "--module", "Contacts", "--phone-field", "Mobile")


class Api:
    """Airflow's REST API as the admin."""

    def __init__(self, server) -> None:
        self.url = f"{server.url}/api/v2"
        self.headers = {"Authorization": f"Bearer {server.token('admin')}"}

    def get(self, path: str) -> dict:
        response = requests.get(f"{self.url}{path}", headers=self.headers, timeout=60)
        response.raise_for_status()
        return response.json()

    def trigger(self, conf: dict) -> str:
        response = requests.post(f"{self.url}/dags/{DAG_ID}/dagRuns", headers=self.headers, timeout=60,
                                 json={"logical_date": None, "conf": conf})
        response.raise_for_status()
        return response.json()["dag_run_id"]

    def run(self, run_id: str) -> dict:
        return self.get(f"/dags/{DAG_ID}/dagRuns/{run_id}")


def _last_success_end_before(api: Api, run: dict) -> str:
    """The window end of the last run that succeeded before `run` began (the scheduler may have run one too)."""
    earlier = [r for r in api.get(f"/dags/{DAG_ID}/dagRuns?state=success&limit=50")["dag_runs"]
               if r["dag_run_id"] != run["dag_run_id"] and _at(r["end_date"]) < _at(run["start_date"])]
    assert earlier, "no earlier success to resume from"
    return max((SYNC_OF.search(r["note"]).group(2) for r in earlier), key=_at)


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_first_hour_dag_list_default_trigger_resumes_note_on_run_page_and_runs_listed(
        airflow_server, browser, sandbox, shots):
    _activate(airflow_server, sandbox)
    api = Api(airflow_server)
    first = api.trigger(FIRST_DAY)
    assert wait_for_run(airflow_server, first) == "success"
    failed = api.trigger(BACKWARDS)
    assert wait_for_run(airflow_server, failed) == "failed"

    context = new_context(browser, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    login(page, airflow_server, "admin")

    # The DAG list holds this project's DAGs (the sync and the event-driven one) and no example DAGs.
    page.goto(f"{airflow_server.url}/dags")
    page.get_by_role("link", name=DAG_ID).first.wait_for()
    shots(page, "dag-list")
    assert "example_" not in page.locator("body").inner_text()
    dag_ids = [d["dag_id"] for d in api.get("/dags")["dags"]]
    assert DAG_ID in dag_ids and all(d.startswith("timelines_zoho_") for d in dag_ids), dag_ids

    # A default trigger from the UI (the form untouched) resumes from the last successful window.
    page.goto(f"{airflow_server.url}/dags/{DAG_ID}")
    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    shots(page, "default-trigger-form")
    dialog.get_by_role("button", name="Trigger").click()
    page.get_by_text("Dag Run Triggered").wait_for()
    run = next(r for r in api.get(f"/dags/{DAG_ID}/dagRuns?order_by=-run_after&limit=5")["dag_runs"]
               if r["run_type"] == "manual" and r["dag_run_id"] not in (first, failed))
    assert not any(run["conf"].get(k) for k in ("window_start", "window_end", "day")), run["conf"]
    assert wait_for_run(airflow_server, run["dag_run_id"]) == "success"
    run = api.run(run["dag_run_id"])
    resumed_start, _ = SYNC_OF.search(run["note"]).groups()
    assert resumed_start == _last_success_end_before(api, run), "the default trigger did not resume"

    # The run's summary is its note, on the run page.
    page.goto(f"{airflow_server.url}/dags/{DAG_ID}/runs/{run['dag_run_id']}")
    page.get_by_text(f"Sync of {resumed_start}").first.wait_for()
    shots(page, "run-page-note")

    # The settings page lists all three runs, the failed one with its reason.
    page.goto(f"{airflow_server.url}/timelines-zoho/")
    runs = page.locator("#runs")
    runs.wait_for()
    text = runs.inner_text()
    assert first in text and failed in text and run["dag_run_id"] in text
    assert "the window is empty" in text and "failed" in text
    runs.scroll_into_view_if_needed()
    shots(page, "settings-runs")

    # The Zoho connection's Edit form still offers the one-time grant code field (used and emptied at connect).
    page.goto(f"{airflow_server.url}/connections")
    row = page.get_by_role("row").filter(has_text="zoho_crm_default")
    row.get_by_role("button", name="Edit Connection").click()
    dialog = page.get_by_role("dialog")
    grant_code = dialog.get_by_text("Grant code (one-time)")
    dialog.get_by_text("Refresh token").or_(dialog.get_by_text("Extra Fields", exact=True)).first.wait_for()
    if not grant_code.is_visible():
        dialog.get_by_text("Extra Fields", exact=True).click()
    grant_code.wait_for()
    grant_code.scroll_into_view_if_needed()
    shots(page, "zoho-connection-edit-form")
    context.close()
