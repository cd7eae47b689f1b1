"""Notes API v8: /Notes and the related-list form /{module}/{id}/Notes, Parent_Id as {module:{api_name}, id}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from timelines_zoho_sandbox.zoho.errors import ZohoError, record_error
from timelines_zoho_sandbox.zoho.limits import Api, ApiContext, parse_json_body
from timelines_zoho_sandbox.zoho.paging import page_of
from timelines_zoho_sandbox.zoho.records import batch_items, check_module, write_cost
from timelines_zoho_sandbox.zoho.validation import apply_values, batch_status, record_name, success_item

router = APIRouter()

TEXT_LIMITS = {"Note_Title": 120, "Note_Content": 65535}
NOTE_DEFAULTS = {"$editable": True, "$size": "0", "$state": "save", "$voice_note": False,
                 "$is_shared_to_client": False}


def _parent(ctx: ApiContext, item: dict[str, Any], base: str) -> dict[str, Any] | dict[str, str]:
    """Resolve Parent_Id (v8 object, or the v2 string plus se_module) to the stored form, or an error item."""
    raw = item.get("Parent_Id")
    if isinstance(raw, dict):
        module_ref = raw.get("module") if isinstance(raw.get("module"), dict) else {}
        module, parent_id = module_ref.get("api_name"), raw.get("id")
        if module is None and module_ref.get("id"):
            module = next((m for m, meta in ctx.state.modules.items() if meta["id"] == module_ref["id"]), None)
    else:
        module, parent_id = item.get("se_module"), raw
    if not parent_id:
        return record_error("MANDATORY_NOT_FOUND", "required field not found",
                            {"api_name": "Parent_Id", "json_path": f"{base}.Parent_Id"})
    records = ctx.state.records.get(str(module)) if module != "Notes" else None
    if records is None or str(parent_id) not in records:
        return record_error("INVALID_DATA", "the related id given seems to be invalid",
                            {"api_name": "Parent_Id", "json_path": f"{base}.Parent_Id.id"})
    parent = records[str(parent_id)]
    return {"module": {"api_name": module, "id": ctx.state.modules[str(module)]["id"]},
            "name": record_name(ctx.state, str(module), parent), "id": str(parent_id)}


def _note_values(item: Any, base: str, creating: bool) -> dict[str, Any]:
    """Check title and content; return the values or an error item (marked by its `status`)."""
    if not isinstance(item, dict):
        return record_error("INVALID_DATA", "invalid data", {"json_path": base})
    values: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        if name not in item:
            continue
        value = item[name]
        if value is not None and not isinstance(value, str):
            return record_error("INVALID_DATA", "invalid data",
                                {"api_name": name, "json_path": f"{base}.{name}", "expected_data_type": "string"})
        if value and len(value) > limit:
            return record_error("INVALID_DATA", "invalid data",
                                {"api_name": name, "json_path": f"{base}.{name}", "maximum_length": limit})
        values[name] = value
    if creating and not any(values.get(n) for n in TEXT_LIMITS):
        expected = [{"api_name": n, "json_path": f"{base}.{n}"} for n in ("Note_Content", "Note_Title")]
        return record_error("EXPECTED_FIELD_MISSING", "should contain either content or title",
                            {"expected_fields": expected})
    return values


def _create(ctx: ApiContext, items: list[Any], parent_override: dict[str, Any] | None) -> list[dict[str, Any]]:
    results = []
    for index, item in enumerate(items):
        base = f"$.data[{index}]"
        values = _note_values(item, base, creating=True)
        if values.get("status") == "error":
            results.append(values)
            continue
        parent = _parent(ctx, {**item, **(parent_override or {})}, base)
        if parent.get("status") == "error":
            results.append(parent)
            continue
        record = apply_values(ctx.state, "Notes", {**NOTE_DEFAULTS, "$attachments": [], **values, "Parent_Id": parent}, ctx.user_id, None)
        results.append(success_item(record, "record added"))
    return results


def _update(ctx: ApiContext, item: Any, index: int, note_id: Any) -> dict[str, Any]:
    existing = ctx.state.records["Notes"].get(str(note_id)) if note_id else None
    if existing is None:
        return record_error("INVALID_DATA", "the related id given seems to be invalid",
                            {"api_name": "id", "json_path": f"$.data[{index}].id"})
    values = _note_values(item, f"$.data[{index}]", creating=False)
    if values.get("status") == "error":
        return values
    merged = {n: values.get(n, existing.get(n)) for n in TEXT_LIMITS}
    if not any(merged.values()):
        return _note_values({}, f"$.data[{index}]", creating=True)
    return success_item(apply_values(ctx.state, "Notes", values, ctx.user_id, existing), "record updated")


async def _body_items(request: Request, ctx: ApiContext, op: str) -> list[Any]:
    ctx.require(f"ZohoCRM.modules.notes.{op}")
    items = batch_items(parse_json_body(await request.body()))
    ctx.charge(write_cost(len(items)))
    return items


def _respond(results: list[dict[str, Any]], ok_status: int) -> JSONResponse:
    return JSONResponse({"data": results}, status_code=batch_status(results, ok_status))


@router.get("/Notes")
async def list_notes(request: Request, ctx: Api) -> Response:
    """List notes (`fields` required)."""
    ctx.require("ZohoCRM.modules.notes.READ")
    ctx.charge(1)
    return page_of(ctx.state, "Notes", request)


@router.post("/Notes")
async def create_notes(request: Request, ctx: Api) -> JSONResponse:
    """Create up to 100 notes, each on its parent record."""
    return _respond(_create(ctx, await _body_items(request, ctx, "CREATE"), None), 201)


@router.put("/Notes")
async def update_notes(request: Request, ctx: Api) -> JSONResponse:
    """Update up to 100 notes by id."""
    items = await _body_items(request, ctx, "UPDATE")
    return _respond([_update(ctx, i, n, i.get("id") if isinstance(i, dict) else None) for n, i in enumerate(items)], 200)


@router.get("/Notes/{note_id}")
async def get_note(note_id: str, ctx: Api) -> Response:
    """Return one note, or 204."""
    ctx.require("ZohoCRM.modules.notes.READ")
    ctx.charge(1)
    note = ctx.state.records["Notes"].get(note_id)
    return JSONResponse({"data": [note]}) if note else Response(status_code=204)


@router.put("/Notes/{note_id}")
async def update_note(note_id: str, request: Request, ctx: Api) -> JSONResponse:
    """Update one note; the body's `data` has exactly one item."""
    items = await _body_items(request, ctx, "UPDATE")
    return _respond([_update(ctx, items[0], 0, note_id)], 200)


@router.delete("/Notes/{note_id}")
async def delete_note(note_id: str, ctx: Api) -> JSONResponse:
    """Delete one note."""
    ctx.require("ZohoCRM.modules.notes.DELETE")
    ctx.charge(1)
    if note_id not in ctx.state.records["Notes"]:
        raise ZohoError(400, "INVALID_DATA", "the related id given seems to be invalid", {"resource_path_index": 1})
    ctx.state.delete_record("Notes", note_id)
    return _respond([{"code": "SUCCESS", "details": {"id": note_id}, "message": "record deleted",
                      "status": "success"}], 200)


def _parent_record(ctx: ApiContext, module: str, record_id: str) -> None:
    check_module(ctx.state, module)
    if record_id not in ctx.state.records[module]:
        raise ZohoError(400, "INVALID_DATA", "the related id given seems to be invalid", {"resource_path_index": 1})


@router.get("/{module:module}/{record_id}/Notes")
async def related_notes(module: str, record_id: str, request: Request,
                        ctx: Api) -> Response:
    """List a record's notes."""
    ctx.require("ZohoCRM.modules.notes.READ")
    _parent_record(ctx, module, record_id)
    ctx.charge(1)
    notes = ctx.state.records["Notes"]
    ids = reversed(ctx.state.notes_by_parent.get(record_id, []))
    return page_of(ctx.state, "Notes", request, iter([notes[i] for i in ids]))


@router.post("/{module:module}/{record_id}/Notes")
async def create_related_notes(module: str, record_id: str, request: Request,
                               ctx: Api) -> JSONResponse:
    """Create notes on the record in the path."""
    _parent_record(ctx, module, record_id)
    items = await _body_items(request, ctx, "CREATE")
    override = {"Parent_Id": {"module": {"api_name": module}, "id": record_id}}
    return _respond(_create(ctx, items, override), 201)


@router.put("/{module:module}/{record_id}/Notes/{note_id}")
async def update_related_note(module: str, record_id: str, note_id: str, request: Request,
                              ctx: Api) -> JSONResponse:
    """Update one note of the record in the path."""
    _parent_record(ctx, module, record_id)
    items = await _body_items(request, ctx, "UPDATE")
    return _respond([_update(ctx, items[0], 0, note_id)], 200)
