"""The whole settings journey in a real browser: log in, open the plugin, connect, configure, activate, run the DAG."""

from __future__ import annotations

import pytest
import requests
from airflow_ui import DAG_ID, login, new_context, wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A day of the seeded workspace's chats (the sync tests use it too), in the workspace's timezone.
DAY = "2026-03-30"


def test_admin_connects_configures_activates_and_runs_the_dag(airflow_server, browser, sandbox, shots):
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    zoho = ZohoSandboxAdmin(sandbox.zoho_url)
    client = zoho.create_client([f"{airflow_server.url}/timelines-zoho/oauth/callback"], client_name="Airflow")
    owner_token = TimelinesAISandboxAdmin(sandbox.timelines_root).tokens()["owner"]
    context = new_context(browser, viewport={"width": 1400, "height": 1000})
    page = context.new_page()

    # 1. Log in.
    login(page, airflow_server, "admin")
    shots(page, "logged-in")

    # 2. Open the plugin page from Airflow's navigation (it is shown in an iframe).
    page.goto(f"{airflow_server.url}/plugin/timelines-zoho")
    frame = page.frame_locator("iframe")
    frame.get_by_role("heading", name="WhatsApp → Zoho CRM").wait_for()
    shots(page, "plugin-page")

    # Connect TimelinesAI with the workspace Owner's token.
    frame.locator("input[name=token]").fill(owner_token)
    frame.locator("input[name=base_url]").fill(sandbox.timelines_url)
    frame.get_by_role("button", name="Connect TimelinesAI").click()
    frame.locator("#workspace-name").wait_for()
    assert frame.locator("#workspace-name").inner_text() == "ACME Sandbox"

    # 3. Connect Zoho through the emulator's consent page (shown inside the plugin's frame, then back).
    frame.locator("input[name=client_id]").fill(client["client_id"])
    frame.locator("input[name=client_secret]").fill(client["client_secret"])
    frame.locator("select[name=data_centre]").select_option("custom")  # the configured sandbox host
    frame.locator("#connect-zoho").click()
    frame.locator("#accept").wait_for()
    shots(page, "zoho-consent")
    frame.locator("#accept").click()
    frame.locator("[role=status]").wait_for()
    assert "Connected to Zoho CRM" in frame.locator("[role=status]").inner_text()
    shots(page, "zoho-connected")

    # 4. Pick a module; its fields arrive with the documented defaults.
    frame.locator("#module").select_option("Contacts")
    frame.locator("#lead_source_field option[value=Lead_Source]").wait_for(state="attached")
    assert frame.locator("#chat_link_field").input_value() == "Description"
    assert frame.locator("#name_field").input_value() == "Last_Name"
    frame.locator("#phone_field").select_option("Mobile")
    shots(page, "settings-chosen")

    # 5. Activate: the test contact exists in the emulator, and the settings are read-only.
    frame.locator("#activate").click()
    frame.locator("#deactivate").wait_for()
    shots(page, "activated")
    assert frame.locator("#ro-module").inner_text() == "Contacts"
    contacts = zoho.state()["records"]["Contacts"]
    test_contacts = [c for c in contacts if c.get("Last_Name") == "TimelinesAI test contact"]
    assert test_contacts and test_contacts[-1]["Mobile"] and test_contacts[-1]["Lead_Source"] == "TimelinesAI"

    # 6. Trigger the DAG from the Airflow UI and see the run succeed.
    page.goto(f"{airflow_server.url}/dags/{DAG_ID}")
    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    # `day` is the form's one date field (format: date), a native date input; the window's date-time pickers
    # are Airflow's own widget.
    dialog.locator("input[type=date]").first.fill(DAY)
    shots(page, "trigger-dialog")
    dialog.get_by_role("button", name="Trigger").click()
    page.get_by_text("Dag Run Triggered").wait_for()
    runs = requests.get(f"{airflow_server.url}/api/v2/dags/{DAG_ID}/dagRuns?order_by=-run_after&limit=1",
                        headers={"Authorization": f"Bearer {airflow_server.token('admin')}"}, timeout=30).json()
    (run,) = runs["dag_runs"]
    assert run["triggering_user_name"] == "admin" and run["conf"]["day"] == DAY
    run_id = run["dag_run_id"]
    assert wait_for_run(airflow_server, run_id) == "success"
    page.goto(f"{airflow_server.url}/dags/{DAG_ID}/runs/{run_id}")
    page.get_by_text("success").first.wait_for()
    shots(page, "run-succeeded")

    # The run wrote notes into Zoho, and its summary reaches the plugin page's chart.
    assert zoho.state()["records"].get("Notes"), "the run synced no notes"
    page.goto(f"{airflow_server.url}/timelines-zoho/")
    assert "notes created" in page.locator("#runs").inner_text()
    shots(page, "runs-on-settings-page")
    context.close()


def test_non_admin_sees_read_only_page_and_gets_403(airflow_server, browser, shots):
    context = new_context(browser)
    page = context.new_page()
    login(page, airflow_server, "viewer")
    page.goto(f"{airflow_server.url}/timelines-zoho/")
    assert "read-only" in page.locator("header").inner_text()
    shots(page, "viewer-page")
    for path in ("/timelines-zoho/deactivate", "/timelines-zoho/activate", "/timelines-zoho/connect/timelines"):
        assert context.request.post(f"{airflow_server.url}{path}", form={"token": "x"}).status == 403
    context.close()
    # Without any session the plugin's API is closed as well.
    assert requests.get(f"{airflow_server.url}/timelines-zoho/api/modules/Contacts/fields", timeout=30).status_code == 401
