"""A plain HTML view at `/`: records per module with their notes and attachments."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from timelines_zoho_sandbox.zoho.catalog import SYSTEM_FIELDS
from timelines_zoho_sandbox.zoho.state import ZohoState

router = APIRouter()

PAGE_SIZE = 100
STYLE = ("body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
         "padding:4px 8px;vertical-align:top;max-width:30em;overflow-wrap:anywhere}pre{white-space:pre-wrap;max-width:60em;margin:0}")


def _columns(state: ZohoState, module: str) -> list[str]:
    """Every field but the system ones, so the fields a sync writes (Description: the default chat link) show."""
    return [f["api_name"] for f in state.modules[module]["fields"] if f["api_name"] not in SYSTEM_FIELDS]


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("id")
    return escape("" if value is None else str(value))


def _extras(state: ZohoState, record_id: str) -> str:
    notes = state.records["Notes"]
    parts = []
    for note_id in state.notes_by_parent.get(record_id, []):
        note = notes[note_id]
        files = "".join(f"<li>📎 {escape(a['File_Name'])} ({a['Size']} bytes)</li>" for a in note.get("$attachments", []))
        parts.append(f"<details><summary>📝 {_cell(note.get('Note_Title'))}</summary>"
                     f"<pre>{_cell(note.get('Note_Content'))}</pre><ul>{files}</ul></details>")
    for attachment_id in state.attachments_by_parent.get(record_id, []):
        attachment = state.attachments[attachment_id]
        link = (f"/__admin/attachments/{attachment_id}" if attachment["$type"] == "File"
                else attachment["$link_url"])
        parts.append(f"<div>📎 <a href='{escape(link)}'>{escape(attachment['File_Name'])}</a> "
                     f"({attachment['Size']} bytes)</div>")
    return "".join(parts)


@router.get("/", response_class=HTMLResponse)
async def records_view(request: Request) -> HTMLResponse:
    """Show each module's newest records (paged with ?module=&page=) with their notes and attachments."""
    state: ZohoState = request.app.state.zoho
    chosen = request.query_params.get("module")
    page = int(request.query_params.get("page", "1")) if request.query_params.get("page", "1").isdigit() else 1
    sections = []
    for module, records in state.records.items():
        if module == "Notes" or not records or (chosen and module != chosen):
            continue
        columns = _columns(state, module)
        rows = list(reversed(records.values()))[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        head = "".join(f"<th>{escape(c)}</th>" for c in ["id", *columns, "notes and attachments"])
        body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in ["id", *columns])
                       + f"<td>{_extras(state, r['id'])}</td></tr>" for r in rows)
        more = (f"<p><a href='/?module={module}&page={page + 1}'>next page</a></p>"
                if len(records) > page * PAGE_SIZE else "")
        sections.append(f"<h2 id='{module}'>{escape(module)} ({len(records)})</h2>"
                        f"<table><tr>{head}</tr>{body}</table>{more}")
    content = "".join(sections) or "<p>No records yet.</p>"
    return HTMLResponse(f"<!doctype html><html><head><meta charset='utf-8'><title>Zoho CRM sandbox</title>"
                        f"<style>{STYLE}</style></head><body><h1>Zoho CRM sandbox</h1>{content}</body></html>")
