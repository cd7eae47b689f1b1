"""Records API v8: list, get, insert, update, upsert and delete, with Zoho's batch rules (paging is in paging.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.convertors import Convertor, register_url_convertor

from timelines_zoho_sandbox.zoho.catalog import CUSTOM_MODULE
from timelines_zoho_sandbox.zoho.errors import ZohoError, invalid_module, required_param
from timelines_zoho_sandbox.zoho.limits import Api, ApiContext, module_scope, parse_json_body
from timelines_zoho_sandbox.zoho.paging import page_of, project, requested_fields
from timelines_zoho_sandbox.zoho.state import ZohoState
from timelines_zoho_sandbox.zoho.validation import (
    SYSTEM_DUPLICATE_FIELD,
    RecordInvalid,
    apply_values,
    batch_status,
    success_item,
    validate_item,
)

router = APIRouter()

MAX_BATCH = 100
TRIGGERS = {"workflow", "approval", "blueprint", "pathfinder", "orchestration"}
# First path segments Zoho's v8 API uses for things other than modules (the spec files' paths; Zoho's own APIs such
# as __composite_requests start with "__", which no module name does).
API_NAMESPACES = ("settings", "org", "users", "coql", "files")


class ModuleSegment(Convertor[str]):
    """The `{module:module}` path segment: anything but an API namespace, so that what the emulator does not serve
    under a namespace (settings/anything) is an unknown URL, 404, not a misspelt module, 400 INVALID_MODULE."""

    regex = rf"(?!(?:{'|'.join(API_NAMESPACES)})(?:/|$))(?!__)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("module", ModuleSegment())


def check_module(state: ZohoState, module: str, index: int = 0) -> None:
    """Raise INVALID_MODULE unless the module exists (names are case-sensitive)."""
    if module not in state.records or module == "Notes":
        raise invalid_module(module, index)


def batch_items(body: Any, limit: int = MAX_BATCH) -> list[Any]:
    """Return the `data` array of a write body, enforcing its presence and the per-call limit."""
    if not isinstance(body, dict) or "data" not in body:
        raise ZohoError(400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "data", "json_path": "$.data"})
    items = body["data"]
    if not isinstance(items, list) or not items:
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"api_name": "data", "json_path": "$.data"})
    if len(items) > limit:
        raise ZohoError(400, "LIMIT_EXCEEDED", "the limit for the number of records exceeded",
                        {"limit": limit, "api_name": "data", "json_path": "$.data"})
    trigger = body.get("trigger")
    if trigger is not None and not (isinstance(trigger, list) and set(trigger) <= TRIGGERS):
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"api_name": "trigger", "json_path": "$.trigger"})
    return items


def write_cost(count: int) -> int:
    """Return a write's credits: one per ten records."""
    return max(1, -(-count // 10))


async def _write_body(request: Request, ctx: ApiContext, module: str, op: str) -> list[Any]:
    check_module(ctx.state, module)
    ctx.require(module_scope(module, op))
    items = batch_items(parse_json_body(await request.body()))
    ctx.charge(write_cost(len(items)))
    return items


@router.get("/{module:module}")
async def list_records(module: str, request: Request, ctx: Api) -> Response:
    """List records of a module."""
    check_module(ctx.state, module)
    ctx.require(module_scope(module, "READ"))
    ctx.charge(1)
    ids = request.query_params.get("ids")
    if ids:
        rows = iter([ctx.state.records[module][i] for i in ids.split(",") if i in ctx.state.records[module]])
        return page_of(ctx.state, module, request, rows)
    return page_of(ctx.state, module, request)


@router.post("/{module:module}")
async def insert_records(module: str, request: Request, ctx: Api) -> JSONResponse:
    """Insert up to 100 records, each validated on its own."""
    items = await _write_body(request, ctx, module, "CREATE")
    results = []
    for index, item in enumerate(items):
        try:
            values = validate_item(ctx.state, module, item, index, None)
        except RecordInvalid as exc:
            results.append(exc.item)
            continue
        record = apply_values(ctx.state, module, values, ctx.user_id, None)
        results.append(success_item(record, "record added"))
    return JSONResponse({"data": results}, status_code=batch_status(results, 201))


def _update_one(ctx: ApiContext, module: str, item: Any, index: int, record_id: Any) -> dict[str, Any]:
    if record_id in (None, ""):
        return {"code": "MANDATORY_NOT_FOUND", "details": {"api_name": "id", "json_path": f"$.data[{index}].id"},
                "message": "required field not found", "status": "error"}
    existing = ctx.state.records[module].get(str(record_id))
    if existing is None:
        return {"code": "INVALID_DATA", "details": {"api_name": "id", "json_path": f"$.data[{index}].id"},
                "message": "the related id given seems to be invalid", "status": "error"}
    try:
        values = validate_item(ctx.state, module, item, index, existing)
    except RecordInvalid as exc:
        return exc.item
    return success_item(apply_values(ctx.state, module, values, ctx.user_id, existing), "record updated")


@router.put("/{module:module}")
async def update_records(module: str, request: Request, ctx: Api) -> JSONResponse:
    """Update up to 100 records by their `id`."""
    items = await _write_body(request, ctx, module, "UPDATE")
    results = [_update_one(ctx, module, item, n, item.get("id") if isinstance(item, dict) else None)
               for n, item in enumerate(items)]
    return JSONResponse({"data": results}, status_code=batch_status(results, 200))


@router.put("/{module:module}/{record_id}")
async def update_record(module: str, record_id: str, request: Request,
                        ctx: Api) -> JSONResponse:
    """Update one record addressed in the path."""
    items = await _write_body(request, ctx, module, "UPDATE")
    results = [_update_one(ctx, module, items[0], 0, record_id)]
    return JSONResponse({"data": results}, status_code=batch_status(results, 200))


def duplicate_check_fields(state: ZohoState, module: str, body: dict[str, Any]) -> list[str]:
    """Return the upsert match fields: the given ones (each system-duplicate or unique) or the defaults."""
    system = SYSTEM_DUPLICATE_FIELD.get(module, "Name" if module == CUSTOM_MODULE else "")
    allowed = [system, *state.unique_index[module]]
    given = body.get("duplicate_check_fields")
    if given is None:
        return [f for f in allowed if f]
    if not isinstance(given, list) or not given or any(f not in allowed for f in given):
        raise ZohoError(400, "INVALID_DATA", "invalid data",
                        {"api_name": "duplicate_check_fields", "json_path": "$.duplicate_check_fields"})
    return given


def find_match(state: ZohoState, module: str, field: str, value: Any) -> str | None:
    """Find the first record whose `field` equals `value` (case-insensitively), using an index when there is one."""
    key = str(value).lower()
    if field in state.unique_index[module]:
        return state.unique_index[module][field].get(key)
    if field in state.fields_of_type(module, "email"):
        ids = [i for i in state.email_index[module].get(key, ()) if str(state.records[module][i].get(field)).lower() == key]
        return min(ids) if ids else None
    return next((r["id"] for r in state.records[module].values() if str(r.get(field, "")).lower() == key), None)


@router.post("/{module:module}/upsert")
async def upsert_records(module: str, request: Request, ctx: Api) -> JSONResponse:
    """Insert or update up to 100 records, matching on duplicate_check_fields in order."""
    check_module(ctx.state, module)
    ctx.require(module_scope(module, "CREATE"), module_scope(module, "UPDATE"))
    body = parse_json_body(await request.body())
    items = batch_items(body)
    match_fields = duplicate_check_fields(ctx.state, module, body)
    ctx.charge(write_cost(len(items)))
    results = []
    for index, item in enumerate(items):
        matched = next(((f, m) for f in match_fields if isinstance(item, dict) and item.get(f)
                        for m in [find_match(ctx.state, module, f, item[f])] if m), None)
        if matched:
            result = _update_one(ctx, module, item, index, matched[1])
            extra = {"action": "update", "duplicate_field": matched[0]}
        else:
            try:
                values = validate_item(ctx.state, module, item, index, None)
                result = success_item(apply_values(ctx.state, module, values, ctx.user_id, None), "record added")
            except RecordInvalid as exc:
                result = exc.item
            extra = {"action": "insert", "duplicate_field": None}
        results.append({**result, **extra} if result["status"] == "success" else result)
    return JSONResponse({"data": results}, status_code=batch_status(results, 200))


@router.get("/{module:module}/{record_id}")
async def get_record(module: str, record_id: str, request: Request, ctx: Api) -> Response:
    """Return one record (only the `fields` asked for, plus id, when given), or 204 when there is none."""
    check_module(ctx.state, module)
    ctx.require(module_scope(module, "READ"))
    if not record_id.isdigit():
        raise ZohoError(400, "INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": 1})
    ctx.charge(1)
    record = ctx.state.records[module].get(record_id)
    if record is None:
        return Response(status_code=204)
    return JSONResponse({"data": [project(record, requested_fields(request)) if "fields" in request.query_params
                                  else record]})


def _delete(ctx: ApiContext, module: str, ids: list[str]) -> JSONResponse:
    results = []
    for record_id in ids:
        if record_id in ctx.state.records[module]:
            ctx.state.delete_record(module, record_id)
            results.append({"code": "SUCCESS", "details": {"id": record_id}, "message": "record deleted",
                            "status": "success"})
        else:
            results.append({"code": "INVALID_DATA", "details": {"id": record_id},
                            "message": "record not deleted", "status": "error"})
    return JSONResponse({"data": results}, status_code=batch_status(results, 200))


@router.delete("/{module:module}")
async def delete_records(module: str, request: Request, ctx: Api) -> JSONResponse:
    """Delete up to 100 records given in `ids`."""
    check_module(ctx.state, module)
    ctx.require(module_scope(module, "DELETE"))
    ids = [i for i in request.query_params.get("ids", "").split(",") if i]
    if not ids:
        raise required_param("ids")
    if len(ids) > MAX_BATCH:
        raise ZohoError(400, "LIMIT_EXCEEDED", "the limit for the number of records exceeded", {"limit": MAX_BATCH})
    ctx.charge(1)
    return _delete(ctx, module, ids)


@router.delete("/{module:module}/{record_id}")
async def delete_record(module: str, record_id: str, ctx: Api) -> JSONResponse:
    """Delete one record."""
    check_module(ctx.state, module)
    ctx.require(module_scope(module, "DELETE"))
    ctx.charge(1)
    return _delete(ctx, module, [record_id])
