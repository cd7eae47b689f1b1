"""Search (criteria, email, phone, word) and COQL over the emulator's records."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from timelines_zoho_sandbox.zoho import coql, criteria
from timelines_zoho_sandbox.zoho.coql_index import OrderedIndex
from timelines_zoho_sandbox.zoho.errors import ZohoError, required_param
from timelines_zoho_sandbox.zoho.limits import Api, ApiContext, module_scope, parse_json_body
from timelines_zoho_sandbox.zoho.paging import MAX_FIELDS, int_param, project
from timelines_zoho_sandbox.zoho.records import check_module
from timelines_zoho_sandbox.zoho.state import ZohoState, digits

router = APIRouter()

SEARCH_CAP = 2000
PHONE = re.compile(r"^[+]?[0-9\s\-().]+$")
FROM_MODULE = re.compile(r"\bfrom\s+([A-Za-z0-9_]+)", re.IGNORECASE)
LIMIT = re.compile(r"\blimit\s+(\d+)", re.IGNORECASE)


class LazyModules(Mapping[str, list[dict[str, Any]]]):
    """Module name → records, built only for the module a query asks for."""

    def __init__(self, state: ZohoState) -> None:
        self.state = state

    def __getitem__(self, module: str) -> list[dict[str, Any]]:
        return list(self.state.records[module].values())

    def __iter__(self) -> Iterator[str]:
        return iter(self.state.records)

    def __len__(self) -> int:
        return len(self.state.records)

    def indexes(self, module: str) -> dict[str, OrderedIndex]:
        """Return a module's ordered indexes, for COQL's planner."""
        return self.state.ordered_indexes[module]


def _matching_ids(ctx: ApiContext, module: str, request: Request) -> set[str] | list[str]:
    """Return the ids matched by the one search parameter that counts (criteria > email > phone > word)."""
    state, params = ctx.state, request.query_params
    records = state.records[module]
    if params.get("criteria"):
        types = {f["api_name"]: f["data_type"] for f in state.modules[module]["fields"]}
        try:
            predicate = criteria.compile_criteria(params["criteria"], types)
        except criteria.CriteriaError as exc:
            raise ZohoError(400, exc.code, exc.message, exc.details) from None
        return [r["id"] for r in records.values() if predicate(r)]
    if params.get("email"):
        return set(state.email_index[module].get(params["email"].strip().lower(), ()))
    if params.get("phone"):
        phone = params["phone"].strip()
        if not PHONE.match(phone) or len(digits(phone)) < 3:
            raise ZohoError(400, "INVALID_QUERY", "invalid query formed", {"api_name": "phone", "reason": "invalid phone"})
        return state.phone_matches(module, digits(phone))
    word = params.get("word", "").strip().lower()
    if not word:
        raise ZohoError(400, "EXPECTED_PARAM_MISSING", "one of the expected parameter is missing",
                        {"param_names": ["criteria", "email", "phone", "word"]})
    if not 2 <= len(word) <= 100:
        raise ZohoError(400, "INVALID_QUERY", "invalid query formed", {"api_name": "word", "reason": "2 to 100 characters"})
    text_fields = state.fields_of_type(module, "text", "email", "phone", "website", "picklist")
    return [r["id"] for r in records.values() if any(word in str(r.get(f) or "").lower() for f in text_fields)]


@router.get("/{module:module}/search")
async def search_records(module: str, request: Request, ctx: Api) -> Response:
    """Search a module; at most 2,000 results can be paged through, 204 when nothing matches."""
    check_module(ctx.state, module)
    ctx.require(module_scope(module, "READ"))
    per_page = int_param(request, "per_page", 200, 1, 200)
    page = int_param(request, "page", 1, 1, 10**6)
    if page * per_page > SEARCH_CAP:
        raise ZohoError(400, "LIMIT_REACHED", "maximum response iteration limit reached", {"limit": str(SEARCH_CAP)})
    raw_fields = request.query_params.get("fields")
    fields = [f for f in raw_fields.split(",") if f][:MAX_FIELDS] if raw_fields else None
    ctx.charge(1)
    ids = sorted(_matching_ids(ctx, module, request), reverse=request.query_params.get("sort_order", "desc") == "desc")
    hidden = ctx.state.visible_after
    if hidden:
        now = time.time()
        ids = [i for i in ids if hidden.get(i, 0) <= now]  # the search index lags behind writes
    ids = ids[:SEARCH_CAP]
    chunk = ids[(page - 1) * per_page : page * per_page]
    if not chunk:
        return Response(status_code=204)
    records = ctx.state.records[module]
    rows = [project(records[i], fields) if fields else records[i] for i in chunk]
    info = {"per_page": per_page, "count": len(rows), "page": page, "more_records": len(ids) > page * per_page}
    return JSONResponse({"data": rows, "info": info})


def coql_cost(query: str) -> int:
    """Return a query's credits by its LIMIT: up to 200 → 1, up to 1,000 → 2, more → 3."""
    found = LIMIT.search(query)
    limit = int(found.group(1)) if found else 200
    return 1 if limit <= 200 else 2 if limit <= 1000 else 3


@router.post("/coql")
async def run_coql(request: Request, ctx: Api) -> Response:
    """Run a COQL select query (2,000 rows at most per call)."""
    body = parse_json_body(await request.body())
    query = body.get("select_query") if isinstance(body, dict) else None
    if not isinstance(query, str) or not query.strip():
        raise required_param("select_query")
    ctx.require("ZohoCRM.coql.READ")
    module = FROM_MODULE.search(query)
    if module and module.group(1) in ctx.state.records:
        ctx.require(module_scope(module.group(1), "READ"))
    ctx.charge(coql_cost(query))
    fields = {m: [f["api_name"] for f in meta["fields"]] + ["id"] for m, meta in ctx.state.modules.items()}
    try:
        modules = LazyModules(ctx.state)
        rows, more = coql.execute(query, modules, fields_by_module=fields, indexes=modules.indexes)
    except coql.CoqlError as exc:
        raise ZohoError(400, exc.code, exc.message, exc.details) from None
    if not rows:
        return Response(status_code=204)
    return JSONResponse({"data": rows, "info": {"count": len(rows), "more_records": more}})
