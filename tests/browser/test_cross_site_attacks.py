"""Issue 12 in a real browser: a logged-in admin visits an attacker's page on another origin, which auto-submits
forms to every state-changing endpoint (and forges the OAuth callback). Every one is refused and nothing changes.

The attacker runs on 127.0.0.1 too, on another port: another origin but the same site, so Chromium does send the
SameSite=Lax login cookie. What refuses the requests is the page's own Origin and CSRF checks, not the cookie rules.
"""

from __future__ import annotations

import html
import sqlite3

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PREFIX = "/timelines-zoho"


def _context(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    context.set_default_timeout(120_000)
    context.set_default_navigation_timeout(120_000)
    return context


def _login(page, server) -> None:
    page.goto(f"{server.url}/")
    page.wait_for_url("**/auth/login**")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(server.password("admin"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _auto_post(action: str, fields: dict[str, str]) -> str:
    """An attacker's page that posts a form to `action` the moment it loads."""
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items())
    return (f'<!doctype html><title>cute cats</title><form id="f" method="post" action="{html.escape(action)}">'
            f'{inputs}</form><script>document.getElementById("f").submit()</script>')


def _snapshot(server) -> dict:
    """The raw rows that must not change: both connections (ciphertext included) and the integration's settings."""
    with sqlite3.connect(server.home / "airflow.db") as meta:
        conns = meta.execute("select conn_id, conn_type, host, login, password, extra from connection "
                             "order by conn_id").fetchall()
    with sqlite3.connect(server.home / "timelines_zoho_state.db") as state:
        settings = state.execute("select * from tz_settings").fetchall()
        audit = state.execute("select count(*) from tz_audit_log").fetchone()
        states = state.execute("select count(*) from tz_oauth_states").fetchone()
    return {"connections": conns, "settings": settings, "audit": audit, "oauth_states": states}


def _connect_and_activate(page, server, sandbox) -> None:
    """The admin's own, same-origin setup through the page's forms: both connections, then activation."""
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    zoho = ZohoSandboxAdmin(sandbox.zoho_url)
    client = zoho.create_client([f"{server.url}{PREFIX}/oauth/callback"], client_name="Airflow")
    page.goto(f"{server.url}{PREFIX}/")
    page.locator("input[name=token]").fill(TimelinesAISandboxAdmin(sandbox.timelines_root).tokens()["owner"])
    page.locator("input[name=base_url]").fill(sandbox.timelines_url)
    page.get_by_role("button", name="Connect TimelinesAI").click()
    page.locator("#workspace-name").wait_for()
    page.locator("input[name=client_id]").fill(client["client_id"])
    page.locator("input[name=client_secret]").fill(client["client_secret"])
    page.locator("select[name=data_centre]").select_option("custom")
    page.locator("input[name=grant_code]").fill(zoho.grant_code(dc="eu", client_id=client["client_id"]))
    page.locator("#connect-zoho").click()
    page.locator("#module").wait_for()
    page.locator("#module").select_option("Contacts")
    page.locator("#lead_source_field option[value=Lead_Source]").wait_for(state="attached")
    page.locator("#phone_field").select_option("Mobile")
    page.locator("#activate").click()
    page.locator("#deactivate").wait_for()


def test_cross_site_posts_to_every_endpoint_are_refused_and_change_nothing(airflow_server, browser, sandbox,
                                                                          hostile_site, shots):
    context = _context(browser)
    page = context.new_page()
    _login(page, airflow_server)
    _connect_and_activate(page, airflow_server, sandbox)
    shots(page, "active-before-the-attack")
    before = _snapshot(airflow_server)
    assert before["settings"] and len(before["connections"]) >= 2

    base = f"{airflow_server.url}{PREFIX}"
    attacker = hostile_site.url
    hostile_site.pages.update({
        "/deactivate": _auto_post(f"{base}/deactivate", {}),
        "/activate": _auto_post(f"{base}/activate", {"module": "Leads", "phone_field": "Phone",
                                                     "csrf_token": "0" * 64}),
        "/connect-timelines": _auto_post(f"{base}/connect/timelines", {"token": "attacker-token",
                                                                       "base_url": f"{attacker}/integrations/api"}),
        "/connect-zoho": _auto_post(f"{base}/connect/zoho", {
            "client_id": "1000.ATTACKER", "client_secret": "", "data_centre": "us", "accounts_url": attacker,
            "api_domain": attacker, "grant_code": "1000.attacker-code"}),
    })
    for path in ("/deactivate", "/activate", "/connect-timelines", "/connect-zoho"):
        attack = context.new_page()
        attack.goto(f"{attacker}{path}")
        attack.wait_for_url(f"{base}/**")  # the browser did post, with the admin's cookie, to Airflow
        assert "Cross-site request refused" in attack.content(), path
        shots(attack, f"refused{path.replace('/', '-')}")
        attack.close()

    # A forged OAuth callback (a GET from anywhere): refused (the lock, or no state issued to this admin).
    forged = context.new_page()
    forged.goto(f"{attacker}/")
    forged.goto(f"{base}/oauth/callback?code=1000.attacker&state=forged&accounts-server={attacker}/accounts")
    assert "?error=" in forged.url and "notice=" not in forged.url
    forged.close()

    assert _snapshot(airflow_server) == before
    assert [r for r in hostile_site.requests if r.method == "POST"] == [], "nothing reached the attacker's server"
    page.goto(f"{base}/")
    assert page.locator("#deactivate").is_visible(), "the integration is still active"
    shots(page, "still-active-after-the-attack")
    context.close()


def test_page_may_be_framed_by_airflow_but_not_by_another_origin(airflow_server, browser, hostile_site):
    context = _context(browser)
    page = context.new_page()
    _login(page, airflow_server)
    page.goto(f"{airflow_server.url}/plugin/timelines-zoho")
    page.frame_locator("iframe").get_by_role("heading", name="WhatsApp → Zoho CRM").wait_for()
    hostile_site.pages["/frame"] = f'<!doctype html><iframe id="x" src="{airflow_server.url}{PREFIX}/"></iframe>'
    page.goto(f"{hostile_site.url}/frame")
    page.wait_for_timeout(3000)
    framed = next((f for f in page.frames if f.url.startswith(airflow_server.url)), None)
    assert framed is None or "WhatsApp" not in framed.content(), "another origin could show the page in a frame"
    context.close()
