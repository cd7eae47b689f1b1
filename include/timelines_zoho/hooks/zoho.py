"""ZohoCRMHook: the only code that calls Zoho CRM; it knows OAuth, retries, paging and batching."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO

import requests
from airflow.sdk import BaseHook

from timelines_zoho import __version__
from timelines_zoho.hooks.datacentres import resolve_data_centre
from timelines_zoho.hooks.errors import (
    RecordResult,
    UnreadableResponse,
    WriteOutcomeUnknown,
    ZohoAPIError,
    ZohoAuthError,
    ZohoCreditsExhaustedError,
)
from timelines_zoho.hooks.multipart import multipart_file
from timelines_zoho.hooks.queries import (
    COQL_PAGE,
    chunked,
    coql_page,
    coql_quote,
    is_pageable,
    record_id,
)
from timelines_zoho.hooks.token_cache import FileTokenCache, TokenCache
from timelines_zoho.hooks.transport import (
    RetryPolicy,
    Transport,
    body_excerpt,
    endpoint_label,
    is_network_error,
    json_body,
    retry_after_seconds,
)
from timelines_zoho.hooks.zoho_auth import ZohoCredentials, ZohoOAuth
from timelines_zoho.hooks.zoho_checks import run_checks

__all__ = ["ZohoCRMHook", "coql_quote"]

API_PATH = "/crm/v8"
VENDOR = "Zoho CRM"
# 5xx answers Zoho documents as "not applied": 503 is its maintenance answer (status-codes page). A 500
# INTERNAL_ERROR may come after a partial write, so a write that got one is never resent blind.
NOT_APPLIED_5XX = frozenset({503})
_MODULE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")
PAGE_SIZE = 200


def check_zoho_response(response: requests.Response) -> None:
    """Raise the typed error for a Zoho error response; non-JSON bodies keep their text."""
    body = json_body(response)
    status = response.status_code
    details: dict[str, Any] = {}
    if isinstance(body, dict) and isinstance(body.get("data"), list) and body["data"]:
        body = body["data"][0]  # a single-record write that failed: report that record's error
    if isinstance(body, dict) and body.get("code"):
        code, message, details = str(body["code"]), str(body.get("message", "")), body.get("details") or {}
    elif isinstance(body, dict) and body.get("error"):
        code, message = str(body["error"]), str(body.get("error_description") or body["error"])
    else:
        code, message = f"HTTP_{status}", body_excerpt(response)
    cls = {401: ZohoAuthError, 429: ZohoCreditsExhaustedError}.get(status, ZohoAPIError)
    raise cls(status, code, message, details, retry_after=retry_after_seconds(response))


def check_zoho_batch(response: requests.Response) -> None:
    """Let an all-failed batch (400 with a per-record `data` array) through to per-record mapping."""
    body = json_body(response)
    if response.status_code == 400 and isinstance(body, dict) and isinstance(body.get("data"), list):
        return
    check_zoho_response(response)


def is_retryable_zoho(error: BaseException) -> bool:
    """Retry network failures, 5xx and 429; every other error is final."""
    if isinstance(error, ZohoAPIError):
        return error.status == 429 or error.status >= 500
    return is_network_error(error)


def is_write_retryable_zoho(error: BaseException) -> bool:
    """A write is resent only after an answer saying it was not applied: 429 (credits, concurrency) or a 503."""
    return isinstance(error, ZohoAPIError) and (error.status == 429 or error.status in NOT_APPLIED_5XX)


def module_name(module: str) -> str:
    """Validate a module API name so it can sit in a URL path."""
    if not _MODULE.match(module):
        raise ValueError(f"not a Zoho module API name: {module!r}")
    return module


def _page_items(body: Any, key: str, endpoint: str) -> list[dict]:
    """The items of one page; a 2xx page that is not an object holding a list is an error, never "the end"."""
    if body is None:
        return []
    items = body.get(key) if isinstance(body, dict) else None
    if items is None and isinstance(body, dict) and key not in body:
        items = []  # Zoho leaves `data` out of an empty page that still carries `info`
    if not isinstance(items, list):
        raise UnreadableResponse(VENDOR, endpoint, 200, f"the page has no {key!r} list")
    return items


class ZohoCRMHook(BaseHook):
    """Talk to Zoho CRM API v8 for one `zoho_crm` connection."""

    conn_name_attr = "zoho_conn_id"
    default_conn_name = "zoho_crm_default"
    conn_type = "zoho_crm"
    hook_name = "Zoho CRM"
    coql_quote = staticmethod(coql_quote)

    def __init__(
        self,
        zoho_conn_id: str = default_conn_name,
        token_cache: TokenCache | None = None,
        *,
        retry_policy: RetryPolicy | None = None,
        clock: Callable[[], float] | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> None:
        super().__init__()
        self.zoho_conn_id = zoho_conn_id
        self._timeout = timeout  # (connect, read) seconds; None keeps the transport's default
        self._token_cache = token_cache
        self._retry_policy = retry_policy
        self._clock = clock
        self._transport: Transport | None = None
        self._auth: ZohoOAuth | None = None
        self.credits_remaining: int | None = None  # Zoho's X-API-CREDITS-REMAINING, sent once half are spent

    # -- plumbing -------------------------------------------------------------------------------------------

    def get_conn(self) -> requests.Session:
        """Build (once) the pooled session, the OAuth helper and the token cache from the connection."""
        if self._transport is None:
            conn = self.get_connection(self.zoho_conn_id)
            extra = conn.extra_dejson

            def field(name: str) -> str | None:
                # The UI may store form fields under Airflow's prefixed key.
                return extra.get(name) or extra.get(f"extra__{self.conn_type}__{name}") or None

            credentials = ZohoCredentials(
                client_id=conn.login or field("client_id") or "",
                client_secret=conn.password or field("client_secret") or "",
                data_centre=resolve_data_centre(field("data_centre"), field("accounts_url"), field("api_domain")),
                refresh_token=field("refresh_token"),
                grant_code=field("grant_code"),
                redirect_uri=field("redirect_uri"),
                secret_host=field("client_secret_host"),
            )
            transport = Transport(
                vendor=VENDOR,
                user_agent=f"timelines-zoho/{__version__} python-requests/{requests.__version__}",
                check=check_zoho_response,
                is_retryable=is_retryable_zoho,
                write_retryable=is_write_retryable_zoho,
                policy=self._retry_policy,
                **({"timeout": self._timeout} if self._timeout else {}),
            )
            options = {"clock": self._clock} if self._clock else {}
            cache = self._token_cache if self._token_cache is not None else FileTokenCache()
            self._auth = ZohoOAuth(credentials, cache, transport, **options)
            self._transport = transport
        return self._transport.session

    @property
    def auth(self) -> ZohoOAuth:
        self.get_conn()
        assert self._auth is not None
        return self._auth

    @property
    def stats(self) -> dict[str, dict[str, int]]:
        """Calls and credits spent, per endpoint, by this hook instance."""
        return self._transport.stats.as_dict() if self._transport else {}

    def _call(
        self,
        method: str,
        path: str,
        *,
        credits: int = 1,
        batch: bool = False,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> tuple[int, Any]:
        """Send one API request; on 401 INVALID_TOKEN refresh once and resend. Returns (status, JSON or None)."""
        self.get_conn()
        assert self._transport is not None and self._auth is not None
        token = self._auth.token()
        for attempt in (1, 2):
            try:
                response = self._transport.request(
                    method,
                    f"{token.api_domain}{API_PATH}{path}",
                    endpoint=endpoint_label(method, path),
                    credits=credits,
                    check=check_zoho_batch if batch else None,
                    idempotent=idempotent,
                    headers={"Authorization": f"Zoho-oauthtoken {token.access_token}", **(headers or {})},
                    **kwargs,
                )
            except ZohoAuthError as error:
                if error.code != "INVALID_TOKEN" or attempt == 2:
                    raise
                self.log.info("Zoho rejected the access token; refreshing once")
                token = self._auth.refresh_after_rejection(token.access_token)
                continue
            self._note_credits(response)
            return response.status_code, json_body(response)
        raise AssertionError("unreachable")

    def _note_credits(self, response: requests.Response) -> None:
        header = response.headers.get("X-API-CREDITS-REMAINING")
        if header is not None and header.strip().isdigit():
            self.credits_remaining = int(header)

    def _pages(self, path: str, key: str, params: dict[str, Any], *, max_records: int | None = None) -> Iterator[dict]:
        """Follow `page`, then `page_token` (needed past 2,000 records), yielding items under `key`."""
        params = {"per_page": PAGE_SIZE, **params, "page": 1}
        seen = 0
        tokens: set[str] = set()
        while True:
            _, body = self._call("GET", path, params=params)
            if body is None:  # 204: nothing (more) to list
                return
            page = _page_items(body, key, endpoint_label("GET", path))
            for item in page:
                yield item
                seen += 1
            info = body.get("info") or {}
            if not info.get("more_records") or (max_records and seen >= max_records):
                return
            if info.get("next_page_token"):
                token = str(info["next_page_token"])
                if token in tokens:  # a vendor bug would make us loop or skip silently: refuse it (as Meltano does)
                    raise UnreadableResponse(VENDOR, endpoint_label("GET", path), 200, "the page token repeated")
                tokens.add(token)
                params = {k: v for k, v in params.items() if k != "page"} | {"page_token": token}
            else:
                params = {**params, "page": int(params.get("page", 1)) + 1}

    def _write(self, method: str, path: str, records: Sequence[dict], **body: Any) -> list[RecordResult]:
        """Send records in chunks of 100 and map every input to its own result, in input order."""
        results: list[RecordResult] = []
        for offset, chunk in chunked(records):
            _, response = self._call(
                method, path, json={"data": list(chunk), **body}, credits=math.ceil(len(chunk) / 10), batch=True
            )
            items = response.get("data") if isinstance(response, dict) else None
            if not isinstance(items, list) or len(items) != len(chunk) or not all(isinstance(i, dict) for i in items):
                # A 2xx that does not account for every record: some may have been written. Callers send one
                # chunk at a time, so nothing already answered is lost with this error.
                raise WriteOutcomeUnknown(VENDOR, endpoint_label(method, path), "the answer did not list every record")
            results.extend(RecordResult.from_item(offset + i, item) for i, item in enumerate(items))
        return results

    # -- records --------------------------------------------------------------------------------------------

    def insert_records(self, module: str, records: Sequence[dict], trigger: list[str] | None = None) -> list[RecordResult]:
        """Create records (100 per call); `trigger=[]` runs no workflow, None runs Zoho's defaults."""
        body = {"trigger": trigger} if trigger is not None else {}
        return self._write("POST", f"/{module_name(module)}", records, **body)

    def update_records(self, module: str, records: Sequence[dict]) -> list[RecordResult]:
        """Update records by their `id` (100 per call)."""
        return self._write("PUT", f"/{module_name(module)}", records)

    def upsert_records(
        self, module: str, records: Sequence[dict], duplicate_check_fields: Sequence[str]
    ) -> list[RecordResult]:
        """Insert or update matching on `duplicate_check_fields` (100 per call)."""
        return self._write(
            "POST", f"/{module_name(module)}/upsert", records, duplicate_check_fields=list(duplicate_check_fields)
        )

    def delete_record(self, module: str, record_id_: str) -> None:
        """Delete one record (activation removes the test contact it made last time)."""
        self._call("DELETE", f"/{module_name(module)}/{record_id(record_id_)}")

    def get_record(self, module: str, record_id_: str) -> dict | None:
        """Return one record, or None when it does not exist (204)."""
        _, body = self._call("GET", f"/{module_name(module)}/{record_id(record_id_)}")
        return ((body or {}).get("data") or [None])[0]

    def list_records(self, module: str, fields: Sequence[str] | str, **params: Any) -> Iterator[dict]:
        """Yield every record of a module, past 2,000 through `page_token`."""
        params["fields"] = fields if isinstance(fields, str) else ",".join(fields)
        return self._pages(f"/{module_name(module)}", "data", params)

    def search_records(
        self,
        module: str,
        *,
        criteria: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        word: str | None = None,
    ) -> Iterator[dict]:
        """Yield search results (Zoho caps a search at 2,000); give exactly one of the four ways to search."""
        given = {k: v for k, v in {"criteria": criteria, "phone": phone, "email": email, "word": word}.items() if v}
        if len(given) != 1:
            raise ValueError("give exactly one of criteria, phone, email or word")
        return self._pages(f"/{module_name(module)}/search", "data", given, max_records=2000)

    def coql(self, query: str) -> Iterator[dict]:
        """Yield the rows of a COQL query, 2,000 per call and by `id > last` past that; quote values with coql_quote."""
        if not is_pageable(query):
            _, body = self._call("POST", "/coql", json={"select_query": query}, credits=3, idempotent=True)
            yield from _page_items(body, "data", "POST /coql")
            return
        after: str | None = None
        while True:
            _, body = self._call("POST", "/coql", json={"select_query": coql_page(query, after)}, credits=3,
                                 idempotent=True)
            rows = _page_items(body, "data", "POST /coql")
            yield from rows
            if len(rows) < COQL_PAGE and not (body or {}).get("info", {}).get("more_records"):
                return
            if not rows:
                return
            if str(rows[-1]["id"]) == after:
                raise UnreadableResponse(VENDOR, "POST /coql", 200, "the page did not move past the last id")
            after = str(rows[-1]["id"])

    # -- notes and attachments ------------------------------------------------------------------------------

    def create_notes(self, notes: Sequence[dict]) -> list[RecordResult]:
        """Create notes (100 per call); each needs `Parent_Id: {"module": {"api_name": ...}, "id": ...}`."""
        return self._write("POST", "/Notes", notes)

    def update_notes(self, notes: Sequence[dict]) -> list[RecordResult]:
        """Update notes by `id` (100 per call)."""
        return self._write("PUT", "/Notes", notes)

    def list_notes(
        self, module: str, record_id_: str, fields: str = "Note_Title,Note_Content,Parent_Id,Created_Time,Modified_Time"
    ) -> Iterator[dict]:
        """Yield the notes of one record."""
        return self._pages(f"/{module_name(module)}/{record_id(record_id_)}/Notes", "data", {"fields": fields})

    def upload_attachment(
        self, module: str, record_id_: str, filename: str, stream: BinaryIO, content_type: str | None = None
    ) -> str:
        """Stream a file to a record (or a note, module `Notes`) as multipart; return the attachment id."""
        body, header = multipart_file("file", filename, stream, content_type or "application/octet-stream")
        _, response = self._call(
            "POST", f"/{module_name(module)}/{record_id(record_id_)}/Attachments",
            data=body, headers={"Content-Type": header},
        )
        items = response.get("data") if isinstance(response, dict) else None
        item = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else None
        if item is None or (item.get("status") == "success" and not (item.get("details") or {}).get("id")):
            raise WriteOutcomeUnknown(VENDOR, "POST /{module}/{id}/Attachments", "the answer named no attachment")
        if item.get("status") != "success":
            raise ZohoAPIError(200, str(item.get("code", "UPLOAD_FAILED")), str(item.get("message", "")),
                               item.get("details"))
        return str(item["details"]["id"])

    def list_attachments(
        self, module: str, record_id_: str, fields: str = "id,File_Name,Size,Created_Time,$type"
    ) -> Iterator[dict]:
        """Yield the attachments of a record or a note."""
        path = f"/{module_name(module)}/{record_id(record_id_)}/Attachments"
        return self._pages(path, "data", {"fields": fields})

    # -- users, org and metadata ----------------------------------------------------------------------------

    def list_users(self, type: str = "AllUsers") -> Iterator[dict]:  # noqa: A002 - Zoho's parameter name
        """Yield users of the given Zoho type (AllUsers, ActiveUsers, CurrentUser, ...)."""
        return self._pages("/users", "users", {"type": type})

    def current_user(self) -> dict | None:
        """Return the Zoho user the token acts for."""
        return next(iter(self.list_users("CurrentUser")), None)

    def get_org(self) -> dict:
        """Return the organisation (time zone, currency, edition...)."""
        _, body = self._call("GET", "/org")
        return ((body or {}).get("org") or [{}])[0]

    def list_modules(self) -> list[dict]:
        """Return the modules' metadata."""
        _, body = self._call("GET", "/settings/modules")
        return (body or {}).get("modules") or []

    def list_fields(self, module: str) -> list[dict]:
        """Return the fields' metadata of a module."""
        _, body = self._call("GET", "/settings/fields", params={"module": module_name(module)})
        return (body or {}).get("fields") or []

    def add_picklist_option(self, module: str, field_id: str, value: str) -> dict:
        """Add `value` as a new option of a picklist field; return Zoho's per-field result."""
        payload = {"fields": [{"id": record_id(field_id),
                               "pick_list_values": [{"display_value": value, "actual_value": value}]}]}
        _, body = self._call(
            "PATCH", f"/settings/fields/{record_id(field_id)}", params={"module": module_name(module)}, json=payload,
        )
        result = ((body or {}).get("fields") or [{}])[0]
        if result.get("status") == "error":
            raise ZohoAPIError(400, str(result.get("code")), str(result.get("message", "")), result.get("details"))
        return result

    # -- OAuth and the UI's Test button ---------------------------------------------------------------------

    def exchange_grant_code(self, code: str, redirect_uri: str | None = None) -> dict[str, Any]:
        """Exchange a one-time grant code; returns Zoho's token response (refresh token, api_domain...)."""
        return self.auth.exchange_grant_code(code, redirect_uri)

    def test_connection(self) -> tuple[bool, str]:
        """Call one endpoint per scope the sync needs; report the first failure in plain words."""
        return run_checks(self)
