"""Phone normalisation: WhatsApp numbers, messy Zoho formats, and the BR/MX/AR country quirks."""

from __future__ import annotations

import pytest

from timelines_zoho.transform.phones import to_e164, whatsapp_phone_keys, zoho_phone_keys


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("+48 601-234-567", None),
        ("0048601234567", None),
        ("48601234567", None),
        ("48601234567", "PL"),
        ("(601) 234 567", "PL"),
        ("601234567", "pl"),
        ("+48 601 234 567 ext. 12", None),
        ("48 601 234 567 x12", None),
        ("tel: +48 601.234.567", None),
        ("  +48601234567  ", None),
    ],
)
def test_messy_zoho_formats_normalise_to_the_same_e164(raw: str, region: str | None) -> None:
    assert zoho_phone_keys(raw, region) == ["+48601234567"]


def test_vanity_letters_are_mapped_to_digits() -> None:
    assert zoho_phone_keys("+1 800 FLOWERS") == ["+18003569377"]


@pytest.mark.parametrize("raw", ["call me", "", None, "+0", "12", "(601) 234 567", "0601 234 567"])
def test_text_that_is_not_an_international_number_gives_no_keys(raw: str | None) -> None:
    assert zoho_phone_keys(raw) == []


def test_brazil_ninth_digit_matches_either_way() -> None:
    with_nine, without_nine = "+5511987654321", "+551187654321"
    assert whatsapp_phone_keys(with_nine) == [with_nine, without_nine]
    assert set(whatsapp_phone_keys(without_nine)) & set(zoho_phone_keys("+55 11 98765-4321"))
    assert set(whatsapp_phone_keys(with_nine)) & set(zoho_phone_keys("55 11 8765-4321"))


def test_brazil_landline_gets_no_ninth_digit_variant() -> None:
    assert whatsapp_phone_keys("+551132654321") == ["+551132654321"]


def test_mexico_521_matches_52() -> None:
    assert whatsapp_phone_keys("+5215512345678") == ["+5215512345678", "+525512345678"]
    assert set(whatsapp_phone_keys("+5215512345678")) & set(zoho_phone_keys("+52 55 1234 5678"))
    assert to_e164("+5215512345678") == "+525512345678"  # WhatsApp's old mobile form, written as E.164


def test_argentina_549_matches_54_and_the_national_15_form() -> None:
    whatsapp = whatsapp_phone_keys("+5491123456789")
    assert whatsapp == ["+5491123456789", "+541123456789"]
    assert set(whatsapp) & set(zoho_phone_keys("+54 11 2345-6789"))
    assert set(whatsapp) & set(zoho_phone_keys("011 15 2345-6789", "AR"))


@pytest.mark.parametrize("raw", ["+0", "+236974988349577", "", None, "abc", "+1"])
def test_impossible_or_missing_whatsapp_numbers_have_no_e164(raw: str | None) -> None:
    assert to_e164(raw) is None


def test_possible_but_not_valid_numbers_are_kept() -> None:
    # TimelinesAI's own documentation example: a possible Israeli number that metadata calls invalid.
    assert to_e164("+972501111111") == "+972501111111"


def test_whatsapp_phone_without_plus_is_not_guessed_into_a_country() -> None:
    # 601234999 would read as Malaysia (+60); without a `+` only a configured region may place it.
    assert to_e164("601234999") is None
    assert to_e164("601234999", "PL") == "+48601234999"
    assert to_e164("+48601234999") == "+48601234999"
