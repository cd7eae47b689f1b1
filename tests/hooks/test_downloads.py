"""Attachment downloads say what failed without ever repeating the signed URL."""

from __future__ import annotations

import pytest
import requests

from timelines_zoho.hooks.downloads import Download, host_of, unreachable
from timelines_zoho.hooks.errors import TimelinesAIError
from timelines_zoho.hooks.timelinesai import check_download

SIGNED = "https://files.example.com/bucket/photo.jpg?X-Amz-Credential=AKIA%2F&X-Amz-Signature=deadbeef0123"


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content, response.url = status, body, SIGNED
    response.reason = "Bad Request"
    response.headers.update(headers or {})
    return response


def test_a_storage_error_page_that_echoes_the_signature_is_not_quoted() -> None:
    echo = b"<Error><Code>AuthorizationQueryParametersError</Code><SignatureProvided>deadbeef0123</SignatureProvided>"
    with pytest.raises(TimelinesAIError) as caught:
        check_download(_response(400, echo))
    assert caught.value.status == 400 and "files.example.com" in caught.value.message
    assert "deadbeef" not in str(caught.value) and "X-Amz" not in str(caught.value)


def test_a_refused_connection_names_the_host_only() -> None:
    error = unreachable(SIGNED, requests.ConnectionError(f"Max retries exceeded with url: {SIGNED}"))
    assert error.message == ("the download host https://files.example.com refused the connection or could not be "
                             "reached (ConnectionError)")
    assert host_of("/files/relative?Signature=x") == "(no host)"


def test_a_download_that_breaks_off_mid_file_is_a_timelines_error() -> None:
    class Broken(requests.Response):
        def iter_content(self, chunk_size: int = 1, decode_unicode: bool = False):  # type: ignore[override]
            yield b"first bytes"
            raise requests.exceptions.ChunkedEncodingError(f"broken at {SIGNED}")

    broken = Broken()
    broken.headers["Content-Length"] = "not a number"
    download = Download(broken, SIGNED)
    assert download.size is None
    with pytest.raises(TimelinesAIError) as caught:
        b"".join(download.chunks())
    assert "deadbeef" not in str(caught.value) and "ChunkedEncodingError" in caught.value.message
