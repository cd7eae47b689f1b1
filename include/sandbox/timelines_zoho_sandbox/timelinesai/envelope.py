"""The Public API's response envelopes, shared by the emulator's routers."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from fastapi.responses import Response


class Reject(Exception):
    """Carry a finished error response out of a handler or dependency."""

    def __init__(self, response: Response) -> None:
        self.response = response


def ok(data: object) -> Response:
    """Return the success envelope, encoded with msgspec (the hot path)."""
    return Response(msgspec.json.encode({"status": "ok", "data": data}), media_type="application/json")


def error(
    status: int, message: str, code: str, headers: Mapping[str, str] | None = None, **extra: object
) -> Response:
    """Return the documented `{"status":"error",...}` envelope."""
    body = {"status": "error", "message": message, "error_code": code, **extra}
    return Response(
        msgspec.json.encode(body), status_code=status, media_type="application/json", headers=headers
    )
