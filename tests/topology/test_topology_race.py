"""Two processes race to create the same contacts on PostgreSQL: the database lets exactly one create each phone."""

from __future__ import annotations

import multiprocessing
import uuid

import pytest
from topology_harness import fresh_databases, pg_url, query

pytestmark = pytest.mark.topology

PHONES = [f"+4860100{n:04d}" for n in range(200)]


def _claim(url: str, token: str, barrier: multiprocessing.Barrier, results: multiprocessing.Queue) -> None:
    """Open a store of our own, wait for the other process, then claim every phone (in our own order)."""
    from timelines_zoho.state import StateStore

    store = StateStore(url)
    phones = PHONES if token == "shard-a" else PHONES[::-1]
    barrier.wait(timeout=60)
    claims = {}
    for phone in phones:  # one claim per call: the two processes interleave on every phone
        claims.update(store.claim_phones(token, {phone: f"chat-{phone}"}))
    results.put((token, {phone: claim.status for phone, claim in claims.items()}))
    store.dispose()


def test_two_processes_claiming_the_same_phones_create_each_once() -> None:
    from timelines_zoho.state import StateStore

    name = f"topo_race_{uuid.uuid4().hex[:10]}"
    with fresh_databases(name):
        url = pg_url(name)
        StateStore(url).migrate()
        ctx = multiprocessing.get_context("spawn")
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [
            ctx.Process(target=_claim, args=(url, token, barrier, results))
            for token in ("shard-a", "shard-b")
        ]
        for proc in procs:
            proc.start()
        outcomes = dict(results.get(timeout=120) for _ in procs)
        for proc in procs:
            proc.join(timeout=30)
            assert proc.exitcode == 0

        for phone in PHONES:
            statuses = sorted(outcomes[token][phone] for token in outcomes)
            assert statuses == ["busy", "fresh"], (phone, statuses)
        winners = {phone for phone in PHONES if outcomes["shard-a"][phone] == "fresh"}
        rows = dict(query(name, "SELECT phone_e164, owner FROM tz_contact_claims"))
        assert set(rows) == set(PHONES)
        assert all(rows[p] == ("shard-a" if p in winners else "shard-b") for p in PHONES)
