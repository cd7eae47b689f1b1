"""The page's real-time block: without a receiver it says the integration works by polling; with one, its state."""

from __future__ import annotations

from timelines_zoho.settings import connections
from timelines_zoho.settings import webhooks as subscriptions

UNREACHABLE = "http://127.0.0.1:9/integrations/api"


def test_without_a_receiver_the_page_says_the_integration_works_by_polling(admin_client, monkeypatch):
    monkeypatch.delenv(subscriptions.URL_ENV, raising=False)
    page = admin_client.get("/")
    assert page.status_code == 200 and 'id="webhooks"' in page.text
    assert subscriptions.POLLING_ONLY in page.text


def test_an_unreachable_timelinesai_is_a_message_in_the_block_not_a_failed_page(admin_client, conn_ids, monkeypatch):
    monkeypatch.setenv(subscriptions.URL_ENV, "https://receiver.example.test")
    connections.upsert(conn_ids["timelines_conn_id"], "timelines_ai", host=UNREACHABLE, password="owner-token")
    page = admin_client.get("/")
    assert page.status_code == 200
    assert "Reading the webhook subscriptions failed: cannot reach the service" in page.text
    assert "owner-token" not in page.text


def test_with_a_receiver_but_timelinesai_not_connected_the_page_says_nothing_is_subscribed(admin_client, monkeypatch):
    monkeypatch.setenv(subscriptions.URL_ENV, "https://receiver.example.test")
    page = admin_client.get("/")
    assert page.status_code == 200 and "No webhook is subscribed" in page.text
