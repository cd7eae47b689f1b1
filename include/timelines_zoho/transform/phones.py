"""Phone numbers: E.164 for WhatsApp numbers, and match keys that survive how people type numbers into Zoho.

Decisions:

- WhatsApp numbers arrive in international form (`+…`). A number is accepted when phonenumbers finds it
  *possible* (right length for its country), not *valid*: validity depends on number-plan metadata that lags
  reality, and TimelinesAI's own examples (`+972501111111`) are possible but not valid. `+0` and `@lid` pseudo
  numbers (`+236974988349577`) are impossible and are rejected by the caller with a reason.
- Country quirks (WhatsApp rewrites these numbers, Zoho users type them either way): Brazil mobiles with and
  without the ninth digit (`+55 11 9xxxx-xxxx` ↔ `+55 11 xxxx-xxxx`), Mexico `+521…` ↔ `+52…`, Argentina
  `+549…` ↔ `+54…`. Both sides expand a number into all its variants, so a match is a non-empty intersection
  of key sets; nobody has to agree on which variant is canonical for matching.
- What we write is E.164 (`to_e164`). Mexico dropped the mobile `1` in 2019, so WhatsApp's `+521` + ten digits
  is written `+52` + ten digits. Argentina's mobile `9` and Brazil's ninth digit are part of the E.164 number
  and stay.
- Zoho side (`zoho_phone_keys`): `00` international prefix, missing `+` (`48601234567`), national numbers with
  a default region (`(601) 234 567`), spaces, dashes, dots, extensions (dropped) and vanity letters (mapped by
  phonenumbers). Without `+` the national reading wins when it is a valid number, else the international
  reading (`+` + digits) when possible. A national-looking number (`0…`, `(…)`) without a default region,
  and text that is not a number, yield no keys at all.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

_LEADING_JUNK = re.compile(r"^[^\d+]+")


def _format(number: phonenumbers.PhoneNumber) -> str:
    """Format a parsed number as E.164 (extension dropped)."""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _variants(e164: str) -> list[str]:
    """Return the country-quirk variants of an E.164 number (not including the number itself)."""
    if e164.startswith("+55"):
        nsn = e164[3:]
        if len(nsn) == 11 and nsn[2] == "9" and nsn[3] in "6789":
            return ["+55" + nsn[:2] + nsn[3:]]
        if len(nsn) == 10 and nsn[2] in "6789":
            return ["+55" + nsn[:2] + "9" + nsn[2:]]
    elif e164.startswith("+52"):
        nsn = e164[3:]
        if len(nsn) == 11 and nsn[0] == "1":
            return ["+52" + nsn[1:]]
        if len(nsn) == 10:
            return ["+521" + nsn]
    elif e164.startswith("+54"):
        nsn = e164[3:]
        if len(nsn) == 11 and nsn[0] == "9":
            return ["+54" + nsn[1:]]
        if len(nsn) == 10:
            return ["+549" + nsn]
    return []


def _is_possible(e164: str) -> bool:
    """Tell whether an E.164 string, or one of its quirk variants, is a possible number."""
    for candidate in (e164, *_variants(e164)):
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(candidate, None)):
                return True
        except NumberParseException:
            continue
    return False


@lru_cache(maxsize=65536)
def to_e164(raw: str | None, default_region: str | None = None) -> str | None:
    """Return the E.164 form of a WhatsApp phone, or None when it is missing, impossible or has no country.

    TimelinesAI writes numbers internationally with a leading `+`. Without one the country is unknown (601234999
    could be Polish or Malaysian), so it is read nationally in `default_region` or not at all, never guessed.
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    if not text.startswith("+") and default_region is None:
        return None
    try:
        number = phonenumbers.parse(text, default_region)
    except NumberParseException:
        return None
    e164 = _format(number)
    if not (phonenumbers.is_possible_number(number) or _is_possible(e164)):
        return None
    return _without_mexican_mobile_one(e164)


def _without_mexican_mobile_one(e164: str) -> str:
    """Return `+52` + ten digits for WhatsApp's pre-2019 Mexican mobile form `+521` + ten digits."""
    if e164.startswith("+521") and len(e164) == len("+521") + 10:
        return "+52" + e164[4:]
    return e164


def whatsapp_phone_keys(e164: str) -> list[str]:
    """Return the keys a WhatsApp number is looked up by: itself, then its country-quirk variants."""
    return [e164, *sorted(_variants(e164))]


def _parse(text: str, region: str | None) -> str | None:
    """Parse a number and return its E.164 form, or None."""
    try:
        return _format(phonenumbers.parse(text, region))
    except NumberParseException:
        return None


def _is_valid(e164: str) -> bool:
    """Tell whether an E.164 string, or one of its quirk variants, is a valid number."""
    return any(
        phonenumbers.is_valid_number(phonenumbers.parse(candidate, None))
        for candidate in (e164, *_variants(e164))
    )


@lru_cache(maxsize=65536)
def _zoho_e164(raw: str, default_region: str | None) -> str | None:
    """Return the one E.164 reading of a phone typed into Zoho, or None when it is not a number."""
    looks_national = raw.strip().startswith(("(", "0")) and not raw.strip().startswith("00")
    text = _LEADING_JUNK.sub("", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        e164 = _parse(text, None)
        return e164 if e164 and _is_possible(e164) else None
    national = _parse(text, default_region) if default_region else None
    if national and _is_valid(national):
        return national
    # A trunk `0` or an area code in brackets marks a national number: guessing a country code would invent one.
    international = None if looks_national else _parse("+" + text, None)
    if international and _is_possible(international):
        return international
    return national if national and _is_possible(national) else None


def zoho_phone_keys(raw: str | None, default_region: str | None = None) -> list[str]:
    """Return the E.164 keys under which a phone stored in Zoho is indexed (empty when it is not a number)."""
    if not isinstance(raw, str) or not raw.strip():
        return []
    e164 = _zoho_e164(raw, default_region.upper() if default_region else None)
    return whatsapp_phone_keys(e164) if e164 else []
