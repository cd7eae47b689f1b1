"""The provider distribution registers both connection types with their UI forms."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from timelines_zoho.provider import get_provider_info


@pytest.fixture(scope="module")
def providers():
    """Airflow's own ProvidersManager, reading our entry point like the API server does."""
    from airflow.providers_manager import ProvidersManager

    return ProvidersManager()


def test_airflow_cli_lists_the_provider() -> None:
    env = {**os.environ, "AIRFLOW_HOME": tempfile.mkdtemp(prefix="provider-list-")}
    out = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "airflow"), "providers", "list", "-o", "plain"],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    ).stdout
    assert "timelines-zoho" in out


@pytest.mark.parametrize(
    ("conn_type", "hook_class", "attr"),
    [
        ("zoho_crm", "timelines_zoho.hooks.zoho.ZohoCRMHook", "zoho_conn_id"),
        ("timelines_ai", "timelines_zoho.hooks.timelinesai.TimelinesAIHook", "timelines_conn_id"),
    ],
)
def test_connection_type_is_registered_and_testable(providers, conn_type: str, hook_class: str, attr: str) -> None:
    info = providers.hooks[conn_type]
    assert (info.hook_class_name, info.connection_id_attribute_name) == (hook_class, attr)
    assert info.connection_testable


def test_zoho_form_has_its_fields_with_secrets_masked(providers) -> None:
    widgets = {k.split("__")[-1]: v for k, v in providers.connection_form_widgets.items() if "__zoho_crm__" in k}
    assert set(widgets) == {"refresh_token", "data_centre", "accounts_url", "api_domain", "grant_code"}
    fields = get_provider_info()["connection-types"][1]["conn-fields"]
    assert {k for k, v in fields.items() if v["schema"].get("format") == "password"} == {"refresh_token", "grant_code"}
    assert fields["data_centre"]["schema"]["enum"] == ["us", "eu", "in", "au", "jp", "ca", "sa", "cn", "custom"]
    behaviour = providers.field_behaviours["zoho_crm"]
    assert behaviour["relabeling"] == {"login": "Client ID", "password": "Client secret"}
    assert "host" in behaviour["hidden_fields"]


def test_timelines_form_shows_only_token_and_base_url(providers) -> None:
    behaviour = providers.field_behaviours["timelines_ai"]
    assert behaviour["relabeling"] == {"password": "API token", "host": "Base URL"}
    assert set(behaviour["hidden_fields"]) == {"login", "port", "schema", "extra"}
    assert behaviour["placeholders"]["host"] == "https://app.timelines.ai/integrations/api"


def test_hooks_carry_the_discoverable_attributes() -> None:
    from timelines_zoho.hooks import TimelinesAIHook, ZohoCRMHook

    assert (ZohoCRMHook.conn_type, ZohoCRMHook.default_conn_name, ZohoCRMHook.hook_name) == (
        "zoho_crm", "zoho_crm_default", "Zoho CRM")
    assert (TimelinesAIHook.conn_type, TimelinesAIHook.default_conn_name) == ("timelines_ai", "timelines_ai_default")
