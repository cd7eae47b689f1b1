"""Layouts API v8: each module's standard layout, its sections and the fields placed in them.

A layout is built on each request from the module's current fields (so a picklist option added by PATCH shows in
it), with the ids catalog.standard_layout reserved: the layout's, then one per section.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from timelines_zoho_sandbox.zoho.catalog import LAYOUT_SECTIONS
from timelines_zoho_sandbox.zoho.limits import Api, ApiContext
from timelines_zoho_sandbox.zoho.meta import PROFILES, one_by_id, settings_read
from timelines_zoho_sandbox.zoho.state import ZohoState

router = APIRouter()

ACTIONS_ALLOWED = {"edit": True, "rename": True, "clone": True, "downgrade": False, "delete": False,
                   "deactivate": False, "set_layout_permissions": True}
CONVERTS_TO = ("Contacts", "Accounts", "Deals")  # the modules a converted lead's layout maps to


def _placed(field: dict[str, Any], section_number: int) -> dict[str, Any]:
    """Return a field as a layout places it: its metadata plus the layout's own flags (section_id is a small
    number in Zoho's samples, not the section's id)."""
    return {**field, "required": field["system_mandatory"], "validation_rule": None, "default_value": None,
            "section_id": section_number, "static_values": [], "_delete": None}


def _sections(state: ZohoState, module: str, layout_id: str) -> list[dict[str, Any]]:
    """Split the fields into the module's information (all but textareas) and its description (the textareas)."""
    fields = state.modules[module]["fields"]
    groups = ([f for f in fields if f["data_type"] != "textarea"], [f for f in fields if f["data_type"] == "textarea"])
    labels = (f"{state.modules[module]['singular_label']} {LAYOUT_SECTIONS[0]}", *LAYOUT_SECTIONS[1:])
    sections = []
    for position, (label, group) in enumerate(zip(labels, groups, strict=True), start=1):
        if not group:
            continue
        section_id = str(int(layout_id) + position)
        sections.append({
            "display_label": label, "sequence_number": position, "isSubformSection": False,
            "tab_traversal": "left_to_right", "api_name": label.replace(" ", "_"), "column_count": 2 if position == 1
            else 1, "name": label, "generated_type": "default", "id": section_id, "type": "used",
            "fields": [_placed(f, position) for f in group], "properties": None, "_delete": None,
        })
    return sections


def _convert_mapping(state: ZohoState, module: str) -> dict[str, Any] | None:
    if not state.modules[module]["convertable"]:
        return None
    refs = {name: {"display_label": ref["display_label"], "name": ref["name"], "id": ref["id"]} for name in CONVERTS_TO
            for ref in state.modules[name]["layouts"][:1]}
    if len(refs) < len(CONVERTS_TO):
        return None
    return {**refs, "Deals": {**refs["Deals"], "fields": []}, "Invoices": None, "SalesOrders": None}


def standard_layout(state: ZohoState, module: str) -> dict[str, Any]:
    """Build the module's standard layout in the shape of GET /settings/layouts."""
    ref = state.modules[module]["layouts"][0]
    profiles = [{"default": True, "name": name, "id": profile_id,
                 "_default_view": {"name": "Standard", "id": ref["id"], "type": "layout"}}
                for name, profile_id in PROFILES.items()]
    return {
        "display_type": -1, "api_name": ref["api_name"], "has_more_profiles": False, "created_time": None,
        "modified_time": None, "visible": True, "source": "crm", "id": ref["id"], "name": ref["name"],
        "display_label": ref["display_label"], "mode": None, "subform_properties": {"pinned_column": False},
        "status": ref["status"], "show_business_card": False, "generated_type": "default", "created_for": None,
        "convert_mapping": _convert_mapping(state, module), "modified_by": None, "profiles": profiles,
        "created_by": None, "sections": _sections(state, module, ref["id"]), "actions_allowed": ACTIONS_ALLOWED,
    }


def _layouts(ctx: ApiContext, request: Request) -> list[dict[str, Any]]:
    # layouts.json names a missing `module` under `param`.
    module = settings_read(ctx, request, "ZohoCRM.settings.layouts.READ", "param")
    # A state file saved before layouts existed has modules without one.
    return [standard_layout(ctx.state, module)] if ctx.state.modules[module]["layouts"] else []


@router.get("/settings/layouts")
async def list_layouts(request: Request, ctx: Api) -> Response:
    """List a module's layouts: its standard layout; 204 when it has none."""
    layouts = _layouts(ctx, request)
    return JSONResponse({"layouts": layouts}) if layouts else Response(status_code=204)


@router.get("/settings/layouts/{layout_id}")
async def get_layout(layout_id: str, request: Request, ctx: Api) -> JSONResponse:
    """Return one layout of a module by id."""
    return JSONResponse({"layouts": one_by_id(_layouts(ctx, request), layout_id, 2)})
