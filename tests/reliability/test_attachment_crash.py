"""Two same-named files on one chat-day, and a real SIGKILL right after Zoho stored the first (a child process)."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import reliability_harness as harness

pytestmark = pytest.mark.slow
PHOTOS = [("photo.jpg", 5000), ("photo.jpg", 7000)]


def _with_two_photos(emulators, folder: Path) -> tuple[harness.Wired, str, list[str]]:
    """W0 synced once, then two photo.jpg sent in a chat whose day already has a note; returns the note id."""
    timelines, zoho = emulators
    wired = harness.wire(timelines, zoho, folder)
    harness.sync(wired, "first")
    with contextlib.closing(sqlite3.connect(wired.state_db)) as db:
        chat_id, day, note_id = db.execute(
            "SELECT chat_id, day, note_id FROM tz_note_ledger WHERE status = 'done' AND part = 1 "
            "ORDER BY day DESC, chat_id LIMIT 1").fetchone()
    at = int(datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=ZoneInfo(harness.TZ)).timestamp())
    uids = timelines.add_messages(int(chat_id), [
        {"text": "photo", "ts": at + n, "attachment": {"filename": name, "size": size}}
        for n, (name, size) in enumerate(PHOTOS)
    ])
    return wired, note_id, uids


def test_two_same_name_files_and_a_sigkill_between_them(emulators, tmp_path: Path) -> None:
    # The load of the second run makes its uploads last: count its Zoho calls once, then die after the first upload.
    counted, _, _ = _with_two_photos(emulators, tmp_path / "count")
    result = harness.sync_in_child(counted, "count", count_only=True)
    assert result.returncode == 0, result.stderr[-2000:]
    first_upload = int(json.loads(result.stdout.strip().splitlines()[-1])["load_calls"]) - 1

    wired, note_id, uids = _with_two_photos(emulators, tmp_path / "crash")
    killed = harness.sync_in_child(wired, "crashed", kill_after=first_upload, when="after")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    photos = [a for a in wired.zoho.state()["attachments"] if a["parent_id"] == note_id and a["File_Name"] == "photo.jpg"]
    assert [a["Size"] for a in photos] == ["5000"], "Zoho stored the first photo; the worker died before its ledger"
    harness.sync(wired, "crashed")  # Airflow's retry, within the claim lease
    harness.age_claims(wired)
    harness.sync(wired, "next")

    photos = {a["id"]: a["Size"] for a in wired.zoho.state()["attachments"]
              if a["parent_id"] == note_id and a["File_Name"] == "photo.jpg"}
    assert sorted(photos.values()) == ["5000", "7000"]
    with contextlib.closing(sqlite3.connect(wired.state_db)) as db:
        ledger = dict(db.execute("SELECT message_uid, attachment_id FROM tz_attachment_ledger WHERE message_uid IN (?, ?)",
                                 uids).fetchall())
    assert [photos.get(ledger[uid]) for uid in uids] == ["5000", "7000"], "each message keeps its own photo"
