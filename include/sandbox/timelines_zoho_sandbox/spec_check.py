"""Check emulator responses against the vendors' OpenAPI files: find the operation, validate the body.

Also the findings about those files: how far each is loosened (RELAXATIONS), the statuses they omit (SPEC_GAPS),
the referenced files the snapshot lacks (UNCHECKED_FILES) and the paths only Zoho's prose documents (DOCUMENTED_PATHS).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin, urlsplit

from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match
from referencing import Registry

from timelines_zoho_sandbox.documented import EXAMPLES, example_schema
from timelines_zoho_sandbox.spec_load import (
    PREFIXES,
    SPECS_DIR,
    ZOHO_BASE,
    Relaxations,
    Spec,
    SpecMismatch,
    build_spec,
    shape_regex,
)

# What callers use; SPECS_DIR and SpecMismatch live in spec_load and are part of this module's face.
__all__ = ["SPECS_DIR", "SpecMismatch", "load_spec", "validate_component", "validate_documented", "validate_response"]

# Every loosening of the vendors' files, each a finding about the file; statuses the files omit are in SPEC_GAPS.
# The conformance test checks that each one is still needed, so a corrected file shows up as a failure.
RELAXATIONS: dict[str, Relaxations] = {
    # timelinesai-api.md §3.2 (groups, unassigned chats, no messages yet; group member without a 1:1 chat),
    # §4.2 (attachment-free or text-free messages) and §6 (teammates without a pending invitation).
    "timelinesai": Relaxations(nullable=frozenset(
        {"phone", "responsible_email", "responsible_name", "last_message_uid", "last_message_timestamp",
         "last_message", "text", "attachment_url", "attachment_filename", "invitation_status", "chat_id"}
    )),
    # zoho-crm-api.md §6: users.json gives users[].email the pattern [a-z0-9]{9}[@][a-z0-9]{5}[.]com, from one
    # example. §7.1/§7.2: modules.json and fields.json $ref objects Zoho sends as null (associated_module...);
    # layouts.json's field and section objects $ref the same kinds (sharing_properties, _delete, properties).
    "zoho": Relaxations(drop_patterns=True, nullable_refs=True),
}
STRICT = Relaxations()

# Zoho files that the snapshot's files reference but the snapshot lacks, and what the emulator serves that they
# would describe. The conformance test checks these names against the unresolved references, so the list stays true.
UNCHECKED_FILES: dict[str, str] = {
    "related_lists.json": "GET /settings/related_lists[/{id}] and settings/modules[].related_lists: checked against"
                          " the documented example (documented.RELATED_LIST) instead, see DOCUMENTED_PATHS",
    "profiles.json": "settings/modules[].profiles (Minified_Profile): not checked; the emulator sends []",
    "custom_views.json": "settings/modules[].custom_view: not checked; the emulator sends null",
    "tags.json": "a record's Tag list: not checked; the emulator sends no tags",
}
# Paths described by no file: (wrapper key of the 200 body, documented example of one item). Other statuses are
# checked through the wildcard SPEC_GAPS entries (Zoho's common error shape).
DOCUMENTED_PATHS: dict[str, tuple[str, str]] = {
    "/crm/v8/settings/related_lists": ("related_lists", "related_list"),
    "/crm/v8/settings/related_lists/{}": ("related_lists", "related_list"),
}


def load_spec(name: str, strict: bool = False) -> Spec:
    """Load one vendor's OpenAPI files (`zoho` or `timelinesai`), loosened by RELAXATIONS unless strict."""
    return build_spec(name, STRICT if strict else RELAXATIONS[name])


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


# Statuses the vendor documents in its reference but its OpenAPI file omits, and what to check them against:
# another status of the same operation, a schema (relative to the spec's base), or None for "no body".
# Keys: (spec, METHOD or "*", path shape or "*", status). Each entry is a finding about the vendor's spec.
SPEC_GAPS: dict[tuple[str, str, str, int], int | str | None] = {
    # Reference §2.3/§12: insert answers 201 (all added), 207 (mixed), 400 (all failed) with the same
    # per-record `data` array that record.json documents only under 200.
    ("zoho", "POST", "/crm/v8/{}", 201): 200,
    ("zoho", "POST", "/crm/v8/{}", 207): 200,
    ("zoho", "POST", "/crm/v8/{}", 400): 200,
    ("zoho", "PUT", "/crm/v8/{}", 207): 200,
    ("zoho", "PUT", "/crm/v8/{}", 400): 200,
    ("zoho", "POST", "/crm/v8/{}/upsert", 207): 200,
    ("zoho", "POST", "/crm/v8/{}/upsert", 400): 200,
    ("zoho", "POST", "/crm/v8/Notes", 201): 200,
    ("zoho", "POST", "/crm/v8/Notes", 207): 200,
    ("zoho", "POST", "/crm/v8/Notes", 400): 200,
    # Reference §3.1/§3.2/§8.2: empty list, search and COQL answer 204 with no body; the files omit 204.
    ("zoho", "*", "*", 204): None,
    ("zoho", "*", "*", 304): None,
    # Reference §8.3: the top-level error shape for auth, limits and bad requests on every operation.
    ("zoho", "*", "*", 400): "common.json#/components/schemas/API_Exception",
    ("zoho", "*", "*", 401): "common.json#/components/schemas/API_Exception",
    ("zoho", "*", "*", 403): "common.json#/components/schemas/API_Exception",
    ("zoho", "*", "*", 404): "common.json#/components/schemas/API_Exception",
    ("zoho", "*", "*", 429): "common.json#/components/schemas/API_Exception",
    # TimelinesAI reference "Errors": 401 carries ErrorResponse; the file declares 401 without a body.
    ("timelinesai", "*", "*", 401): "#/components/schemas/ErrorResponse",
}


def _gap(spec: Spec, method: str, shape: str, status: int) -> tuple[bool, int | str | None]:
    for key in ((spec.name, method, shape, status), (spec.name, "*", shape, status), (spec.name, "*", "*", status)):
        if key in SPEC_GAPS:
            return True, SPEC_GAPS[key]
    return False, None


def _documented(spec: Spec, method: str, shape: str, status: int) -> tuple[str, dict[str, Any]] | None:
    """Return the JSON pointer URI and object of the response documenting the status in the path group."""
    for template, uri, item in spec.paths[shape]:
        responses = (item.get(method.lower()) or {}).get("responses") or {}
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return f"{uri}#/{_pointer('paths', template, method.lower(), 'responses', key)}", responses[key]
    return None


def response_schema(spec: Spec, method: str, shape: str, status: int) -> dict[str, Any] | None:
    """Return a `$ref` schema for the JSON body of (method, path shape, status); None when there is no body."""
    method = method.upper()
    if not any(method.lower() in item for _, _, item in spec.paths[shape]):
        raise SpecMismatch(f"{spec.name}: {method} {shape} is not in the spec")
    found = _documented(spec, method, shape, status)
    if found is not None:
        location, response = spec.resolve(*found)
        content = response.get("content") or {}
        media = next((m for m in content if "json" in m), None)
        if media is not None and "schema" in content[media]:
            return {"$ref": f"{location}/{_pointer('content', media, 'schema')}"}
    known, substitute = _gap(spec, method, shape, status)
    if not known:
        if found is not None:
            return None
        raise SpecMismatch(f"{spec.name}: {method} {shape} documents no {status} response")
    if isinstance(substitute, int):
        return response_schema(spec, method, shape, substitute)
    if isinstance(substitute, str):
        return {"$ref": urljoin(next(iter(spec.documents)), substitute)}
    return None


def _check(schema: dict[str, Any], body: Any, where: str, registry: Registry | None = None) -> None:
    validator = Draft4Validator(schema, registry=registry or Registry())
    errors = list(validator.iter_errors(body))
    if errors:
        best = best_match(errors)
        at = "$" + "".join(f"[{p!r}]" for p in best.absolute_path)
        # For anyOf, name why each alternative failed: the top message alone says nothing.
        why = sorted({f"{'/'.join(map(str, e.path)) or '$'}: {e.message[:120]}" for e in best.context})[:6]
        raise SpecMismatch(
            f"{where}: {best.message[:300]} at {at}"
            f" (schema {'/'.join(map(str, best.absolute_schema_path))}); alternatives failed on {why};"
            f" {len(errors)} error(s); body starts {json.dumps(body, default=str)[:300]}"
        )


def validate_documented(example_name: str, value: Any) -> None:
    """Validate a value against the documented example `example_name` (see documented.EXAMPLES)."""
    example, nullable = EXAMPLES[example_name]
    _check(example_schema(example, nullable), value, f"documented {example_name}")


def validate_component(spec_name: str, file: str, component: str, value: Any, *, strict: bool = False) -> None:
    """Validate a value against one named schema of a vendor file, e.g. fields.json's `lookup`."""
    if spec_name != "zoho":
        raise SpecMismatch(f"components are addressed by Zoho file name only, not in {spec_name!r}")
    spec = load_spec(spec_name, strict)
    _check({"$ref": f"{ZOHO_BASE}{file}#/components/schemas/{component}"}, value, f"{file} {component}",
           spec.registry)


def _documented_shape(spec_name: str, path: str) -> str | None:
    if spec_name != "zoho":
        return None
    bare = PREFIXES["zoho"].sub("", urlsplit(path).path).rstrip("/")
    return next((shape for shape in DOCUMENTED_PATHS if shape_regex(shape).fullmatch(bare)), None)


def _documented_schema(spec: Spec, method: str, shape: str, status: int) -> dict[str, Any] | None:
    """Return the schema of a documented-only path: the example for 200, the common shapes otherwise."""
    if method.upper() == "GET" and status == 200:
        key, example_name = DOCUMENTED_PATHS[shape]
        example, nullable = EXAMPLES[example_name]
        return {"type": "object", "required": [key],
                "properties": {key: {"type": "array", "items": example_schema(example, nullable)}}}
    known, substitute = _gap(spec, method.upper(), shape, status)
    if not known or isinstance(substitute, int):
        raise SpecMismatch(f"{spec.name}: {method} {shape} documents no {status} response")
    return None if substitute is None else {"$ref": urljoin(next(iter(spec.documents)), substitute)}


def validate_response(spec_name: str, method: str, path: str, status: int, body: Any, *, strict: bool = False) -> str:
    """Validate a response body against the vendor's spec; return the path shape matched, raise SpecMismatch."""
    spec = load_spec(spec_name, strict)
    documented = _documented_shape(spec_name, path)
    shape = documented or spec.match(path)
    if documented:
        schema = _documented_schema(spec, method, shape, status)
    else:
        schema = response_schema(spec, method, shape, status)
    where = f"{spec_name} {method.upper()} {shape} {status}"
    if schema is None:
        if body not in (None, b"", ""):
            raise SpecMismatch(f"{where}: the spec describes no JSON body, got {str(body)[:200]}")
        return shape
    if body is None:
        raise SpecMismatch(f"{where}: the spec describes a JSON body, got none")
    _check(schema, body, where, spec.registry)
    return shape
