"""The default org's modules and field metadata: Contacts, Leads, Accounts, Deals, Notes and a custom module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from timelines_zoho_sandbox.zoho.relations import link_modules

JSON_TYPES = {
    "text": "string", "textarea": "string", "email": "string", "phone": "string", "website": "string",
    "picklist": "string", "date": "string", "datetime": "string", "integer": "integer", "bigint": "string",
    "double": "double", "currency": "double", "boolean": "boolean", "ownerlookup": "jsonobject",
    "lookup": "jsonobject", "multiselectpicklist": "jsonarray",
}
LEAD_SOURCES = [
    "-None-", "Advertisement", "Cold Call", "Employee Referral", "External Referral", "Online Store", "Partner",
    "Public Relations", "Sales Email Alias", "Seminar Partner", "Internal Seminar", "Trade Show", "Web Download",
    "Web Research", "Chat",
]
DEAL_STAGES = ["Qualification", "Needs Analysis", "Proposal/Price Quote", "Closed Won", "Closed Lost"]
SYSTEM_FIELDS = ("Created_Time", "Modified_Time", "Created_By", "Modified_By")
CUSTOM_MODULE = "WhatsApp_Logs"

# Module keys the v8 spec requires that the emulator does not otherwise model.
MODULE_DEFAULTS: dict[str, Any] = {
    "common.search_supported": True, "description": None, "recycle_bin_on_delete": True,
    "inventory_template_supported": False, "modified_time": "2025-01-01T00:00:00+00:00", "presence_sub_menu": True,
    "triggers_supported": True, "chart_view": False, "isBlueprintSupported": True, "visible": True,
    "emailTemplate_support": True, "email_parser_supported": False, "filter_supported": True, "show_as_tab": True,
    "web_link": None, "feeds_required": False, "scoring_supported": True, "webform_supported": True,
    "arguments": [], "chart_view_supported": True, "profile_count": 2, "business_card_field_limit": 5,
    "track_current_data": False, "modified_by": None, "profiles": [], "parent_module": {},
    "activity_badge": "Disabled", "$field_states": [], "business_card_fields": [], "per_page": 200,
    "$properties": [], "$on_demand_properties": [], "search_layout_fields": [], "kanban_view_supported": False,
    "lookup_field_properties": {"fields": []}, "kanban_view": False, "filter_status": True,
    "related_list_properties": {"sort_by": None, "fields": [], "sort_order": None}, "display_field": None, "custom_view": None, "zia_view": False,
    "default_mapping_fields": [], "layout_associations": [],
}

# Field keys the v8 spec requires that the emulator does not otherwise model.
FIELD_DEFAULTS: dict[str, Any] = {
    "associated_module": None, "webhook": True, "blueprint_supported": False, "virtual_field": False,
    "customizable_properties": [], "businesscard_supported": True, "available_in_user_layout": True,
    "display_field": False, "pick_list_values_sorted_lexically": False, "layout_associations": [],
    "separator": False, "enable_colour_code": False, "mass_update": True, "created_source": "default",
    "type": "used", "display_type": -1, "ui_type": 1, "colour_code_enabled_by_system": None, "decimal_place": None,
    "email_parser": None, "rollup_summary": None, "refer_from_field": None, "created_time": None,
    "modified_time": None, "show_type": 7, "category": 0, "sharing_properties": None,
    "currency": None, "file_upolad_optionlist": [], "profiles": [], "view_type": None,
    "sub_module": None, "subform": None, "external": None, "formula": None, "convert_mapping": None,
    "multiselectlookup": None, "multiuserlookup": None, "autonumber": None, "auto_number": None, "crypt": None,
    "tooltip": None, "history_tracking": None, "association_details": None, "allowed_modules": [],
    "additional_column": None, "common.picklist": None, "hipaa_compliance_enabled": None, "hipaa_compliance": None,
    "_update_existing_records": False, "number_separator": False, "textarea": None, "static_field": False,
}

# (api_name, data_type, length, options): options may hold mandatory/custom/unique/picklist/lookup.
FieldSpec = tuple[str, str, int, dict[str, Any]]
PERSON_FIELDS: list[FieldSpec] = [
    ("Owner", "ownerlookup", 120, {}),
    ("First_Name", "text", 40, {}),
    ("Last_Name", "text", 80, {"mandatory": True}),
    ("Full_Name", "text", 120, {"read_only": True}),
    ("Email", "email", 100, {}),
    ("Secondary_Email", "email", 100, {}),
    ("Phone", "phone", 30, {}),
    ("Mobile", "phone", 30, {}),
    ("Home_Phone", "phone", 30, {}),
    ("Other_Phone", "phone", 30, {}),
    ("Lead_Source", "picklist", 120, {"picklist": LEAD_SOURCES}),
    ("Description", "textarea", 32000, {}),
    ("WhatsApp_Chat_URL", "website", 255, {"custom": True, "label": "WhatsApp Chat"}),
    ("WhatsApp_Name", "text", 255, {"custom": True, "label": "WhatsApp Name"}),
]
MODULE_FIELDS: dict[str, list[FieldSpec]] = {
    "Contacts": [*PERSON_FIELDS, ("Account_Name", "lookup", 120, {"lookup": "Accounts"})],
    "Leads": [*PERSON_FIELDS, ("Company", "text", 200, {})],
    "Accounts": [
        ("Owner", "ownerlookup", 120, {}),
        ("Account_Name", "text", 200, {"mandatory": True}),
        ("Phone", "phone", 30, {}),
        ("Website", "website", 255, {}),
        ("Description", "textarea", 32000, {}),
    ],
    "Deals": [
        ("Owner", "ownerlookup", 120, {}),
        ("Deal_Name", "text", 120, {"mandatory": True}),
        ("Stage", "picklist", 120, {"mandatory": True, "picklist": DEAL_STAGES}),
        ("Amount", "currency", 16, {}),
        ("Closing_Date", "date", 10, {}),
        ("Contact_Name", "lookup", 120, {"lookup": "Contacts"}),
        ("Description", "textarea", 32000, {}),
    ],
    CUSTOM_MODULE: [
        ("Owner", "ownerlookup", 120, {}),
        ("Name", "text", 120, {"mandatory": True}),
        ("Description", "textarea", 32000, {}),
    ],
    "Notes": [
        ("Owner", "ownerlookup", 120, {}),
        ("Note_Title", "text", 120, {}),
        ("Note_Content", "textarea", 65535, {}),
        ("Parent_Id", "lookup", 120, {}),
    ],
}
MODULE_LABELS = {
    "Contacts": ("Contact", "Contacts"), "Leads": ("Lead", "Leads"), "Accounts": ("Account", "Accounts"),
    "Deals": ("Deal", "Deals"), CUSTOM_MODULE: ("WhatsApp Log", "WhatsApp Logs"), "Notes": ("Note", "Notes"),
}


def make_field(spec: FieldSpec, field_id: str, sequence: int, next_id: Callable[[], str]) -> dict[str, Any]:
    """Build one field's metadata in the shape of GET /settings/fields."""
    api_name, data_type, length, opts = spec
    read_only = bool(opts.get("read_only"))
    field: dict[str, Any] = {
        **FIELD_DEFAULTS,
        "column_name": api_name.upper(),
        "quick_sequence_number": str(sequence),
        "id": field_id,
        "api_name": api_name,
        "field_label": opts.get("label", api_name.replace("_", " ")),
        "display_label": opts.get("label", api_name.replace("_", " ")),
        "data_type": data_type,
        "json_type": JSON_TYPES[data_type],
        "length": length,
        "custom_field": bool(opts.get("custom")),
        "system_mandatory": bool(opts.get("mandatory")),
        "read_only": read_only,
        "field_read_only": read_only,
        "visible": True,
        "searchable": data_type not in ("textarea", "lookup", "ownerlookup"),
        "filterable": data_type != "textarea",
        "sortable": data_type != "textarea",
        "sequence_number": sequence,
        "unique": {"casesensitive": "false"} if opts.get("unique") else {},
        "pick_list_values": [],
        # Zoho sends {} for these on fields that are no lookup (its v8 getFields example); relations fills lookups.
        "lookup": {},
        "multi_module_lookup": {},
        "operation_type": {"api_create": not read_only, "api_update": not read_only, "web_create": True,
                           "web_update": True, "api_read": True, "web_read": True},
    }
    for position, value in enumerate(opts.get("picklist", []), start=1):
        field["pick_list_values"].append(picklist_option(value, value, position, next_id()))
    return field


def picklist_option(display: str, actual: str, sequence: int, option_id: str) -> dict[str, Any]:
    """Build one picklist option."""
    return {"display_value": display, "actual_value": actual, "reference_value": display,
            "sequence_number": sequence, "id": option_id, "type": "used", "colour_code": None}


def system_fields(next_id: Callable[[], str], start: int) -> list[dict[str, Any]]:
    """Build the read-only system fields every module has."""
    specs: list[FieldSpec] = [
        ("Created_Time", "datetime", 120, {"read_only": True}),
        ("Modified_Time", "datetime", 120, {"read_only": True}),
        ("Created_By", "ownerlookup", 120, {"read_only": True}),
        ("Modified_By", "ownerlookup", 120, {"read_only": True}),
    ]
    return [make_field(spec, next_id(), start + n, next_id) for n, spec in enumerate(specs)]


def build_modules(next_id: Callable[[], str]) -> dict[str, dict[str, Any]]:
    """Build every module with its fields, ids drawn from `next_id`."""
    modules: dict[str, dict[str, Any]] = {}
    for api_name, specs in MODULE_FIELDS.items():
        singular, plural = MODULE_LABELS[api_name]
        fields = [make_field(spec, next_id(), n, next_id) for n, spec in enumerate(specs, start=1)]
        fields += system_fields(next_id, len(fields) + 1)
        modules[api_name] = {
            "id": next_id(),
            "api_name": api_name,
            "module_name": api_name,
            "singular_label": singular,
            "plural_label": plural,
            "api_supported": True,
            "creatable": True,
            "editable": True,
            "deletable": True,
            "viewable": True,
            "convertable": api_name == "Leads",
            "quick_create": True,
            "global_search_supported": api_name != "Notes",
            "generated_type": "custom" if api_name == CUSTOM_MODULE else "default",
            "status": "system_hidden" if api_name == "Notes" else "visible",
            "visibility": 1,
            **MODULE_DEFAULTS,
            "sequence_number": len(modules) + 1,
            "fields": fields,
            "layouts": [standard_layout(next_id)],
            "related_lists": [],  # relations.link_modules fills those of record modules
        }
    lookups = [(module, spec[0], spec[3]["lookup"]) for module, specs in MODULE_FIELDS.items()
               for spec in specs if "lookup" in spec[3]]
    link_modules(modules, lookups, next_id)
    return modules


LAYOUT_SECTIONS = ("Information", "Description Information")  # "{singular} Information", then the textareas


def standard_layout(next_id: Callable[[], str]) -> dict[str, Any]:
    """Reserve the standard layout's id and, right after it, one id per section (layouts.py numbers them so)."""
    layout_id = next_id()
    for _ in LAYOUT_SECTIONS:
        next_id()
    return {"id": layout_id, "name": "Standard", "display_label": "Standard", "api_name": "Standard__s",
            "status": "active"}
