"""Text hygiene shared by contacts and notes: control characters out, lengths measured the way Zoho counts."""

from __future__ import annotations

import re

# C0/C1 controls except tab and newline, plus lone surrogates (JSON can carry them; UTF-8 cannot encode them).
_TEXT_JUNK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?")
_NAME_SPACES = re.compile(r"[\t\n\r\x0b\x0c\s]+")
_NAME_JUNK = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
ELLIPSIS = "…"


def clean_text(text: object) -> str:
    """Return message text without control characters (tab and newline kept), or "" when missing."""
    if not isinstance(text, str):
        return ""
    if "\r" in text:
        text = _LINE_BREAKS.sub("\n", text)
    return _TEXT_JUNK.sub("", text)


def clean_name(name: object) -> str:
    """Return a one-line name: control characters dropped, whitespace runs collapsed, trimmed."""
    if not isinstance(name, str):
        return ""
    return _NAME_SPACES.sub(" ", _NAME_JUNK.sub("", name)).strip()


def zoho_len(text: str) -> int:
    """Return the length in UTF-16 code units, which is what Zoho (Java) limits; never less than len()."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF) if not text.isascii() else len(text)


def cut(text: str, limit: int) -> str:
    """Cut text to at most `limit` UTF-16 units, ending with … when anything was removed."""
    if zoho_len(text) <= limit:
        return text
    kept: list[str] = []
    used = zoho_len(ELLIPSIS)
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > limit:
            break
        kept.append(char)
        used += width
    return "".join(kept).rstrip() + ELLIPSIS
