"""Benchmark the Zoho emulator at 100,000 contacts: seed time, RSS, and p50/p95 per request kind.

Figures are taken twice: over real HTTP (client and server share this process and the machine's cores), and
in-process through the ASGI app alone (the server's own cost, without the HTTP client and socket).
Run: .venv/bin/python tests/benchmarks/bench_sandbox_zoho.py [--contacts N] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from timelines_zoho_sandbox.server import serve_app
from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin
from timelines_zoho_sandbox.zoho.app import create_app


def rss_mib() -> float:
    """Return this process's resident set size (the emulator runs in it) in MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def contacts(count: int) -> list[dict[str, str]]:
    """Build deterministic contacts with varied phone formats."""
    rng = random.Random(42)
    rows = []
    for n in range(count):
        national = f"{600000000 + n:09d}"
        phone = rng.choice([f"+48 {national[:3]} {national[3:6]} {national[6:]}", f"0048{national}", f"+48{national}"])
        rows.append({"Last_Name": f"Contact {n}", "First_Name": "Bench", "Phone": phone,
                     "Email": f"c{n}@example.com", "Lead_Source": "Chat"})
    return rows


class AsgiSession:
    """Call the ASGI app directly with the requests.Session methods the benchmark uses."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.loop = asyncio.new_event_loop()

    def get(self, url: str, params: dict[str, str] | None = None) -> Any:
        return self.loop.run_until_complete(self._call("GET", url, params or {}, b""))

    def post(self, url: str, json: Any) -> Any:  # noqa: A002 - same keyword as requests
        return self.loop.run_until_complete(self._call("POST", url, {}, _dumps(json)))

    async def _call(self, method: str, url: str, params: dict[str, str], body: bytes) -> Any:
        path = urlsplit(url).path
        scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "root_path": "",
                 "query_string": urlencode(params).encode(), "http_version": "1.1", "scheme": "http",
                 "headers": [*self.headers, (b"content-type", b"application/json")], "server": ("b", 80),
                 "client": ("b", 1)}
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        return _Answer(sent[0]["status"])


class _Answer:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.text = ""


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def timed(label: str, count: int, call: Callable[[int], Any]) -> None:
    """Run `call` count times and print p50/p95 in milliseconds."""
    samples = []
    for n in range(count):
        start = time.perf_counter()
        response = call(n)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 400, response.text[:200]
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<28} p50 {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms   (n={count})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    server = serve_app(lambda url: create_app(url))
    admin = ZohoSandboxAdmin(server.url)
    rows = contacts(args.contacts)
    before = rss_mib()
    start = time.perf_counter()
    for offset in range(0, len(rows), 25_000):
        admin.seed(records={"Contacts": rows[offset : offset + 25_000]})
    print(f"seed {args.contacts} contacts: {time.perf_counter() - start:.2f} s; "
          f"RSS {rss_mib():.0f} MiB (+{rss_mib() - before:.0f} MiB for the data)")
    grant = admin.refresh_token()
    session = requests.Session()
    session.headers["Authorization"] = f"Zoho-oauthtoken {grant['access_token']}"
    base = f"{grant['api_domain']}/crm/v8"
    ids = [r["id"] for r in session.get(f"{base}/Contacts", params={"fields": "Last_Name"}).json()["data"]]
    oldest = session.get(f"{base}/Contacts", params={"fields": "Last_Name", "sort_order": "asc", "per_page": 1})
    first_id = int(oldest.json()["data"][0]["id"])
    print("-- over HTTP")
    run_all(session, base, ids, first_id, args.contacts, args.requests)
    print("-- in-process (ASGI app only)")
    app = server.server.config.app
    run_all(AsgiSession(app, dict(session.headers)), base, ids, first_id, args.contacts, args.requests)
    print(f"final RSS {rss_mib():.0f} MiB")
    server.stop()


def run_all(session: Any, base: str, ids: list[str], first_id: int, contacts_count: int, count: int) -> None:
    """Time each request kind."""
    rng = random.Random(7)
    timed("list page 1 (200 records)", count,
          lambda n: session.get(f"{base}/Contacts", params={"fields": "Last_Name,Phone,Email", "page": n % 10 + 1}))
    timed("get by id", count, lambda n: session.get(f"{base}/Contacts/{ids[n % len(ids)]}"))
    timed("search phone (contains)", count, lambda n: session.get(
        f"{base}/Contacts/search", params={"phone": f"{600000000 + rng.randrange(contacts_count):09d}"}))
    timed("search email", count, lambda n: session.get(
        f"{base}/Contacts/search", params={"email": f"c{rng.randrange(contacts_count)}@example.com"}))
    timed("coql by Last_Name", max(count // 10, 10), lambda n: session.post(f"{base}/coql", json={
        "select_query": f"select Last_Name, Phone from Contacts where Last_Name = 'Contact {rng.randrange(contacts_count)}'"}))
    # The sync's phone index refresh: pages of 2,000 by id, and the incremental read since its watermark.
    index_query = "select id, Phone, Mobile, Full_Name, Modified_Time from Contacts"
    timed("coql index page (id > last)", max(count // 10, 10), lambda n: session.post(f"{base}/coql", json={
        "select_query": f"{index_query} where (id is not null and id > {first_id + rng.randrange(contacts_count - 2000)})"
                        " order by id asc limit 2000"}))
    watermark = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    timed("coql since watermark (none)", count, lambda n: session.post(f"{base}/coql", json={
        "select_query": f"{index_query} where Modified_Time >= '{watermark}' order by id asc limit 2000"}))
    timed("insert 1 record", count, lambda n: session.post(
        f"{base}/Contacts", json={"data": [{"Last_Name": f"New {n}", "Phone": f"+1 555 {n:07d}"}]}))
    timed("insert 100 records", max(count // 10, 10), lambda n: session.post(
        f"{base}/Contacts", json={"data": [{"Last_Name": f"Batch {n}-{k}"} for k in range(100)]}))


if __name__ == "__main__":
    main()
