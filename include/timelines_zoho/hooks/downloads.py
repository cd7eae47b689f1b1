"""An attachment download as callers see it: its declared size and its bytes, with faults as TimelinesAIError.

A signed file URL is a credential (anyone holding it can read the file until it expires), so nothing here puts
one in an error: a failure names the host only.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import requests

from timelines_zoho.hooks.errors import TimelinesAIError

CHUNK = 64 * 1024
# No HTTP answer at all (refused, reset, timed out): there is no status to report.
NO_ANSWER = 0


def host_of(url: str) -> str:
    """The scheme and host of a URL, without its path or signed query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "(no host)"


def unreachable(url: str, error: requests.RequestException) -> TimelinesAIError:
    """Say why a download failed before any answer, naming the host and the kind of fault, never the URL."""
    kind = type(error).__name__
    if isinstance(error, requests.ConnectionError):
        words = "refused the connection or could not be reached"
    elif isinstance(error, requests.Timeout):
        words = "did not answer in time"
    else:
        words = "could not be read from"
    return TimelinesAIError(NO_ANSWER, f"the download host {host_of(url)} {words} ({kind})", "download_failed")


class Download:
    """An open attachment download; close it by leaving the `open_attachment` block."""

    def __init__(self, response: requests.Response, url: str) -> None:
        self._response, self._url = response, url

    @property
    def size(self) -> int | None:
        """The size the server declared (Content-Length), or None when it did not say or said nonsense."""
        try:
            size = int(self._response.headers.get("Content-Length") or "")
        except ValueError:
            return None
        return size if size >= 0 else None

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        """Yield the file's bytes; a connection that breaks off mid-file raises TimelinesAIError."""
        try:
            yield from self._response.iter_content(size)
        except requests.RequestException as error:
            raise unreachable(self._url, error) from None

    def close(self) -> None:
        self._response.close()
