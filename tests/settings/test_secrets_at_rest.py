"""Issue 12 item 6: no secret is written to disk in clear; the demo's own Airflow home gets its own Fernet key."""

from __future__ import annotations

import json
import os
import stat

import pytest

from timelines_zoho.hooks.token_cache import FileTokenCache

ENTRY = {"access_token": "1000.plain-access-token", "api_domain": "https://www.zohoapis.eu", "expires_at": 1e12}


@pytest.fixture
def fernet_key(monkeypatch):
    """Set (or empty) Airflow's Fernet key for one test; Airflow caches its Fernet object, so reset that too."""
    from airflow.models.crypto import get_fernet

    def use(key: str) -> None:
        monkeypatch.setenv("AIRFLOW__CORE__FERNET_KEY", key)
        get_fernet.cache_clear()

    yield use
    get_fernet.cache_clear()


def test_token_cache_refuses_to_write_tokens_without_a_fernet_key(tmp_path, fernet_key):
    from timelines_zoho.hooks.token_cache import UnencryptedCacheError

    fernet_key("")
    with pytest.raises(UnencryptedCacheError, match="unencrypted: set Airflow's Fernet key"):
        FileTokenCache(tmp_path).write("k", ENTRY)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".token"] == []


def test_cached_token_is_encrypted_with_the_fernet_key(tmp_path, fernet_key):
    from cryptography.fernet import Fernet

    fernet_key(Fernet.generate_key().decode())
    cache = FileTokenCache(tmp_path)
    cache.write("k", ENTRY)
    assert b"plain-access-token" not in (tmp_path / "k.token").read_bytes()
    assert cache.read("k") == ENTRY


def test_zoho_connection_test_explains_a_missing_fernet_key(fernet_key, zoho_admin, tmp_path, monkeypatch):
    from timelines_zoho.hooks import ZohoCRMHook

    grant = zoho_admin.refresh_token(dc="eu")
    monkeypatch.setenv("AIRFLOW_CONN_ZOHO_NO_KEY", json.dumps({
        "conn_type": "zoho_crm", "login": grant["client_id"], "password": grant["client_secret"],
        "extra": {"data_centre": "custom", "accounts_url": grant["accounts_url"],
                  "refresh_token": grant["refresh_token"]}}))
    monkeypatch.setenv("TIMELINES_ZOHO_TOKEN_CACHE_DIR", str(tmp_path))
    fernet_key("")
    ok, message = ZohoCRMHook(zoho_conn_id="zoho_no_key").test_connection()
    assert not ok and "Fernet key" in message


def test_the_demo_gives_its_own_airflow_home_a_private_fernet_key(tmp_path, monkeypatch):
    from timelines_zoho_sandbox import demo

    for key in ("AIRFLOW_HOME", "AIRFLOW__CORE__FERNET_KEY", "TIMELINES_ZOHO_SCHEDULE", "TIMELINES_ZOHO_SCHEDULE_TZ"):
        monkeypatch.delenv(key, raising=False)
    demo.configure_airflow_home(tmp_path)
    key_file = tmp_path / "airflow" / "fernet.key"
    key = os.environ["AIRFLOW__CORE__FERNET_KEY"]
    assert key and key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    monkeypatch.delenv("AIRFLOW__CORE__FERNET_KEY")
    demo.configure_airflow_home(tmp_path)
    assert os.environ["AIRFLOW__CORE__FERNET_KEY"] == key, "a second run keeps the key the connections use"
