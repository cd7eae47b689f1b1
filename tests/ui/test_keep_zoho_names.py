"""The page's rename option and the Zoho identity it shows (issue 17 items 11 and 14)."""

from __future__ import annotations

from timelines_zoho.settings import Actor, Lifecycle


def test_the_page_names_the_zoho_user_and_org(admin_client, zoho_connected):
    page = admin_client.get("/")
    assert 'id="zoho-org">Sandbox Org<' in page.text
    assert "Connected as <strong id=\"zoho-user\">None" not in page.text
    assert 'name="keep_zoho_names"' in page.text


def test_activating_with_keep_names_edited_in_zoho_saves_and_shows_it(admin_client, zoho_connected, store, conn_ids,
                                                                        sandbox):
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin

    owner = TimelinesAISandboxAdmin(sandbox.timelines_root).tokens()["owner"]
    lifecycle = Lifecycle(store, **conn_ids)
    lifecycle.connect_timelines(Actor("admin-user", is_admin=True), owner, sandbox.timelines_url)
    form = {"module": "Contacts", "phone_field": "Mobile", "name_field": "Last_Name", "chat_link_field": "Description",
            "lead_source_field": "Lead_Source", "timezone": "Europe/Warsaw", "keep_zoho_names": "true",
            "csrf_token": admin_client.csrf}
    response = admin_client.post("/activate", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    saved = store.get_settings()
    assert saved.active and saved.keep_zoho_names
    assert "keep names edited in Zoho" in admin_client.get("/").text
