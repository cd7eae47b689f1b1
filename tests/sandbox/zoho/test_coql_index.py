"""COQL through the emulator's ordered indexes answers exactly what the full scan answers."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from timelines_zoho_sandbox.zoho.coql import execute
from timelines_zoho_sandbox.zoho.state import ZohoState

BASE = 4150868000000300000


def stored(state: ZohoState) -> tuple[dict[str, list[dict[str, Any]]], Any]:
    """Return the state's Contacts as a plain list (for the scan) and its indexed view (for the planner)."""
    records = state.records["Contacts"]
    return {"Contacts": list(records.values())}, lambda module: state.ordered_indexes[module]


def both(query: str, state: ZohoState) -> tuple[Any, Any]:
    """Run a query by scan and through the indexes."""
    plain, indexed = stored(state)
    return execute(query, plain), execute(query, plain, indexes=indexed)


def fill(state: ZohoState, times: list[int | None], scores: list[int]) -> None:
    """Store Contacts in shuffled id order with the given day-of-month Modified_Time (None: no time)."""
    for n in sorted(range(len(times)), key=lambda n: (n * 7919) % max(len(times), 1)):
        day = times[n]
        record = {"id": str(BASE + n), "Last_Name": f"Name{n}", "Phone": f"+4860010{n:04d}", "Score": scores[n],
                  "Modified_Time": None if day is None else f"2026-01-{day:02d}T10:00:00+01:00"}
        state.put_record("Contacts", record)


ROWS = st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 28)), st.integers(-3, 3)), max_size=60)
CONDITIONS = st.sampled_from([
    "id is not null",
    "id > {id}",
    "id >= '{id}'",
    "id = {id}",
    "id <= {id}",
    "id between {id} and {id2}",
    "Modified_Time >= '2026-01-{day:02d}T09:00:00Z'",
    "Modified_Time < '2026-01-{day:02d}T09:00:00Z'",
    "Modified_Time = '2026-01-{day:02d}T10:00:00+01:00'",
    "(Modified_Time >= '2026-01-{day:02d}T00:00:00Z' and id > {id})",
    "((id is not null and Score > 0) and id > '{id}')",
    "(Modified_Time > '2026-01-{day:02d}' or id < {id})",
    "(Score = 1 and Modified_Time <= '2026-01-{day:02d}T23:00:00Z')",
    "id != {id}",
    "Modified_Time > 5",
    "Score >= 0",
])
ORDERS = st.sampled_from(["", "order by id", "order by id desc", "order by Score, id desc",
                          "order by Modified_Time desc, id", "order by Score"])


@settings(max_examples=300, deadline=None)
@given(rows=ROWS, condition=CONDITIONS, order=ORDERS, n=st.integers(-2, 62), day=st.integers(1, 28),
       limit=st.integers(1, 12), offset=st.integers(0, 8))
def test_indexed_answers_equal_the_scan(rows, condition, order, n, day, limit, offset):
    state = ZohoState()
    fill(state, [t for t, _ in rows], [s for _, s in rows])
    where = condition.format(id=BASE + n, id2=BASE + n + 9, day=day)
    query = f"select id, Phone, Last_Name, Modified_Time from Contacts where {where} {order} limit {offset}, {limit}"
    scanned, planned = both(query, state)
    assert planned == scanned


def test_updates_and_deletes_move_records_within_the_indexes():
    state = ZohoState()
    fill(state, [1, 2, 3, 4, 5], [0] * 5)
    state.put_record("Contacts", {**state.records["Contacts"][str(BASE + 1)],
                                  "Modified_Time": "2026-02-01T00:00:00Z"}, state.records["Contacts"][str(BASE + 1)])
    state.delete_record("Contacts", str(BASE + 3))
    query = "select id from Contacts where Modified_Time >= '2026-01-02T00:00:00Z' order by id"
    scanned, planned = both(query, state)
    assert planned == scanned
    assert [row["id"] for row in planned[0]] == [str(BASE + n) for n in (1, 2, 4)]
    for index in state.ordered_indexes["Contacts"].values():
        assert sorted(entry[1:] for entry in index.entries) == sorted(state.records["Contacts"].items())
        assert index.entries == sorted(index.entries, key=lambda entry: entry[:2])


def test_reloaded_state_rebuilds_the_indexes(tmp_path):
    path = str(tmp_path / "zoho.json")
    state = ZohoState(path)
    fill(state, [3, 1, 2], [0, 1, 2])
    state.save()
    again = ZohoState(path)
    query = "select id from Contacts where (Modified_Time >= '2026-01-02T00:00:00Z' and id > 0) order by id desc"
    scanned, planned = both(query, again)
    assert planned == scanned
    assert [row["id"] for row in planned[0]] == [str(BASE + 2), str(BASE)]
