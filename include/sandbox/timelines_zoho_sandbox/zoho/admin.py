"""A small Python client over the Zoho emulator's HTTP admin API, for tests, benchmarks and the demo."""

from __future__ import annotations

from typing import Any

import requests


class ZohoSandboxAdmin:
    """Drive the Zoho CRM emulator at `root_url` (the server root) through /__admin."""

    def __init__(self, root_url: str, session: requests.Session | None = None) -> None:
        self.root_url = root_url.rstrip("/")
        self.session = session or requests.Session()

    def accounts_url(self, dc: str = "us") -> str:
        """Return the accounts server URL of a data centre."""
        return f"{self.root_url}/{dc}/accounts"

    def api_domain(self, dc: str = "us") -> str:
        """Return the API domain of a data centre."""
        return f"{self.root_url}/{dc}/api"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.session.request(method, f"{self.root_url}/__admin/{path}", json=body, timeout=300)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Forget all state."""
        self._call("POST", "reset")

    def seed(self, users: list[dict[str, Any]] | None = None,
             records: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        """Create users and records (and the org and default client); return the created ids."""
        return self._call("POST", "seed", {"users": users or [], "records": records or {}})

    def create_client(self, redirect_uris: list[str], client_name: str = "Sandbox Client",
                      client_id: str | None = None, client_secret: str | None = None) -> dict[str, Any]:
        """Register an OAuth client; returns its id and secret."""
        body = {"redirect_uris": redirect_uris, "client_name": client_name, "client_id": client_id,
                "client_secret": client_secret}
        return self._call("POST", "clients", body)

    def clients(self) -> list[dict[str, Any]]:
        """List the registered OAuth clients."""
        return self._call("GET", "clients")["clients"]

    def grant_code(self, scopes: list[str] | None = None, dc: str = "us", client_id: str | None = None,
                   ttl: float = 180) -> str:
        """Mint a self-client grant code."""
        body = _grant_body(scopes, dc, client_id) | {"ttl": ttl}
        return self._call("POST", "grant-code", body)["code"]

    def refresh_token(self, scopes: list[str] | None = None, dc: str = "us",
                      client_id: str | None = None) -> dict[str, Any]:
        """Mint a refresh token and an access token; returns both with the client credentials and URLs."""
        return self._call("POST", "refresh-token", _grant_body(scopes, dc, client_id))

    def expire_tokens(self) -> int:
        """Expire every access token."""
        return self._call("POST", "expire-tokens")["expired"]

    def faults(self, **changes: Any) -> dict[str, Any]:
        """Change faults and knobs (latency_ms, error_rate, token_ttl, credits_budget, ...); return them all."""
        return self._call("POST", "faults", changes)

    def tamper(self, *rules: dict[str, Any]) -> dict[str, Any]:
        """Spoil answers after the calls are handled (lost, timed out, HTML, truncated); see sandbox/tamper.py."""
        return self.faults(tamper=list(rules))

    def delete_record(self, module: str, record_id: str) -> None:
        """Delete a record (with its notes and files) or a note (module `Notes`), as a person in Zoho would."""
        self._call("DELETE", f"records/{module}/{record_id}")

    def edit_record(self, module: str, record_id: str, **fields: Any) -> dict[str, Any]:
        """Change a record's fields (a name, say) as a person in Zoho would."""
        return self._call("PATCH", f"records/{module}/{record_id}", fields)["data"]

    def set_unique(self, module: str, field: str, unique: bool = True) -> None:
        """Mark a field unique (or not)."""
        self._call("POST", "unique", {"module": module, "field": field, "unique": unique})

    def stats(self) -> dict[str, Any]:
        """Return calls per endpoint, credits and refreshes."""
        return self._call("GET", "stats")

    def state(self) -> dict[str, Any]:
        """Return the normalised state dump."""
        return self._call("GET", "state")

    def delete_attachment(self, attachment_id: str) -> None:
        """Delete a file the way a person does in Zoho's UI."""
        self._call("DELETE", f"attachments/{attachment_id}")

    def save(self) -> bool:
        """Write the state file now; tells whether the server has one."""
        return self._call("POST", "save")["saved"]


def _grant_body(scopes: list[str] | None, dc: str, client_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"dc": dc}
    if scopes is not None:
        body["scopes"] = scopes
    if client_id:
        body["client_id"] = client_id
    return body
