"""Provider metadata: registers the `timelines_ai` and `zoho_crm` connection types and their UI forms."""

from __future__ import annotations

from typing import Any

from timelines_zoho import __version__

DATA_CENTRE_CODES = ["us", "eu", "in", "au", "jp", "ca", "sa", "cn", "custom"]


def _text(label: str, description: str, *, secret: bool = False, **schema: Any) -> dict[str, Any]:
    """One extra field of a connection form; `secret` masks it in the UI and in logs."""
    field_schema: dict[str, Any] = {"type": ["string", "null"], **schema}
    if secret:
        field_schema["format"] = "password"
    return {"label": label, "description": description, "schema": field_schema}


ZOHO_CONNECTION: dict[str, Any] = {
    "hook-class-name": "timelines_zoho.hooks.zoho.ZohoCRMHook",
    "hook-name": "Zoho CRM",
    "connection-type": "zoho_crm",
    "conn-fields": {
        "refresh_token": _text("Refresh token", "Long-lived OAuth refresh token (ZohoCRM scopes).", secret=True),
        "data_centre": _text(
            "Data centre",
            "Where the Zoho account lives: US, EU, IN, AU, JP, CA, SA, CN, or custom URLs (the sandbox).",
            enum=DATA_CENTRE_CODES, default="us",
        ),
        "accounts_url": _text("Accounts URL", "Only for custom: the accounts server, e.g. http://host/us/accounts."),
        "api_domain": _text("API domain", "Stored from the token response; for custom the API root, e.g. http://host/us/api."),
        "grant_code": _text(
            "Grant code (one-time)",
            "A self-client grant code; the hook exchanges it once for a refresh token.",
            secret=True,
        ),
    },
    "ui-field-behaviour": {
        "hidden-fields": ["host", "port", "schema", "extra"],
        "relabeling": {"login": "Client ID", "password": "Client secret"},
        "placeholders": {"login": "1000.XXXXXXXXXXXXXXXXXXXX", "data_centre": "us", "api_domain": "https://www.zohoapis.com"},
    },
}

TIMELINES_CONNECTION: dict[str, Any] = {
    "hook-class-name": "timelines_zoho.hooks.timelinesai.TimelinesAIHook",
    "hook-name": "TimelinesAI",
    "connection-type": "timelines_ai",
    "ui-field-behaviour": {
        "hidden-fields": ["login", "port", "schema", "extra"],
        "relabeling": {"password": "API token", "host": "Base URL"},
        "placeholders": {"host": "https://app.timelines.ai/integrations/api"},
    },
}


def form_fields(conn_type: str) -> tuple[str, ...]:
    """The extra fields a connection type's form shows (none for a type without form fields)."""
    forms = {form["connection-type"]: form for form in (TIMELINES_CONNECTION, ZOHO_CONNECTION)}
    return tuple(forms.get(conn_type, {}).get("conn-fields", {}))


def get_provider_info() -> dict[str, Any]:
    """Return the provider description Airflow reads through the `apache_airflow_provider` entry point."""
    return {
        "package-name": "timelines-zoho",
        "name": "TimelinesAI to Zoho CRM",
        "description": "Hooks and connection types for TimelinesAI and Zoho CRM.",
        "versions": [__version__],
        "connection-types": [TIMELINES_CONNECTION, ZOHO_CONNECTION],
    }
