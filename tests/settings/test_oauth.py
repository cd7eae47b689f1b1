"""Zoho OAuth pieces that need no server: the consent URL, trusted accounts servers, the one-time state."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from timelines_zoho.settings import OAuthRefused
from timelines_zoho.settings.oauth import (
    authorization_url,
    check_state,
    consume_state,
    trusted_accounts_server,
)


def test_consent_url_asks_for_offline_access_forced_consent_and_state():
    url = authorization_url("https://accounts.zoho.eu", "1000.ABC", "https://airflow.example/cb", "s-1")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.netloc, parts.path) == ("accounts.zoho.eu", "/oauth/v2/auth")
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert query["state"] == "s-1" and query["response_type"] == "code"
    assert query["redirect_uri"] == "https://airflow.example/cb"
    assert "ZohoCRM.settings.ALL" in query["scope"].split(",")


@pytest.mark.parametrize("server", ["https://accounts.zoho.eu", "https://accounts.zoho.com.au/",
                                    "http://127.0.0.1:9/eu/accounts"])
def test_callback_accounts_server_is_followed_when_zoho_or_configured(server):
    assert trusted_accounts_server(server, "http://127.0.0.1:9/us/accounts") == server.rstrip("/")


@pytest.mark.parametrize("server", ["https://evil.example/accounts", "http://accounts.zoho.eu",
                                    "https://accounts.zoho.eu.evil.example"])
def test_callback_naming_an_unknown_accounts_server_is_refused(server):
    with pytest.raises(OAuthRefused, match="unknown accounts server"):
        trusted_accounts_server(server, "https://accounts.zoho.com")


def test_state_works_once_and_a_forged_state_is_refused(store):
    state = store.issue_oauth_state("admin")
    consume_state(store, state, "admin")
    with pytest.raises(OAuthRefused, match="does not match"):
        consume_state(store, state, "admin")
    with pytest.raises(OAuthRefused, match="does not match"):
        consume_state(store, "forged", "admin")


def test_state_issued_to_one_user_is_refused_for_another_and_kept_for_its_owner(store):
    state = store.issue_oauth_state("alice")
    with pytest.raises(OAuthRefused, match="does not match"):
        check_state(store, state, "mallory")
    check_state(store, state, "alice")
    consume_state(store, state, "alice")
