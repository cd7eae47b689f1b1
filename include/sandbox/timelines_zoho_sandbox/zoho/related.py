"""Related lists API v8: the related-list metadata of a module, and the records a lookup-built list shows.

Notes and Attachments have their own routes (notes.py, attachments.py); the generic /{module}/{id}/{list} here
serves the lists relations.py builds from lookups, e.g. Accounts/{id}/Contacts.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from timelines_zoho_sandbox.zoho.errors import ZohoError
from timelines_zoho_sandbox.zoho.limits import Api, ApiContext, module_scope
from timelines_zoho_sandbox.zoho.meta import one_by_id, settings_read
from timelines_zoho_sandbox.zoho.paging import ordered, page_of
from timelines_zoho_sandbox.zoho.records import check_module
from timelines_zoho_sandbox.zoho.relations import lookup_list

router = APIRouter()


def _related_lists(ctx: ApiContext, request: Request) -> list[dict[str, Any]]:
    # Zoho's documented answer names a missing `module` under `param`.
    module = settings_read(ctx, request, "ZohoCRM.settings.related_lists.READ", "param")
    if module == "Notes":  # notes have no related lists of their own
        raise ZohoError(400, "NOT_SUPPORTED", "the given module is not supported for this api", {"param_name": "module"})
    return ctx.state.modules[module]["related_lists"]


@router.get("/settings/related_lists")
async def list_related_lists(request: Request, ctx: Api) -> Response:
    """List a module's related lists (a client follows an entry's `href`); 204 when it has none."""
    related = _related_lists(ctx, request)
    return JSONResponse({"related_lists": related}) if related else Response(status_code=204)


@router.get("/settings/related_lists/{list_id}")
async def get_related_list(list_id: str, request: Request, ctx: Api) -> JSONResponse:
    """Return one related list of a module by id."""
    return JSONResponse({"related_lists": one_by_id(_related_lists(ctx, request), list_id, 2)})


@router.get("/{module:module}/{record_id}/{related_list}")
async def list_related_records(module: str, record_id: str, related_list: str, request: Request,
                               ctx: Api) -> Response:
    """List the records of a lookup-built related list: those whose lookup field points at the record."""
    check_module(ctx.state, module)
    link = lookup_list(ctx.state.modules, module, related_list)
    if link is None:
        raise ZohoError(400, "INVALID_DATA", "The relation name given seems to be invalid", {"resource_path_index": 2})
    child, field = link
    ctx.require(module_scope(module, "READ"), module_scope(child, "READ"))
    if record_id not in ctx.state.records[module]:
        raise ZohoError(400, "INVALID_DATA", "the related id given seems to be invalid", {"resource_path_index": 1})
    ctx.charge(1)
    rows = (r for r in ordered(ctx.state.records[child], "id", "desc") if (r.get(field) or {}).get("id") == record_id)
    return page_of(ctx.state, child, request, rows)
