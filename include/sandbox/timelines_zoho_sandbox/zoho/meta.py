"""Users, org and metadata (settings/modules, settings/fields and the PATCH that adds picklist options)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from timelines_zoho_sandbox.zoho.catalog import picklist_option
from timelines_zoho_sandbox.zoho.errors import (
    ZohoError,
    invalid_module,
    invalid_param,
    record_error,
    required_param,
)
from timelines_zoho_sandbox.zoho.limits import Api, ApiContext, parse_json_body
from timelines_zoho_sandbox.zoho.paging import int_param
from timelines_zoho_sandbox.zoho.state import ZohoState
from timelines_zoho_sandbox.zoho.validation import batch_status

router = APIRouter()

MAX_PATCH_FIELDS = 5
MAX_OPTION_LENGTH = 120
PROFILES = {"Administrator": "4876876000000026011", "Standard": "4876876000000026014"}  # profile name -> id


def _is_admin(user: dict[str, Any]) -> bool:
    return user["profile"]["name"] == "Administrator"


USER_TYPES = {
    "AllUsers": lambda u: True,
    "ActiveUsers": lambda u: u["status"] == "active",
    "DeactiveUsers": lambda u: u["status"] in ("inactive", "disabled"),
    "ConfirmedUsers": lambda u: u["confirm"],
    "NotConfirmedUsers": lambda u: not u["confirm"],
    "DeletedUsers": lambda u: u["status"] == "deleted",
    "ActiveConfirmedUsers": lambda u: u["status"] == "active" and u["confirm"],
    "AdminUsers": _is_admin,
    "ActiveConfirmedAdmins": lambda u: u["status"] == "active" and u["confirm"] and _is_admin(u),
}


def new_user(state: ZohoState, full_name: str, email: str, role: str, status: str) -> dict[str, Any]:
    """Create a user (the admin seed's job) with Zoho's user keys."""
    first, _, last = full_name.rpartition(" ")
    user_id = state.next_id()
    admin = role.lower() in ("ceo", "administrator", "admin")
    user = {
        "id": user_id, "full_name": full_name, "first_name": first or None, "last_name": last or full_name,
        "email": email, "status": status, "confirm": status != "inactive", "zuid": str(60000000 + state.counter),
        "role": {"name": role, "id": str(int(state.modules["Contacts"]["id"]) + 900 + (0 if admin else 1))},
        "profile": {"name": "Administrator" if admin else "Standard",
                    "id": PROFILES["Administrator" if admin else "Standard"]},
        "type__s": "Regular User", "phone": None, "mobile": None, "created_time": state.now(),
    }
    state.users[user_id] = user
    return user


def default_org(state: ZohoState, primary: dict[str, Any] | None) -> dict[str, Any]:
    """Build the org record returned by GET /org."""
    return {
        "country": "United States", "photo_id": None, "city": None, "description": None, "mc_status": False,
        "gapps_enabled": False, "translation_enabled": False, "street": None, "domain_name": "org60000001",
        "alias": None, "currency": "US Dollar - USD", "id": state.next_id(), "state": None, "fax": None,
        "zip": None, "employee_count": "10", "website": "https://sandbox.example", "currency_symbol": "$",
        "mobile": None, "currency_locale": "en_US", "primary_zuid": primary["zuid"] if primary else "60000001",
        "zia_portal_id": None, "time_zone": "Etc/UTC", "zgid": "60000001", "country_code": "US",
        "deletable_org_account": False, "phone": "+1 555 0100", "company_name": "Sandbox Org",
        "license_details": {"paid_expiry": "2099-12-31T00:00:00+00:00", "users_license_purchased": 25,
                            "trial_type": None, "trial_expiry": None, "paid": True, "paid_type": "enterprise",
                            "trial_action": ""},
        "hierarchy_preferences": {"type": "Role_Hierarchy", "strictly_reporting": False},
        "checkin_preferences": {"restricted_event_types": None},
        "privacy_settings": False, "primary_email": primary["email"] if primary else "admin@sandbox.example",
        "iso_code": "USD", "hipaa_compliance_enabled": False, "lite_users_enabled": False, "max_per_page": 200,
        "ezgid": "60000001", "call_icon": "", "oauth_presence": True, "zia_zgid": 60000001, "type": "production",
        "primary_user_id": primary["id"] if primary else "",
    }


@router.get("/users")
async def list_users(request: Request, ctx: Api) -> Response:
    """List users filtered by `type`; the response key is `users`."""
    ctx.require("ZohoCRM.users.READ")
    kind = request.query_params.get("type", "AllUsers")
    if kind != "CurrentUser" and kind not in USER_TYPES:
        raise invalid_param("type")
    per_page = int_param(request, "per_page", 200, 1, 200)
    page = int_param(request, "page", 1, 1, 10**6)
    ctx.charge(1)
    if kind == "CurrentUser":
        users = [ctx.state.users[ctx.user_id]] if ctx.user_id in ctx.state.users else []
    else:
        users = [u for u in ctx.state.users.values() if USER_TYPES[kind](u)]
    chunk = users[(page - 1) * per_page : page * per_page]
    if not chunk:
        return Response(status_code=204)
    info = {"per_page": per_page, "count": len(chunk), "page": page, "more_records": len(users) > page * per_page}
    return JSONResponse({"users": chunk, "info": info})


@router.get("/users/{user_id}")
async def get_user(user_id: str, ctx: Api) -> Response:
    """Return one user."""
    ctx.require("ZohoCRM.users.READ")
    ctx.charge(1)
    if user_id not in ctx.state.users:
        return Response(status_code=204)
    return JSONResponse({"users": [ctx.state.users[user_id]]})


@router.get("/org")
async def get_org(ctx: Api) -> JSONResponse:
    """Return the org."""
    ctx.require("ZohoCRM.org.READ")
    ctx.charge(1)
    org = {k: v for k, v in ctx.state.org.items() if k != "primary_user_id"}
    return JSONResponse({"org": [org]})


@router.get("/settings/modules")
async def list_modules(ctx: Api) -> JSONResponse:
    """List the modules."""
    ctx.require("ZohoCRM.settings.modules.READ")
    ctx.charge(1)
    return JSONResponse({"modules": list(ctx.state.modules.values())})


@router.get("/settings/modules/{module}")
async def get_module(module: str, ctx: Api) -> JSONResponse:
    """Return one module."""
    ctx.require("ZohoCRM.settings.modules.READ")
    if module not in ctx.state.modules:
        raise invalid_module(module, 2)
    ctx.charge(1)
    return JSONResponse({"modules": [ctx.state.modules[module]]})


def module_param(state: ZohoState, request: Request, detail: str = "param_name") -> str:
    """Read the mandatory `module` query parameter of the settings APIs: a module of the org.

    Zoho names a missing parameter `param_name` in most APIs but `param` in some (layouts.json); `detail` says which.
    """
    module = request.query_params.get("module")
    if not module:
        raise required_param("module", detail)
    if module not in state.modules:
        raise ZohoError(400, "INVALID_MODULE", "the module name given seems to be invalid", {"param_name": "module"})
    return module


def settings_read(ctx: ApiContext, request: Request, scope: str, detail: str = "param_name") -> str:
    """Admit a settings read of one module: the scope, the `module` parameter, one credit; return the module."""
    ctx.require(scope)
    module = module_param(ctx.state, request, detail)
    ctx.charge(1)
    return module


def one_by_id(items: list[dict[str, Any]], item_id: str, path_index: int) -> list[dict[str, Any]]:
    """Return the item with that id as a one-item list, else INVALID_DATA naming the path segment."""
    found = [item for item in items if item["id"] == item_id]
    if not found:
        raise ZohoError(400, "INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": path_index})
    return found


@router.get("/settings/fields")
async def list_fields(request: Request, ctx: Api) -> JSONResponse:
    """List a module's fields."""
    module = settings_read(ctx, request, "ZohoCRM.settings.fields.READ")
    return JSONResponse({"fields": ctx.state.modules[module]["fields"]})


@router.get("/settings/fields/{field_id}")
async def get_field(field_id: str, request: Request, ctx: Api) -> JSONResponse:
    """Return one field."""
    module = settings_read(ctx, request, "ZohoCRM.settings.fields.READ")
    return JSONResponse({"fields": one_by_id(ctx.state.modules[module]["fields"], field_id, 3)})


def _patch_field(state: ZohoState, module: str, item: Any, index: int) -> dict[str, Any]:
    """Apply one field change: options without id are added, options with id are renamed."""
    path = f"$.fields[{index}]"
    fields = {f["id"]: f for f in state.modules[module]["fields"]}
    field_id = item.get("id") if isinstance(item, dict) else None
    field = fields.get(field_id) if isinstance(field_id, str) else None
    if field is None:
        return record_error("INVALID_DATA", "the id given seems to be invalid", {"api_name": "id", "json_path": f"{path}.id"})
    options = item.get("pick_list_values")
    if field["data_type"] != "picklist" or not isinstance(options, list) or not 1 <= len(options) <= 10:
        return record_error("INVALID_DATA", "invalid data",
                            {"api_name": "pick_list_values", "json_path": f"{path}.pick_list_values"})
    current = field["pick_list_values"]
    for n, option in enumerate(options):
        opath = f"{path}.pick_list_values[{n}]"
        display = option.get("display_value") if isinstance(option, dict) else None
        if not isinstance(display, str) or not display or len(display) > MAX_OPTION_LENGTH:
            return record_error("INVALID_DATA", "invalid data", {"api_name": "display_value", "json_path": f"{opath}.display_value"})
        if any(o["display_value"].lower() == display.lower() and o["id"] != option.get("id") for o in current):
            return record_error("DUPLICATE_DATA", "duplicate data", {"api_name": "display_value", "json_path": f"{opath}.display_value"})
    for option in options:
        existing = next((o for o in current if o["id"] == option.get("id")), None)
        if existing:
            existing["display_value"] = existing["reference_value"] = option["display_value"]
        else:
            actual = option.get("actual_value") or option["display_value"]
            current.append(picklist_option(option["display_value"], actual, len(current) + 1, state.next_id()))
    return {"code": "SUCCESS", "details": {"id": field["id"]}, "message": "field updated", "status": "success"}


async def _patch(request: Request, ctx: ApiContext, field_id: str | None) -> JSONResponse:
    ctx.require("ZohoCRM.settings.fields.UPDATE")
    module = module_param(ctx.state, request)
    body = parse_json_body(await request.body())
    items = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise ZohoError(400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "fields", "json_path": "$.fields"})
    if len(items) > (1 if field_id else MAX_PATCH_FIELDS):
        raise ZohoError(400, "LIMIT_EXCEEDED", "the limit for the number of fields exceeded", {"limit": MAX_PATCH_FIELDS})
    ctx.charge(1)
    if field_id and isinstance(items[0], dict):
        items[0].setdefault("id", field_id)
    results = [_patch_field(ctx.state, module, item, n) for n, item in enumerate(items)]
    return JSONResponse({"fields": results}, status_code=batch_status(results, 200))


@router.patch("/settings/fields")
async def patch_fields(request: Request, ctx: Api) -> JSONResponse:
    """Change fields given by id in the body (adding picklist options)."""
    return await _patch(request, ctx, None)


@router.patch("/settings/fields/{field_id}")
async def patch_field(field_id: str, request: Request, ctx: Api) -> JSONResponse:
    """Change one field given in the path."""
    return await _patch(request, ctx, field_id)
