"""A second origin for the security tests: a tiny HTTP server that serves an attacking page and records every
request made to it (an attacker's accounts server, or the cross-site page itself)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Recorded:
    """One request the hostile server received."""

    method: str
    path: str
    body: dict[str, str]


@dataclass
class HostileSite:
    """The running server: its URL, the pages it serves (by path), and what reached it."""

    url: str
    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_hostile_site() -> HostileSite:
    """Start the server on a free 127.0.0.1 port (a different origin from Airflow's)."""
    site: HostileSite

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length).decode(errors="replace") if length else ""
            body = {k: v[0] for k, v in parse_qs(raw).items()}
            site.requests.append(Recorded(self.command, self.path, body))

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._record()
            payload = site.pages.get(self.path.split("?")[0], "<!doctype html><title>cute cats</title>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:  # noqa: N802
            # Answer like a Zoho accounts server that hands out the attacker's tokens.
            self._record()
            payload = (b'{"access_token": "1000.attacker", "refresh_token": "1000.attacker-refresh", '
                       b'"api_domain": "' + site.url.encode() + b'", "expires_in": 3600}')
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site = HostileSite(f"http://127.0.0.1:{server.server_address[1]}", server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site
