"""Attachments on records and notes: multipart `file` or `attachmentUrl`, size limits, list and download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from timelines_zoho_sandbox.zoho.errors import ZohoError, required_param
from timelines_zoho_sandbox.zoho.limits import Api, ApiContext, module_scope
from timelines_zoho_sandbox.zoho.records import page_of
from timelines_zoho_sandbox.zoho.state import ZohoState
from timelines_zoho_sandbox.zoho.validation import record_name

router = APIRouter()

TOO_BIG = ZohoError(413, "FILE_SIZE_MORE_THAN_ALLOWED_SIZE", "Please check if the size of the file is in the correct range")
MULTIPART_SLACK = 64 * 1024  # room for multipart headers around the file itself


def _parent(ctx: ApiContext, module: str, record_id: str, op: str) -> dict[str, Any]:
    if module not in ctx.state.records:
        raise ZohoError(400, "INVALID_MODULE", "the module name given seems to be invalid", {"resource_path_index": 0})
    ctx.require(f"ZohoCRM.modules.attachments.{op}", module_scope(module, "READ"))
    record = ctx.state.records[module].get(record_id)
    if record is None:
        raise ZohoError(400, "INVALID_DATA", "the related id given seems to be invalid", {"resource_path_index": 1})
    return record


def _too_big(ctx: ApiContext, size: int) -> bool:
    return size > int(ctx.state.faults["max_file_bytes"])


async def _read_upload(ctx: ApiContext, request: Request) -> tuple[str, bytes | None, str | None]:
    """Return (file name, content, link URL) from a multipart `file` or an `attachmentUrl` parameter."""
    declared = int(request.headers.get("content-length") or 0)
    if _too_big(ctx, declared - MULTIPART_SLACK):
        raise TOO_BIG
    url = request.query_params.get("attachmentUrl")
    title = request.query_params.get("title")
    if request.headers.get("content-type", "").startswith("multipart/"):
        form = await request.form(max_part_size=int(ctx.state.faults["max_file_bytes"]) + MULTIPART_SLACK)
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            content = await upload.read()
            if _too_big(ctx, len(content)):
                raise TOO_BIG
            name = upload.filename or "file"
            if name.lower().endswith(".exe"):
                raise ZohoError(400, "INVALID_DATA", "the file type is not supported", {"param_name": "file"})
            return name, content, None
        url = url or (form.get("attachmentUrl") if isinstance(form.get("attachmentUrl"), str) else None)
        title = title or (form.get("title") if isinstance(form.get("title"), str) else None)
    if not url:
        raise required_param("file")
    return str(title or url)[:255], None, str(url)


@router.post("/{module:module}/{record_id}/Attachments")
async def upload_attachment(module: str, record_id: str, request: Request,
                            ctx: Api) -> JSONResponse:
    """Attach a file or a link to a record or a note."""
    record = _parent(ctx, module, record_id, "CREATE")
    name, content, url = await _read_upload(ctx, request)
    state = ctx.state
    if module == "Notes" and content is not None:
        used = sum(int(a["Size"]) for a in record.get("$attachments", []))
        if _too_big(ctx, used + len(content)):
            raise ZohoError(400, "FILE_SIZE_EXCEEDS", "the total size of the attachments exceeds the limit")
    ctx.charge(1)
    now, user = state.now(), state.minified_user(ctx.user_id)
    attachment_id = state.next_id()
    attachment = {
        "id": attachment_id, "File_Name": name, "Size": str(len(content or b"")), "Created_Time": now,
        "Created_By": user, "Modified_Time": now, "Modified_By": user, "Owner": user,
        "Parent_Id": {"name": record_name(state, module, record), "id": record_id},
        "$type": "File" if content is not None else "Link URL", "$se_module": module,
        "$file_id": f"{state.token_hex(16)}{attachment_id}", "$link_url": url, "$editable": True, "$state": "save",
    }
    state.attachments[attachment_id] = attachment
    state.attachments_by_parent[record_id].append(attachment_id)
    if content is not None:
        state.blobs[attachment_id] = content
    if module == "Notes":
        record.setdefault("$attachments", []).append(
            {"$file_id": attachment["$file_id"], "File_Name": name, "Size": attachment["Size"], "id": attachment_id})
        record["$size"] = str(sum(int(a["Size"]) for a in record["$attachments"]))
    details = {k: attachment[k] for k in ("id", "Created_Time", "Modified_Time", "Created_By", "Modified_By")}
    return JSONResponse({"data": [{"code": "SUCCESS", "details": details,
                                   "message": "attachment uploaded successfully", "status": "success"}]})


@router.get("/{module:module}/{record_id}/Attachments")
async def list_attachments(module: str, record_id: str, request: Request,
                           ctx: Api) -> Response:
    """List a record's attachments (`fields` required), newest first."""
    _parent(ctx, module, record_id, "READ")
    ctx.charge(1)
    ids = ctx.state.attachments_by_parent.get(record_id, [])
    return page_of(ctx.state, f"{module}/Attachments", request, iter([ctx.state.attachments[i] for i in reversed(ids)]))


def _attachment(ctx: ApiContext, record_id: str, attachment_id: str) -> dict[str, Any]:
    attachment = ctx.state.attachments.get(attachment_id)
    if attachment is None or attachment["Parent_Id"]["id"] != record_id:
        raise ZohoError(400, "INVALID_DATA", "the related id given seems to be invalid", {"resource_path_index": 3})
    return attachment


@router.get("/{module:module}/{record_id}/Attachments/{attachment_id}")
async def download_attachment(module: str, record_id: str, attachment_id: str,
                              ctx: Api) -> Response:
    """Download a file attachment's bytes."""
    _parent(ctx, module, record_id, "READ")
    attachment = _attachment(ctx, record_id, attachment_id)
    if attachment["$type"] != "File":
        raise ZohoError(400, "INVALID_DATA", "link attachments cannot be downloaded", {"resource_path_index": 3})
    ctx.charge(1)
    disposition = f"attachment; filename*=UTF-8''{quote(attachment['File_Name'])}"
    return Response(ctx.state.blobs.get(attachment_id, b""), media_type="application/octet-stream",
                    headers={"Content-Disposition": disposition})


@router.delete("/{module:module}/{record_id}/Attachments/{attachment_id}")
async def delete_attachment(module: str, record_id: str, attachment_id: str,
                            ctx: Api) -> JSONResponse:
    """Delete one attachment."""
    _parent(ctx, module, record_id, "DELETE")
    _attachment(ctx, record_id, attachment_id)
    ctx.charge(1)
    remove_attachment(ctx.state, attachment_id)
    return JSONResponse({"data": [{"code": "SUCCESS", "details": {"id": attachment_id}, "message": "record deleted",
                                   "status": "success"}]})


def remove_attachment(state: ZohoState, attachment_id: str) -> bool:
    """Delete one attachment from its parent (and the note's `$attachments`); False when there is none."""
    attachment = state.attachments.pop(attachment_id, None)
    if attachment is None:
        return False
    state.blobs.pop(attachment_id, None)
    parent_id = attachment["Parent_Id"]["id"]
    state.attachments_by_parent[parent_id].remove(attachment_id)
    parent = state.records.get(attachment["$se_module"], {}).get(parent_id)
    if parent is not None and attachment["$se_module"] == "Notes":
        parent["$attachments"] = [a for a in parent.get("$attachments", []) if a["id"] != attachment_id]
        parent["$size"] = str(sum(int(a["Size"]) for a in parent["$attachments"]))
    return True
