"""How the catalogue's modules point at each other: related lists, lookup metadata, and Notes' multi-module parent.

Zoho models a lookup from C to M as a related list of M (M's record page lists the C records pointing at it), and
the lookup field's metadata names that related list: `lookup` = its display_label, api_name and id, plus the target
module's api_name and id. Notes and Attachments are related lists of every record module. A client finds a record's
notes through `settings/related_lists`: the `Notes` entry's `href` is `{module}/{ENTITYID}/Notes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NOTE_PARENT_FIELD = "Parent_Id"


def related_list(list_id: str, sequence: int, api_name: str, label: str, owner: str,
                 module: dict[str, str] | None) -> dict[str, Any]:
    """Build one related list of module `owner` in the v8 shape (settings/related_lists)."""
    return {
        "id": list_id, "sequence_number": str(sequence), "display_label": label, "api_name": api_name,
        "module": module, "name": label, "action": None, "href": f"{owner}/{{ENTITYID}}/{api_name}",
        # Flags as Zoho's related-list-meta sample shows them (Attachments' columns are fixed).
        "type": "default", "visible": True, "customize_sort": True, "customize_fields": api_name != "Attachments",
        "customize_display_label": False, "sort_by": None,
        "sort_order": None, "fields": [], "status": "visible",
    }


def _minified(modules: dict[str, dict[str, Any]], name: str) -> dict[str, str]:
    return {"api_name": name, "id": modules[name]["id"]}


def record_modules(modules: dict[str, dict[str, Any]]) -> list[str]:
    """Return the modules that hold records with notes and attachments (all but Notes itself)."""
    return [name for name in modules if name != "Notes"]


def link_modules(modules: dict[str, dict[str, Any]], lookups: list[tuple[str, str, str]],
                 next_id: Callable[[], str]) -> None:
    """Fill each module's related lists and the metadata of each lookup (child, field, target), ids from `next_id`."""
    for owner in record_modules(modules):
        lists = modules[owner]["related_lists"] = []
        # Zoho's sample names an Attachments module, but the emulator's settings/modules has none, so its entry names
        # none (`module` is nullable): a client would otherwise ask for metadata that does not exist.
        for api_name, module in (("Notes", _minified(modules, "Notes")), ("Attachments", None)):
            lists.append(related_list(next_id(), len(lists) + 1, api_name, api_name, owner, module))
    for child, field_name, target in lookups:
        field = next(f for f in modules[child]["fields"] if f["api_name"] == field_name)
        lists = modules[target]["related_lists"]
        label = modules[child]["plural_label"]
        entry = related_list(next_id(), len(lists) + 1, child, label, target, _minified(modules, child))
        entry["connectedlookupApiName"] = field["api_name"]  # which field of `child` points at `target`
        lists.append(entry)
        field["lookup"] = {"display_label": label, "api_name": child, "module": _minified(modules, target),
                           "id": entry["id"], "query_details": {}, "revalidate_filter_during_edit": False,
                           "show_fields": []}
    parent = next(f for f in modules["Notes"]["fields"] if f["api_name"] == NOTE_PARENT_FIELD)
    # A note's parent is a record of any record module (the v2 form names it in `se_module`, a note's `$se_module`).
    # Shaped as Zoho's sample multi-module lookup (Appointment For): named like the related list it feeds.
    parent["multi_module_lookup"] = {
        "display_label": "Notes", "api_name": "Notes",
        "modules": [{**_minified(modules, m), "module_name": modules[m]["module_name"]} for m in record_modules(modules)],
    }


def lookup_list(modules: dict[str, dict[str, Any]], owner: str, api_name: str) -> tuple[str, str] | None:
    """Return (child module, lookup field) of `owner`'s related list `api_name` built from a lookup, else None."""
    entry = next((e for e in modules[owner]["related_lists"] if e["api_name"] == api_name), None)
    if entry is None or "connectedlookupApiName" not in entry:
        return None
    return entry["module"]["api_name"], entry["connectedlookupApiName"]
