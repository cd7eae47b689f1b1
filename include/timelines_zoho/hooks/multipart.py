"""A multipart/form-data body that streams a file in chunks instead of reading it into memory."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import BinaryIO

CHUNK = 64 * 1024


def _quote(filename: str) -> str:
    return filename.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


def multipart_file(
    field: str, filename: str, stream: BinaryIO, content_type: str = "application/octet-stream"
) -> tuple[Callable[[], Iterator[bytes]], str]:
    """Return a body factory (rewinding a seekable stream for each retry) and its Content-Type header."""
    boundary = f"timelines-zoho-{secrets.token_hex(12)}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{_quote(filename)}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    start = stream.tell() if stream.seekable() else None
    used = False

    def body() -> Iterator[bytes]:
        nonlocal used
        if used:
            if start is None:
                raise RuntimeError("cannot resend an upload from a stream that cannot seek")
            stream.seek(start)
        used = True
        yield head
        while chunk := stream.read(CHUNK):
            yield chunk
        yield tail

    return body, f"multipart/form-data; boundary={boundary}"
