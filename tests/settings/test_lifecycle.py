"""The settings lifecycle against the emulators: destinations, drafts, activation, lock and unlock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from timelines_zoho.settings import ActivationFailed, Actor, PermissionDenied, SettingsError, SettingsLocked
from timelines_zoho.settings.activation import TEST_PHONE
from timelines_zoho.state import IntegrationSettings

ADMIN = Actor("admin-user", is_admin=True)



def _zoho_record(zoho_admin, module: str, record_id: str) -> dict | None:
    return next((r for r in zoho_admin.state()["records"].get(module, []) if str(r.get("id")) == record_id), None)


def test_only_modules_with_a_phone_field_are_offered(connected):
    destinations = connected.destinations()
    offered = {m["api_name"] for m in destinations.offered}
    assert {"Contacts", "Leads"} <= offered
    assert destinations.without_phone, "the emulator has modules without a phone field"
    for module in destinations.without_phone:
        assert module["api_name"] not in offered
        with pytest.raises(SettingsError, match="needs a phone field|no phone field"):
            connected.field_options(module["api_name"])


def test_defaults_follow_the_documented_choices(connected):
    draft = connected.with_defaults(IntegrationSettings(module="Contacts"))
    assert (draft.name_field, draft.chat_link_field, draft.lead_source_field) == ("Last_Name", "Description",
                                                                                  "Lead_Source")
    assert draft.phone_field in {"Phone", "Mobile"}
    assert draft.timezone


def test_a_new_destination_clears_the_other_settings(connected):
    draft = connected.with_defaults(IntegrationSettings(module="Contacts"))
    changed = connected.change_destination(draft, "Leads")
    assert changed == IntegrationSettings(module="Leads")
    assert connected.change_destination(draft, "Contacts") == draft


def test_nothing_is_kept_until_activation(connected, store):
    connected.with_defaults(IntegrationSettings(module="Contacts"))
    assert store.get_settings() is None


def test_activation_adds_the_picklist_option_and_creates_a_test_contact(connected, zoho_admin):
    settings = connected.activate(ADMIN, connected.with_defaults(IntegrationSettings(module="Contacts")))
    assert settings.active and settings.activated_by == ADMIN.name
    record = _zoho_record(zoho_admin, "Contacts", settings.test_record_id)
    assert record is not None
    assert record[settings.phone_field] == TEST_PHONE and record["Lead_Source"] == "TimelinesAI"
    assert record["Description"].startswith("https://app.timelines.ai/chat/")
    actions = [entry["action"] for entry in connected.audit_log()]
    assert "activate" in actions and all(entry["actor"] for entry in connected.audit_log())


def test_activation_failure_shows_zohos_error_and_activates_nothing(connected, zoho_admin, store):
    zoho_admin.faults(mandatory_custom_field="Customer_Tier")
    try:
        with pytest.raises(ActivationFailed) as failure:
            connected.activate(ADMIN, connected.with_defaults(IntegrationSettings(module="Contacts")))
    finally:
        zoho_admin.faults(mandatory_custom_field=None)
    assert failure.value.code == "MANDATORY_NOT_FOUND"
    assert "Customer_Tier" in failure.value.hint and "optional" in failure.value.hint
    assert "MANDATORY_NOT_FOUND" in failure.value.message
    assert store.get_settings() is None
    assert connected.active_settings() is None
    assert connected.audit_log()[0]["action"] == "activation_failed"


def test_incomplete_settings_are_refused_before_zoho_is_touched(connected, zoho_admin):
    before = len(zoho_admin.state()["records"].get("Contacts", []))
    with pytest.raises(SettingsError, match="Choose the field for the lead source"):
        connected.activate(ADMIN, replace(connected.with_defaults(IntegrationSettings(module="Contacts")),
                                          lead_source_field=None))
    with pytest.raises(SettingsError, match="cannot be the field for the WhatsApp number"):
        connected.activate(ADMIN, replace(connected.with_defaults(IntegrationSettings(module="Contacts")),
                                          phone_field="Last_Name"))
    assert len(zoho_admin.state()["records"].get("Contacts", [])) == before


def test_active_settings_are_locked_until_deactivated(connected):
    draft = connected.with_defaults(IntegrationSettings(module="Contacts"))
    connected.activate(ADMIN, draft)
    with pytest.raises(SettingsLocked, match="read-only"):
        connected.activate(ADMIN, draft)
    with pytest.raises(SettingsLocked):
        connected.save_draft(ADMIN, replace(draft, module="Leads"))
    unlocked = connected.deactivate(ADMIN)
    assert not unlocked.active and unlocked.module == "Contacts"
    assert connected.active_settings() is None
    saved = connected.save_draft(ADMIN, connected.change_destination(draft, "Leads"))
    assert saved.module == "Leads" and saved.phone_field is None


def test_only_the_workspace_owner_may_connect_timelines(lifecycle, sandbox, timelines_tokens, conn_ids):
    from timelines_zoho.settings import NotOwner, connections

    with pytest.raises(NotOwner, match="role is Admin; only the workspace Owner"):
        lifecycle.connect_timelines(ADMIN, timelines_tokens["admin"], sandbox.timelines_url)
    assert connections.get_fields(conn_ids["timelines_conn_id"]) is None
    workspace = lifecycle.connect_timelines(ADMIN, timelines_tokens["owner"], sandbox.timelines_url)
    assert workspace.name == "ACME Sandbox" and workspace.accounts
    assert workspace.member == timelines_tokens["owner_email"]


def test_a_bad_timelines_token_gets_a_clear_refusal(lifecycle, sandbox):
    with pytest.raises(SettingsError, match="TimelinesAI refused the token"):
        lifecycle.connect_timelines(ADMIN, "not-a-token", sandbox.timelines_url)


@pytest.mark.parametrize("call", ["connect_timelines", "activate", "deactivate", "save_draft", "zoho"])
def test_only_airflow_admins_may_change_anything(lifecycle, zoho_client, store, call):
    viewer = ADMIN.__class__("viewer-user", is_admin=False)
    calls = {
        "connect_timelines": lambda: lifecycle.connect_timelines(viewer, "t"),
        "activate": lambda: lifecycle.activate(viewer, IntegrationSettings(module="Contacts")),
        "deactivate": lambda: lifecycle.deactivate(viewer),
        "save_draft": lambda: lifecycle.save_draft(viewer, IntegrationSettings(module="Contacts")),
        "zoho": lambda: lifecycle.start_zoho_authorization(viewer, zoho_client, "http://x/cb"),
    }
    with pytest.raises(PermissionDenied) as denied:
        calls[call]()
    assert denied.value.status == 403
    assert store.audit_log() == []


def _test_contacts(zoho_admin, field: str) -> list[dict]:
    return [r for r in zoho_admin.state()["records"].get("Contacts", []) if r.get(field) == TEST_PHONE]


def test_activating_again_leaves_one_test_contact(connected, zoho_admin):
    """Issue 17 item 10: two activations leave one test contact, so its phone never becomes ambiguous."""
    draft = connected.with_defaults(IntegrationSettings(module="Contacts"))
    connected.activate(ADMIN, draft)
    connected.deactivate(ADMIN)
    second = connected.activate(ADMIN, draft).test_record_id
    assert [r["id"] for r in _test_contacts(zoho_admin, draft.phone_field)] == [second]


def test_an_earlier_test_contact_whose_id_was_lost_is_found_by_its_phone(connected, zoho_admin, store):
    draft = connected.with_defaults(IntegrationSettings(module="Contacts"))
    connected.activate(ADMIN, draft)
    connected.deactivate(ADMIN)
    store.set_active(False, ADMIN.name, test_record_id="999999999")  # e.g. a store restored from an old backup
    latest = connected.activate(ADMIN, draft).test_record_id
    assert [r["id"] for r in _test_contacts(zoho_admin, draft.phone_field)] == [latest]
