"""Issue 12 item 7: Airflow's Connection Test says "ok" only when the sync would work with these credentials."""

from __future__ import annotations

from timelines_zoho.hooks import FileTokenCache, TimelinesAIHook, ZohoCRMHook

ZOHO = "zoho_crm_test"
TIMELINES = "timelines_ai_test"


def test_zoho_test_fails_with_a_wrong_client_secret_even_while_a_cached_token_works(zoho_connect, set_connection,
                                                                                   tmp_path):
    grant = zoho_connect(ZOHO)
    cache = FileTokenCache(tmp_path)
    ok, message = ZohoCRMHook(ZOHO, token_cache=cache).test_connection()
    assert ok, message
    set_connection(ZOHO, conn_type="zoho_crm", login=grant["client_id"], password="wrong-secret",
                   extra={"data_centre": "custom", "accounts_url": grant["accounts_url"],
                          "refresh_token": grant["refresh_token"]})
    ok, message = ZohoCRMHook(ZOHO, token_cache=cache).test_connection()
    assert not ok
    assert message.startswith("token refresh: invalid_client_secret: the client secret is wrong")
    assert "wrong-secret" not in message


def test_timelines_test_reports_the_role_and_fails_for_a_non_owner(timelines_admin, set_connection):
    tokens = timelines_admin.tokens()
    set_connection(TIMELINES, conn_type="timelines_ai", host=timelines_admin.api_url, password=tokens["owner"])
    ok, message = TimelinesAIHook(timelines_conn_id=TIMELINES).test_connection()
    assert ok and "role Owner" in message
    set_connection(TIMELINES, conn_type="timelines_ai", host=timelines_admin.api_url, password=tokens["admin"])
    ok, message = TimelinesAIHook(timelines_conn_id=TIMELINES).test_connection()
    assert not ok
    assert "role Admin" in message and "only the workspace Owner" in message
