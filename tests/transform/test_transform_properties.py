"""Property tests (hypothesis): every message in exactly one bundle, titles, E.164 round trip, order independence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transform_helpers import CONTACTS, message

from timelines_zoho.transform import build_note_bundles
from timelines_zoho.transform.assemble import CONTENT_LIMIT, TITLE_LIMIT, title
from timelines_zoho.transform.phones import to_e164, whatsapp_phone_keys, zoho_phone_keys

ZONES = ["Europe/Warsaw", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham", "UTC"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(timezone.utc)
)
offsets = st.sampled_from([-12 * 60, -210, 0, 60, 120, 330, 765, 14 * 60])
texts = st.one_of(st.none(), st.text(max_size=40), st.text(max_size=3_000, alphabet="ab\n😀\x00"))


@st.composite
def message_lists(draw: st.DrawFn) -> list[dict]:
    """Draw messages with unique uids over the three test chats, in API timestamp format."""
    count = draw(st.integers(min_value=1, max_value=40))
    uids = draw(st.lists(st.uuids().map(str), min_size=count, max_size=count, unique=True))
    rows = []
    for uid in uids:
        offset = timedelta(minutes=draw(offsets))
        local = draw(instants).astimezone(timezone(offset))
        rows.append(
            message(
                uid,
                local.strftime("%Y-%m-%d %H:%M:%S %z"),
                chat_id=draw(st.sampled_from([1, 2, 3])),
                text=draw(texts),
                from_me=draw(st.booleans()),
                has_attachment=draw(st.booleans()),
                attachment_filename="f.pdf",
            )
        )
    return rows


@SETTINGS
@given(message_lists(), st.sampled_from(ZONES))
def test_every_message_is_in_exactly_one_bundle_on_its_local_day(rows: list[dict], zone: str) -> None:
    bundles, rejected = build_note_bundles(pd.DataFrame(rows), CONTACTS, timezone=zone)
    assert rejected.empty
    listed = [uid for uids in bundles["message_uids"] for uid in uids]
    assert sorted(listed) == sorted(row["uid"] for row in rows)
    day_of = {
        uid: day for day, uids in zip(bundles["day"], bundles["message_uids"], strict=True) for uid in uids
    }
    for row in rows:
        instant = datetime.strptime(row["timestamp"], "%Y-%m-%d %H:%M:%S %z")
        assert day_of[row["uid"]] == instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")
    assert all(len(content) <= CONTENT_LIMIT for content in bundles["content"])


@SETTINGS
@given(message_lists(), st.randoms(use_true_random=False))
def test_bundles_do_not_depend_on_message_order(rows: list[dict], random: object) -> None:
    shuffled = list(rows)
    random.shuffle(shuffled)
    first, _ = build_note_bundles(pd.DataFrame(rows), CONTACTS, timezone="Europe/Warsaw")
    second, _ = build_note_bundles(pd.DataFrame(shuffled), CONTACTS, timezone="Europe/Warsaw")
    pd.testing.assert_frame_equal(first, second)


@SETTINGS
@given(
    st.text(max_size=300),
    st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2099, 12, 31).date()),
    st.integers(min_value=1, max_value=999).flatmap(
        lambda parts: st.tuples(st.integers(1, parts), st.just(parts))
    ),
)
def test_titles_fit_and_end_with_the_right_date(name: str, day: object, part_of: tuple[int, int]) -> None:
    date = day.strftime("%d/%m/%Y")
    text = title(name, date, *part_of)
    assert len(text.encode("utf-16-le")) // 2 <= TITLE_LIMIT
    assert text.endswith(f" ({date})")
    assert text.startswith("WhatsApp chat with ")


@st.composite
def possible_numbers(draw: st.DrawFn) -> str:
    """Draw an E.164 number that phonenumbers finds possible, from real example numbers of many regions."""
    region = draw(st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)))
    example = phonenumbers.example_number_for_type(region, draw(st.sampled_from([0, 1])))
    if example is None:
        example = phonenumbers.example_number(region)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


@settings(max_examples=200, deadline=None)
@given(possible_numbers())
def test_e164_round_trip_is_stable(number: str) -> None:
    assert to_e164(number) == number
    assert to_e164(to_e164(number)) == number
    parsed = phonenumbers.parse(number)
    for style in (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164):
        keys = zoho_phone_keys(phonenumbers.format_number(parsed, style))
        assert set(keys) & set(whatsapp_phone_keys(number))
    assert zoho_phone_keys("00" + number[1:]) == zoho_phone_keys(number)
