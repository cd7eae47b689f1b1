"""Per-record validation of writes, as Zoho does it: each item on its own, errors pointing at `$.data[i].Field`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from timelines_zoho_sandbox.zoho.catalog import SYSTEM_FIELDS
from timelines_zoho_sandbox.zoho.errors import record_error
from timelines_zoho_sandbox.zoho.state import ZohoState

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TEXT_TYPES = ("text", "textarea", "email", "phone", "website", "picklist")
NUMBER_TYPES = {"integer": (int,), "bigint": (int, str), "double": (int, float), "currency": (int, float)}
# The field Zoho checks for duplicates by default in upsert, per module (custom modules use Name).
SYSTEM_DUPLICATE_FIELD = {"Contacts": "Email", "Leads": "Email", "Accounts": "Account_Name", "Deals": "Deal_Name"}


class RecordInvalid(Exception):
    """One item of a batch failed validation; `item` is its per-record error object."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__(item["code"])
        self.item = item


def _fail(code: str, message: str, api_name: str, path: str, **extra: Any) -> RecordInvalid:
    return RecordInvalid(record_error(code, message, {"api_name": api_name, "json_path": path, **extra}))


def record_name(state: ZohoState, module: str, record: dict[str, Any]) -> str:
    """Return the display name Zoho shows for a record in lookups."""
    for key in ("Full_Name", "Account_Name", "Deal_Name", "Name", "Note_Title", "Last_Name"):
        if record.get(key):
            return str(record[key])
    return record["id"]


def _check_value(state: ZohoState, field: dict[str, Any], value: Any, path: str) -> Any:
    """Check one value against its field's type, length and options, returning the value to store."""
    api_name, data_type = field["api_name"], field["data_type"]
    if data_type in TEXT_TYPES:
        if not isinstance(value, str):
            raise _fail("INVALID_DATA", "invalid data", api_name, path, expected_data_type=data_type)
        if len(value) > field["length"]:
            raise _fail("INVALID_DATA", "invalid data", api_name, path, maximum_length=field["length"])
        if data_type == "email" and value and not EMAIL.match(value):
            raise _fail("INVALID_DATA", "invalid data", api_name, path, expected_data_type="email")
        if data_type == "picklist" and value and state.faults["strict_picklists"]:
            options = [o["display_value"] for o in field["pick_list_values"]]
            if value not in options and value not in [o["actual_value"] for o in field["pick_list_values"]]:
                raise _fail("INVALID_DATA", "invalid data", api_name, path, supported_values=options)
        return value
    if data_type in ("ownerlookup", "lookup"):
        target = value.get("id") if isinstance(value, dict) else None
        if data_type == "ownerlookup":
            if target not in state.users:
                raise _fail("INVALID_DATA", "invalid data", api_name, f"{path}.id", expected_data_type="jsonobject")
            return state.minified_user(str(target))
        found = state.find_record(str(target)) if target else None
        if found is None:
            raise _fail("INVALID_DATA", "invalid data", api_name, f"{path}.id", expected_data_type="jsonobject")
        return {"name": record_name(state, found[0], found[1]), "id": str(target)}
    if data_type in NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, NUMBER_TYPES[data_type]):
            raise _fail("INVALID_DATA", "invalid data", api_name, path, expected_data_type=data_type)
        return value
    if data_type == "boolean":
        if not isinstance(value, bool):
            raise _fail("INVALID_DATA", "invalid data", api_name, path, expected_data_type="boolean")
        return value
    if data_type == "date" and not (isinstance(value, str) and DATE.match(value)):
        raise _fail("INVALID_DATA", "invalid data", api_name, path, expected_data_type="date")
    if data_type == "datetime":
        try:
            dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise _fail("INVALID_DATA", "invalid data", api_name, path, expected_data_type="datetime") from None
    return value


def validate_item(state: ZohoState, module: str, item: Any, index: int, existing: dict[str, Any] | None) -> dict[str, Any]:
    """Validate one item of `data` and return the field values to write; raise RecordInvalid if it is rejected."""
    base = f"$.data[{index}]"
    if not isinstance(item, dict):
        raise RecordInvalid(record_error("INVALID_DATA", "invalid data", {"json_path": base}))
    fields = state.field_map(module)
    values: dict[str, Any] = {}
    for api_name, value in item.items():
        if api_name == "id" or api_name.startswith("$") or api_name in SYSTEM_FIELDS:
            continue  # system-set and meta keys are ignored, as Zoho ignores them
        field = fields.get(api_name)
        if field is None or field["read_only"]:
            raise _fail("INVALID_DATA", "the field api name given seems to be invalid", api_name,
                        f"{base}.{api_name}")
        values[api_name] = None if value is None else _check_value(state, field, value, f"{base}.{api_name}")
    for field in fields.values():
        if not field["system_mandatory"]:
            continue
        name = field["api_name"]
        missing_now = existing is None and values.get(name) in (None, "")
        cleared = existing is not None and name in values and values[name] in (None, "")
        if missing_now or cleared:
            raise _fail("MANDATORY_NOT_FOUND", "required field not found", name, f"{base}.{name}")
    record_id = existing["id"] if existing else None
    for name, index_values in state.unique_index[module].items():
        if values.get(name) in (None, ""):
            continue
        other = index_values.get(str(values[name]).lower())
        if other is not None and other != record_id:
            duplicate = state.records[module][other]
            raise _fail("DUPLICATE_DATA", "duplicate data", name, f"{base}.{name}", more_records=False,
                        duplicate_record={"id": other, "Owner": duplicate.get("Owner"),
                                          "module": {"api_name": module, "id": state.modules[module]["id"]}})
    return values


def apply_values(state: ZohoState, module: str, values: dict[str, Any], user_id: str,
                 existing: dict[str, Any] | None) -> dict[str, Any]:
    """Build the stored record from validated values (new or merged onto `existing`) and store it."""
    now = state.now()
    user = state.minified_user(user_id)
    if existing is None:
        record: dict[str, Any] = {"id": state.next_id(), "Owner": user, "Created_By": user, "Created_Time": now}
    else:
        record = dict(existing)
    record.update(values)
    if "Owner" not in record or record["Owner"] is None:
        record["Owner"] = user
    record["Modified_By"] = user
    record["Modified_Time"] = now
    if "Full_Name" in state.field_map(module):
        record["Full_Name"] = " ".join(p for p in (record.get("First_Name"), record.get("Last_Name")) if p)
    state.put_record(module, record, existing)
    return record


def success_item(record: dict[str, Any], message: str) -> dict[str, Any]:
    """Build the per-record success object of a write."""
    details = {key: record[key] for key in ("Modified_Time", "Modified_By", "Created_Time", "id", "Created_By")}
    return {"code": "SUCCESS", "details": {**details, "$approval_state": "approved"}, "message": message,
            "status": "success"}


def batch_status(items: list[dict[str, Any]], all_ok: int) -> int:
    """Return 201/200 when all items succeeded, 400 when all failed, else 207."""
    ok = sum(1 for item in items if item["status"] == "success")
    if ok == len(items):
        return all_ok
    return 400 if ok == 0 else 207
