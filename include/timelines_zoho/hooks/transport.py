"""The one request choke point both hooks share: a pooled session, bounded tenacity retries, call stats."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import tenacity
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from timelines_zoho.hooks.errors import UnreadableResponse, WriteOutcomeUnknown

log = logging.getLogger(__name__)

# Path segments that are record ids, message uids or tokens: folded so stats group by endpoint, not by id.
_ID_SEGMENT = re.compile(r"^(\d+|[0-9a-fA-F-]{16,}|[A-Za-z0-9_-]*\d[A-Za-z0-9_-]{15,})$")


def endpoint_label(method: str, path: str) -> str:
    """Name an endpoint for stats: the method and the path with id segments replaced by `{id}`."""
    segments = [("{id}" if _ID_SEGMENT.match(s) else s) for s in path.split("?")[0].split("/")]
    return f"{method.upper()} {'/'.join(segments)}"


def retry_after_seconds(response: requests.Response) -> float | None:
    """Read `Retry-After` as seconds (delta or HTTP date); None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


READ_TIMEOUT_ENV = "TIMELINES_ZOHO_HTTP_READ_TIMEOUT"
# Methods whose repetition cannot create anything twice; a POST that only reads (COQL) says so explicitly.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PARSED = "_timelines_zoho_json"


def json_body(response: requests.Response) -> Any:
    """Return the JSON body, or None for 204/304, an empty body or a body that is not JSON.

    A success answer was already parsed (and refused when unreadable) by the transport: that parse is reused.
    """
    if hasattr(response, _PARSED):
        return getattr(response, _PARSED)
    if response.status_code in (204, 304) or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def body_excerpt(response: requests.Response, limit: int = 200) -> str:
    """A short, single-line excerpt of a non-JSON body (plain-text 401, HTML 404) for an error message."""
    text = re.sub(r"<[^>]+>", " ", response.text or "")
    text = " ".join(text.split())
    return text[:limit] or (response.reason or "")


class CallStats:
    """Calls made and credits spent, per endpoint; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._credits: Counter[str] = Counter()

    def record(self, endpoint: str, credits: int = 0) -> None:
        """Count one HTTP call and the credits it spent."""
        with self._lock:
            self._calls[endpoint] += 1
            self._credits[endpoint] += credits

    @property
    def calls(self) -> int:
        return sum(self._calls.values())

    @property
    def credits(self) -> int:
        return sum(self._credits.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Return `{endpoint: {"calls": n, "credits": c}}`."""
        with self._lock:
            return {e: {"calls": n, "credits": self._credits[e]} for e, n in sorted(self._calls.items())}


@dataclass
class RetryPolicy:
    """Bounds of the retry loop; `sleep` and `clock` are injectable so tests never really wait."""

    max_attempts: int = 5
    max_total_seconds: float = 120.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = field(default=random.random)

    def wait_for(self, attempt: int, error: BaseException | None) -> float:
        """Honour the server's Retry-After, else back off exponentially with a little jitter."""
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1) * (1 + 0.25 * self.jitter()))


def parse_success(response: requests.Response, vendor: str, endpoint: str) -> Any:
    """Parse a success answer's JSON once; an HTML page, a truncated or an empty body is UnreadableResponse."""
    status = response.status_code
    if status in (204, 304):
        body = None
    else:
        raw = response.content  # reading a truncated body raises the network error here, inside the attempt
        try:
            body = json.loads(raw)
        except ValueError:
            why = "empty body" if not raw else f"not JSON, starts {body_excerpt(response, 40)!r}"
            raise UnreadableResponse(vendor, endpoint, status, why) from None
    setattr(response, _PARSED, body)
    return body


def sent_nothing(error: BaseException) -> bool:
    """Tell whether a network error provably happened before the request left: refused, unresolved, connect timeout."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if not isinstance(error, requests.ConnectionError):
        return False
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the real cause
    return isinstance(reason, NewConnectionError)


class Transport:
    """A pooled `requests.Session` and the retry loop every request of a hook goes through.

    Reads are retried on network errors, unreadable bodies and what the hook calls retryable. A write (any method
    but GET/HEAD/OPTIONS, unless the caller marks it `idempotent`) is resent only when it provably did not reach
    the vendor: a connection never made, or an answer `write_retryable` accepts (429, a documented "not
    applied" 5xx). Any other failure after sending raises WriteOutcomeUnknown, never retried here.
    """

    def __init__(
        self,
        *,
        vendor: str,
        user_agent: str,
        check: Callable[[requests.Response], None],
        is_retryable: Callable[[BaseException], bool],
        write_retryable: Callable[[BaseException], bool] = lambda error: False,
        policy: RetryPolicy | None = None,
        timeout: tuple[float, float] | None = None,
        pool_size: int = 16,
    ) -> None:
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = user_agent
        self.vendor = vendor
        self.check = check
        self.is_retryable = is_retryable
        self.write_retryable = write_retryable
        self.policy = policy or RetryPolicy()
        # (connect, read) seconds; the read bound can be set per deployment (slow links, or tests of timeouts).
        self.timeout = timeout or (10.0, float(os.environ.get(READ_TIMEOUT_ENV) or 60.0))
        self.stats = CallStats()
        self.ok_calls = 0

    def request(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        credits: int = 0,
        check: Callable[[requests.Response], None] | None = None,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request with bounded retries; `data` may be a factory so a streamed body is rebuilt per try.

        A success answer's JSON is parsed here (streams excepted) so `json_body` never mistakes garbage for "no data".
        """
        policy = self.policy
        check = check or self.check
        started = policy.clock()
        make_data = kwargs.pop("data", None)
        safe = method.upper() in SAFE_METHODS if idempotent is None else idempotent
        streamed = bool(kwargs.get("stream"))

        def attempt() -> requests.Response:
            data = make_data() if callable(make_data) else make_data
            try:
                response = self.session.request(method, url, data=data, timeout=self.timeout, **kwargs)
                ok = response.status_code < 400
                self.stats.record(endpoint, credits if ok else 0)
                self.ok_calls += ok
                if ok and not streamed:
                    parse_success(response, self.vendor, endpoint)
            except (requests.RequestException, UnreadableResponse) as error:
                if safe or sent_nothing(error):
                    raise
                raise WriteOutcomeUnknown(self.vendor, endpoint, _cause(error)) from None
            if not ok:
                try:
                    check(response)
                except Exception as error:
                    if not safe and (getattr(error, "status", 0) or 0) >= 500 and not self.write_retryable(error):
                        raise WriteOutcomeUnknown(self.vendor, endpoint, f"HTTP {response.status_code}") from None
                    raise
                finally:
                    response.close()
            return response

        def retryable(error: BaseException) -> bool:
            if isinstance(error, WriteOutcomeUnknown):
                return False
            if safe:
                return isinstance(error, UnreadableResponse) or self.is_retryable(error)
            return sent_nothing(error) or self.write_retryable(error)

        def stop(state: tenacity.RetryCallState) -> bool:
            over_time = policy.clock() - started + state.upcoming_sleep > policy.max_total_seconds
            return state.attempt_number >= policy.max_attempts or over_time

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s failed (%s); retry %d in %.1f s", endpoint, type(error).__name__, state.attempt_number,
                state.upcoming_sleep,
            )

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(retryable),
            wait=lambda state: policy.wait_for(
                state.attempt_number, state.outcome.exception() if state.outcome else None
            ),
            stop=stop,
            sleep=policy.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(attempt)


def _cause(error: BaseException) -> str:
    """Name a failure without its message: requests' messages carry URLs, and a signed URL is a secret."""
    if isinstance(error, UnreadableResponse):
        return f"HTTP {error.status} with an unreadable body: {error.why}"
    if isinstance(error, requests.Timeout):
        return "no answer before the read timeout"
    return f"connection lost after sending ({type(error).__name__})"


def is_network_error(error: BaseException) -> bool:
    """Connection errors and timeouts are always worth another try."""
    return isinstance(error, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError))
