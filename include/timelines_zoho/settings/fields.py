"""Which Zoho modules and fields may be chosen for each setting, from live metadata (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEAD_SOURCE_OPTION = "TimelinesAI"
NAME_TYPES = ("text",)
CHAT_LINK_TYPES = ("website", "text", "textarea")
DEFAULTS = {"name_field": ("Last_Name", "Name"), "chat_link_field": ("Description",),
            "lead_source_field": ("Lead_Source",), "phone_field": ("Phone", "Mobile")}


@dataclass(frozen=True)
class FieldChoice:
    """One selectable field."""

    api_name: str
    label: str
    data_type: str


@dataclass
class ModuleOptions:
    """The choices for every field setting of one module, and the preselected defaults."""

    module: str
    phone_fields: list[FieldChoice] = field(default_factory=list)
    name_fields: list[FieldChoice] = field(default_factory=list)
    chat_link_fields: list[FieldChoice] = field(default_factory=list)
    lead_source_fields: list[FieldChoice] = field(default_factory=list)
    defaults: dict[str, str | None] = field(default_factory=dict)

    def choices(self, setting: str) -> list[FieldChoice]:
        """Return the choices for a setting name such as `phone_field`."""
        return getattr(self, f"{setting}s")


def _writable(f: dict[str, Any]) -> bool:
    return not (f.get("read_only") or f.get("field_read_only"))


def _choice(f: dict[str, Any]) -> FieldChoice:
    return FieldChoice(f["api_name"], f.get("display_label") or f.get("field_label") or f["api_name"], f["data_type"])


def has_phone_field(fields: list[dict[str, Any]]) -> bool:
    """Tell whether a module can be a sync destination."""
    return any(f.get("data_type") == "phone" for f in fields)


def candidate_modules(modules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the modules whose records the API can create (Notes and other system modules are left out)."""
    return [m for m in modules if m.get("api_supported") and m.get("creatable", True)
            and m.get("generated_type", "default") in ("default", "custom") and m.get("api_name") != "Notes"]


def module_options(module: str, fields: list[dict[str, Any]]) -> ModuleOptions:
    """Group a module's writable fields into the choices of each setting."""
    writable = [f for f in fields if _writable(f)]

    def of(types: tuple[str, ...]) -> list[FieldChoice]:
        return [_choice(f) for f in writable if f.get("data_type") in types]

    options = ModuleOptions(module, of(("phone",)), of(NAME_TYPES), of(CHAT_LINK_TYPES), of(("picklist",)))
    for setting, preferred in DEFAULTS.items():
        names = [c.api_name for c in options.choices(setting)]
        options.defaults[setting] = next((p for p in preferred if p in names), names[0] if names else None)
    return options


def picklist_has_option(field_meta: dict[str, Any], value: str) -> bool:
    """Tell whether a picklist already offers `value` (display or actual value)."""
    return any(value in (o.get("display_value"), o.get("actual_value")) for o in field_meta.get("pick_list_values", []))
