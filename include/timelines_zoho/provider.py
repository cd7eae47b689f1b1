"""Provider metadata: registers the connection types with Airflow (filled in by the hooks work)."""

from __future__ import annotations

from timelines_zoho import __version__


def get_provider_info() -> dict:
    """Return the provider description Airflow reads through the `apache_airflow_provider` entry point."""
    return {
        "package-name": "timelines-zoho",
        "name": "TimelinesAI to Zoho CRM",
        "description": "Hooks and connection types for TimelinesAI and Zoho CRM.",
        "versions": [__version__],
        "connection-types": [],
    }
