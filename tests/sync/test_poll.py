"""Polling through the inbox, against the TimelinesAI emulator and its clock: the same notes as reading whole days,
reads of only what is new, the listing's high-water mark, cursors that move only with a successful run,
chat-scoped runs that move no mark, and a day rebuilt from TimelinesAI after the inbox was pruned."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sync_support import END, TZ, Sync, workspace

from timelines_zoho.hooks.timelinesai import TimelinesAIHook
from timelines_zoho.state import InboxMessage
from timelines_zoho.sync import poll, runner, staging
from timelines_zoho.sync.extract import extract
from timelines_zoho.sync.runner import STAGED_FIELDS
from timelines_zoho.sync.window import Window
from timelines_zoho.transform.contacts import build_contacts
from timelines_zoho.transform.notes import build_note_bundles
from timelines_zoho.transform.timestamps import parse_timestamp

DAY_START = datetime.combine(END, datetime.min.time(), tzinfo=ZoneInfo(TZ))
MESSAGES = "GET /chats/{id}/messages"


def _hour(n: int) -> dict[str, str]:
    start = DAY_START + timedelta(hours=n)
    return {"window_start": start.isoformat(), "window_end": (start + timedelta(hours=1)).isoformat()}


def _hourly(sync: Sync, n: int, key: str | None = None, **params: Any) -> dict[str, Any]:
    """Run the hour `n` of the last day inline at five past its end, with the emulator's clock there."""
    now = DAY_START + timedelta(hours=n + 1, minutes=5)
    sync.timelines.set_clock(now.isoformat())
    return runner.run_inline(key or f"hour-{n}", _hour(n) | params, now=now)


def _reads(summary: dict[str, Any]) -> dict[str, int]:
    return summary["api"]["timelines"]["by_endpoint"]


def _notes(messages: list[dict], chats: list[dict], accounts: list[dict], tmp_path, name: str) -> dict:
    """Render note bundles the way transform does, from staged records."""
    frames = {}
    for kind, records in (("messages", messages), ("chats", chats), ("accounts", accounts)):
        frames[kind] = staging.read_frame(staging.write_records(tmp_path / f"{name}-{kind}.parquet", records,
                                                                STAGED_FIELDS[kind]))
    contacts, _ = build_contacts(frames["chats"], frames["accounts"])
    bundles, _ = build_note_bundles(frames["messages"], contacts, timezone=TZ, now=DAY_START + timedelta(days=1))
    return {(row.chat_id, row.day, row.part): (row.title, row.content) for row in bundles.itertuples()}


def test_notes_rendered_from_the_inbox_are_byte_identical_to_reading_whole_days(sync: Sync, tmp_path) -> None:
    window = Window(DAY_START - timedelta(days=1), DAY_START + timedelta(days=1))
    direct = extract(TimelinesAIHook(), window, TZ)
    webhook_first = direct.messages[::7]  # some arrived by webhook first; the poll finds them held
    sync.store.add_to_inbox([InboxMessage.from_rest(m) for m in webhook_first], "webhook")
    polled = poll.poll(TimelinesAIHook(), sync.store, window, TZ, full_pass=True).extracted
    assert sorted(m["uid"] for m in polled.messages) == sorted(m["uid"] for m in direct.messages)
    before = _notes(direct.messages, direct.chats, direct.accounts, tmp_path, "direct")
    after = _notes(polled.messages, polled.chats, polled.accounts, tmp_path, "inbox")
    assert len(before) > 20 and after == before


def _chats_with_messages_in(hour: int) -> set[str]:
    """Ask TimelinesAI (whole-day reads) which chats have a message in that hour of the last day."""
    window = Window(DAY_START + timedelta(hours=hour), DAY_START + timedelta(hours=hour + 1))
    return {str(m["chat_id"]) for m in extract(TimelinesAIHook(), window, TZ).messages
            if window.start <= parse_timestamp(m["timestamp"]) < window.end}


def test_hourly_runs_read_only_what_is_new_and_an_idle_hour_reads_no_messages(sync: Sync) -> None:
    first = _hourly(sync, 8)
    second = _hourly(sync, 9)
    assert first["counts"]["notes_created"] > 0
    # One read per chat with news in hour 9 (after its cursor, or its day if it is new); none for the others.
    active = _chats_with_messages_in(9)
    assert len(active) > 0 and _reads(second)[MESSAGES] == len(active)
    idle = runner.run_inline("idle", _hour(10), now=DAY_START + timedelta(hours=11, minutes=5))  # clock: 10:05
    assert MESSAGES not in _reads(idle) and _reads(idle)["GET /chats"] == 1


def test_hourly_runs_leave_zoho_as_one_daily_run(sync: Sync, emulators, tmp_path, monkeypatch) -> None:
    from sync_support import wire
    from test_e2e_backfill import normalised

    for n in range(24):
        _hourly(sync, n)
    hourly = normalised(sync.dump())
    daily = wire(emulators, tmp_path / "daily", monkeypatch)
    daily.timelines.set_clock((DAY_START + timedelta(days=1, minutes=5)).isoformat())
    runner.run_inline("daily", {"window_start": DAY_START.isoformat(),
                                "window_end": (DAY_START + timedelta(days=1)).isoformat()},
                      now=DAY_START + timedelta(days=1, minutes=5))
    assert normalised(daily.dump()) == hourly and hourly["notes"]


def test_a_run_that_fails_moves_no_cursor_so_the_next_reads_the_same_messages(sync: Sync) -> None:
    _hourly(sync, 8)
    cursors = sync.store.poll_cursors([str(chat["id"]) for chat in workspace()])
    sync.timelines.set_clock((DAY_START + timedelta(hours=10, minutes=5)).isoformat())
    meta = runner.start_and_extract("crashed", _hour(9), None, None, now=DAY_START + timedelta(hours=10, minutes=5))
    crashed = staging.read_frame(meta.input.messages)
    assert len(crashed) > 0  # ... and the run dies here, before its end
    assert sync.store.poll_cursors(cursors) == cursors
    again = _hourly(sync, 9, key="retried")
    assert again["counts"]["notes_created"] + again["counts"]["notes_updated"] > 0


def test_a_chat_scoped_run_moves_neither_the_mark_nor_the_point_a_manual_run_resumes_from(sync: Sync) -> None:
    _hourly(sync, 8)
    mark, through = sync.store.get_meta(poll.HIGH_WATER), poll.polled_through(sync.store)
    chat = sorted(sync.store.poll_cursors([str(chat["id"]) for chat in workspace()]))[0]
    _hourly(sync, 12, key="one chat", chat_ids=[chat])
    assert sync.store.get_meta(poll.HIGH_WATER) == mark and poll.polled_through(sync.store) == through
    manual = runner.run_inline("manual", {}, now=DAY_START + timedelta(hours=13, minutes=5))
    assert manual["window"]["start"] == through.isoformat()


def test_a_pruned_day_is_read_from_timelinesai_again_so_its_note_stays_whole(sync: Sync) -> None:
    _hourly(sync, 8)
    held = sync.store.inbox_size()[0]
    assert sync.store.prune_inbox(DAY_START + timedelta(days=1)) == held > 0
    now = DAY_START + timedelta(hours=10, minutes=5)
    sync.timelines.set_clock(now.isoformat())
    meta = runner.start_and_extract("after the prune", _hour(9), None, None, now=now)
    staged = staging.read_frame(meta.input.messages)
    chats = sorted(set(staged["chat_id"].astype(str)))
    # Each chat's day is staged whole, as a whole-day read returns it, not only what followed its cursor.
    whole = extract(TimelinesAIHook(), Window(DAY_START, now), TZ, chat_ids=chats).messages
    assert len(chats) > 0 and sorted(staged["uid"]) == sorted(m["uid"] for m in whole)
    assert sync.store.inbox_size()[0] == len(whole), "the re-read landed the day in the inbox again"
