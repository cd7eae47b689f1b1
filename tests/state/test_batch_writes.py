"""Batched writes: the calls made in `store.batch()` commit together, bulk statements write every row."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from timelines_zoho.state import ChatLink, IndexedRecord, StateStore


def test_a_batch_commits_its_calls_as_one_transaction(store: StateStore) -> None:
    store.claim_phones("t", {"+1555": "c1"})
    with pytest.raises(RuntimeError), store.batch():
        store.complete_claims("t", {"+1555": "r1"})
        store.save_links([ChatLink("c1", "r1", "+1555", "Ann", "created")])
        raise RuntimeError("crash before the batch commits")
    assert store.links(["c1"]) == {}
    assert store.claimed_phones(["+1555"]) == {"+1555": None}
    with store.batch():
        store.complete_claims("t", {"+1555": "r1"})
        store.save_links([ChatLink("c1", "r1", "+1555", "Ann", "created")])
    assert store.links(["c1"])["c1"].record_id == "r1"
    assert store.claimed_phones(["+1555"]) == {"+1555": "r1"}


def test_bulk_writes_reach_every_row(store: StateStore) -> None:
    phones = {f"+1555{n:04d}": f"c{n}" for n in range(1200)}
    store.claim_phones("t", phones)
    store.complete_claims("t", {p: f"r{n}" for n, p in enumerate(phones)})
    assert set(store.claimed_phones(list(phones)).values()) == {f"r{n}" for n in range(1200)}
    store.upsert_index_records([IndexedRecord(f"r{n}", "old", None, (p,)) for n, p in enumerate(phones)])
    store.set_index_names({f"r{n}": f"name {n}" for n in range(1200)})
    assert {r.name for r in store.index_records([f"r{n}" for n in range(1200)]).values()} == {
        f"name {n}" for n in range(1200)
    }
    assert store.match_phone_keys(list(phones))["+15550007"] == {"r7"}


def test_phone_keys_are_indexed_by_record(store: StateStore) -> None:
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(store.engine).get_indexes("tz_phone_keys")}
    assert indexes.get("ix_tz_phone_keys_record") == ["record_id"]
