"""Settings, audit log, OAuth one-time states and runs, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect

from timelines_zoho.state import IntegrationSettings, StateStore


def test_migrate_creates_every_table_and_is_idempotent(store: StateStore) -> None:
    store.migrate()
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "tz_settings", "tz_audit_log", "tz_oauth_states", "tz_chat_links", "tz_contact_claims",
        "tz_index_records", "tz_phone_keys", "tz_note_ledger", "tz_attachment_ledger", "tz_runs",
        "tz_run_items", "tz_quarantine", "tz_alembic_version",
    } <= tables
    assert "alembic_version" not in tables  # never collides with Airflow's own migrations table


def test_settings_round_trip_and_activation(store: StateStore) -> None:
    assert store.get_settings() is None
    settings = IntegrationSettings(
        module="Contacts", phone_field="Mobile", name_field="Last_Name", chat_link_field="Description",
        lead_source_field="Lead_Source", timezone="Europe/Warsaw",
    )
    store.save_settings(settings, "alice")
    assert store.get_settings() == settings
    store.set_active(True, "alice", test_record_id="9001")
    active = store.get_settings()
    assert active is not None and active.active and active.activated_by == "alice"
    assert active.test_record_id == "9001"
    assert active.activated_at is not None and active.activated_at.tzinfo is not None
    store.set_active(False, "bob")
    inactive = store.get_settings()
    assert inactive is not None and not inactive.active and inactive.activated_at is None
    assert [e.action for e in store.audit_log(10)] == ["deactivate", "activate", "save_settings"]


def test_set_active_without_settings_is_refused(store: StateStore) -> None:
    with pytest.raises(LookupError, match="save the settings"):
        store.set_active(True, "alice")


def test_audit_log_is_newest_first_and_limited(store: StateStore) -> None:
    for n in range(5):
        store.audit("alice", "act", str(n))
    entries = store.audit_log(3)
    assert [e.detail for e in entries] == ["4", "3", "2"]


def test_oauth_state_works_once(store: StateStore) -> None:
    state = store.issue_oauth_state("alice")
    assert len(state) >= 32
    assert store.consume_oauth_state(state) == "alice"
    assert store.consume_oauth_state(state) is None
    assert store.consume_oauth_state("never-issued") is None


def test_expired_oauth_state_is_refused(store: StateStore) -> None:
    state = store.issue_oauth_state("alice", ttl=timedelta(seconds=-1))
    assert store.consume_oauth_state(state) is None


def test_concurrent_consumers_of_one_state_get_it_once(store: StateStore) -> None:
    state = store.issue_oauth_state("alice")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: store.consume_oauth_state(state), range(8)))
    assert results.count("alice") == 1


def test_runs_record_items_summary_and_last_success(store: StateStore) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    first = store.start_run("scheduled__1", t0, t0 + timedelta(hours=1))
    store.record_items(first, [("chat", "c1", "created", None), ("chat", "c2", "skipped", "group chat")])
    store.finish_run(first, "success", {"contacts_created": 1})
    second = store.start_run("scheduled__2", t0 + timedelta(hours=1), t0 + timedelta(hours=2))
    store.finish_run(second, "failed", {})
    assert store.run_items(first) == [("chat", "c1", "created", None), ("chat", "c2", "skipped", "group chat")]
    runs = store.recent_runs(5)
    assert [r.status for r in runs] == ["failed", "success"]
    assert runs[1].summary == {"contacts_created": 1}
    assert store.last_successful_window_end() == t0 + timedelta(hours=1)


def test_restarting_a_run_drops_its_old_items(store: StateStore) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    run = store.start_run("manual__x", t0, t0 + timedelta(hours=1))
    store.record_items(run, [("chat", "c1", "failed", "boom")])
    again = store.start_run("manual__x", t0, t0 + timedelta(hours=1))
    assert again == run and store.run_items(run) == []
