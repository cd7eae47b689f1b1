"""Auth, error shapes, throttling, quota counting and roles: the parts a client's error handling meets."""

from __future__ import annotations

import requests


def test_missing_and_invalid_tokens_get_401_envelopes(tl):
    url = f"{tl.admin.api_url}/chats"
    missing = requests.get(url, timeout=10)
    assert missing.status_code == 401 and missing.json()["error_code"] == "missing_credentials"
    invalid = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert invalid.status_code == 401
    assert invalid.json() == {
        "status": "error",
        "message": "Invalid or expired token",
        "error_code": "invalid_token",
    }


def test_plain_text_401_mode(tl):
    tl.admin.faults(plain_text_401=True)
    response = requests.get(f"{tl.admin.api_url}/chats", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert response.status_code == 401 and response.text == "Unauthorized"
    assert response.headers["content-type"].startswith("text/plain")
    assert tl.get("/chats").status_code == 200  # a good token still works


def test_trailing_slash_gets_the_html_404(tl):
    response = tl.get("/chats/")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


def test_rate_limit_answers_429_with_retry_after(tl):
    tl.admin.faults(rate_limit_per_second=0.01, burst=1)
    assert tl.get("/workspace").status_code == 200
    limited = tl.get("/workspace")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error_code"] == "rate_limit_exceeded"


def test_403_throttle_mode_has_no_retry_after(tl):
    tl.admin.faults(rate_limit_per_second=0.01, burst=1, throttle_status=403)
    tl.get("/workspace")
    throttled = tl.get("/workspace")
    assert throttled.status_code == 403 and "Retry-After" not in throttled.headers


def test_quota_counts_real_calls_and_stats_count_per_endpoint(tl):
    before = tl.data("/workspace")["api_calls_quota"]["used"]
    tl.get("/chats")
    tl.get("/chats")
    tl.get("/whatsapp_accounts")
    assert tl.data("/workspace")["api_calls_quota"]["used"] == before + 4
    calls = tl.admin.stats()["calls"]
    assert calls["GET /chats"] == 2 and calls["GET /whatsapp_accounts"] == 1 and calls["GET /workspace"] == 2


def test_exhausted_quota_is_refused(tl):
    tl.admin.settings(api_calls_quota_total=1)
    assert tl.get("/chats").status_code == 200
    refused = tl.get("/chats")
    assert refused.status_code == 403 and refused.json()["error_code"] == "quota_exceeded"


def test_owner_and_admin_tokens_see_their_own_role(tl):
    assert tl.data("/workspace/teammates/me")["role"] == "Owner"
    admin = requests.get(
        f"{tl.admin.api_url}/workspace/teammates/me",
        headers={"Authorization": f"Bearer {tl.tokens['admin']}"},
        timeout=10,
    ).json()["data"]
    assert admin["role"] == "Admin" and admin["email"] == tl.tokens["admin_email"]
    roles = {t["role"] for t in tl.data("/workspace/teammates")["teammates"]}
    assert {"Owner", "Admin", "Agent"} <= roles


def test_wrong_method_and_bad_admin_input_are_clear_errors(tl):
    response = tl.api.post(f"{tl.admin.api_url}/workspace", timeout=10)
    assert response.status_code == 405 and response.json()["status"] == "error"
    bad = requests.post(f"{tl.admin.root_url}/__admin/seed", json={"chats": 1}, timeout=10)
    assert bad.status_code == 400 and "chats must be at least" in bad.json()["error"]
    unknown = requests.post(f"{tl.admin.root_url}/__admin/faults", json={"nonsense": 1}, timeout=10)
    assert unknown.status_code == 400
    negative = requests.post(
        f"{tl.admin.root_url}/__admin/faults", json={"rate_limit_per_second": -1}, timeout=10
    )
    assert negative.status_code == 400 and tl.admin.stats()["faults"]["rate_limit_per_second"] is None
    zone = requests.post(f"{tl.admin.root_url}/__admin/seed", json={"timezone": "Mars/Base"}, timeout=10)
    assert zone.status_code == 400 and "unknown timezone" in zone.json()["error"]
