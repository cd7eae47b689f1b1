"""TimelinesAIHook against the TimelinesAI emulator over real HTTP; call counters prove paging and retries."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from timelines_zoho.hooks import RetryPolicy, TimelinesAIError, TimelinesAIHook

CONN = "timelines_ai_test"


@pytest.fixture
def admin(timelines_admin):
    timelines_admin.reset()
    yield timelines_admin
    timelines_admin.reset()


@pytest.fixture
def hook(admin, set_connection, policy: RetryPolicy) -> TimelinesAIHook:
    set_connection(CONN, conn_type="timelines_ai", host=admin.api_url, password=admin.tokens()["owner"])
    return TimelinesAIHook(timelines_conn_id=CONN, retry_policy=policy)


def calls(admin, endpoint: str) -> int:
    return admin.stats()["calls"].get(endpoint, 0)


def test_iter_chats_follows_every_page(admin, hook: TimelinesAIHook) -> None:
    total = admin.stats()["chats"]
    chats = list(hook.iter_chats())
    assert len({c["id"] for c in chats}) == total == len(chats)
    assert calls(admin, "GET /chats") == math.ceil(total / 50) == hook.stats["GET /chats"]["calls"]


def test_iter_chats_is_lazy_when_the_caller_stops_early(admin, hook: TimelinesAIHook) -> None:
    first = [c for _, c in zip(range(10), hook.iter_chats(), strict=False)]
    assert len(first) == 10
    assert calls(admin, "GET /chats") == 1


def test_chat_filters_are_sent_as_the_api_wants(admin, hook: TimelinesAIHook) -> None:
    direct = list(hook.iter_chats(group=False))
    assert direct and not any(c["is_group"] for c in direct)
    assert admin.stats()["params"]  # the emulator saw the requests' params


def test_iter_messages_pages_by_uid_cursor_in_order(admin, hook: TimelinesAIHook) -> None:
    chat = next(hook.iter_chats(group=False))
    admin.add_messages(chat["id"], [{"text": f"m{i}", "ts": 1_700_000_000 + i} for i in range(130)])
    before = calls(admin, "GET /chats/{chat_id}/messages")
    messages = list(hook.iter_messages(chat["id"]))
    pages = calls(admin, "GET /chats/{chat_id}/messages") - before
    assert len({m["uid"] for m in messages}) == len(messages) >= 130
    stamps = [datetime.strptime(m["timestamp"], "%Y-%m-%d %H:%M:%S %z") for m in messages]
    assert stamps == sorted(stamps)
    assert pages == math.ceil(len(messages) / 50) == hook.stats["GET /chats/{id}/messages"]["calls"]
    newest = list(hook.iter_messages(chat["id"], sorting_order="desc"))
    assert [m["uid"] for m in newest] == [m["uid"] for m in reversed(messages)]


def test_iter_messages_window_is_inclusive_and_bounded(admin, hook: TimelinesAIHook) -> None:
    chat = next(hook.iter_chats(group=False))
    everything = list(hook.iter_messages(chat["id"]))
    first_day = everything[0]["timestamp"][:10]
    window = list(hook.iter_messages(chat["id"], after=first_day, before=f"{first_day} 23:59:59"))
    assert window and all(m["timestamp"].startswith(first_day) for m in window)
    assert window == [m for m in everything if m["timestamp"].startswith(first_day)]


def test_429_waits_as_long_as_retry_after_says(admin, hook: TimelinesAIHook, sleep) -> None:
    hook.get_workspace()
    admin.faults(rate_limit_per_second=5, burst=1, throttle_status=429)
    for _ in range(3):
        hook.get_workspace()
    assert sleep.waits and all(w == 1.0 for w in sleep.waits)  # the emulator's Retry-After: 1
    assert calls(admin, "GET /workspace") == 4 + len(sleep.waits)


def test_403_used_as_a_throttle_is_retried_after_a_first_success(admin, hook: TimelinesAIHook, sleep) -> None:
    hook.get_me()
    admin.faults(rate_limit_per_second=5, burst=1, throttle_status=403)
    for _ in range(3):
        assert hook.get_me()["role"] == "Owner"
    assert sleep.waits
    assert calls(admin, "GET /workspace/teammates/me") == 4 + len(sleep.waits)


def test_plain_text_401_is_a_clear_error_without_retries(admin, set_connection, policy) -> None:
    admin.faults(plain_text_401=True)
    set_connection(CONN, conn_type="timelines_ai", host=admin.api_url, password="wrong-token")
    hook = TimelinesAIHook(timelines_conn_id=CONN, retry_policy=policy)
    with pytest.raises(TimelinesAIError) as caught:
        hook.get_workspace()
    assert (caught.value.status, caught.value.message) == (401, "Unauthorized")
    assert calls(admin, "GET /workspace") == 1


def test_html_404_becomes_a_short_message(admin, hook: TimelinesAIHook) -> None:
    with pytest.raises(TimelinesAIError) as caught:
        hook._get("/chats/")
    assert caught.value.status == 404
    assert "<" not in caught.value.message and len(caught.value.message) <= 200


def test_unknown_chat_reports_the_vendor_message(hook: TimelinesAIHook) -> None:
    with pytest.raises(TimelinesAIError, match="not found"):
        hook.get_chat(1)


def test_expired_attachment_url_is_renewed_through_the_message(admin, hook: TimelinesAIHook) -> None:
    message = next(m for c in hook.iter_chats() for m in hook.iter_messages(c["id"]) if m["has_attachment"])
    with hook.open_attachment(message["uid"], message["attachment_url"]) as download:
        fresh_bytes = b"".join(download.chunks())
        assert download.size == len(fresh_bytes)
    admin.expire_urls()
    before = calls(admin, "GET /messages/{uid}")
    with hook.open_attachment(message["uid"], message["attachment_url"]) as download:
        renewed_bytes = b"".join(download.chunks())
    assert renewed_bytes == fresh_bytes and len(fresh_bytes) > 0
    assert calls(admin, "GET /messages/{uid}") == before + 1


def test_connection_test_names_the_member_and_fails_in_words(admin, hook: TimelinesAIHook, set_connection, policy) -> None:
    ok, message = hook.test_connection()
    assert ok and "role Owner" in message
    set_connection(CONN, conn_type="timelines_ai", host=admin.api_url, password="wrong-token")
    ok, message = TimelinesAIHook(timelines_conn_id=CONN, retry_policy=policy).test_connection()
    assert not ok and message.startswith("member: 401 invalid_token: the API token is wrong")


def test_requests_carry_a_product_user_agent(hook: TimelinesAIHook) -> None:
    assert hook.get_conn().headers["User-Agent"].startswith("timelines-zoho/")
