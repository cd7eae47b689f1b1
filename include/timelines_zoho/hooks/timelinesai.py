"""TimelinesAIHook: the only code that calls the TimelinesAI Public API; lazy page generators and downloads."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from airflow.sdk import BaseHook

from timelines_zoho import __version__
from timelines_zoho.hooks.downloads import NO_ANSWER, Download, host_of, unreachable
from timelines_zoho.hooks.errors import TimelinesAIError, UnreadableResponse
from timelines_zoho.hooks.pacing import TokenBucket
from timelines_zoho.hooks.transport import (
    RetryPolicy,
    Transport,
    body_excerpt,
    endpoint_label,
    is_network_error,
    json_body,
    retry_after_seconds,
)

DEFAULT_BASE_URL = "https://app.timelines.ai/integrations/api"
VENDOR = "TimelinesAI"
# 403 codes that really mean "not allowed"; any other 403 after a first success is the vendor's throttle.
PERMANENT_CODES = {"member_not_found", "permission_denied", "insufficient_scope", "plan_feature_unavailable",
                   "quota_exceeded", "invalid_token", "missing_credentials"}
CODE_WORDS = {
    401: "the API token is wrong, expired or was regenerated in TimelinesAI",
    403: "the token's member is not allowed to do this",
    404: "not found",
    429: "too many requests; TimelinesAI asks to slow down",
}


class _ExpiredURL(TimelinesAIError):
    """A signed attachment URL that no longer works."""


def check_timelines_response(response: requests.Response) -> None:
    """Raise TimelinesAIError with the vendor's message; plain-text 401 and HTML 404 bodies are summarised."""
    body = json_body(response)
    status = response.status_code
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("error") or CODE_WORDS.get(status, response.reason))
        code = body.get("error_code")
    else:
        message, code = body_excerpt(response) or CODE_WORDS.get(status, ""), None
    raise TimelinesAIError(status, message, code, retry_after_seconds(response))


def check_download(response: requests.Response) -> None:
    """An attachment URL answering 401/403/404/410 has expired; anything else is an error with its status only.

    The body is never quoted: a storage host's error page can echo the signed request (S3 shows the string it
    signed and the signature it was given).
    """
    status = response.status_code
    if status in (401, 403, 404, 410):
        raise _ExpiredURL(status, "attachment URL expired")
    raise TimelinesAIError(status, f"the download host {host_of(response.url or '')} answered {status} "
                                   f"{response.reason or ''}".rstrip(), "download_failed", retry_after_seconds(response))


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return str(value)


def query(params: dict[str, Any]) -> dict[str, str]:
    """Render filters the way the API wants them: booleans as true/false, lists comma-joined, empties left out."""
    return {k: _param(v) for k, v in params.items() if v is not None and v != "" and v != []}


class TimelinesAIHook(BaseHook):
    """Read chats, messages, accounts and teammates of one TimelinesAI workspace."""

    conn_name_attr = "timelines_conn_id"
    default_conn_name = "timelines_ai_default"
    conn_type = "timelines_ai"
    hook_name = "TimelinesAI"

    def __init__(self, timelines_conn_id: str = default_conn_name, *, retry_policy: RetryPolicy | None = None) -> None:
        super().__init__()
        self.timelines_conn_id = timelines_conn_id
        self._retry_policy = retry_policy
        self._transport: Transport | None = None
        self.base_url = DEFAULT_BASE_URL
        self._token = ""
        self._refusing_hosts: set[str] = set()
        self.pacer: TokenBucket | None = None  # a history import paces its reads; other runs go as fast as allowed

    def get_conn(self) -> requests.Session:
        """Build (once) the pooled session for the connection's token and base URL."""
        if self._transport is None:
            conn = self.get_connection(self.timelines_conn_id)
            host = (conn.host or "").strip().rstrip("/")
            if host and "://" not in host:
                host = f"{conn.schema or 'https'}://{host}"
            self.base_url = host or DEFAULT_BASE_URL
            self._token = conn.password or ""
            if not self._token:
                raise TimelinesAIError(401, "the connection has no API token (password field)", "missing_credentials")
            from airflow.sdk.log import mask_secret

            mask_secret(self._token)
            self._transport = Transport(
                vendor=VENDOR,
                user_agent=f"timelines-zoho/{__version__} (Airflow sync to Zoho CRM) python-requests/{requests.__version__}",
                check=check_timelines_response,
                is_retryable=self._is_retryable,
                policy=self._retry_policy,
            )
        return self._transport.session

    def _is_retryable(self, error: BaseException) -> bool:
        """Retry network errors, 5xx, 429 and a 403 throttle (a 403 before any success is a bad token)."""
        if not isinstance(error, TimelinesAIError) or isinstance(error, _ExpiredURL):
            return is_network_error(error)
        if error.error_code in PERMANENT_CODES:
            return False
        if error.status == 403:
            return bool(self._transport and self._transport.ok_calls)
        return error.status == 429 or error.status >= 500

    @property
    def stats(self) -> dict[str, dict[str, int]]:
        """Calls made by this hook instance, per endpoint."""
        return self._transport.stats.as_dict() if self._transport else {}

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET one API path and return its `data` (the envelope is dropped)."""
        self.get_conn()
        assert self._transport is not None
        if self.pacer is not None:
            self.pacer.wait()
        response = self._transport.request(
            "GET", f"{self.base_url}{path}", endpoint=endpoint_label("GET", path), params=query(params or {}),
            headers={"Authorization": f"Bearer {self._token}"},
        )
        body = json_body(response)
        if body is None:
            return None
        if not isinstance(body, dict):
            raise UnreadableResponse(VENDOR, endpoint_label("GET", path), response.status_code, "not a JSON object")
        return body.get("data")

    # -- chats and messages ---------------------------------------------------------------------------------

    def iter_chats(self, **filters: Any) -> Iterator[dict]:
        """Yield chats matching the filters (label, whatsapp_account_id, group, responsible, ...), page by page."""
        page = 1
        while True:
            data = self._get("/chats", {**filters, "page": page}) or {}
            chats = data.get("chats") or []
            yield from chats
            if not data.get("has_more_pages") or not chats:
                return
            page += 1

    def get_chat(self, chat_id: int | str) -> dict:
        """Return one chat."""
        return self._get(f"/chats/{int(chat_id)}")

    def iter_messages(
        self,
        chat_id: int | str,
        *,
        after: str | None = None,
        before: str | None = None,
        after_message: str | None = None,
        before_message: str | None = None,
        sorting_order: str = "asc",
        from_me: bool | None = None,
    ) -> Iterator[dict]:
        """Yield a chat's messages in `sorting_order`, following the uid cursor within the after/before window."""
        if sorting_order not in ("asc", "desc"):
            raise ValueError("sorting_order must be 'asc' or 'desc'")
        cursor_key = "after_message" if sorting_order == "asc" else "before_message"
        params: dict[str, Any] = {"after": after, "before": before, "after_message": after_message,
                                  "before_message": before_message, "sorting_order": sorting_order,
                                  "from_me": from_me}
        path = f"/chats/{int(chat_id)}/messages"
        seen: set[str] = set()
        while True:
            data = self._get(path, params) or {}
            messages = data.get("messages") or []
            yield from messages
            if not data.get("has_more_pages") or not messages:
                return
            cursor = messages[-1]["uid"]
            if cursor in seen or cursor == params[cursor_key]:
                # A cursor that does not move would loop, or end early if read as "done": refuse it (as Meltano does).
                raise UnreadableResponse(VENDOR, endpoint_label("GET", path), 200, "the message cursor repeated")
            seen.add(cursor)
            params[cursor_key] = cursor

    def get_message(self, uid: str) -> dict:
        """Return one message (with a fresh attachment URL)."""
        return self._get(f"/messages/{uid}")

    @contextlib.contextmanager
    def open_attachment(self, message_uid: str, url: str) -> Iterator[Download]:
        """Open an attachment as a stream with its size; an expired URL is renewed once through GET /messages/{uid}.

        Every failure is a TimelinesAIError naming the host, never the signed URL. A host that refused the
        connection (after the retries) is not tried again by this hook, so a dead host costs one retry cycle.
        """
        try:
            response, used = self._download(url), url
        except _ExpiredURL:
            self.log.info("attachment URL of message %s expired; fetching a fresh one", message_uid)
            try:
                fresh = (self.get_message(message_uid) or {}).get("attachment_url")
            except requests.RequestException as error:
                raise unreachable(self.base_url, error) from None
            if not fresh:
                raise TimelinesAIError(404, f"message {message_uid} no longer has an attachment") from None
            try:
                response, used = self._download(fresh), fresh
            except _ExpiredURL as error:
                raise TimelinesAIError(error.status, "the renewed attachment URL did not work either") from None
        download = Download(response, used)
        try:
            yield download
        finally:
            download.close()

    def _download(self, url: str) -> requests.Response:
        """GET a signed file URL as a stream, without our token: it may point at another host."""
        self.get_conn()
        assert self._transport is not None
        absolute = urljoin(self.base_url, url)
        if urlsplit(absolute).scheme not in ("http", "https"):
            raise TimelinesAIError(400, f"not a downloadable URL (scheme {urlsplit(absolute).scheme or 'none'!r})")
        host = host_of(absolute)
        if host in self._refusing_hosts:
            raise TimelinesAIError(NO_ANSWER, f"the download host {host} refused the connection earlier in this "
                                              "task", "download_failed")
        try:
            return self._transport.request("GET", absolute, endpoint="GET attachment", stream=True,
                                           check=check_download)
        except requests.RequestException as error:
            if isinstance(error, requests.ConnectionError):
                self._refusing_hosts.add(host)
            raise unreachable(absolute, error) from None

    # -- accounts, teammates, workspace ---------------------------------------------------------------------

    def iter_whatsapp_accounts(self) -> Iterator[dict]:
        """Yield the workspace's WhatsApp accounts, connected or not."""
        yield from (self._get("/whatsapp_accounts") or {}).get("whatsapp_accounts") or []

    def iter_teammates(self) -> Iterator[dict]:
        """Yield the workspace's teammates."""
        yield from (self._get("/workspace/teammates") or {}).get("teammates") or []

    # -- webhook subscriptions (§9.1) -------------------------------------------------------------------------

    def list_webhooks(self) -> list[dict]:
        """Return the workspace's webhook subscriptions (WebhookInfo: id, event_type, url, enabled, errors_counter)."""
        data = self._get("/webhooks")
        if isinstance(data, dict):  # the spec returns a list; tolerate it wrapped
            data = data.get("webhooks")
        return list(data or [])

    def subscribe_webhook(self, event_type: str, url: str) -> dict:
        """Subscribe `url` to `event_type`; the API is idempotent on the pair, so a resend cannot duplicate it."""
        return self._send("POST", "/webhooks", json={"event_type": event_type, "url": url}, idempotent=True)

    def delete_webhook(self, webhook_id: int) -> None:
        """Remove one subscription (deleting it twice is harmless: it is gone either way)."""
        self._send("DELETE", f"/webhooks/{webhook_id}", idempotent=True)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        self.get_conn()
        assert self._transport is not None
        response = self._transport.request(
            method, f"{self.base_url}{path}", endpoint=endpoint_label(method, path),
            headers={"Authorization": f"Bearer {self._token}"}, **kwargs,
        )
        body = json_body(response)
        return body.get("data") if isinstance(body, dict) else None

    def get_me(self) -> dict:
        """Return the teammate the token belongs to (its `role` tells whether it is the Owner)."""
        data = self._get("/workspace/teammates/me") or {}
        if isinstance(data, list):
            return data[0] if data else {}
        if "teammates" in data:
            return (data["teammates"] or [{}])[0]
        return data

    def get_workspace(self) -> dict:
        """Return the workspace, its plan and its quotas."""
        return self._get("/workspace") or {}

    def test_connection(self) -> tuple[bool, str]:
        """Check the token on the member, workspace and chats endpoints; say what a failure means."""
        checks = [("member", self.get_me), ("workspace", self.get_workspace),
                  ("chats", lambda: next(self.iter_chats(), None))]
        results: dict[str, Any] = {}
        for what, check in checks:
            try:
                results[what] = check()
            except TimelinesAIError as error:
                words = CODE_WORDS.get(error.status, "")
                code = f"{error.status} {error.error_code}" if error.error_code else str(error.status)
                return False, f"{what}: {code}: {words} ({error.message})".replace(":  (", ": (")
            except requests.RequestException as error:
                return False, f"{what}: cannot reach {self.base_url}: {type(error).__name__}"
        me, workspace = results["member"], results["workspace"]
        where = (f"workspace {workspace.get('display_name') or workspace.get('workspace_id')} as {me.get('email')} "
                 f"(role {me.get('role')})")
        if str(me.get("role") or "").lower() != "owner":  # the product's rule: only the Owner may connect
            return False, f"Reached {where}, but only the workspace Owner may connect TimelinesAI"
        return True, f"Connected to {where}"
