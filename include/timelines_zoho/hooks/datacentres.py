"""Zoho data centres: which accounts server issues tokens and which API domain serves each region.

A named data centre always uses its own hosts. The one exception, `custom`, is for the sandbox or an on-premise
host and comes from configuration only (`[timelines_zoho] custom_accounts_url`, env
`AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL`), never from a form: the client secret is posted to the accounts
server, so whoever can name that server can take the secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

CUSTOM_ACCOUNTS_ENV = "AIRFLOW__TIMELINES_ZOHO__CUSTOM_ACCOUNTS_URL"


@dataclass(frozen=True)
class DataCentre:
    """One Zoho region's OAuth accounts server and default API domain."""

    code: str
    accounts_url: str
    api_domain: str


DATA_CENTRES: dict[str, DataCentre] = {
    dc.code: dc
    for dc in (
        DataCentre("us", "https://accounts.zoho.com", "https://www.zohoapis.com"),
        DataCentre("eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
        DataCentre("in", "https://accounts.zoho.in", "https://www.zohoapis.in"),
        DataCentre("au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
        DataCentre("jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
        DataCentre("ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
        DataCentre("sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
        DataCentre("cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
    )
}


def origin(url: str | None) -> str:
    """Return `scheme://host[:port]` of a URL, lower-cased ("" for anything without a scheme and host)."""
    parts = urlsplit((url or "").strip())
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def configured_custom_accounts_url() -> str:
    """Return the configured accounts server of the `custom` data centre ("" when none is configured)."""
    from airflow.configuration import conf

    return (conf.get("timelines_zoho", "custom_accounts_url", fallback="") or "").strip().rstrip("/")


def trusted_origins() -> set[str]:
    """Every origin the client secret may be sent to: the Zoho data centres and the configured custom host."""
    trusted = {origin(dc.accounts_url) for dc in DATA_CENTRES.values()}
    custom = origin(configured_custom_accounts_url())
    return trusted | {custom} if custom else trusted


def _on_custom_host(url: str, what: str) -> str:
    configured = configured_custom_accounts_url()
    if not configured:
        raise ValueError("data_centre 'custom' is not configured: set [timelines_zoho] custom_accounts_url "
                         f"({CUSTOM_ACCOUNTS_ENV}) to the sandbox's or on-premise accounts server")
    if origin(url) != origin(configured):
        raise ValueError(f"the custom {what} {origin(url) or url!r} is not on the configured host "
                         f"{origin(configured)}")
    return url.rstrip("/")


def resolve_data_centre(code: str | None, accounts_url: str | None = None, api_domain: str | None = None) -> DataCentre:
    """Pick the DC from the connection: a named one ignores any URL given; `custom` must be on the configured host.

    `custom` takes the connection's URLs (the sandbox emulates every region by path on one host), defaulting the
    accounts server to the configured one; both must share the configured host's origin.
    """
    code = (code or "us").strip().lower()
    if code == "custom":
        accounts = _on_custom_host(accounts_url or configured_custom_accounts_url(), "accounts server")
        domain = _on_custom_host(api_domain, "API domain") if api_domain else ""
        return DataCentre("custom", accounts, domain)
    if code not in DATA_CENTRES:
        raise ValueError(f"unknown Zoho data centre {code!r}; use one of {', '.join(DATA_CENTRES)} or custom")
    return DATA_CENTRES[code]


def trusted_api_domain(dc: DataCentre, api_domain: str | None) -> str:
    """Return the API domain a token response named, if it belongs to the data centre; else refuse it.

    A named region answers only with its own domain; the custom one with a domain on its own host.
    """
    named = (api_domain or "").strip().rstrip("/")
    if not named:
        return dc.api_domain
    if dc.code == "custom":
        return _on_custom_host(named, "API domain")
    # Zoho's own sandbox and developer orgs of a region answer from its sibling hosts.
    own = {dc.api_domain.replace("://www.", f"://{prefix}.") for prefix in ("www", "sandbox", "developer")}
    if named not in own:
        raise ValueError(f"the token response named the API domain {named!r}, not {dc.api_domain} of {dc.code}")
    return named
