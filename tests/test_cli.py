"""The `timelines-zoho` command drives the same lifecycle as the UI, against the emulators."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from timelines_zoho.cli import main


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run the command in-process on a private store and private connections; return (code, stdout, stderr)."""
    monkeypatch.setenv("TIMELINES_ZOHO_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("_AIRFLOW_PROCESS_CONTEXT", "server")
    suffix = uuid.uuid4().hex[:8]
    conn_args = ["--zoho-conn-id", f"zoho_cli_{suffix}", "--timelines-conn-id", f"timelines_cli_{suffix}"]

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*conn_args, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def zoho_grant(sandbox):
    """A registered client of the emulator's EU data centre and a fresh self-client grant code."""
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    admin = ZohoSandboxAdmin(sandbox.zoho_url)
    client = admin.create_client(["http://127.0.0.1:1/cb"])
    return ["--client-id", client["client_id"], "--client-secret", client["client_secret"], "--data-centre", "custom",
            "--accounts-url", admin.accounts_url("eu"), "--api-domain", admin.api_domain("eu"),
            "--grant-code", admin.grant_code(dc="eu", client_id=client["client_id"])]


@pytest.fixture
def tokens(sandbox) -> dict[str, str]:
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin

    return TimelinesAISandboxAdmin(sandbox.timelines_root).tokens()


def test_headless_setup_connect_set_activate_deactivate(cli, sandbox, zoho_grant, tokens):
    code, _, err = cli("connect-timelines", "--token", tokens["admin"], "--base-url", sandbox.timelines_url)
    assert code == 1 and "only the workspace Owner" in err and "what to do:" in err
    code, out, _ = cli("connect-timelines", "--token", tokens["owner"], "--base-url", sandbox.timelines_url)
    assert code == 0 and json.loads(out)["timelines"]["name"] == "ACME Sandbox"
    code, out, _ = cli("connect-zoho", *zoho_grant)
    assert code == 0 and json.loads(out)["connected_as"]
    assert "refresh_token" not in out

    code, out, _ = cli("set", "--module", "Contacts")
    saved = json.loads(out)["settings"]
    assert code == 0 and not saved["active"]
    assert (saved["name_field"], saved["chat_link_field"], saved["lead_source_field"]) == (
        "Last_Name", "Description", "Lead_Source")

    code, out, _ = cli("activate")
    active = json.loads(out)["settings"]
    assert code == 0 and active["active"] and active["test_record_id"]

    code, _, err = cli("set", "--module", "Leads")
    assert code == 1 and "read-only" in err and "Deactivate and edit settings" in err

    code, out, _ = cli("deactivate")
    assert code == 0 and not json.loads(out)["settings"]["active"]
    code, out, _ = cli("set", "--module", "Leads", "--name-field", "Last_Name")
    assert json.loads(out)["settings"]["module"] == "Leads"

    code, out, _ = cli("show")
    report = json.loads(out)
    assert code == 0 and report["settings"]["module"] == "Leads"
    assert [e["action"] for e in report["audit"]][:2] == ["save_settings", "deactivate"]
    assert all(e["actor"].startswith("cli:") for e in report["audit"])


def test_replayed_grant_code_is_refused_with_a_clear_message(cli, zoho_grant):
    assert cli("connect-zoho", *zoho_grant)[0] == 0
    code, out, err = cli("connect-zoho", *zoho_grant)
    assert code == 1 and out == ""
    assert "Zoho refused the grant code" in err and "Traceback" not in err


def test_unknown_field_is_refused_without_traceback(cli, zoho_grant):
    cli("connect-zoho", *zoho_grant)
    code, _, err = cli("activate", "--module", "Contacts", "--phone-field", "No_Such_Field")
    assert code == 1 and "No_Such_Field cannot be the field for the WhatsApp number" in err


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("timelines-zoho")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=os.environ, timeout=60)
    assert result.returncode == 0
    for command in ("show", "set", "activate", "deactivate", "connect-zoho", "connect-timelines"):
        assert command in result.stdout


def test_an_unreachable_host_is_one_line_and_exit_code_3(tmp_path, monkeypatch, capsys):
    from timelines_zoho.settings import connections

    monkeypatch.setenv("TIMELINES_ZOHO_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("_AIRFLOW_PROCESS_CONTEXT", "server")
    monkeypatch.setenv("AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL", "http://127.0.0.1:9")
    conn_id = f"zoho_cli_{uuid.uuid4().hex[:8]}"
    connections.upsert(conn_id, "zoho_crm", login="client-id", password="client-secret-456", extra={
        "data_centre": "custom", "accounts_url": "http://127.0.0.1:9", "api_domain": "http://127.0.0.1:9",
        "refresh_token": "refresh-token-123"})
    code = main(["--zoho-conn-id", conn_id, "show", "--options"])
    out, err = capsys.readouterr()
    assert code == 3 and out == "", err
    assert "cannot reach http://127.0.0.1:9" in err and "(exit 3)" in err
    assert "Traceback" not in err and "refresh-token-123" not in err and "client-secret-456" not in err


def test_no_command_prints_alembics_dialect_lines(tmp_path):
    # A child process: in pytest's own, log capture hides what a shell would print.
    script = Path(sys.executable).with_name("timelines-zoho")
    env = os.environ | {"TIMELINES_ZOHO_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}",
                        "_AIRFLOW_PROCESS_CONTEXT": "server"}
    result = subprocess.run([str(script), "--zoho-conn-id", "zoho_cli_none", "--timelines-conn-id", "tl_cli_none",
                             "show"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    printed = result.stdout + result.stderr
    assert "Context impl" not in printed and "Will assume" not in printed


def test_keep_zoho_names_is_a_setting_of_set(cli, zoho_grant):
    cli("connect-zoho", *zoho_grant)
    code, out, _ = cli("set", "--module", "Contacts", "--keep-zoho-names")
    assert code == 0 and json.loads(out)["settings"]["keep_zoho_names"] is True
    code, out, _ = cli("set", "--no-keep-zoho-names")
    assert json.loads(out)["settings"]["keep_zoho_names"] is False
