"""Note bundles: calendar days (midnight, DST), titles, rendering, splitting, and rejected messages."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
from transform_helpers import CONTACTS, message

from timelines_zoho.transform import build_contacts, build_note_bundles
from timelines_zoho.transform.assemble import CONTENT_LIMIT, title


def bundles_of(*messages: dict, **options: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run build_note_bundles over the given messages in Europe/Warsaw."""
    options.setdefault("timezone", "Europe/Warsaw")
    return build_note_bundles(pd.DataFrame(list(messages)), CONTACTS, **options)


def days(bundles: pd.DataFrame) -> dict[str, list[str]]:
    """Return {day: message uids}."""
    return dict(zip(bundles["day"], bundles["message_uids"], strict=True))


def test_midnight_splits_days_in_the_configured_timezone() -> None:
    bundles, rejected = bundles_of(
        message("a", "2026-03-05 23:59:59 +0100"),
        message("b", "2026-03-06 00:00:00 +0100"),
        # 23:30 UTC on the 5th is already the 6th in Warsaw.
        message("c", "2026-03-05 23:30:00 +0000"),
    )
    assert rejected.empty
    assert days(bundles) == {"2026-03-05": ["a"], "2026-03-06": ["b", "c"]}
    assert bundles["title"].tolist() == [
        "WhatsApp chat with Ann (05/03/2026)",
        "WhatsApp chat with Ann (06/03/2026)",
    ]


def test_spring_forward_day_keeps_the_missing_hour_on_one_day() -> None:
    bundles, _ = bundles_of(
        message("a", "2026-03-29 00:30:00 +0100"),
        message("b", "2026-03-29 01:59:59 +0100"),
        message("c", "2026-03-29 03:00:00 +0200"),
        message("d", "2026-03-29 23:59:00 +0200"),
        message("e", "2026-03-29 22:00:00 +0000"),  # 00:00 CEST on the 30th
    )
    assert days(bundles) == {"2026-03-29": ["a", "b", "c", "d"], "2026-03-30": ["e"]}
    assert "\n01:59  Ann: text of b\n03:00  Ann: text of c\n" in bundles["content"].iat[0]


def test_fall_back_day_keeps_both_two_thirties_in_instant_order() -> None:
    bundles, _ = bundles_of(
        message("second", "2026-10-25 02:30:00 +0100"),
        message("first", "2026-10-25 02:30:00 +0200"),
        message("late", "2026-10-25 23:30:00 +0100"),
        message("next", "2026-10-25 23:30:00 +0000"),  # 00:30 CET on the 26th
    )
    assert days(bundles) == {"2026-10-25": ["first", "second", "late"], "2026-10-26": ["next"]}
    assert bundles["content"].iat[0].count("02:30  Ann:") == 2


def test_offsets_of_another_zone_are_converted() -> None:
    bundles, _ = bundles_of(message("a", "2026-03-05 22:30:00 -0330"))
    assert days(bundles) == {"2026-03-06": ["a"]}
    assert "\n03:00  Ann: text of a" in bundles["content"].iat[0]


def test_one_bundle_per_chat_and_day() -> None:
    bundles, _ = bundles_of(
        message("a", "2026-03-05 10:00:00 +0100", chat_id=1),
        message("b", "2026-03-05 11:00:00 +0100", chat_id=2),
        message("c", "2026-03-05 12:00:00 +0100", chat_id=1),
    )
    assert bundles[["chat_id", "day", "part", "parts"]].values.tolist() == [
        [1, "2026-03-05", 1, 1],
        [2, "2026-03-05", 1, 1],
    ]
    assert bundles["message_uids"].tolist() == [["a", "c"], ["b"]]


def test_content_has_the_chat_url_and_one_line_per_message() -> None:
    bundles, _ = bundles_of(
        message("a", "2026-03-05 10:00:00 +0100", text="Hi\x00 there\r\nsecond line"),
        message("b", "2026-03-05 10:01:00 +0100", from_me=True, sender_name="Kate", text="Hello"),
        message("c", "2026-03-05 10:02:00 +0100", sender_name=None, text=""),
        message(
            "d",
            "2026-03-05 10:03:00 +0100",
            text=None,
            has_attachment=True,
            attachment_filename="price list.pdf",
            attachment_url="https://files/x",
        ),
        message(
            "e",
            "2026-03-05 10:04:00 +0100",
            message_type="note",
            text="call back",
            created_by="Kate Smith (kate@acme.io)",
            from_me=True,
        ),
        message("f", "2026-03-05 10:05:00 +0100", message_type="whatsapp_call", status="missed", text=None),
        message("g", "2026-03-05 10:06:00 +0100", message_type="email", text="quote sent"),
    )
    content = bundles["content"].iat[0]
    assert content == (
        "TimelinesAI chat: https://app.timelines.ai/chat/1/messages/\n"
        "Times are Europe/Warsaw.\n\n"
        "10:00  Ann: Hi there\nsecond line\n"
        "10:01  Kate (us): Hello\n"
        "10:02  +48601000001: (empty message)\n"
        "10:03  Ann: [attachment: price list.pdf]\n"
        "10:04  [internal note by Kate Smith] call back\n"
        "10:05  Ann: [call: missed]\n"
        "10:06  Ann: [email] quote sent"
    )
    assert bundles["attachments"].iat[0] == [
        {"message_uid": "d", "filename": "price list.pdf", "url": "https://files/x"}
    ]
    assert "kate@acme.io" not in content


def test_bad_messages_are_rejected_with_reasons_and_the_rest_syncs() -> None:
    now = datetime(2026, 3, 6, 12, 0, tzinfo=timezone.utc)
    bundles, rejected = bundles_of(
        message("good", "2026-03-05 10:00:00 +0100"),
        message("garbled", "yesterday"),
        message("offset", "2026-03-05 10:00:00 +2500"),
        message("naive", "2026-03-05 10:00:00"),
        message("none", None),
        message("future", "2026-03-06 13:00:01 +0000"),
        message("other-chat", "2026-03-05 10:00:00 +0100", chat_id=99),
        message(None, "2026-03-05 10:00:00 +0100"),
        now=now,
    )
    assert bundles["message_uids"].tolist() == [["good"]]
    reasons = dict(zip(rejected["item_id"], rejected["reason"], strict=True))
    assert set(reasons) == {"garbled", "offset", "naive", "none", "future", ""}
    assert reasons["garbled"] == "unparsable timestamp 'yesterday'"
    assert reasons["offset"].startswith("bad timezone offset")
    assert "no timezone offset" in reasons["naive"]
    assert reasons["none"] == "message has no timestamp"
    assert reasons["future"].startswith("timestamp is in the future")
    assert reasons[""] == "message has no uid"
    assert set(rejected["item_kind"]) == {"message"}


def test_duplicate_uids_keep_one_copy() -> None:
    bundles, _ = bundles_of(
        message("a", "2026-03-05 10:00:00 +0100", text="first"),
        message("a", "2026-03-05 10:00:00 +0100", text="edited"),
    )
    assert bundles["message_uids"].tolist() == [["a"]]
    assert "edited" in bundles["content"].iat[0] and "first" not in bundles["content"].iat[0]


def test_long_name_is_cut_and_the_date_is_kept() -> None:
    long_title = title("N" * 300, "05/03/2026")
    assert len(long_title) == 120
    assert long_title.endswith("N… (05/03/2026)")
    assert title("Ann", "05/03/2026", 2, 3) == "WhatsApp chat with Ann, part 2 of 3 (05/03/2026)"
    many_parts = title("N" * 300, "05/03/2026", 12, 13)
    assert len(many_parts) == 120 and many_parts.endswith("…, part 12 of 13 (05/03/2026)")


def test_a_chat_without_a_whatsapp_name_is_titled_by_its_phone() -> None:
    unnamed, _ = build_contacts(pd.DataFrame([{"id": 9, "name": "", "phone": "+971501234567", "is_group": False,
                                               "chat_url": "/chat/9/messages/"}]), pd.DataFrame())
    bundles, _ = build_note_bundles(pd.DataFrame([message("a", "2026-04-03 10:00:00 +0400", chat_id=9)]), unnamed,
                                    timezone="Asia/Dubai")
    assert bundles["title"].tolist() == ["WhatsApp chat with +971501234567 (03/04/2026)"]


def test_a_day_over_the_note_limit_is_split_on_message_boundaries() -> None:
    texts = [f"{n:03d}" + "x" * 9_996 for n in range(20)]  # 20 × ~10k = ~200k characters
    bundles, _ = bundles_of(
        *[message(f"m{n:02d}", f"2026-03-05 10:{n:02d}:00 +0100", text=text) for n, text in enumerate(texts)],
        message(
            "file",
            "2026-03-05 11:00:00 +0100",
            has_attachment=True,
            attachment_filename="a.png",
            attachment_url="u",
        ),
    )
    parts = len(bundles)
    assert parts >= 4
    assert bundles["part"].tolist() == list(range(1, parts + 1)) and set(bundles["parts"]) == {parts}
    assert all(len(content) <= CONTENT_LIMIT for content in bundles["content"])
    assert all(
        content.startswith("TimelinesAI chat: https://app.timelines.ai/chat/1/")
        for content in bundles["content"]
    )
    assert bundles["title"].iat[1] == f"WhatsApp chat with Ann, part 2 of {parts} (05/03/2026)"
    assert sum(bundles["message_uids"], []) == [f"m{n:02d}" for n in range(20)] + ["file"]
    assert sum(bundles["attachments"], []) == [{"message_uid": "file", "filename": "a.png", "url": "u"}]
    joined = "".join(bundles["content"])
    assert all(text in joined for text in texts)
    assert len(set(bundles["content"])) == parts


def test_a_single_message_longer_than_a_note_is_split_never_dropped() -> None:
    huge = "".join(chr(0x1F600 + n % 50) for n in range(100_000))  # 200k UTF-16 units of emoji
    bundles, rejected = bundles_of(message("huge", "2026-03-05 10:00:00 +0100", text=huge))
    assert rejected.empty
    assert len(bundles) == 4
    assert all(len(content.encode("utf-16-le")) // 2 <= CONTENT_LIMIT for content in bundles["content"])
    header = "TimelinesAI chat: https://app.timelines.ai/chat/1/messages/\nTimes are Europe/Warsaw.\n\n"
    rebuilt = "".join(content.removeprefix(header) for content in bundles["content"])
    assert rebuilt == "10:00  Ann: " + huge
    assert bundles["message_uids"].tolist() == [["huge"], [], [], []]


def test_a_days_content_changes_when_a_message_arrives_and_renders_the_same_again() -> None:
    first, _ = bundles_of(message("a", "2026-03-05 10:00:00 +0100"))
    second, _ = bundles_of(
        message("a", "2026-03-05 10:00:00 +0100"), message("b", "2026-03-05 11:00:00 +0100")
    )
    again, _ = bundles_of(message("a", "2026-03-05 10:00:00 +0100"))
    assert first["content"].iat[0] != second["content"].iat[0]
    assert first["content"].iat[0] == again["content"].iat[0]


def test_unknown_timezone_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        bundles_of(message("a", "2026-03-05 10:00:00 +0100"), timezone="Mars/Olympus")


def test_no_messages_gives_empty_frames_with_the_contract_columns() -> None:
    bundles, rejected = build_note_bundles(pd.DataFrame(), CONTACTS, timezone="Europe/Warsaw")
    assert bundles.empty and rejected.empty
    assert "content" in bundles.columns and "reason" in rejected.columns


def test_messages_with_the_same_instant_are_ordered_by_uid_whatever_the_arrival_order() -> None:
    same = "2026-03-05 10:00:00 +0100"
    forward, _ = bundles_of(message("b", same), message("a", same), message("c", "2026-03-05 09:00:00 +0000"))
    backward, _ = bundles_of(
        message("c", "2026-03-05 09:00:00 +0100"), message("a", same), message("b", same)
    )
    assert forward["message_uids"].tolist() == [["a", "b", "c"]]
    assert backward["message_uids"].tolist() == [["c", "a", "b"]]
