"""Mount the WhatsApp → Zoho settings UI on the Airflow API server, with an entry in the navigation."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from timelines_zoho.sync.run_end import RunListener
from timelines_zoho.sync.run_note import RunNoteListener
from timelines_zoho.ui import create_app

URL_PREFIX = "/timelines-zoho"


class TimelinesZohoPlugin(AirflowPlugin):
    """The settings page, protected by Airflow's own authentication (see `timelines_zoho.ui.auth`)."""

    name = "timelines_zoho"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "WhatsApp → Zoho settings"}]
    external_views = [
        {"name": "WhatsApp → Zoho", "href": f"{URL_PREFIX}/", "url_route": "timelines-zoho", "destination": "nav"},
    ]
    # A sync run marked failed in the UI is closed as failed and cleaned up; every ended run gets its summary as
    # its note.
    listeners = [RunListener(), RunNoteListener()]
