"""Zoho data centres: which accounts server issues tokens and which API domain serves each region."""

from __future__ import annotations

from dataclasses import dataclass


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


def resolve_data_centre(code: str | None, accounts_url: str | None = None, api_domain: str | None = None) -> DataCentre:
    """Pick the DC from the connection; `custom` (the sandbox) takes both URLs from the connection.

    A stored `api_domain` overrides the regional default, since Zoho names the domain in every token response.
    """
    code = (code or "us").strip().lower()
    if code == "custom":
        if not accounts_url:
            raise ValueError("data_centre 'custom' needs accounts_url (and api_domain) in the connection extras")
        return DataCentre("custom", accounts_url.rstrip("/"), (api_domain or "").rstrip("/"))
    if code not in DATA_CENTRES:
        raise ValueError(f"unknown Zoho data centre {code!r}; use one of {', '.join(DATA_CENTRES)} or custom")
    known = DATA_CENTRES[code]
    return DataCentre(
        code, (accounts_url or known.accounts_url).rstrip("/"), (api_domain or known.api_domain).rstrip("/")
    )
