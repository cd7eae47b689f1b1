"""Load the vendors' OpenAPI files as JSON Schema draft 4: index their paths, resolve their $refs, loosen them."""

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
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4


def _specs_dir() -> Path:
    """Return where the vendors' OpenAPI files are: `TIMELINES_ZOHO_SPECS_DIR`, else the repository's docs/specs."""
    if os.environ.get("TIMELINES_ZOHO_SPECS_DIR"):
        return Path(os.environ["TIMELINES_ZOHO_SPECS_DIR"])
    return Path(__file__).resolve().parents[3] / "docs" / "specs"


SPECS_DIR = _specs_dir()
ZOHO_BASE = "https://raw.githubusercontent.com/Zohocorp-Pvt-Ltd/crm-oas/refs/heads/main/v8.0/"
TIMELINES_BASE = "https://app.timelines.ai/integrations/api/public_api_spec.yaml"
# Prefixes the emulators add in front of the specs' paths: Zoho's per-DC API domain, TimelinesAI's API root.
PREFIXES = {"zoho": re.compile(r"^/[a-z]{2}/api(?=/crm/)"), "timelinesai": re.compile(r"^/integrations/api(?=/)")}


@dataclass(frozen=True)
class Relaxations:
    """How far a vendor's file is loosened to fit the vendor's own reference and its live answers."""

    nullable: frozenset[str] = frozenset()  # properties the live API sends as null though the file says not
    drop_patterns: bool = False  # `pattern`s generated from one example value, not rules of the API
    nullable_refs: bool = False  # a $ref'd object may be null: OpenAPI 3.0 ignores `nullable` beside `$ref`


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
        path = PREFIXES[self.name].sub("", urlsplit(path).path).rstrip("/") or "/"
        if shape_of(path) in self.paths:
            return shape_of(path)
        candidates = [shape for shape in self.paths if shape_regex(shape).fullmatch(path)]
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


def shape_of(template: str) -> str:
    return re.sub(r"\{[^/]+?\}", "{}", template)


def shape_regex(shape: str) -> re.Pattern[str]:
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
def build_spec(name: str, relax: Relaxations) -> Spec:
    """Load and index one vendor's OpenAPI files (`zoho` or `timelinesai`) from SPECS_DIR, loosened by `relax`."""
    raw = _load_documents(name)
    dialects = {uri: _Dialect(uri, set(raw), relax) for uri in raw}
    documents = {uri: _to_json_schema(doc, dialects[uri]) for uri, doc in raw.items()}
    unresolved = set().union(*(d.unresolved for d in dialects.values()))
    registry = Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT4)) for uri, doc in documents.items()
    )
    spec = Spec(name=name, documents=documents, registry=registry.crawl(), unresolved=unresolved)
    for uri, doc in documents.items():
        for template, item in (doc.get("paths") or {}).items():
            spec.paths.setdefault(shape_of(template), []).append((template, uri, item))
    return spec
