"""Zoho's error shape: one exception type that every route raises and one handler that renders it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse


class ZohoError(Exception):
    """A top-level Zoho API error: `{"code","details","message","status":"error"}` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}

    def body(self) -> dict[str, Any]:
        """Return the JSON body Zoho sends for this error."""
        return {"code": self.code, "details": self.details, "message": self.message, "status": "error"}


def invalid_module(module: str, index: int = 0) -> ZohoError:
    """Build the INVALID_MODULE error for an unknown module name."""
    return ZohoError(
        400, "INVALID_MODULE", "the module name given seems to be invalid", {"resource_path_index": index}
    )


def unknown_url() -> ZohoError:
    """Build Zoho's 404 for a path it does not serve."""
    return ZohoError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")


def required_param(name: str, detail: str = "param_name") -> ZohoError:
    """Build REQUIRED_PARAM_MISSING for a missing query parameter, named under `detail` in the details."""
    return ZohoError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {detail: name})


def invalid_param(name: str, message: str = "the given parameter value is invalid") -> ZohoError:
    """Build INVALID_DATA for a query parameter with a bad value."""
    return ZohoError(400, "INVALID_DATA", message, {"param_name": name})


def record_error(code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    """Build one per-record error item of a batch response."""
    return {"code": code, "details": details, "message": message, "status": "error"}


async def zoho_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Render a ZohoError as Zoho does."""
    assert isinstance(exc, ZohoError)
    return JSONResponse(exc.body(), status_code=exc.status)
