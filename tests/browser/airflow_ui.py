"""Driving Airflow's own UI and API in the browser tests: a patient context, the login form, waiting for a run."""

from __future__ import annotations

import time

import requests

DAG_ID = "timelines_zoho_sync"


def new_context(browser, **options):
    """A browser context with patient timeouts: Airflow's first pages are slow on a busy 2-core machine."""
    context = browser.new_context(**options)
    context.set_default_timeout(120_000)
    context.set_default_navigation_timeout(120_000)
    return context


def login(page, server, user: str) -> None:
    """Log in through Airflow's own login form."""
    page.goto(f"{server.url}/")
    page.wait_for_url("**/auth/login**")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(server.password(user))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def wait_for_run(server, run_id: str, timeout: float = 900) -> str:
    """Poll the REST API until the DAG run ends; return its last state."""
    headers = {"Authorization": f"Bearer {server.token('admin')}"}
    deadline = time.monotonic() + timeout
    state = "queued"
    while time.monotonic() < deadline:
        state = requests.get(f"{server.url}/api/v2/dags/{DAG_ID}/dagRuns/{run_id}", headers=headers,
                             timeout=30).json()["state"]
        if state in ("success", "failed"):
            return state
        time.sleep(2)
    return state
