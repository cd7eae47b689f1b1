"""Webhook subscriptions (timelinesai-api.md §9.1): `POST/GET/PUT/DELETE /webhooks`, idempotent on (event_type, url)."""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from timelines_zoho_sandbox.timelinesai.envelope import Reject, error, ok
from timelines_zoho_sandbox.timelinesai.queries import BadRequest

if TYPE_CHECKING:
    from timelines_zoho_sandbox.timelinesai.state import EmulatorState

# WebhookEventType in public_api_spec.yaml, in its order.
EVENT_TYPES = (
    "message:new", "message:sent:new", "message:received:new", "whatsapp:account:connected",
    "whatsapp:account:disconnected", "whatsapp:account:suspended", "whatsapp:account:resumed", "chat:new",
    "chat:incoming:new", "chat:outgoing:new", "chat:responsible:assigned", "chat:responsible:unassigned",
    "call:incoming:missed", "call:incoming:ended", "call:outgoing:ended", "message:reaction",
    "waba:message:received", "waba:message:delivered", "waba:message:failed", "waba:message:read",
    "waba:chat:incoming", "waba:chat:outgoing", "waba:chat:assigned", "waba:chat:unassigned", "waba:chat:closed",
    "waba:chat:reopened", "waba:account:active", "waba:account:disabled", "waba:account:disconnected",
    "waba:template:approved", "waba:template:rejected", "waba:template:disabled",
)
MAX_URL = 4096
_USERINFO_TRAP = re.compile(r"[+=]")  # the spec's example of a URL a standard client cannot dispatch to


class LimitReached(Exception):
    """The workspace already has its maximum of live subscriptions."""


@dataclass
class Subscription:
    """One subscription; a deleted one is kept so that posting its pair again restores it with its id."""

    id: int
    event_type: str
    url: str
    enabled: bool = True
    errors_counter: int = 0
    deleted: bool = False

    def info(self) -> dict:
        """Return the WebhookInfo shape."""
        return {k: v for k, v in asdict(self).items() if k != "deleted"}


def _event_type(value: Any) -> str:
    if value not in EVENT_TYPES:
        raise BadRequest("event_type", f"must be one of the documented event types, got {str(value)[:100]!r}")
    return value


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        raise BadRequest("url", f"must be a string of 1 to {MAX_URL} characters")
    parts = urlsplit(value)
    userinfo = parts.netloc.rpartition("@")[0]
    if parts.scheme not in ("http", "https") or not parts.hostname or _USERINFO_TRAP.search(userinfo):
        raise BadRequest("url", "must be a valid http(s) URL")
    return value


def _enabled(value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadRequest("enabled", "must be true or false")
    return value


class WebhookRegistry:
    """The workspace's subscriptions, ids ascending from 789,456 like the spec's example."""

    def __init__(self, saved: list[dict] | None = None) -> None:
        self.lock = threading.Lock()
        self.items = [Subscription(**s) for s in saved or ()]

    def live(self) -> list[Subscription]:
        return [s for s in self.items if not s.deleted]

    def for_event(self, event_type: str) -> list[Subscription]:
        return [s for s in self.items if s.enabled and not s.deleted and s.event_type == event_type]

    def find(self, webhook_id: int) -> Subscription | None:
        return next((s for s in self.items if s.id == webhook_id and not s.deleted), None)

    def create(self, body: dict, limit: int) -> Subscription:
        """Create, re-enable or restore the subscription for (event_type, url); always the same id."""
        event_type, url = _event_type(body.get("event_type")), _url(body.get("url"))
        enabled = _enabled(body.get("enabled", True))
        with self.lock:
            same = next((s for s in self.items if (s.event_type, s.url) == (event_type, url)), None)
            if same is not None:
                if same.deleted or not same.enabled:
                    if same.deleted and len(self.live()) >= limit:
                        raise LimitReached
                    same.deleted, same.enabled = False, True
                return same
            if len(self.live()) >= limit:
                raise LimitReached
            created = Subscription(max((s.id for s in self.items), default=789_455) + 1, event_type, url, enabled)
            self.items.append(created)
            return created

    def update(self, webhook: Subscription, body: dict) -> Subscription:
        """Change only the fields given; a pair another subscription holds is refused."""
        event_type = _event_type(body["event_type"]) if "event_type" in body else webhook.event_type
        url = _url(body["url"]) if "url" in body else webhook.url
        enabled = _enabled(body["enabled"]) if "enabled" in body else webhook.enabled
        with self.lock:
            if any((s.event_type, s.url) == (event_type, url) and s is not webhook for s in self.items):
                raise BadRequest("url", "another webhook already has this event_type and url")
            webhook.event_type, webhook.url, webhook.enabled = event_type, url, enabled
            return webhook

    def saved(self) -> list[dict]:
        return [asdict(s) for s in self.items]


def subscriptions_router(state: EmulatorState) -> APIRouter:
    """Build the subscription routes (mounted under the API router, so auth and quota apply)."""
    router = APIRouter()
    registry = state.webhooks

    def found(webhook_id: str) -> Any:
        webhook = registry.find(int(webhook_id)) if webhook_id.isdigit() else None
        if webhook is None:
            raise Reject(error(404, f'Webhook "{webhook_id}" not found', "not_found"))
        return webhook

    async def json_object(request: Request) -> dict:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise BadRequest("body", "must be a JSON object")
        return body

    @router.get("/webhooks")
    async def list_webhooks() -> Any:
        return ok([s.info() for s in sorted(registry.live(), key=lambda s: s.id)])

    @router.post("/webhooks")
    async def create_webhook(request: Request) -> Any:
        body = await json_object(request)
        try:
            webhook = registry.create(body, state.settings.webhook_limit)
        except LimitReached:
            # ASSUMPTION: the spec names no code for "limit reached"; the add-on is a plan feature.
            raise Reject(
                error(403, f"Webhooks limit reached ({state.settings.webhook_limit})", "plan_feature_unavailable")
            ) from None
        state.webhooks_changed()
        return ok(webhook.info())

    @router.get("/webhooks/{webhook_id}")
    async def get_webhook(webhook_id: str) -> Any:
        return ok(found(webhook_id).info())

    @router.put("/webhooks/{webhook_id}")
    async def update_webhook(webhook_id: str, request: Request) -> Any:
        webhook = registry.update(found(webhook_id), await json_object(request))
        state.webhooks_changed()
        return ok(webhook.info())

    @router.delete("/webhooks/{webhook_id}")
    async def delete_webhook(webhook_id: str) -> Any:
        found(webhook_id).deleted = True  # the dispatcher checks before every attempt: deliveries stop now
        state.webhooks_changed()
        # SimpleOKResponse (timelinesai-api.md §1.2): the spec declares this 200 without a body.
        return JSONResponse({"status": "ok", "message": "Webhook deleted"})

    return router
