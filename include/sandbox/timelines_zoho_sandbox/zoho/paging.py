"""Reading records in pages as Zoho does: `fields`, page/per_page within the first 2,000, `page_token` beyond."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from timelines_zoho_sandbox.zoho.errors import ZohoError, invalid_param, required_param
from timelines_zoho_sandbox.zoho.state import ZohoState

DISCRETE_LIMIT = 2000
TOKEN_LIMIT = 100_000
MAX_FIELDS = 50


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """Read an integer query parameter within bounds, else INVALID_DATA naming it."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid_param(name)
    return int(raw)


def requested_fields(request: Request) -> list[str]:
    """Read the mandatory `fields` parameter: at most 50 names."""
    raw = request.query_params.get("fields")
    if not raw:
        raise required_param("fields")
    names = list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    if len(names) > MAX_FIELDS:
        raise ZohoError(400, "LIMIT_EXCEEDED", "the limit for the number of fields exceeded",
                        {"limit": MAX_FIELDS, "param_name": "fields"})
    return names


def project(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Keep the requested fields (null when empty) plus the id."""
    return {"id": record["id"], **{name: record.get(name) for name in fields}}


def ordered(records: dict[str, dict[str, Any]], sort_by: str, sort_order: str) -> Iterable[dict[str, Any]]:
    """Iterate records in the requested order; id order is insertion order, so it needs no sort."""
    if sort_by == "id":
        return reversed(records.values()) if sort_order == "desc" else records.values()
    return sorted(records.values(), key=lambda r: (r.get(sort_by) or "", r["id"]), reverse=sort_order == "desc")


def modified_since(request: Request) -> str | None:
    """Read If-Modified-Since as a UTC ISO string comparable with stored times."""
    raw = request.headers.get("if-modified-since")
    if not raw:
        return None
    try:
        since = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ZohoError(400, "INVALID_DATA", "invalid data", {"header_name": "If-Modified-Since"}) from None
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.timezone.utc)
    return since.astimezone(dt.timezone.utc).isoformat()


def page_of(state: ZohoState, module: str, request: Request, rows: Iterator[dict[str, Any]] | None = None) -> Response:
    """Answer a list call: page/per_page within the first 2,000 records, `page_token` beyond."""
    fields = requested_fields(request)
    per_page = int_param(request, "per_page", 200, 1, 200)
    sort_by = request.query_params.get("sort_by", "id")
    sort_order = request.query_params.get("sort_order", "desc")
    if sort_by not in ("id", "Created_Time", "Modified_Time"):
        raise invalid_param("sort_by")
    if sort_order not in ("asc", "desc"):
        raise invalid_param("sort_order")
    token = request.query_params.get("page_token")
    if token:
        saved = state.page_tokens.get(token)
        if saved is None or saved["module"] != module or saved["expires_at"] < time.time():
            raise ZohoError(400, "INVALID_DATA", "invalid page token", {"param_name": "page_token"})
        offset, page, per_page = saved["offset"], saved["page"], saved["per_page"]
        sort_by, sort_order = saved["sort_by"], saved["sort_order"]
        if offset + per_page > TOKEN_LIMIT:
            raise ZohoError(400, "PAGINATION_LIMIT_EXCEEDED",
                            "You can only get upto 100000 records using page_token param", {"limit": TOKEN_LIMIT})
    else:
        page = int_param(request, "page", 1, 1, 10**6)
        offset = (page - 1) * per_page
        if offset + per_page > DISCRETE_LIMIT:
            raise ZohoError(400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                            "You can only get the first 2000 records without using page_token param",
                            {"limit": DISCRETE_LIMIT})
    source = rows if rows is not None else iter(ordered(state.records[module], sort_by, sort_order))
    since = modified_since(request)
    if since:
        source = (r for r in source if str(r.get("Modified_Time", "")) > since)
    chunk = list(itertools.islice(source, offset, offset + per_page + 1))
    more = len(chunk) > per_page
    if not chunk:
        return Response(status_code=304 if since else 204)
    info: dict[str, Any] = {"call": False, "per_page": per_page, "count": min(len(chunk), per_page),
                            "sort_by": sort_by, "page": page, "sort_order": sort_order, "email": False,
                            "more_records": more}
    if more:
        info["next_page_token"] = _new_token(state, module, offset + per_page, page + 1, per_page, sort_by, sort_order)
        info["page_token_expiry"] = dt.datetime.fromtimestamp(
            state.page_tokens[info["next_page_token"]]["expires_at"], dt.timezone.utc).replace(microsecond=0).isoformat()
    return JSONResponse({"data": [project(r, fields) for r in chunk[:per_page]], "info": info})


def _new_token(state: ZohoState, module: str, offset: int, page: int, per_page: int, sort_by: str,
               sort_order: str) -> str:
    token = state.token_hex(40)
    state.page_tokens[token] = {"module": module, "offset": offset, "page": page, "per_page": per_page,
                                "sort_by": sort_by, "sort_order": sort_order, "expires_at": time.time() + 86400}
    return token
