"""The webhook receiver: `POST /timelinesai/webhooks/{secret}` lands each delivery in the inbox, then answers.

The answer is 2xx only once the event is durable (committed), so a delivery TimelinesAI counts as done is
never lost; anything refused writes nothing. A replay or a vendor duplicate (the same message uid again)
cannot be told apart: both are acknowledged, logged and write nothing, so the first copy stays.
The secret is in the path, so neither this module nor the server it runs in may log request paths
(`python -m timelines_zoho.webhooks serve` turns uvicorn's access log off).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from timelines_zoho.state import StateStore
from timelines_zoho.webhooks.payloads import MAX_BODY_BYTES, Delivery, Refused, parse_delivery
from timelines_zoho.webhooks.secret import ReceiverSecret

log = logging.getLogger(__name__)
PATH = "/timelinesai/webhooks/{secret}"


async def _read_bounded(request: Request) -> bytes:
    """Read the body, refusing it as soon as it passes the limit (a missing or lying Content-Length too)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise Refused(413, f"body over {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, f"body over {MAX_BODY_BYTES} bytes")
    return bytes(body)


def _land(store: StateStore, delivery: Delivery) -> str:
    """Write the delivery's event and return what happened: stored, duplicate or ignored."""
    if delivery.message is not None:
        new = store.add_to_inbox([delivery.message], "webhook")
        return "stored" if new else "duplicate"
    if delivery.chat_id is not None:
        store.touch_inbox_chats([delivery.chat_id])
        return "stored"
    return "ignored"


def create_receiver_app(store: StateStore | None = None) -> FastAPI:
    """Build the receiver over a state store (the configured one by default)."""
    store = store or StateStore()
    secrets = ReceiverSecret(store)
    app = FastAPI(title="timelines-zoho webhook receiver", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def health() -> dict:
        """Say whether the receiver is up and has a secret (it refuses everything until one is set)."""
        return {"ok": True, "secret_configured": secrets.configured()}

    @app.post(PATH)
    async def receive(secret: str, request: Request) -> JSONResponse:
        peer = request.client.host if request.client else "?"
        if not await run_in_threadpool(secrets.verify, secret):
            log.warning("refused webhook delivery from %s: wrong or retired secret", peer)
            return JSONResponse({"error": "not found"}, status_code=404)  # as if the URL did not exist
        try:
            if "json" not in request.headers.get("content-type", "").lower():
                raise Refused(415, "content type is not JSON")
            delivery = parse_delivery(await _read_bounded(request))
        except Refused as refused:
            log.warning("refused webhook delivery from %s (%d): %s", peer, refused.status, refused)
            return JSONResponse({"error": str(refused)}, status_code=refused.status)
        outcome = await run_in_threadpool(_land, store, delivery)
        key = delivery.message.uid if delivery.message else delivery.chat_id
        if outcome == "duplicate":
            log.info("webhook %s for message %s is a duplicate or a replay: nothing written", delivery.event_type, key)
        else:
            log.debug("webhook %s for %s: %s", delivery.event_type, key, outcome)
        return JSONResponse({"status": outcome})

    return app
