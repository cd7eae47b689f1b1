"""Point the integration at the sandbox: Airflow connections, seeded workspaces, activation and the pool.

Shared by the main command (`demo.py`) and the end-to-end tests, so both exercise the same path a user takes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date
from typing import Any

from timelines_zoho.state import IntegrationSettings, StateStore
from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

log = logging.getLogger(__name__)

SANDBOX_SETTINGS = IntegrationSettings(
    module="Contacts", phone_field="Mobile", name_field="Last_Name", chat_link_field="Description",
    lead_source_field="Lead_Source", timezone="Europe/Warsaw",
)
ZOHO_POOL = "zoho_api"


def connection_uris(timelines: TimelinesAISandboxAdmin, zoho: ZohoSandboxAdmin) -> dict[str, str]:
    """Return `AIRFLOW_CONN_*` JSON values for both sandbox connections (fresh Zoho refresh token), plus the
    setting that makes the emulator the configured custom Zoho host (the secret goes to no other custom host)."""
    from timelines_zoho.hooks.datacentres import CUSTOM_ACCOUNTS_ENV

    token = zoho.refresh_token()
    return {
        CUSTOM_ACCOUNTS_ENV: zoho.accounts_url(),
        "AIRFLOW_CONN_TIMELINES_AI_DEFAULT": json.dumps({
            "conn_type": "timelines_ai", "host": timelines.api_url, "password": timelines.tokens()["owner"],
        }),
        "AIRFLOW_CONN_ZOHO_CRM_DEFAULT": json.dumps({
            "conn_type": "zoho_crm", "login": token["client_id"], "password": token["client_secret"],
            "extra": {"refresh_token": token["refresh_token"], "data_centre": "custom",
                      "accounts_url": zoho.accounts_url(), "api_domain": zoho.api_domain()},
        }),
    }


def store_connections(timelines: TimelinesAISandboxAdmin, zoho: ZohoSandboxAdmin) -> None:
    """Write both sandbox connections into Airflow's metadata DB, where the UI shows them."""
    from timelines_zoho.settings import connections

    for key, value in connection_uris(timelines, zoho).items():
        if not key.startswith("AIRFLOW_CONN_"):
            continue
        fields: dict[str, Any] = json.loads(value)
        conn_id = key.removeprefix("AIRFLOW_CONN_").lower()
        connections.upsert(conn_id, fields["conn_type"], host=fields.get("host"), login=fields.get("login"),
                           password=fields.get("password"), extra=fields.get("extra"))


def seed(timelines: TimelinesAISandboxAdmin, zoho: ZohoSandboxAdmin, *, chats: int, messages: int, days: int,
         end: date, seed_value: int = 7, timezone: str = "Europe/Warsaw", zoho_contacts: int = 80) -> dict:
    """Generate a TimelinesAI workspace and the matching messy Zoho contacts and users."""
    from timelines_zoho_sandbox.scenario import zoho_seed
    from timelines_zoho_sandbox.timelinesai.generator import WorkspaceParams

    params = WorkspaceParams(seed=seed_value, chats=chats, messages=messages, days=days, end=end.isoformat(),
                             timezone=timezone)
    timelines.seed(**params.to_dict())
    zoho.reset()
    zoho.seed(**zoho_seed(params, contacts=zoho_contacts))
    return params.to_dict()


def activate(store: StateStore, settings: IntegrationSettings = SANDBOX_SETTINGS, actor: str = "sandbox") -> str:
    """Activate the integration through the settings lifecycle (test contact included); return the test record."""
    from timelines_zoho.settings import Actor, Lifecycle

    current = store.get_settings()
    if current is not None and current.active:
        return current.test_record_id or ""
    active = Lifecycle(store).activate(Actor(actor, is_admin=True), replace(settings))
    return active.test_record_id or ""


def ensure_pool(slots: int = 5) -> None:
    """Create the `zoho_api` pool sized to the Zoho edition's concurrency (5 for the sandbox's Standard)."""
    from airflow.models.pool import Pool

    Pool.create_or_update_pool(ZOHO_POOL, slots=slots, description="Zoho CRM API concurrency",
                               include_deferred=False)
