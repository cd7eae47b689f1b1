"""Connect TimelinesAI: only a token of the workspace Owner is accepted."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from timelines_zoho.settings import connections
from timelines_zoho.settings.errors import NotOwner, SettingsError

log = logging.getLogger(__name__)

TIMELINES_CONN_TYPE = "timelines_ai"
OWNER_ROLE = "owner"


@dataclass
class Workspace:
    """What the UI shows about a connected TimelinesAI workspace."""

    name: str
    member: str
    timezone: str | None
    accounts: list[dict[str, Any]] = field(default_factory=list)


def describe_workspace(conn_id: str) -> tuple[Workspace, dict[str, Any]]:
    """Read the workspace, the WhatsApp accounts and the token's member through the hook.

    Someone waits on the page for this: two quick attempts, not the sync's patient retries.
    """
    from timelines_zoho.hooks import TimelinesAIHook
    from timelines_zoho.hooks.transport import RetryPolicy

    hook = TimelinesAIHook(timelines_conn_id=conn_id, retry_policy=RetryPolicy(max_attempts=2, max_total_seconds=10))
    me, workspace = hook.get_me(), hook.get_workspace()
    accounts = [{"phone": a.get("phone"), "name": a.get("account_name"), "status": a.get("status"),
                 "owner_email": a.get("owner_email")} for a in hook.iter_whatsapp_accounts()]
    return Workspace(
        name=workspace.get("display_name") or workspace.get("workspace_id") or "",
        member=me.get("email") or me.get("display_name") or "",
        timezone=workspace.get("timezone"),
        accounts=accounts,
    ), me


def connect_timelines(conn_id: str, token: str, base_url: str | None) -> Workspace:
    """Check the token on a staging connection; keep it only when its member is the workspace Owner.

    The staging connection holds the token, so it is removed however the check ends.
    """
    import requests

    from timelines_zoho.hooks.errors import TimelinesAIError
    from timelines_zoho.hooks.timelinesai import DEFAULT_BASE_URL

    staging = f"{conn_id}__pending"
    connections.upsert(staging, TIMELINES_CONN_TYPE, host=base_url or None, password=token)
    try:
        workspace, me = describe_workspace(staging)
        role = str(me.get("role") or "")
        if role.lower() != OWNER_ROLE:
            raise NotOwner(f"This token belongs to {me.get('email') or 'a teammate'}, whose role is "
                           f"{role or 'unknown'}; only the workspace Owner may connect TimelinesAI.",
                           "Ask the workspace Owner for their API token.")
        connections.copy(staging, conn_id)
    except TimelinesAIError as exc:
        raise SettingsError(f"TimelinesAI refused the token: {exc.status} {exc.message}",
                            "Copy the token again from TimelinesAI → Integrations → Public API.") from exc
    except requests.RequestException as exc:
        raise SettingsError(f"Cannot reach TimelinesAI at {base_url or DEFAULT_BASE_URL} ({type(exc).__name__}).",
                            "Check the API base URL, or leave it empty for app.timelines.ai.") from exc
    finally:
        connections.delete(staging)
    log.info("timelines connection %s stored for workspace %s", conn_id, workspace.name)
    return workspace
