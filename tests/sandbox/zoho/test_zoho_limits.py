"""Credits, concurrency and injected faults in the emulator."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests


def test_write_costs_one_credit_per_ten_records_and_header_appears_past_half(zoho, api):
    zoho.faults(credits_budget=40)
    first = api.post("Contacts", {"data": [{"Last_Name": f"L{n}"} for n in range(25)]})
    assert first.status_code == 201 and "X-API-CREDITS-REMAINING" not in first.headers
    assert zoho.stats()["credits_used"] == 3
    for _ in range(17):
        api.get("Contacts", fields="Last_Name")
    past_half = api.get("Contacts", fields="Last_Name")
    assert past_half.headers["X-API-CREDITS-REMAINING"] == "19"


def test_exhausted_credits_answer_429(zoho, api):
    zoho.faults(credits_budget=2)
    assert api.get("Contacts", fields="Last_Name").status_code == 204
    assert api.get("Contacts", fields="Last_Name").status_code == 204
    response = api.get("Contacts", fields="Last_Name")
    assert response.status_code == 429 and response.json()["code"] == "TOO_MANY_REQUESTS"
    assert "24 hour" in response.json()["message"]


def test_calls_over_the_edition_concurrency_get_429(zoho, api):
    zoho.faults(concurrency=2, latency_ms=400)
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: api.get("users").status_code, range(6)))
    assert statuses.count(200) >= 1 and statuses.count(429) >= 1
    assert set(statuses) <= {200, 429}


def test_search_and_coql_have_a_lower_sub_concurrency(zoho, api):
    zoho.faults(concurrency=20, sub_concurrency=1, latency_ms=400)
    with ThreadPoolExecutor(4) as pool:
        searches = list(pool.map(lambda _: api.get("Contacts/search", word="doe").status_code, range(3)))
        users = list(pool.map(lambda _: api.get("users").status_code, range(3)))
    assert searches.count(429) >= 1 and set(searches) <= {204, 429}
    assert users == [200, 200, 200]


def test_injected_errors_are_seeded_and_reproducible(zoho, api):
    def run() -> list[int]:
        zoho.faults(seed=7, error_rate=0.5)
        return [api.get("users").status_code for _ in range(12)]

    first = run()
    assert first == run() and {200, 500} <= set(first)
    zoho.faults(error_rate=0.0, rate_limit_rate=1.0)
    limited = api.get("users")
    assert limited.status_code == 429 and limited.json()["status"] == "error"


def test_connection_reset_fault_breaks_the_response(zoho, api):
    zoho.faults(reset_rate=1.0)
    with pytest.raises(requests.exceptions.RequestException):
        api.get("users").json()


def test_stats_count_calls_per_endpoint(zoho, api):
    [record_id] = api.insert("Contacts", {"Last_Name": "Doe"})
    api.get(f"Contacts/{record_id}")
    api.get(f"Contacts/{record_id}")
    calls = zoho.stats()["calls"]
    assert calls["POST /crm/v8/Contacts"] == 1 and calls["GET /crm/v8/Contacts/{id}"] == 2
