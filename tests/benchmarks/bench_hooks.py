"""Benchmark the hooks against the emulators: overhead per call over bare requests, and OAuth refreshes in 8 hours.

Run: .venv/bin/python tests/benchmarks/bench_hooks.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time

from cryptography.fernet import Fernet

# Airflow reads its configuration at import time: isolate it before anything imports airflow.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench-hooks-"))
os.environ.setdefault("AIRFLOW__CORE__FERNET_KEY", Fernet.generate_key().decode())
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

import requests  # noqa: E402

from timelines_zoho.hooks import FileTokenCache, TimelinesAIHook, ZohoCRMHook  # noqa: E402
from timelines_zoho_sandbox.server import serve_app  # noqa: E402

HOUR = 3600.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(call, n: int) -> list[float]:
    """Run `call` n times and return each duration in milliseconds."""
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def overhead(name: str, hook_call, bare_call, n: int) -> None:
    """Interleave hook and bare calls in rounds so both see the same server conditions."""
    for _ in range(20):
        hook_call(), bare_call()
    hook_ms, bare_ms = [], []
    for _ in range(10):
        hook_ms += timed(hook_call, n // 10)
        bare_ms += timed(bare_call, n // 10)
    p50_hook, p50_bare = statistics.median(hook_ms), statistics.median(bare_ms)
    print(
        f"{name:<28} hook p50 {p50_hook:6.3f} ms  bare p50 {p50_bare:6.3f} ms  "
        f"overhead p50 {p50_hook - p50_bare:6.3f} ms  p90 {percentile(hook_ms, 0.9) - percentile(bare_ms, 0.9):6.3f} ms"
        f"  (n={len(hook_ms)} each)"
    )


class FakeClock:
    """Shared simulated wall clock (seconds) that workers advance as they make calls."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def refresh_run(
    zoho_admin,
    conn_id: str,
    *,
    workers: int,
    hours: int,
    minutes_per_run: float,
    calls_per_worker: int,
    continuous: bool,
) -> tuple[int, int]:
    """Simulate `hours` hourly runs (or one continuous run) of parallel workers; return (refreshes, calls)."""
    before = zoho_admin.stats().get("refreshes", 0)
    clock, cache_dir = FakeClock(), tempfile.mkdtemp(prefix="bench-cache-")
    start, total_calls = clock.now, 0
    run_length = hours * HOUR if continuous else minutes_per_run * 60
    runs = 1 if continuous else hours
    for run in range(runs):
        clock.now = start + run * HOUR
        step = run_length / (workers * calls_per_worker)
        barrier = threading.Barrier(workers)

        def work(barrier: threading.Barrier = barrier, step: float = step) -> None:
            hook = ZohoCRMHook(conn_id, token_cache=FileTokenCache(cache_dir), clock=clock)
            barrier.wait()
            for _ in range(calls_per_worker):
                hook.get_org()
                clock.advance(step)

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total_calls += workers * calls_per_worker
    return zoho_admin.stats().get("refreshes", 0) - before, total_calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()

    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho_sandbox.timelinesai.app import create_app as timelines_app
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin
    from timelines_zoho_sandbox.zoho.app import create_app as zoho_app

    zoho_server, timelines_server = (
        serve_app(lambda url: zoho_app(url)),
        serve_app(lambda url: timelines_app(url)),
    )
    try:
        zoho = ZohoSandboxAdmin(zoho_server.url)
        zoho.seed(users=[{"full_name": "Bench", "email": "bench@acme.example", "role": "Administrator"}])
        for conn_id in ("ZOHO_BENCH", "ZOHO_BENCH_CONTINUOUS"):  # one refresh token each: Zoho throttles per token
            grant = zoho.refresh_token(dc="eu")
            extra = {"data_centre": "custom", "accounts_url": grant["accounts_url"],
                     "refresh_token": grant["refresh_token"]}
            os.environ[f"AIRFLOW_CONN_{conn_id}"] = json.dumps({
                "conn_type": "zoho_crm", "login": grant["client_id"], "password": grant["client_secret"],
                "extra": extra})
        timelines = TimelinesAISandboxAdmin(timelines_server.url)
        token = timelines.tokens()["owner"]
        os.environ["AIRFLOW_CONN_TIMELINES_BENCH"] = json.dumps(
            {"conn_type": "timelines_ai", "host": timelines.api_url, "password": token}
        )

        print("== overhead per call (same emulator endpoint, pooled sessions on both sides) ==")
        hook = ZohoCRMHook("zoho_bench", token_cache=FileTokenCache(tempfile.mkdtemp()))
        access = hook.auth.token()
        bare = requests.Session()
        overhead(
            "Zoho GET /org",
            hook.get_org,
            lambda: bare.get(
                f"{access.api_domain}/crm/v8/org",
                timeout=30,
                headers={"Authorization": f"Zoho-oauthtoken {access.access_token}"},
            ).json(),
            args.calls,
        )
        tl = TimelinesAIHook("timelines_bench")
        overhead(
            "TimelinesAI GET /workspace",
            tl.get_workspace,
            lambda: bare.get(
                f"{timelines.api_url}/workspace", timeout=30, headers={"Authorization": f"Bearer {token}"}
            ).json()["data"],
            args.calls,
        )

        print("== OAuth refreshes, token TTL 1 h on a simulated clock, 8 parallel workers ==")
        refreshes, calls = refresh_run(
            zoho, "zoho_bench", workers=8, hours=8, minutes_per_run=15, calls_per_worker=25, continuous=False
        )
        print(f"8 hourly runs x 15 min     refreshes {refreshes} (target 8)  over {calls} API calls")
        refreshes, calls = refresh_run(zoho, "zoho_bench_continuous", workers=8, hours=8, minutes_per_run=0, calls_per_worker=200, continuous=True
        )
        print(
            f"8 h of continuous calls    refreshes {refreshes} (refresh 60 s before expiry)"
            f"  over {calls} API calls"
        )
    finally:
        zoho_server.stop()
        timelines_server.stop()


if __name__ == "__main__":
    main()
