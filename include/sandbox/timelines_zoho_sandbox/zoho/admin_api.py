"""The HTTP admin API under /__admin: reset, seed, clients and tokens, faults, stats and state dumps."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from timelines_zoho_sandbox.tamper import check_rules
from timelines_zoho_sandbox.zoho.accounts import (
    accounts_url,
    issue_access_token,
    issue_grant,
    issue_refresh_token,
)
from timelines_zoho_sandbox.zoho.attachments import remove_attachment
from timelines_zoho_sandbox.zoho.catalog import make_field
from timelines_zoho_sandbox.zoho.limits import credits_used, parse_json_body
from timelines_zoho_sandbox.zoho.meta import default_org, new_user
from timelines_zoho_sandbox.zoho.state import DATA_CENTRES, ZohoState

router = APIRouter()

DEFAULT_CLIENT_ID = "1000.SANDBOXCLIENT00000000000000000"
ALL_SCOPES = ["ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.users.READ", "ZohoCRM.org.READ",
              "ZohoCRM.coql.READ"]
KNOB_MODULES = ("Contacts", "Leads")


class AdminError(Exception):
    """A bad admin request: answered with HTTP 400 and {"error": message}."""


def _state(request: Request) -> ZohoState:
    return request.app.state.zoho


async def _body(request: Request) -> dict[str, Any]:
    body = parse_json_body(await request.body()) or {}
    if not isinstance(body, dict):
        raise AdminError("body must be a JSON object")
    return body


def ensure_org(state: ZohoState) -> None:
    """Make sure there is a user, an org and the default OAuth client."""
    if not state.users:
        new_user(state, "Sandbox Admin", "admin@sandbox.example", "CEO", "active")
    if not state.org:
        state.org = default_org(state, next(iter(state.users.values())))
    state.clients.setdefault(DEFAULT_CLIENT_ID, {
        "client_id": DEFAULT_CLIENT_ID, "client_secret": "sandbox-secret", "client_name": "Sandbox Client",
        "redirect_uris": ["http://localhost/callback"]})


def seed_records(state: ZohoState, module: str, rows: list[Any]) -> list[str]:
    """Store seed records without the API's checks (fast), only refusing unknown fields."""
    if module not in state.records:
        raise AdminError(f"unknown module {module}")
    fields = state.field_map(module)
    owner = state.minified_user(state.current_user_id())
    now = state.now()
    ids = []
    for row in rows:
        if not isinstance(row, dict) or set(row) - set(fields):
            raise AdminError(f"bad {module} record {row!r}: unknown fields {sorted(set(row) - set(fields))}")
        record = {"id": state.next_id(), "Owner": owner, "Created_By": owner, "Modified_By": owner,
                  "Created_Time": now, "Modified_Time": now, **row}
        if isinstance(row.get("Owner"), dict) and row["Owner"].get("id") in state.users:
            record["Owner"] = state.minified_user(row["Owner"]["id"])
        if "Full_Name" in fields:
            record["Full_Name"] = " ".join(p for p in (record.get("First_Name"), record.get("Last_Name")) if p)
        state.put_record(module, record)
        ids.append(record["id"])
    state.phone_index(module).compact()  # build it now, not in the first search
    return ids


@router.post("/reset")
async def reset(request: Request) -> JSONResponse:
    """Forget everything."""
    _state(request).reset()
    return JSONResponse({"status": "reset"})


@router.post("/seed")
async def seed(request: Request) -> JSONResponse:
    """Create users and records; also sets up the org and the default OAuth client."""
    state, body = _state(request), await _body(request)
    user_ids = []
    for user in body.get("users", []):
        created = new_user(state, user["full_name"], user["email"], user.get("role", "Standard"),
                           user.get("status", "active"))
        user_ids.append(created["id"])
    ensure_org(state)
    records = {module: seed_records(state, module, rows) for module, rows in body.get("records", {}).items()}
    return JSONResponse({"users": user_ids, "records": records, "org_id": state.org["id"],
                         "client": state.clients[DEFAULT_CLIENT_ID]})


@router.get("/clients")
async def list_clients(request: Request) -> JSONResponse:
    """List registered OAuth clients."""
    return JSONResponse({"clients": list(_state(request).clients.values())})


@router.post("/clients")
async def create_client(request: Request) -> JSONResponse:
    """Register an OAuth client with its redirect URIs."""
    state, body = _state(request), await _body(request)
    ensure_org(state)
    client_id = body.get("client_id") or f"1000.{state.token_hex(30).upper()}"
    client = {"client_id": client_id, "client_secret": body.get("client_secret") or state.token_hex(42),
              "client_name": body.get("client_name", "Sandbox Client"),
              "redirect_uris": list(body.get("redirect_uris", []))}
    state.clients[client_id] = client
    return JSONResponse(client)


def _grant_args(state: ZohoState, body: dict[str, Any]) -> tuple[str, list[str], str]:
    ensure_org(state)
    client_id = body.get("client_id", DEFAULT_CLIENT_ID)
    dc = body.get("dc", "us")
    if client_id not in state.clients or dc not in DATA_CENTRES:
        raise AdminError("unknown client_id or dc")
    scopes = body.get("scopes", ALL_SCOPES)
    return client_id, list(scopes), dc


@router.post("/grant-code")
async def grant_code(request: Request) -> JSONResponse:
    """Mint a self-client grant code with the chosen scopes."""
    state, body = _state(request), await _body(request)
    client_id, scopes, dc = _grant_args(state, body)
    code = issue_grant(state, client_id, scopes, dc, ttl=float(body.get("ttl", 180)))
    return JSONResponse({"code": code, "accounts_url": accounts_url(request.app.state.base_url, dc)})


@router.post("/refresh-token")
async def refresh_token(request: Request) -> JSONResponse:
    """Mint a refresh token (and one access token) with the chosen scopes."""
    state, body = _state(request), await _body(request)
    client_id, scopes, dc = _grant_args(state, body)
    token = issue_refresh_token(state, client_id, scopes, dc, body.get("user_id"))
    base_url = request.app.state.base_url
    access = issue_access_token(state, base_url, token)
    return JSONResponse({"refresh_token": token, **access, "accounts_url": accounts_url(base_url, dc),
                         "client_id": client_id, "client_secret": state.clients[client_id]["client_secret"]})


@router.post("/expire-tokens")
async def expire_tokens(request: Request) -> JSONResponse:
    """Expire every access token now (refresh tokens stay valid)."""
    state = _state(request)
    for grant in state.access_tokens.values():
        grant["expires_at"] = 0
    return JSONResponse({"expired": len(state.access_tokens)})


@router.get("/faults")
async def get_faults(request: Request) -> JSONResponse:
    """Show the fault and knob settings."""
    return JSONResponse(_state(request).faults)


@router.post("/faults")
async def set_faults(request: Request) -> JSONResponse:
    """Change faults and knobs; a mandatory custom field is added to (or removed from) Contacts and Leads."""
    state, body = _state(request), await _body(request)
    try:
        if "tamper" in body:
            body["tamper"] = check_rules(body["tamper"])
        faults = state.set_faults(body)
    except KeyError as exc:
        raise AdminError(f"unknown fault {exc.args[0]}") from None
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    if "mandatory_custom_field" in body:
        _apply_mandatory_field(state, body["mandatory_custom_field"])
    return JSONResponse(faults)


def _apply_mandatory_field(state: ZohoState, api_name: str | None) -> None:
    for module in KNOB_MODULES:
        fields = state.modules[module]["fields"]
        fields[:] = [f for f in fields if not f.get("knob")]
        if api_name:
            spec = (api_name, "text", 255, {"custom": True, "mandatory": True})
            fields.append({**make_field(spec, state.next_id(), len(fields) + 1, state.next_id), "knob": True})


@router.post("/unique")
async def set_unique(request: Request) -> JSONResponse:
    """Mark a field unique ("Do not allow duplicate values") or not."""
    state, body = _state(request), await _body(request)
    module, name = body.get("module"), body.get("field")
    if module not in state.modules or name not in state.field_map(module):
        raise AdminError("unknown module or field")
    state.field_map(module)[name]["unique"] = {"casesensitive": "false"} if body.get("unique", True) else {}
    state.rebuild_indexes()
    return JSONResponse({"module": module, "field": name, "unique": bool(body.get("unique", True))})


@router.get("/stats")
async def stats(request: Request) -> JSONResponse:
    """Calls per endpoint, credits used (total and in the 24-hour window), refreshes made."""
    state = _state(request)
    return JSONResponse({**state.stats, "credits_window": credits_used(state),
                         "credits_budget": state.faults["credits_budget"],
                         "records": {m: len(r) for m, r in state.records.items()}})


@router.get("/state")
async def dump(request: Request) -> JSONResponse:
    """Return the normalised, deterministic state dump."""
    return JSONResponse(_state(request).dump())


@router.post("/save")
async def save(request: Request) -> JSONResponse:
    """Write the state file now (when the server was given one)."""
    state = _state(request)
    state.save()
    return JSONResponse({"saved": bool(state.state_file)})


@router.get("/attachments/{attachment_id}")
async def attachment_bytes(attachment_id: str, request: Request) -> Response:
    """Serve an attachment's bytes to the HTML view (no OAuth)."""
    state = _state(request)
    if attachment_id not in state.blobs:
        return JSONResponse({"error": "no such attachment"}, status_code=404)
    return Response(state.blobs[attachment_id], media_type="application/octet-stream")


@router.delete("/attachments/{attachment_id}")
async def person_deletes_attachment(attachment_id: str, request: Request) -> JSONResponse:
    """A person deletes a file in Zoho's UI: it is gone from its note or record, with no API call counted."""
    if not remove_attachment(_state(request), attachment_id):
        return JSONResponse({"error": "no such attachment"}, status_code=404)
    return JSONResponse({"deleted": attachment_id})


# -- a person editing Zoho between runs -------------------------------------------------------------------------


@router.delete("/records/{module}/{record_id}")
async def person_deletes(module: str, record_id: str, request: Request) -> JSONResponse:
    """Delete a record (with its notes and files) or a note (module `Notes`), as a person does in Zoho's UI."""
    state = _state(request)
    if record_id not in state.records.get(module, {}):
        raise AdminError(f"no {module} record {record_id}")
    state.delete_record(module, record_id)
    return JSONResponse({"deleted": record_id})


@router.patch("/records/{module}/{record_id}")
async def person_edits(module: str, record_id: str, request: Request) -> JSONResponse:
    """Change fields of a record (a name, say) as a person does in Zoho's UI: Modified_Time moves on."""
    state, body = _state(request), await _body(request)
    previous = state.records.get(module, {}).get(record_id)
    if previous is None:
        raise AdminError(f"no {module} record {record_id}")
    unknown = sorted(set(body) - set(state.field_map(module)))
    if unknown:
        raise AdminError(f"unknown fields {unknown}")
    record = {**previous, **body, "Modified_Time": state.now()}
    if "Full_Name" in state.field_map(module):
        record["Full_Name"] = " ".join(p for p in (record.get("First_Name"), record.get("Last_Name")) if p)
    state.put_record(module, record, previous)
    return JSONResponse({"data": record})
