"""Fixtures for the Zoho emulator tests: a reset emulator with one admin user, and an authorised API client."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

ADMIN_USER = {"full_name": "Patricia Boyle", "email": "patricia@example.com", "role": "CEO", "status": "active"}


class ZohoApi:
    """Calls one data centre's API domain with an access token."""

    def __init__(self, api_domain: str, access_token: str) -> None:
        self.base = f"{api_domain}/crm/v8"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Zoho-oauthtoken {access_token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request below /crm/v8."""
        return self.session.request(method, f"{self.base}/{path.lstrip('/')}", timeout=60, **kwargs)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, json=body, **kwargs)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.call("PUT", path, json=body)

    def insert(self, module: str, *records: dict[str, Any]) -> list[str]:
        """Insert records that must all succeed; return their ids."""
        response = self.post(module, {"data": list(records)})
        assert response.status_code == 201, response.text
        return [item["details"]["id"] for item in response.json()["data"]]


@pytest.fixture
def zoho(sandbox) -> ZohoSandboxAdmin:
    """The Zoho emulator, reset, with one admin user, the org and the default OAuth client."""
    admin = ZohoSandboxAdmin(sandbox.zoho_url)
    admin.reset()
    admin.seed(users=[ADMIN_USER])
    return admin


@pytest.fixture
def api(zoho: ZohoSandboxAdmin) -> ZohoApi:
    """An API client for the US data centre with every scope the integration uses."""
    token = zoho.refresh_token()
    return ZohoApi(token["api_domain"], token["access_token"])


@pytest.fixture
def make_api() -> type[ZohoApi]:
    """Build API clients for other tokens or data centres: make_api(api_domain, access_token)."""
    return ZohoApi
