"""Signed, expiring attachment URLs served by the emulator itself, like the vendor's S3 links.

Fault: a download host that refuses connections. Files selected by uid, by chat, or the next N URLs handed out
get a URL on a local port that is bound but never listens, so connecting to it is refused at once.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import socket
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from timelines_zoho_sandbox.timelinesai import content

if TYPE_CHECKING:
    from timelines_zoho_sandbox.timelinesai.state import EmulatorState


def _signature(state: EmulatorState, uid: str, expires: int) -> str:
    key = f"{state.workspace.seed}:{state.url_generation}".encode()
    return hmac.new(key, f"{uid}:{expires}".encode(), hashlib.sha256).hexdigest()[:40]


@functools.cache
def _refusing_socket() -> socket.socket:
    """A socket bound to a local port and never listening: nothing else can take the port, connects are refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def refusing_host() -> str:
    """The root URL of the download host that refuses connections."""
    return f"http://127.0.0.1:{_refusing_socket().getsockname()[1]}"


def _refused(state: EmulatorState, uid: str) -> bool:
    """Whether this file's URL goes to the refusing host (the countdown is spent as URLs are handed out)."""
    faults = state.faults
    if uid in faults.refused_download_uids:
        return True
    if faults.refused_download_chats:
        store = state.workspace.messages
        index = content.uid_index(state.workspace.seed, uid, len(store))
        if index is not None:
            chat = state.workspace.chats[int(store.cols["chat"][index])]
            if chat.id in faults.refused_download_chats:
                return True
    if faults.refused_downloads_next <= 0:
        return False
    with state.lock:  # requests are served on several threads; each URL takes one from the countdown
        if faults.refused_downloads_next <= 0:
            return False
        faults.refused_downloads_next -= 1
        return True


def signer(state: EmulatorState) -> Callable[[str, str], str]:
    """Return a function that makes a fresh signed URL for (uid, filename)."""

    def sign(uid: str, filename: str) -> str:
        expires = int(state.clock.now()) + state.settings.url_ttl_seconds  # the sandbox clock: advancing it expires them
        name = urllib.parse.quote(filename)
        host = refusing_host() if _refused(state, uid) else state.base_url
        return f"{host}/files/{uid}/{name}?Expires={expires}&Signature={_signature(state, uid, expires)}"

    return sign


def _s3_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(body, status_code=status, media_type="application/xml")


def files_router(state: EmulatorState) -> APIRouter:
    """Build the download route; errors look like S3's XML errors, as a presigned link's would."""
    router = APIRouter()

    @router.get("/files/{uid}/{filename:path}")
    def download(uid: str, filename: str, request: Request) -> Response:
        """Stream an attachment's bytes if the signature is valid and not expired."""
        expires, signature = (
            request.query_params.get("Expires", ""),
            request.query_params.get("Signature", ""),
        )
        if not expires.isdigit() or not hmac.compare_digest(signature, _signature(state, uid, int(expires))):
            return _s3_error(
                403, "SignatureDoesNotMatch", "The request signature we calculated does not match"
            )
        if int(expires) < state.clock.now():
            return _s3_error(403, "AccessDenied", "Request has expired")
        store = state.workspace.messages
        index = content.uid_index(state.workspace.seed, uid, len(store))
        if index is None or int(store.cols["att_kind"][index]) < 0:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        kind, size = int(store.cols["att_kind"][index]), int(store.cols["att_size"][index])
        headers = {
            "Content-Length": str(size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{urllib.parse.quote(filename)}",
        }
        return StreamingResponse(
            content.attachment_bytes(state.workspace.seed, index, kind, size),
            media_type=content.ATTACHMENT_KINDS[kind].mimetype,
            headers=headers,
        )

    return router
