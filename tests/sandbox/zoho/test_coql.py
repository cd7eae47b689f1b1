"""The emulator's COQL engine: Zoho's subset, its limits and its error codes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timelines_zoho_sandbox.zoho.coql import CoqlError, execute

OWNER = {"id": "4150868000000225013", "name": "Ann Owner", "email": "ann@example.com"}


def contact(n: int, **fields: Any) -> dict[str, Any]:
    record = {
        "id": str(4150868000000300000 + n),
        "Last_Name": f"Name{n}",
        "First_Name": None,
        "Phone": f"+4860010{n:04d}",
        "Owner": OWNER,
        "Modified_Time": f"2026-01-{1 + n % 28:02d}T10:00:00+01:00",
        "Score": n,
    }
    record.update(fields)
    return record


@pytest.fixture
def records() -> dict[str, list[dict[str, Any]]]:
    return {"Contacts": [contact(n) for n in range(30)], "Leads": []}


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [int(row["id"]) - 4150868000000300000 for row in rows]


def error_of(query: str, records: dict[str, list[dict[str, Any]]]) -> CoqlError:
    with pytest.raises(CoqlError) as caught:
        execute(query, records)
    return caught.value


def test_rows_hold_only_selected_fields_plus_id_with_lookups_as_id_objects(records):
    rows, more = execute("select Last_Name, Owner, Owner.email from Contacts where Score = 3", records)
    assert rows == [
        {"Last_Name": "Name3", "Owner": {"id": OWNER["id"]}, "Owner.email": "ann@example.com", "id": records[
            "Contacts"][3]["id"]}
    ]
    assert more is False


def test_where_clause_is_optional_and_default_limit_is_200_in_id_order():
    many = {"Contacts": [contact(n) for n in reversed(range(250))]}
    rows, more = execute("SELECT Last_Name FROM Contacts", many)
    assert ids(rows) == list(range(200))
    assert more is True


def test_limit_offset_both_forms_page_the_same_way(records):
    by_offset, more = execute("select Score from Contacts where Score >= 0 limit 5 offset 10", records)
    by_comma, _ = execute("select Score from Contacts where Score >= 0 limit 10, 5", records)
    assert ids(by_offset) == ids(by_comma) == [10, 11, 12, 13, 14]
    assert more is True
    last, more = execute("select Score from Contacts where Score >= 0 limit 5 offset 25", records)
    assert ids(last) == [25, 26, 27, 28, 29] and more is False


def test_pairwise_brackets_are_required_for_three_criteria(records):
    err = error_of("select Score from Contacts where Score > 1 and Score < 9 and Score != 5", records)
    assert err.code == "SYNTAX_ERROR"
    assert err.details["near"] == "and" and err.details["line"] == 1
    rows, _ = execute("select Score from Contacts where ((Score > 1 and Score < 9) and Score != 5)", records)
    assert ids(rows) == [2, 3, 4, 6, 7, 8]


def test_or_and_nested_brackets(records):
    rows, _ = execute(
        "select Score from Contacts where (Score in (1, 2, 3) or (Last_Name like '%e2_' and Score not in (20)))",
        records,
    )
    assert ids(rows) == [1, 2, 3, 21, 22, 23, 24, 25, 26, 27, 28, 29]


def test_string_literals_support_doubled_quote_and_backslash_escapes():
    data = {"Contacts": [contact(1, Last_Name="O'Brien"), contact(2, Last_Name="Plain")]}
    assert ids(execute(r"select Last_Name from Contacts where Last_Name = 'O\'Brien'", data)[0]) == [1]
    assert ids(execute("select Last_Name from Contacts where Last_Name = 'o''brien'", data)[0]) == [1]


def test_text_equality_ignores_case_and_null_checks_treat_empty_as_null():
    data = {"Contacts": [contact(1, First_Name="Ann"), contact(2, First_Name=""), contact(3)]}
    assert ids(execute("select id from Contacts where First_Name = 'ANN'", data)[0]) == [1]
    assert ids(execute("select id from Contacts where First_Name is null", data)[0]) == [2, 3]
    assert ids(execute("select id from Contacts where First_Name is not null", data)[0]) == [1]
    assert ids(execute("select id from Contacts where First_Name != 'ann'", data)[0]) == []


def test_id_compares_as_number_or_string_and_owner_compares_by_id(records):
    target = records["Contacts"][7]["id"]
    assert ids(execute(f"select id from Contacts where id = {target}", records)[0]) == [7]
    assert ids(execute(f"select id from Contacts where id = '{target}'", records)[0]) == [7]
    assert ids(execute(f"select id from Contacts where id > '{target}' limit 3", records)[0]) == [8, 9, 10]
    assert len(execute(f"select id from Contacts where Owner = '{OWNER['id']}'", records)[0]) == 30


def test_modified_time_compares_as_instants_across_offsets(records):
    # Record 3 was modified at 2026-01-04T10:00+01:00, which is 09:00 UTC.
    query = "select id from Contacts where (Modified_Time >= '2026-01-04T09:00:00+00:00' and Score < 5)"
    assert ids(execute(query, records)[0]) == [3, 4]
    assert ids(execute("select id from Contacts where Modified_Time between "
                       "'2026-01-02T00:00:00Z' and '2026-01-03T23:59:59Z'", records)[0]) == [1, 2, 29]


def test_order_by_several_fields_with_directions():
    data = {"Contacts": [contact(n, Last_Name=f"L{n % 3}") for n in range(6)]}
    rows, _ = execute("select Last_Name from Contacts order by Last_Name desc, Score asc", data)
    assert ids(rows) == [2, 5, 1, 4, 0, 3]


def test_module_name_is_case_insensitive_and_unknown_module_is_invalid(records):
    assert len(execute("select id from contacts limit 2", records)[0]) == 2
    err = error_of("select id from Dealz", records)
    assert (err.code, err.details) == ("INVALID_MODULE", {"module": "Dealz"})


def test_empty_module_returns_no_rows(records):
    assert execute("select Last_Name from Leads where Last_Name = 'x'", records) == ([], False)


@pytest.mark.parametrize(
    ("query", "code", "details"),
    [
        ("select id from Contacts limit 2001", "LIMIT_EXCEEDED", {"by": "limit", "limit": 2000}),
        ("select id from Contacts limit 2000 offset 98001", "LIMIT_EXCEEDED", {"by": "offset", "limit": 100000}),
        ("select id from Contacts limit s", "INVALID_QUERY", {"limit": "s"}),
        ("select id from Contacts limit 0", "INVALID_QUERY", {"limit": "0"}),
        ("select id from Contacts limit 5 offset -1", "INVALID_QUERY", {"offset": "-1"}),
        ("select Phone, phone from Contacts", "DUPLICATE_DATA", {"column_name": "phone"}),
        ("select * from Contacts", "SYNTAX_ERROR", {"line": 1, "column": 8, "near": "*"}),
        ("select id Contacts", "SYNTAX_ERROR", {"clause": "from"}),
        ("update Contacts set x = 1", "SYNTAX_ERROR", {"clause": "select"}),
        ("select id from Contacts where Score = ", "SYNTAX_ERROR", {"line": 1, "column": 39, "near": "end"}),
        ("select id from Contacts where (Score = 1", "SYNTAX_ERROR", {"line": 1, "column": 41, "near": "end"}),
        ("select id from Contacts\nwhere Last_Name = 'open", "SYNTAX_ERROR", {"line": 2, "column": 19, "near": "'open"}),
        ("select id from Contacts group by Phone", "SYNTAX_ERROR", {"line": 1, "column": 25, "near": "group"}),
        ("select id from Contacts where Score not = 1", "SYNTAX_ERROR", {"line": 1, "column": 41, "near": "="}),
    ],
)
def test_bad_queries_get_zoho_error_codes(records, query, code, details):
    err = error_of(query, records)
    assert (err.code, err.details) == (code, details)


def test_in_list_is_capped_at_100_values(records):
    values = ", ".join(str(n) for n in range(101))
    err = error_of(f"select id from Contacts where Score in ({values})", records)
    assert err.code == "INVALID_QUERY" and "100" in err.message


def test_where_is_capped_at_25_criteria(records):
    where = "Score = 0"
    for n in range(1, 26):
        where = f"({where} or Score = {n})"
    err = error_of(f"select id from Contacts where {where}", records)
    assert (err.code, err.details["by"]) == ("LIMIT_EXCEEDED", "where")


def test_unknown_column_is_invalid_when_field_names_are_given(records):
    fields = {"Contacts": ["Last_Name", "Score", "Owner"]}
    with pytest.raises(CoqlError) as caught:
        execute("select Last_Name from Contacts where Nope = 1", records, fields_by_module=fields)
    assert (caught.value.code, caught.value.details) == (
        "INVALID_QUERY", {"column_name": "Nope", "clause": "where"}
    )
    rows, _ = execute("select Owner.name from Contacts where Score = 1", records, fields_by_module=fields)
    assert rows[0]["Owner.name"] == "Ann Owner"


def test_100k_records_page_by_id_without_gaps_or_repeats():
    data = {"Contacts": [contact(n, Score=n % 1000) for n in range(100_000)]}
    seen: list[int] = []
    last = "0"
    while True:
        rows, more = execute(f"select id from Contacts where (id > '{last}' and Score < 10) limit 2000", data)
        seen.extend(ids(rows))
        if not more:
            break
        last = rows[-1]["id"]
    assert seen == [n for n in range(100_000) if n % 1000 < 10]


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.integers(-5, 5), max_size=40),
    low=st.integers(-6, 6),
    high=st.integers(-6, 6),
    limit=st.integers(1, 10),
    offset=st.integers(0, 10),
)
def test_filter_order_and_paging_agree_with_python(scores, low, high, limit, offset):
    data = {"Contacts": [contact(n, Score=s) for n, s in enumerate(scores)]}
    rows, more = execute(
        f"select Score from Contacts where (Score >= {low} or Score = {high}) "
        f"order by Score desc limit {limit} offset {offset}",
        data,
    )
    expected = sorted(
        (n for n, s in enumerate(scores) if s >= low or s == high), key=lambda n: scores[n], reverse=True
    )
    assert ids(rows) == expected[offset : offset + limit]
    assert more == (len(expected) > offset + limit)
