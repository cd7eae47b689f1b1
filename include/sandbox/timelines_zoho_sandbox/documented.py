"""Answers Zoho documents in prose and examples but whose OpenAPI file the specs snapshot lacks.

Each example is written from Zoho's public documentation (related-list-meta, v2 to v8: the response keys and the
sample whose Notes entry has `href` `Leads/{ENTITYID}/Notes`; the v8 related_lists schema's required keys), with
illustrative values. spec_check turns an example into a schema: the same keys, each of the example's JSON type.
"""

from __future__ import annotations

from typing import Any

# One entry of `related_lists` (GET /settings/related_lists and settings/modules[].related_lists).
RELATED_LIST: dict[str, Any] = {
    "id": "4876876000000091023", "sequence_number": "1", "display_label": "Notes", "api_name": "Notes",
    "module": {"api_name": "Notes", "id": "4876876000000002191"}, "name": "Notes", "action": None,
    "href": "Leads/{ENTITYID}/Notes", "type": "default", "visible": True, "customize_sort": True,
    "customize_fields": True, "customize_display_label": False, "sort_by": None, "sort_order": None,
    "fields": [], "status": "visible",
}

# Example name -> (example, keys the documentation also shows as null: Zoho's "all nullable fields null" example).
EXAMPLES: dict[str, tuple[Any, frozenset[str]]] = {
    "related_list": (RELATED_LIST, frozenset({"module", "href"})),
}


def example_schema(example: Any, nullable: frozenset[str] = frozenset(), name: str = "") -> dict[str, Any]:
    """Build a schema from a documented example: the same keys required, each of the example's JSON type."""
    if example is None:
        return {}  # the documentation shows null, so it does not say the type
    if isinstance(example, dict):
        schema: dict[str, Any] = {"type": "object", "required": sorted(example),
                                  "properties": {k: example_schema(v, nullable, k) for k, v in example.items()}}
    elif isinstance(example, list):
        schema = {"type": "array", "items": example_schema(example[0], nullable) if example else {}}
    else:
        kinds = {bool: "boolean", int: "integer", float: "number", str: "string"}
        schema = {"type": kinds[type(example)]}
    return {"anyOf": [schema, {"type": "null"}]} if name in nullable else schema
