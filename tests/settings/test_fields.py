"""Which modules and fields the settings offer, from metadata shaped like Zoho's."""

from __future__ import annotations

from timelines_zoho.settings.fields import (
    candidate_modules,
    has_phone_field,
    module_options,
    picklist_has_option,
)


def _field(api_name: str, data_type: str, **extra: object) -> dict:
    return {"api_name": api_name, "field_label": api_name.replace("_", " "), "data_type": data_type, "id": api_name,
            **extra}


CONTACT_FIELDS = [
    _field("Last_Name", "text"), _field("First_Name", "text"), _field("Phone", "phone"), _field("Mobile", "phone"),
    _field("Description", "textarea"), _field("Website_Link", "website"), _field("Lead_Source", "picklist"),
    _field("Created_By", "ownerlookup", read_only=True), _field("Locked_Phone", "phone", field_read_only=True),
]


def test_only_creatable_api_modules_are_candidates():
    modules = [
        {"api_name": "Contacts", "api_supported": True, "generated_type": "default"},
        {"api_name": "Notes", "api_supported": True, "generated_type": "default"},
        {"api_name": "Home", "api_supported": False, "generated_type": "web"},
        {"api_name": "Visits", "api_supported": True, "creatable": False},
        {"api_name": "Patients", "api_supported": True, "generated_type": "custom"},
    ]
    assert [m["api_name"] for m in candidate_modules(modules)] == ["Contacts", "Patients"]


def test_a_module_without_phone_field_is_not_a_destination():
    assert has_phone_field(CONTACT_FIELDS)
    assert not has_phone_field([_field("Name", "text"), _field("Email", "email")])


def test_field_choices_follow_types_and_skip_read_only_fields():
    options = module_options("Contacts", CONTACT_FIELDS)
    assert [c.api_name for c in options.phone_fields] == ["Phone", "Mobile"]
    assert [c.api_name for c in options.chat_link_fields] == ["Last_Name", "First_Name", "Description", "Website_Link"]
    assert [c.api_name for c in options.lead_source_fields] == ["Lead_Source"]


def test_documented_defaults_are_preselected():
    defaults = module_options("Contacts", CONTACT_FIELDS).defaults
    assert defaults == {"name_field": "Last_Name", "chat_link_field": "Description",
                        "lead_source_field": "Lead_Source", "phone_field": "Phone"}


def test_custom_module_defaults_fall_back_to_its_own_fields():
    fields = [_field("Name", "text"), _field("Cell", "phone"), _field("Notes_Link", "website"), _field("Origin", "picklist")]
    assert module_options("Patients", fields).defaults == {
        "name_field": "Name", "chat_link_field": "Name", "lead_source_field": "Origin", "phone_field": "Cell"}


def test_picklist_option_is_found_by_display_or_actual_value():
    field = _field("Lead_Source", "picklist", pick_list_values=[{"display_value": "Web", "actual_value": "TimelinesAI"}])
    assert picklist_has_option(field, "TimelinesAI")
    assert not picklist_has_option(_field("Lead_Source", "picklist", pick_list_values=[]), "TimelinesAI")
