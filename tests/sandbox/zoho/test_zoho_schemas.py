"""The emulator's responses validate against Zoho's own OpenAPI files in ../shared/specs/zoho-crm-v8."""

from __future__ import annotations

import json
import pathlib
import warnings
from typing import Any
from urllib.parse import quote

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SPECS = pathlib.Path("/work/shared/specs/zoho-crm-v8")
REMOTE = "https://raw.githubusercontent.com/Zohocorp-Pvt-Ltd/crm-oas/refs/heads/main/v8.0/"

if not SPECS.is_dir():
    warnings.warn(f"ZOHO SPEC VALIDATION SKIPPED: {SPECS} is absent", stacklevel=1)
    pytest.skip(f"Zoho OpenAPI files not found at {SPECS}: schema validation SKIPPED", allow_module_level=True)


def _as_json_schema(node: Any) -> Any:
    """Turn OpenAPI 3.0 schema dialect into JSON Schema: nullable → null type, oneOf → anyOf.

    `pattern` is dropped: in these generated files it is derived from one example value (an email of exactly
    nine letters, say), not a rule of the API. A `$ref` also admits null: OpenAPI 3.0 ignores `nullable` beside
    `$ref`, so the files cannot say that Zoho sends null for an absent object (`crypt`, `tooltip`, ...).
    """
    if isinstance(node, list):
        return [_as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith(REMOTE) and not (SPECS / ref[len(REMOTE):].split("#")[0]).exists():
        return {}  # a file outside the stored set: accept anything there
    if "/components/schemas/" in ref:
        return {"anyOf": [{"$ref": ref}, {"type": "null"}]}
    out = {("anyOf" if k == "oneOf" else k): _as_json_schema(v) for k, v in node.items() if k != "pattern"}
    if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if "enum" in out and isinstance(out.get("type"), list):
        out["enum"] = [*out["enum"], None]
    return out


def _registry() -> Registry:
    docs = {path.name: _as_json_schema(json.loads(path.read_text())) for path in SPECS.glob("*.json")}

    resources = [(REMOTE + name, Resource.from_contents(doc, default_specification=DRAFT7)) for name, doc in docs.items()]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def assert_matches_spec(body: Any, file: str, path: str, method: str, status: str) -> None:
    """Validate a response body against the spec's response schema for that operation and status."""
    doc = REGISTRY.contents(REMOTE + file)
    response = doc["paths"][path][method]["responses"][status]
    pointer = "/".join(["paths", path.replace("~", "~0").replace("/", "~1"), method, "responses", status])
    if "$ref" in response:
        pointer = response["$ref"].lstrip("#/")
        response = REGISTRY.contents(REMOTE + file)
        for part in pointer.split("/"):
            response = response[part]
    ref = f"{REMOTE}{file}#/{quote(pointer)}/content/application~1json/schema"
    errors = list(Draft7Validator({"$ref": ref}, registry=REGISTRY).iter_errors(body))
    details = [f"{list(c.absolute_path)}: {c.message[:160]}" for e in errors for c in (e.context or [e])]
    assert not errors, details[:40]


@pytest.fixture
def contact(api) -> str:
    [record_id] = api.insert("Contacts", {"Last_Name": "Doe", "Phone": "+48 601 234 567", "Email": "d@example.com"})
    return record_id


RECORDS = "/crm/v8/{module_api_name}"


def test_record_responses_match_the_spec(api, contact):
    assert_matches_spec(api.get("Contacts", fields="Last_Name,Phone,Owner").json(), "record.json", RECORDS, "get", "200")
    assert_matches_spec(api.get(f"Contacts/{contact}").json(), "record.json", RECORDS + "/{id}", "get", "200")
    mixed = api.post("Contacts", {"data": [{"Last_Name": "x"}, {"First_Name": "y"}]}).json()
    assert_matches_spec(mixed, "record.json", RECORDS, "post", "200")
    updated = api.put("Contacts", {"data": [{"id": contact, "First_Name": "J"}]}).json()
    assert_matches_spec(updated, "record.json", RECORDS, "put", "200")
    upserted = api.post("Contacts/upsert", {"data": [{"Last_Name": "z", "Email": "d@example.com"}]}).json()
    assert_matches_spec(upserted, "record.json", RECORDS + "/upsert", "post", "200")
    found = api.get("Contacts/search", phone="601234567").json()
    assert_matches_spec(found, "module_search.json", "/crm/v8/{module}/search", "get", "200")


def test_note_and_attachment_responses_match_the_spec(api, contact):
    parent = {"module": {"api_name": "Contacts"}, "id": contact}
    created = api.post("Notes", {"data": [{"Note_Title": "t", "Note_Content": "c", "Parent_Id": parent}]}).json()
    assert_matches_spec(created, "notes.json", "/crm/v8/Notes", "post", "200")
    note_fields = ("Note_Title,Note_Content,Parent_Id,Owner,Created_Time,Modified_Time,Created_By,Modified_By,"
                   "$attachments,$editable,$is_shared_to_client,$size,$state,$voice_note")
    listed = api.get("Notes", fields=note_fields).json()
    assert_matches_spec(listed, "notes.json", "/crm/v8/Notes", "get", "200")
    path = "/crm/v8/{module}/{record_id}/Attachments"
    uploaded = api.call("POST", f"Contacts/{contact}/Attachments", files={"file": ("a.txt", b"abc")}).json()
    assert_matches_spec(uploaded, "attachments.json", path, "post", "200")
    fields = ("id,File_Name,Size,Created_Time,Created_By,Modified_Time,Modified_By,Owner,Parent_Id,$type,$link_url,"
              "$file_id,$editable,$se_module,$state")
    listed = api.get(f"Contacts/{contact}/Attachments", fields=fields).json()
    assert_matches_spec(listed, "attachments.json", path, "get", "200")


def test_metadata_and_coql_responses_match_the_spec(api, contact):
    assert_matches_spec(api.get("users").json(), "users.json", "/crm/v8/users", "get", "200")
    assert_matches_spec(api.get("org").json(), "org.json", "/crm/v8/org", "get", "200")
    assert_matches_spec(api.get("settings/modules").json(), "modules.json", "/crm/v8/settings/modules", "get", "200")
    fields = api.get("settings/fields", module="Contacts").json()
    assert_matches_spec(fields, "fields.json", "/crm/v8/settings/fields", "get", "200")
    lead_source = next(f for f in fields["fields"] if f["api_name"] == "Lead_Source")
    patched = api.call("PATCH", "settings/fields", params={"module": "Contacts"}, json={"fields": [
        {"id": lead_source["id"], "pick_list_values": [{"display_value": "TimelinesAI"}]}]}).json()
    assert_matches_spec(patched, "fields.json", "/crm/v8/settings/fields", "patch", "200")
    rows = api.post("coql", {"select_query": "select Last_Name, Phone from Contacts where Last_Name = 'Doe'"}).json()
    assert_matches_spec(rows, "coql.json", "/crm/v8/coql", "post", "200")
    syntax = api.post("coql", {"select_query": "select from Contacts"}).json()
    assert_matches_spec(syntax, "coql.json", "/crm/v8/coql", "post", "400")
