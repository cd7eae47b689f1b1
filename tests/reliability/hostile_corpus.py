"""The hostile-input corpus, as data: (case id, how it is injected, the value, the outcome we require).

Injection: `rename` renames a real chat through the TimelinesAI emulator; `message` and `attachment` append a
message to a real chat; `phone`, `name` and `timestamp` enter at the extract boundary as TimelinesAI JSON rows that
the emulator cannot produce (a chat with that phone or name, a message with that timestamp).
Outcome: `synced` (written to Zoho, safely) or `recorded` (not written, with a reason in the run's items).
"""

from __future__ import annotations

from typing import Any

LONG_NAME = "Ł" * 250 + "x" * 250
RTL = "\u202eevil.exe\u202c محمد العربي"
CASES: list[tuple[str, str, Any, str]] = [
    # phones (a synthetic chat per value)
    ("phone-letters", "phone", "+48abcdefghi", "recorded"),
    ("phone-letters-mixed", "phone", "+48 60I 234 5O7", "synced"),  # phonenumbers reads vanity letters
    ("phone-too-short", "phone", "+481", "recorded"),
    ("phone-two-digits", "phone", "+12", "recorded"),
    ("phone-too-long", "phone", "+4860123456789012345", "recorded"),
    ("phone-plus-zero", "phone", "+0", "recorded"),
    ("phone-zeros", "phone", "+000000000", "recorded"),
    ("phone-empty", "phone", "", "recorded"),
    ("phone-lid", "phone", "@lid", "recorded"),
    ("phone-national-no-country", "phone", "601234999", "recorded"),
    ("phone-spaces-dashes", "phone", "+48 601-234-998", "synced"),
    ("phone-dots-parens", "phone", "+1 (202) 555.0177", "synced"),
    ("phone-double-zero-prefix", "phone", "0048601234997", "recorded"),
    ("phone-unicode-digits", "phone", "+٤٨٦٠١٢٣٤٩٩٦", "synced"),  # Arabic-Indic digits are digits
    ("phone-sql", "phone", "+48'; DROP TABLE tz_chat_links;--", "recorded"),
    ("phone-dup-two-accounts", "phone", "+48601234995", "synced"),
    # names (renames of real chats)
    ("name-500-chars", "rename", LONG_NAME, "synced"),
    ("name-emoji", "rename", "Ana 🌸🚀 Pérez 👩🏽‍💻", "synced"),
    ("name-rtl", "rename", RTL, "synced"),
    ("name-hebrew-mixed", "rename", "דוד Levi (ACME) בע״מ", "synced"),
    ("name-control-chars", "rename", "Bob\x07\x1b[31m Red\x00\x08", "synced"),
    ("name-newlines", "rename", "Line one\nLine two\r\nthree", "synced"),
    ("name-quote", "rename", "Máire O'Sé-O'Neill", "synced"),
    ("name-coql-injection", "rename", "x' or Last_Name != 'y", "synced"),
    ("name-parens", "rename", "Acme (Poland) Sp. z o.o.", "synced"),
    ("name-comma-criteria", "rename", "Smith, John),(Last_Name:starts_with:A", "synced"),
    ("name-backslash", "rename", "back\\slash\\' end", "synced"),
    ("name-html", "rename", "<b>Bold</b> <img src=x onerror=alert(1)>", "synced"),
    ("name-script", "rename", "<script>alert('x')</script>", "synced"),
    ("name-percent-like", "rename", "100% _match_ %' --", "synced"),
    ("name-zero-width", "rename", "Zero\u200bWidth\u200dJoin", "synced"),
    ("name-only-emoji", "rename", "🙂", "synced"),
    # names the emulator's rename refuses (empty, blank), entered with a synthetic chat
    ("name-empty", "name", "", "synced"),
    ("name-blank", "name", "   \t ", "synced"),
    ("name-only-controls", "name", "\x00\x01\x02", "synced"),
    ("name-is-a-phone", "name", "+48 601 234 994", "synced"),
    # messages (appended to real chats)
    ("message-empty", "message", "", "synced"),
    ("message-whitespace", "message", "   ", "synced"),
    ("message-100k", "message", "long message " * 7700, "synced"),
    ("message-nul-bytes", "message", "before\x00middle\x00after", "synced"),
    ("message-control-chars", "message", "bell\x07 escape\x1b[2J done", "synced"),
    ("message-html-script", "message", "<script>fetch('//evil')</script><b>hi</b>", "synced"),
    ("message-coql", "message", "select id from Contacts where Last_Name = 'x' or 1=1", "synced"),
    ("message-emoji-rtl", "message", "مرحبا 👋 \u202e reversed", "synced"),
    ("message-lone-surrogate-like", "message", "\ufffd\ufffe\uffff", "synced"),
    ("message-crlf", "message", "a\r\nb\rc\nd", "synced"),
    # attachments (appended to real chats)
    ("attachment-0-bytes", "attachment", {"filename": "empty.txt", "size": 0}, "synced"),
    ("attachment-over-20mb", "attachment", {"filename": "video.mp4", "size": 21 * 1024 * 1024}, "recorded"),
    ("attachment-over-100mb", "attachment", {"filename": "backup.zip", "size": 101 * 1024 * 1024}, "recorded"),
    ("attachment-path-traversal", "attachment", {"filename": "../../../etc/passwd", "size": 100}, "any"),
    ("attachment-windows-traversal", "attachment", {"filename": "..\\..\\boot.ini", "size": 100}, "any"),
    ("attachment-no-extension", "attachment", {"filename": "README", "size": 10}, "synced"),
    ("attachment-lying-mime", "attachment", {"filename": "invoice.pdf.exe", "size": 2048}, "recorded"),
    ("attachment-html-name", "attachment", {"filename": "<img src=x>.png", "size": 64}, "any"),
    ("attachment-quote-name", "attachment", {"filename": 'a"b\r\nX-Evil: 1.jpg', "size": 64}, "any"),
    ("attachment-unicode-name", "attachment", {"filename": "zdjęcie 📷.jpg", "size": 64}, "synced"),
    ("attachment-expired-link", "expired", {"filename": "late.pdf", "size": 512}, "synced"),
    ("attachment-404", "missing", {"filename": "gone.pdf", "size": 512}, "any"),
    # timestamps (at the extract boundary)
    ("timestamp-bad-offset", "timestamp", "2026-03-30 10:00:00 +9900", "recorded"),
    ("timestamp-bad-zone-name", "timestamp", "2026-03-30 10:00:00 Mars/Olympus", "recorded"),
    ("timestamp-garbage", "timestamp", "yesterday-ish", "recorded"),
    ("timestamp-empty", "timestamp", "", "recorded"),
    ("timestamp-future", "timestamp", "2099-01-01 10:00:00 +0000", "recorded"),
    ("timestamp-next-year", "timestamp", "2027-11-25 10:00:00 +0100", "recorded"),
]
