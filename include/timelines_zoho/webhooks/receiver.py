"""The webhook receiver: `POST /timelinesai/webhooks/{secret}` lands each delivery in the inbox, then answers.

The answer is 2xx only once the event is durable (committed), so a delivery TimelinesAI counts as done is
never lost; anything refused writes nothing. Deliveries that arrive together share one transaction (group
commit): one writer drains what is waiting, so a flood costs a commit per batch, not per delivery. A replay or a vendor duplicate (the same message uid again)
cannot be told apart: both are acknowledged, logged and write nothing, so the first copy stays.
The secret is in the path, so neither this module nor the server it runs in may log request paths
(`python -m timelines_zoho.webhooks serve` turns uvicorn's access log off).
"""

from __future__ import annotations

import asyncio
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


def _land(store: StateStore, deliveries: list[Delivery]) -> list[str]:
    """Write the deliveries' events in one transaction; return each one's outcome: stored or duplicate."""
    messages = [d.message for d in deliveries if d.message is not None]
    with store.batch():
        new = set(store.add_to_inbox(messages, "webhook"))
        store.touch_inbox_chats(d.chat_id for d in deliveries if d.chat_id is not None)
    # Two copies in one batch: the first is the one stored.
    outcomes, seen = [], set()
    for delivery in deliveries:
        uid = delivery.message.uid if delivery.message else None
        outcomes.append("stored" if uid is None or (uid in new and uid not in seen) else "duplicate")
        seen.add(uid)
    return outcomes


class GroupCommit:
    """One writer task: take every delivery waiting, land them together, then answer each."""

    MAX_BATCH = 500

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.waiting: asyncio.Queue[tuple[Delivery, asyncio.Future[str]]] = asyncio.Queue()
        self.task: asyncio.Task | None = None

    async def land(self, delivery: Delivery) -> str:
        """Queue a delivery and wait until it is committed; return stored or duplicate."""
        # Started here, not in a lifespan: a mounted sub-application never runs its lifespan.
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.run())
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        await self.waiting.put((delivery, future))
        return await future

    async def run(self) -> None:
        while True:
            batch = [await self.waiting.get()]
            while not self.waiting.empty() and len(batch) < self.MAX_BATCH:
                batch.append(self.waiting.get_nowait())
            try:
                outcomes = await run_in_threadpool(_land, self.store, [d for d, _ in batch])
            except Exception:
                # One delivery the database refuses must not fail the others it was batched with: land each alone.
                log.warning("could not land %d webhook deliveries together; landing them one by one", len(batch))
                for delivery, future in batch:
                    await self._land_alone(delivery, future)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                _answer(future, outcome)

    async def _land_alone(self, delivery: Delivery, future: asyncio.Future[str]) -> None:
        try:
            (outcome,) = await run_in_threadpool(_land, self.store, [delivery])
        except Exception as exc:  # the database refused it: the delivery answers 503 and TimelinesAI retries
            log.exception("could not land a webhook %s delivery", delivery.event_type)
            _answer(future, exc)
        else:
            _answer(future, outcome)


def _answer(future: asyncio.Future[str], outcome: str | Exception) -> None:
    """Resolve a waiting request, unless its sender hung up (cancelled): the writer must outlive it."""
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def create_receiver_app(store: StateStore | None = None) -> FastAPI:
    """Build the receiver over a state store (the configured one by default)."""
    store = store or StateStore()
    secrets = ReceiverSecret(store)
    writer = GroupCommit(store)
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
        if delivery.message is None and delivery.chat_id is None:
            log.info("webhook %s acknowledged and not stored: the sync does not use it", delivery.event_type)
            return JSONResponse({"status": "ignored"})
        try:
            outcome = await writer.land(delivery)
        except Exception:
            return JSONResponse({"error": "could not store the event; retry"}, status_code=503)
        key = delivery.message.uid if delivery.message else delivery.chat_id
        if outcome == "duplicate":
            log.info("webhook %s for message %s is a duplicate or a replay: nothing written", delivery.event_type, key)
        else:
            log.debug("webhook %s for %s: %s", delivery.event_type, key, outcome)
        return JSONResponse({"status": outcome})

    return app
