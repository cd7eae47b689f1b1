"""`make airflow`: this project's DAGs only, fixed local ports, connection testing on, a stable login, and the
sandbox that `make sync ARGS=--serve` serves (or a clear refusal when none does)."""

from __future__ import annotations

import json
import stat

import pytest

from timelines_zoho_sandbox import local_airflow
from timelines_zoho_sandbox.demo import ROOT


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    return tmp_path


def test_airflow_runs_this_projects_dags_on_fixed_local_ports_with_connection_testing(home) -> None:
    env = local_airflow.environment(home, "http://127.0.0.1:8702/", port=8080)
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(ROOT / "dags")
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == str(ROOT / "plugins")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW__CORE__TEST_CONNECTION"] == "Enabled"
    assert (env["AIRFLOW__API__HOST"], env["AIRFLOW__API__PORT"]) == ("127.0.0.1", "8080")
    assert env["AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL"] == "http://127.0.0.1:8702/us/accounts"


def test_the_login_and_secrets_are_made_once_and_kept_private(home) -> None:
    first = local_airflow.environment(home, "http://127.0.0.1:8702")
    again = local_airflow.environment(home, "http://127.0.0.1:8702")
    assert first == again, "a restart keeps the password, the JWT secret and the API secret key"
    passwords = home / "passwords.json"
    assert set(json.loads(passwords.read_text())) == {"admin"}
    for name in ("passwords.json", "jwt_secret", "api_secret_key"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600
    assert len(first["AIRFLOW__API_AUTH__JWT_SECRET"]) >= 64


def test_without_a_serving_sandbox_it_refuses_and_says_what_to_run(home, tmp_path, monkeypatch, capsys) -> None:
    for key in ("TIMELINES_ZOHO_SCHEDULE", "TIMELINES_ZOHO_SCHEDULE_TZ"):
        monkeypatch.setenv(key, "")
    assert local_airflow.main(["--var", str(tmp_path / "var")]) == 1
    assert "Run `make sync ARGS=--serve` in another terminal first" in capsys.readouterr().err
