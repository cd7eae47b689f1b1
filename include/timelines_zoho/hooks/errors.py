"""Typed vendor errors and per-record batch results: the only shapes callers of the hooks see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Zoho's codes in words a user understands; `{scope}` is filled in when the check knows the scope it needed.
ZOHO_CODE_WORDS: dict[str, str] = {
    "INVALID_TOKEN": "the access token is invalid or expired, or belongs to another data centre",
    "AUTHENTICATION_FAILURE": "Zoho did not accept the credentials sent",
    "OAUTH_SCOPE_MISMATCH": "the token lacks the scope {scope}",
    "NO_PERMISSION": "the connecting Zoho user has no permission for this",
    "INVALID_MODULE": "the module does not exist or is not available through the API",
    "INVALID_DATA": "Zoho rejected a value",
    "MANDATORY_NOT_FOUND": "a required field is missing",
    "DUPLICATE_DATA": "a record with the same unique value already exists",
    "TOO_MANY_REQUESTS": "the daily API credits or the concurrency limit of the Zoho org are used up",
    "INTERNAL_ERROR": "Zoho had an internal error",
    "invalid_client": "the client ID is unknown in this data centre (check the data centre)",
    "invalid_client_secret": "the client secret is wrong",
    "invalid_code": "the grant code or refresh token is expired, already used or revoked",
    "Access Denied": "Zoho throttled token refreshes (too many in 10 minutes); wait and try again",
}


def zoho_words(code: str, scope: str = "the needed scope") -> str:
    """Say what a Zoho code means, or repeat the code when it is unknown."""
    return ZOHO_CODE_WORDS.get(code, code).format(scope=scope)


class ZohoAPIError(Exception):
    """A Zoho CRM error response, carrying Zoho's own code, message and details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.retry_after = retry_after
        super().__init__(f"Zoho CRM {status} {code}: {message} ({zoho_words(code)})")


class ZohoAuthError(ZohoAPIError):
    """OAuth failed: bad client, revoked refresh token, wrong data centre, missing scope or refresh throttle."""


class ZohoCreditsExhaustedError(ZohoAPIError):
    """429: the org's daily credits or its concurrency limit are used up."""


class TimelinesAIError(Exception):
    """A TimelinesAI error response (status, message and, when sent, the vendor's `error_code`)."""

    def __init__(
        self, status: int, message: str, error_code: str | None = None, retry_after: float | None = None
    ) -> None:
        self.status = status
        self.message = message
        self.error_code = error_code
        self.retry_after = retry_after
        super().__init__(f"TimelinesAI {status}{f' {error_code}' if error_code else ''}: {message}")


class UnreadableResponse(Exception):
    """A success status whose body is not the JSON the endpoint promises (an HTML page, a truncated body).

    Never read as "no data": a read is retried and then fails the task; a write may have been applied (see
    WriteOutcomeUnknown). Carries the vendor, the endpoint label and the status only, never a URL or a token.
    """

    def __init__(self, vendor: str, endpoint: str, status: int, why: str) -> None:
        self.vendor, self.endpoint, self.status, self.why = vendor, endpoint, status, why
        super().__init__(f"{vendor} {endpoint} answered {status} with an unreadable body ({why})")


class WriteOutcomeUnknown(Exception):
    """A write that may have been applied: the request was sent, then no readable answer came back.

    The transport never resends such a write. The caller leaves the items pending and reconciles them against
    the vendor before writing them again. Carries the vendor, the endpoint label and the cause's kind, no secrets.
    """

    def __init__(self, vendor: str, endpoint: str, cause: str) -> None:
        self.vendor, self.endpoint, self.cause = vendor, endpoint, cause
        super().__init__(f"{vendor} {endpoint}: the outcome is unknown ({cause}); it may have been applied")


@dataclass(frozen=True)
class RecordResult:
    """What Zoho answered for one input record of a batch write, in input order."""

    index: int
    ok: bool
    status: str
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    id: str | None = None

    @classmethod
    def from_item(cls, index: int, item: dict[str, Any]) -> RecordResult:
        """Map one element of Zoho's `data` response array."""
        details = item.get("details") or {}
        ok = item.get("status") == "success"
        return cls(
            index=index,
            ok=ok,
            status=str(item.get("status", "error")),
            code=str(item.get("code", "")),
            message=str(item.get("message", "")),
            details=details,
            id=str(details["id"]) if ok and details.get("id") is not None else None,
        )
