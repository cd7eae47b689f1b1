"""ZohoCRMHook OAuth against the Zoho emulator: every DC, wrong DC, expiry mid-paging, shared refresh, grant codes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from timelines_zoho.hooks import FileTokenCache, ZohoAuthError, ZohoCRMHook

DCS = ["us", "eu", "in", "au", "jp", "ca", "sa", "cn"]
CONN = "zoho_crm_test"


def refreshes(admin) -> int:
    return admin.stats().get("refreshes", 0)


@pytest.mark.parametrize("dc", DCS)
def test_every_data_centre_gets_its_token_and_api_domain(zoho_admin, zoho_connect, tmp_path, policy, dc: str) -> None:
    zoho_connect(dc=dc)
    hook = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path), retry_policy=policy)
    assert hook.current_user()["email"] == "ann@acme.example"
    assert hook.auth.token().api_domain == zoho_admin.api_domain(dc)


def test_wrong_data_centre_is_reported_as_such(zoho_admin, zoho_connect, tmp_path, policy) -> None:
    zoho_connect(dc="us", accounts_url=zoho_admin.accounts_url("eu"))
    hook = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path), retry_policy=policy)
    with pytest.raises(ZohoAuthError) as caught:
        hook.current_user()
    assert caught.value.code == "invalid_client"
    ok, message = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path), retry_policy=policy).test_connection()
    assert not ok and "invalid_client" in message and "data centre" in message


def test_api_domain_comes_from_the_token_response_not_a_stale_setting(zoho_admin, zoho_connect, tmp_path) -> None:
    zoho_connect(dc="eu", api_domain=zoho_admin.api_domain("us"))
    hook = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path))
    assert hook.current_user()["email"] == "ann@acme.example"
    assert hook.auth.token().api_domain == zoho_admin.api_domain("eu")


def test_token_from_another_dc_is_refused_then_refreshed_once(zoho_admin, zoho_connect, tmp_path, policy) -> None:
    zoho_connect(dc="us")
    cache = FileTokenCache(tmp_path)
    hook = ZohoCRMHook(CONN, token_cache=cache, retry_policy=policy)
    token = hook.auth.token()
    entry = cache.read(hook.auth.key) | {"api_domain": zoho_admin.api_domain("eu")}
    cache.write(hook.auth.key, entry)
    fresh = ZohoCRMHook(CONN, token_cache=cache, retry_policy=policy)
    assert fresh.current_user()["email"] == "ann@acme.example"  # 401 INVALID_TOKEN at eu, refresh, retry at us
    assert zoho_admin.stats()["calls"]["GET /crm/v8/users"] == 2  # one refused at eu, one served at us
    assert fresh.auth.token().access_token != token.access_token and refreshes(zoho_admin) == 2


def test_token_expiring_in_the_middle_of_paging_is_refreshed_once(zoho_admin, zoho_connect, tmp_path, policy) -> None:
    zoho_admin.seed(records={"Contacts": [{"Last_Name": f"P{i:04d}"} for i in range(450)]})
    zoho_connect()
    hook = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path), retry_policy=policy)
    pages = hook.list_records("Contacts", ["Last_Name"])
    seen = [next(pages)]
    zoho_admin.expire_tokens()
    seen.extend(pages)
    assert len({r["id"] for r in seen}) == 450
    assert refreshes(zoho_admin) == 2
    assert zoho_admin.stats()["calls"]["GET /crm/v8/Contacts"] == 4  # three pages and the one rejected


def test_cached_token_is_reused_across_hooks(zoho_admin, zoho_connect, tmp_path) -> None:
    zoho_connect()
    for _ in range(3):
        ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path)).get_org()
    assert refreshes(zoho_admin) == 1
    assert b"1000." not in b"".join(p.read_bytes() for p in tmp_path.glob("*.token"))  # encrypted at rest


def test_concurrent_threads_on_a_cold_cache_refresh_exactly_once(zoho_admin, zoho_connect, tmp_path) -> None:
    zoho_connect()
    barrier, errors = threading.Barrier(8), []

    def work() -> None:
        hook = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path))
        barrier.wait()
        try:
            hook.get_org()
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and refreshes(zoho_admin) == 1


CHILD = textwrap.dedent(
    """
    import os, pathlib, sys, time
    from timelines_zoho.hooks import FileTokenCache, ZohoCRMHook
    hook = ZohoCRMHook("zoho_crm_test", token_cache=FileTokenCache(sys.argv[1]))
    pathlib.Path(sys.argv[2], str(os.getpid())).touch()
    while not os.path.exists(sys.argv[3]):
        time.sleep(0.005)
    print(hook.get_org()["id"])
    """
)


@pytest.mark.slow  # each child process imports Airflow
def test_concurrent_processes_on_a_cold_cache_refresh_exactly_once(zoho_admin, zoho_connect, tmp_path) -> None:
    zoho_connect()
    cache, ready, go = tmp_path / "cache", tmp_path / "ready", tmp_path / "go"
    ready.mkdir()
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(cache), str(ready), str(go)], env=dict(os.environ),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    deadline = time.monotonic() + 120
    while len(list(ready.iterdir())) < len(children) and time.monotonic() < deadline:
        time.sleep(0.05)  # every child has imported Airflow and built its hook: release them together
    go.touch()
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0] * 3, outputs
    assert len({out.strip().splitlines()[-1] for out, _ in outputs}) == 1
    assert refreshes(zoho_admin) == 1


def test_refresh_throttle_is_a_clear_error(zoho_admin, zoho_connect, tmp_path, policy) -> None:
    zoho_connect()
    for i in range(10):
        ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path / str(i))).auth.token()
    with pytest.raises(ZohoAuthError) as caught:
        ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path / "x"), retry_policy=policy).auth.token()
    assert caught.value.code == "Access Denied" and "throttled" in str(caught.value)
    assert refreshes(zoho_admin) == 10


def test_grant_code_is_exchanged_once_and_its_refresh_token_kept(zoho_admin, set_connection, tmp_path) -> None:
    code = zoho_admin.grant_code(dc="in")
    client = zoho_admin.clients()[0]
    set_connection(CONN, conn_type="zoho_crm", login=client["client_id"], password=client["client_secret"],
                   extra={"data_centre": "custom", "accounts_url": zoho_admin.accounts_url("in"), "grant_code": code})
    first = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path))
    assert first.current_user()["email"] == "ann@acme.example"
    zoho_admin.expire_tokens()
    second = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path))
    assert second.current_user()["email"] == "ann@acme.example"  # refreshed with the kept refresh token
    assert refreshes(zoho_admin) == 1  # the grant exchange itself is not a refresh


def test_exchange_grant_code_returns_refresh_token_and_api_domain(zoho_admin, set_connection, tmp_path) -> None:
    code = zoho_admin.grant_code(dc="ca")
    client = zoho_admin.clients()[0]
    set_connection(CONN, conn_type="zoho_crm", login=client["client_id"], password=client["client_secret"],
                   extra={"data_centre": "custom", "accounts_url": zoho_admin.accounts_url("ca")})
    tokens = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path)).exchange_grant_code(code)
    assert tokens["refresh_token"] and tokens["api_domain"] == zoho_admin.api_domain("ca")
    with pytest.raises(ZohoAuthError, match="invalid_code"):
        ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path)).exchange_grant_code(code)


def test_access_token_is_masked_in_logs(zoho_connect, tmp_path) -> None:
    from airflow.sdk.execution_time.secrets_masker import redact

    zoho_connect()
    token = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path)).auth.token().access_token
    assert token not in str(redact(f"Authorization: Zoho-oauthtoken {token}"))


def test_connection_test_names_the_missing_scope(zoho_connect, tmp_path) -> None:
    zoho_connect(scopes=["ZohoCRM.users.READ", "ZohoCRM.org.READ", "ZohoCRM.settings.modules.READ"])
    ok, message = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path)).test_connection()
    assert not ok
    assert message.startswith("fields: OAUTH_SCOPE_MISMATCH: the token lacks the scope ZohoCRM.settings.fields.ALL")
    zoho_connect()
    ok, message = ZohoCRMHook(CONN, token_cache=FileTokenCache(tmp_path / "full")).test_connection()
    assert ok and "ann@acme.example" in message
