"""Pure parts of the hooks: data centres, quoting, COQL paging, chunking, retry rules, stats, multipart."""

from __future__ import annotations

import io

import pytest
import requests
from hypothesis import assume, given
from hypothesis import strategies as st

from timelines_zoho.hooks.datacentres import (
    CUSTOM_ACCOUNTS_ENV,
    DATA_CENTRES,
    resolve_data_centre,
    trusted_api_domain,
)
from timelines_zoho.hooks.errors import RecordResult, TimelinesAIError, ZohoAPIError
from timelines_zoho.hooks.multipart import multipart_file
from timelines_zoho.hooks.queries import (
    chunked,
    coql_page,
    coql_quote,
    criteria_quote,
    is_pageable,
    record_id,
)
from timelines_zoho.hooks.transport import RetryPolicy, endpoint_label
from timelines_zoho.hooks.zoho import is_retryable_zoho, module_name

EXPECTED_HOSTS = {
    "us": ("https://accounts.zoho.com", "https://www.zohoapis.com"),
    "eu": ("https://accounts.zoho.eu", "https://www.zohoapis.eu"),
    "in": ("https://accounts.zoho.in", "https://www.zohoapis.in"),
    "au": ("https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
    "jp": ("https://accounts.zoho.jp", "https://www.zohoapis.jp"),
    "ca": ("https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
    "sa": ("https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    "cn": ("https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
}
HOSTILE = ["O'Brien", "a') or (Last_Name != 'x", "Smith, John", "(x)", "back\\", "\\'", "''", "a\\' or id > 0 --"]


@pytest.mark.parametrize("dc", sorted(EXPECTED_HOSTS))
def test_every_data_centre_has_its_accounts_and_api_hosts(dc: str) -> None:
    resolved = resolve_data_centre(dc.upper())
    assert (resolved.accounts_url, resolved.api_domain) == EXPECTED_HOSTS[dc]


def test_data_centre_table_covers_exactly_the_eight_regions() -> None:
    assert set(DATA_CENTRES) == set(EXPECTED_HOSTS)


@pytest.mark.parametrize("dc", sorted(EXPECTED_HOSTS))
def test_named_data_centre_ignores_any_url_in_the_connection(dc: str) -> None:
    resolved = resolve_data_centre(dc, "https://evil.example/accounts", "https://evil.example/api")
    assert (resolved.accounts_url, resolved.api_domain) == EXPECTED_HOSTS[dc]


@pytest.mark.parametrize(("named", "trusted"), [("https://sandbox.zohoapis.eu/", True), ("https://www.zohoapis.eu", True),
                                               ("https://www.zohoapis.com", False), ("https://evil.example", False)])
def test_token_response_api_domain_must_belong_to_the_region(named: str, trusted: bool) -> None:
    if trusted:
        assert trusted_api_domain(DATA_CENTRES["eu"], named) == named.rstrip("/")
    else:
        with pytest.raises(ValueError, match="not https://www.zohoapis.eu of eu"):
            trusted_api_domain(DATA_CENTRES["eu"], named)


def test_custom_data_centre_takes_both_urls_on_the_configured_host(monkeypatch) -> None:
    monkeypatch.setenv(CUSTOM_ACCOUNTS_ENV, "http://127.0.0.1:9/eu/accounts")
    dc = resolve_data_centre("custom", "http://127.0.0.1:9/us/accounts/", "http://127.0.0.1:9/us/api")
    assert (dc.accounts_url, dc.api_domain) == ("http://127.0.0.1:9/us/accounts", "http://127.0.0.1:9/us/api")
    assert resolve_data_centre("custom").accounts_url == "http://127.0.0.1:9/eu/accounts"


@pytest.mark.parametrize(("accounts", "api"), [("http://127.0.0.1:8/us/accounts", None),
                                               ("http://127.0.0.1:9/us/accounts", "https://evil.example/api")])
def test_custom_data_centre_off_the_configured_host_is_refused(monkeypatch, accounts: str, api: str | None) -> None:
    monkeypatch.setenv(CUSTOM_ACCOUNTS_ENV, "http://127.0.0.1:9/eu/accounts")
    with pytest.raises(ValueError, match="not on the configured host"):
        resolve_data_centre("custom", accounts, api)


@pytest.mark.parametrize(("code", "accounts"), [("custom", "http://127.0.0.1:9/us/accounts"), ("mars", None)])
def test_unusable_data_centre_is_a_clear_error(monkeypatch, code: str, accounts: str | None) -> None:
    monkeypatch.delenv(CUSTOM_ACCOUNTS_ENV, raising=False)
    with pytest.raises(ValueError, match="'custom' is not configured|unknown Zoho data centre"):
        resolve_data_centre(code, accounts)


@pytest.mark.parametrize("value", HOSTILE)
def test_coql_quote_keeps_hostile_values_inside_one_literal(value: str) -> None:
    from timelines_zoho_sandbox.zoho.coql import tokenize

    tokens = [t for t in tokenize(f"select id from Contacts where Last_Name = {coql_quote(value)}") if t.kind != "end"]
    assert [t.kind for t in tokens][-2:] == ["op", "str"]
    assert tokens[-1].value == value


@given(st.text(alphabet="ab'(),\\ %=", min_size=1, max_size=12))
def test_coql_quote_matches_only_the_exact_value_in_the_emulator(value: str) -> None:
    from timelines_zoho_sandbox.zoho.coql import execute

    assume(value.strip().lower() != "other")
    records = {"Contacts": [{"id": "1", "Last_Name": value}, {"id": "2", "Last_Name": "other"}]}
    rows, _ = execute(f"select Last_Name from Contacts where Last_Name = {coql_quote(value)}", records)
    assert [r["id"] for r in rows] == ["1"]


def test_coql_quote_renders_numbers_and_booleans_and_refuses_control_characters() -> None:
    assert (coql_quote(5), coql_quote(True), coql_quote(1.5)) == ("5", "true", "1.5")
    with pytest.raises(ValueError):
        coql_quote("a\x00b")
    with pytest.raises(TypeError):
        coql_quote(None)  # type: ignore[arg-type]


def test_criteria_quote_escapes_brackets_commas_and_backslashes() -> None:
    assert criteria_quote("Burns,B (x)\\") == "Burns\\,B \\(x\\)\\\\"


def test_coql_page_adds_id_cursor_and_brackets_pairwise() -> None:
    assert coql_page("select id from Contacts", None) == "select id from Contacts order by id asc limit 2000"
    assert coql_page("select id from Contacts", "42") == "select id from Contacts where id > 42 order by id asc limit 2000"
    query = "select id from Contacts where (Phone = 'a' or Mobile = 'where (x')"
    assert coql_page(query, "7") == (
        "select id from Contacts where ((Phone = 'a' or Mobile = 'where (x') and id > 7) order by id asc limit 2000"
    )
    assert coql_page("select id from Contacts where Phone = 'a'", "7").endswith("where ((Phone = 'a') and id > 7) "
                                                                                  "order by id asc limit 2000")


def test_coql_pages_parse_in_the_emulator() -> None:
    from timelines_zoho_sandbox.zoho.coql import parse

    for query in ("select id from Contacts where Phone = 'a'", "select id from Contacts where (A = 'x' and B = 'y')"):
        parse(coql_page(query, "123"))


def test_queries_with_their_own_limit_or_order_are_not_paged() -> None:
    assert not is_pageable("select id from Contacts limit 5")
    assert not is_pageable("select id from Contacts order by Last_Name")
    assert is_pageable("select id from Contacts where Last_Name = 'limit 5 order by x'")


def test_record_ids_and_module_names_cannot_reach_into_a_path() -> None:
    assert record_id(123) == "123"
    for bad in ("1/../2", "12 or 1", ""):
        with pytest.raises(ValueError):
            record_id(bad)
    with pytest.raises(ValueError):
        module_name("Contacts/../users")


def test_chunked_splits_by_100_with_offsets() -> None:
    chunks = list(chunked(list(range(250))))
    assert [(offset, len(chunk)) for offset, chunk in chunks] == [(0, 100), (100, 100), (200, 50)]


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (ZohoAPIError(429, "TOO_MANY_REQUESTS", ""), True),
        (ZohoAPIError(500, "INTERNAL_ERROR", ""), True),
        (ZohoAPIError(503, "HTTP_503", ""), True),
        (ZohoAPIError(400, "INVALID_DATA", ""), False),
        (ZohoAPIError(401, "INVALID_TOKEN", ""), False),
        (ZohoAPIError(404, "INVALID_URL_PATTERN", ""), False),
        (requests.ConnectionError(), True),
        (requests.ReadTimeout(), True),
        (ValueError(), False),
    ],
)
def test_zoho_retry_predicate(error: BaseException, retry: bool) -> None:
    assert is_retryable_zoho(error) is retry


def test_wait_honours_retry_after_else_backs_off_exponentially() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_max=5.0, jitter=lambda: 0.0)
    assert policy.wait_for(1, TimelinesAIError(429, "slow down", retry_after=7.0)) == 7.0
    assert [policy.wait_for(n, None) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_endpoint_label_folds_ids_and_uuids() -> None:
    assert endpoint_label("get", "/Contacts/4150868000000002175/Notes") == "GET /Contacts/{id}/Notes"
    assert endpoint_label("GET", "/messages/de919486-0c93-409d-ae66-c2bbb544faca") == "GET /messages/{id}"
    assert endpoint_label("POST", "/coql") == "POST /coql"


def test_record_result_maps_success_and_error_items() -> None:
    ok = RecordResult.from_item(3, {"status": "success", "code": "SUCCESS", "message": "record added",
                                    "details": {"id": "42"}})
    bad = RecordResult.from_item(4, {"status": "error", "code": "MANDATORY_NOT_FOUND", "message": "required",
                                     "details": {"api_name": "Last_Name"}})
    assert (ok.index, ok.ok, ok.id) == (3, True, "42")
    assert (bad.ok, bad.code, bad.id, bad.details["api_name"]) == (False, "MANDATORY_NOT_FOUND", None, "Last_Name")


def test_multipart_body_streams_the_file_and_rewinds_for_a_retry() -> None:
    payload = b"x" * 200_000
    body, content_type = multipart_file("file", 'a "b".txt', io.BytesIO(payload))
    boundary = content_type.split("boundary=")[1]
    first, second = b"".join(body()), b"".join(body())
    assert first == second
    assert payload in first and first.endswith(f"--{boundary}--\r\n".encode())
    assert b'filename="a \\"b\\".txt"' in first
