"""Check emulator responses against the vendors' OpenAPI files: find the operation, validate the body."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4


def _specs_dir() -> Path:
    """Return where the vendors' OpenAPI files are: `TIMELINES_ZOHO_SPECS_DIR`, else `shared/specs` beside the repo."""
    if os.environ.get("TIMELINES_ZOHO_SPECS_DIR"):
        return Path(os.environ["TIMELINES_ZOHO_SPECS_DIR"])
    beside_repo = Path(__file__).resolve().parents[3].parent / "shared" / "specs"
    workplace = Path("/work/shared/specs")
    return beside_repo if beside_repo.is_dir() or not workplace.is_dir() else workplace


SPECS_DIR = _specs_dir()
ZOHO_BASE = "https://raw.githubusercontent.com/Zohocorp-Pvt-Ltd/crm-oas/refs/heads/main/v8.0/"
TIMELINES_BASE = "https://app.timelines.ai/integrations/api/public_api_spec.yaml"
# Prefixes the emulators add in front of the specs' paths: Zoho's per-DC API domain, TimelinesAI's API root.
_PREFIXES = {"zoho": re.compile(r"^/[a-z]{2}/api(?=/crm/)"), "timelinesai": re.compile(r"^/integrations/api(?=/)")}


@dataclass(frozen=True)
class Relaxations:
    """How far a vendor's file is loosened to fit the vendor's own reference and its live answers."""

    nullable: frozenset[str] = frozenset()  # properties the live API sends as null though the file says not
    drop_patterns: bool = False  # `pattern`s generated from one example value, not rules of the API
    nullable_refs: bool = False  # a $ref'd object may be null: OpenAPI 3.0 ignores `nullable` beside `$ref`


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
    # example. §7.1/§7.2: modules.json and fields.json $ref objects Zoho sends as null (associated_module...).
    "zoho": Relaxations(drop_patterns=True, nullable_refs=True),
}
STRICT = Relaxations()


class SpecMismatch(AssertionError):
    """A response that the vendor's OpenAPI file does not allow, or that it does not describe."""


@dataclass
class Spec:
    """One vendor's OpenAPI documents, indexed by path template, with a registry for their $refs."""

    name: str
    documents: dict[str, dict[str, Any]]
    registry: Registry
    # Templates equal but for parameter names (`{module}` vs `{module_api_name}`) are one group:
    # Zoho describes /search in both record.json and module_search.json.
    paths: dict[str, list[tuple[str, str, dict[str, Any]]]] = field(default_factory=dict)
    unresolved: set[str] = field(default_factory=set)

    def match(self, path: str) -> str:
        """Return the path group for a concrete or template path, preferring the most literal template."""
        path = _PREFIXES[self.name].sub("", urlsplit(path).path).rstrip("/") or "/"
        if _shape(path) in self.paths:
            return _shape(path)
        candidates = [shape for shape in self.paths if _shape_regex(shape).fullmatch(path)]
        if not candidates:
            raise SpecMismatch(f"{self.name}: no path in the spec matches {path}")
        return min(candidates, key=lambda shape: (shape.count("{"), -len(shape)))

    def resolve(self, location: str, node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Follow a `$ref` chain of a non-schema object (a response); return its full URI and contents."""
        while "$ref" in node:
            base = location.split("#", 1)[0]
            location = urljoin(base, node["$ref"])
            node = self.registry.resolver(base).lookup(node["$ref"]).contents
        return location, node


def _shape(template: str) -> str:
    return re.sub(r"\{[^/]+?\}", "{}", template)


def _shape_regex(shape: str) -> re.Pattern[str]:
    return re.compile(re.escape(shape).replace(r"\{\}", "[^/]+"))


@dataclass
class _Dialect:
    """What `_to_json_schema` needs to know about one document."""

    base: str
    available: set[str]
    relax: Relaxations
    unresolved: set[str] = field(default_factory=set)


def _to_json_schema(node: Any, dialect: _Dialect) -> Any:
    """Turn OpenAPI 3.0 schema dialect into JSON Schema draft 4, over a whole document."""
    if isinstance(node, list):
        return [_to_json_schema(item, dialect) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        document = urljoin(dialect.base, ref).split("#", 1)[0]
        if document not in dialect.available:
            # Zoho's files point at siblings that are not in the snapshot (tags.json, profiles.json...).
            dialect.unresolved.add(document)
            return {"description": f"unresolved reference {ref}"}
        if dialect.relax.nullable_refs and "/components/schemas/" in ref:
            return {"anyOf": [{"$ref": ref}, {"type": "null"}]}
        return {"$ref": ref}
    out = {key: _to_json_schema(value, dialect) for key, value in node.items()}
    if dialect.relax.drop_patterns and isinstance(out.get("pattern"), str):
        del out["pattern"]  # a string here is the keyword; a schema would be a property named `pattern`
    if isinstance(out.get("properties"), dict) and out.get("type") == "object":
        out["properties"] = {
            name: {"anyOf": [sub, {"type": "null"}]} if name in dialect.relax.nullable else sub
            for name, sub in out["properties"].items()
        }
    if out.pop("nullable", False) is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if "oneOf" in out:
        # The vendors use oneOf as "one of these shapes", but their shapes overlap (an INVALID_QUERY body
        # with `details.api_name` fits two alternatives), so strict oneOf rejects valid answers.
        out["anyOf"] = out.pop("oneOf")
    return out


def _load_documents(name: str) -> dict[str, dict[str, Any]]:
    if name == "zoho":
        folder = SPECS_DIR / "zoho-crm-v8"
        return {ZOHO_BASE + p.name: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}
    if name == "timelinesai":
        return {TIMELINES_BASE: yaml.safe_load((SPECS_DIR / "timelinesai" / "public_api_spec.yaml").read_text())}
    raise SpecMismatch(f"unknown spec {name!r}; expected 'zoho' or 'timelinesai'")


@cache
def load_spec(name: str, strict: bool = False) -> Spec:
    """Load and index one vendor's OpenAPI files (`zoho` or `timelinesai`) from SPECS_DIR, relaxed unless strict."""
    raw = _load_documents(name)
    relax = STRICT if strict else RELAXATIONS[name]
    dialects = {uri: _Dialect(uri, set(raw), relax) for uri in raw}
    documents = {uri: _to_json_schema(doc, dialects[uri]) for uri, doc in raw.items()}
    unresolved = set().union(*(d.unresolved for d in dialects.values()))
    registry = Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT4)) for uri, doc in documents.items()
    )
    spec = Spec(name=name, documents=documents, registry=registry.crawl(), unresolved=unresolved)
    for uri, doc in documents.items():
        for template, item in (doc.get("paths") or {}).items():
            spec.paths.setdefault(_shape(template), []).append((template, uri, item))
    return spec


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


def validate_response(spec_name: str, method: str, path: str, status: int, body: Any, *, strict: bool = False) -> str:
    """Validate a response body against the vendor's spec; return the path shape matched, raise SpecMismatch."""
    spec = load_spec(spec_name, strict)
    shape = spec.match(path)
    schema = response_schema(spec, method, shape, status)
    where = f"{spec_name} {method.upper()} {shape} {status}"
    if schema is None:
        if body not in (None, b"", ""):
            raise SpecMismatch(f"{where}: the spec describes no JSON body, got {str(body)[:200]}")
        return shape
    if body is None:
        raise SpecMismatch(f"{where}: the spec describes a JSON body, got none")
    validator = Draft4Validator(schema, registry=spec.registry)
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
    return shape
