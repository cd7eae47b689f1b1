"""The two hooks that speak HTTP to the vendors, their typed errors and per-record results."""

from __future__ import annotations

from timelines_zoho.hooks.errors import (
    RecordResult,
    TimelinesAIError,
    UnreadableResponse,
    WriteOutcomeUnknown,
    ZohoAPIError,
    ZohoAuthError,
    ZohoCreditsExhaustedError,
)
from timelines_zoho.hooks.queries import coql_quote, criteria_quote
from timelines_zoho.hooks.timelinesai import TimelinesAIHook
from timelines_zoho.hooks.token_cache import FileTokenCache, TokenCache
from timelines_zoho.hooks.transport import RetryPolicy
from timelines_zoho.hooks.zoho import ZohoCRMHook

__all__ = [
    "FileTokenCache",
    "RecordResult",
    "RetryPolicy",
    "TimelinesAIError",
    "TimelinesAIHook",
    "TokenCache",
    "UnreadableResponse",
    "WriteOutcomeUnknown",
    "ZohoAPIError",
    "ZohoAuthError",
    "ZohoCRMHook",
    "ZohoCreditsExhaustedError",
    "coql_quote",
    "criteria_quote",
]
