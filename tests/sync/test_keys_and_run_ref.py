"""The typed keys and the run reference: one encoding each, and a round trip through XCom's JSON."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from timelines_zoho.state import NoteDay, NoteKey
from timelines_zoho.sync.run_ref import RunRef, StagedInput
from timelines_zoho.sync.window import Window


def test_a_note_key_names_its_note_and_its_day_and_the_day_reads_back() -> None:
    key = NoteKey.of({"chat_id": 42, "day": "2026-03-31", "part": "2"})
    assert key == ("42", "2026-03-31", 2) and key.item_id == "42/2026-03-31#2"
    assert key.note_day.item_id == "42/2026-03-31"
    assert NoteDay.parse(key.note_day.item_id) == key.note_day
    assert NoteDay.parse(key.item_id) == key.note_day  # an outcome id reads back as its day
    assert key.note_day.date == date(2026, 3, 31)


def test_the_run_reference_survives_xcom_json_unchanged() -> None:
    window = Window(datetime(2026, 3, 30, 22, tzinfo=timezone.utc), datetime(2026, 3, 31, 22, tzinfo=timezone.utc))
    run = RunRef(7, "manual__x", "/staging/x", window, "Europe/Warsaw", True,
                 datetime(2026, 4, 1, 8, tzinfo=timezone.utc)).with_staged(StagedInput("c.parquet", "m.parquet", "a.parquet"))
    assert RunRef.from_dict(json.loads(json.dumps(run.to_dict()))) == run


def test_a_run_reference_without_staged_input_says_so() -> None:
    window = Window(datetime(2026, 3, 30, tzinfo=timezone.utc), datetime(2026, 3, 31, tzinfo=timezone.utc))
    run = RunRef(1, "k", "/d", window, "UTC", False, window.end)
    assert RunRef.from_dict(run.to_dict()) == run
    with pytest.raises(ValueError, match="staged nothing"):
        run.input  # noqa: B018 - the property is what is tested
