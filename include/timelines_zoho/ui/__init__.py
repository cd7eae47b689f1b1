"""The settings UI: a FastAPI app mounted on the Airflow API server by the plugin in `plugins/`."""

from __future__ import annotations

from timelines_zoho.ui.app import create_app

__all__ = ["create_app"]
