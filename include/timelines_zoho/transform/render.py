"""One transcript line per message: `HH:MM  Sender: text`, with notes, calls and attachments shown distinctly.

Rendering choices (documented, tested):

- Sender: `sender_name`, else `sender_phone`, else `unknown`; our side (`from_me`) gets ` (us)` after it.
- Text: control characters and NULs removed (tab and newline kept, `\\r\\n` folded to `\\n`); a message with no
  text and no attachment renders as `(empty message)`.
- Attachment: ` [attachment: <filename>]` after the text (`file` when the name is missing).
- TimelinesAI internal notes (`message_type` `note`) render as `[internal note by <author>] text`, the author
  being the name part of `created_by`, else the sender. Calls (`whatsapp_call`) render as `Sender: [call: <status>]`.
  Other non-WhatsApp entries (`email`, `summary`) are tagged `[email] text`. Nothing is skipped, so every message
  uid lands in a note.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from timelines_zoho.transform.text import clean_name, clean_text

_CLOCK = np.array([f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(1440)], dtype=object)


def column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Return a column as an object array, all None when the API left the key out."""
    if name in frame.columns:
        return frame[name].to_numpy(dtype=object)
    return np.full(len(frame), None, dtype=object)


def flags(values: np.ndarray) -> np.ndarray:
    """Return a boolean mask of the values that are true (missing counts as false)."""
    return np.array([value is True or value == 1 for value in values], dtype=bool)


def _cleaned_names(values: np.ndarray) -> np.ndarray:
    """Clean each distinct name once (a chat repeats its sender names many times)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = np.array([clean_name(value) for value in uniques] + [""], dtype=object)
    return cleaned[codes]


def _author(created_by: object, sender: str) -> str:
    """Return the display name of a note's author: `Name (email)` loses its email."""
    name = clean_name(created_by)
    if name.endswith(")") and " (" in name:
        name = name[: name.rindex(" (")]
    return name or sender or "a teammate"


def _body(kind: object, text: str, status: object, filename: str | None, label: str, author: object) -> str:
    """Return what follows the time on a message's line."""
    if filename is not None:
        text = f"{text} [attachment: {filename}]" if text else f"[attachment: {filename}]"
    if kind == "note":
        return f"[internal note by {_author(author, label)}] {text or '(empty note)'}"
    if kind == "whatsapp_call":
        return f"{label}: [call: {clean_name(status) or 'unknown'}]{' ' + text if text else ''}"
    if not text:
        text = "(empty message)"
    if kind in (None, "whatsapp") or not isinstance(kind, str):
        return f"{label}: {text}"
    return f"{label}: [{clean_name(kind)}] {text}"


def render_lines(messages: Mapping[str, np.ndarray], minute_of_day: np.ndarray) -> list[str]:
    """Return one transcript line per message, in the order of the given columns."""
    names = _cleaned_names(messages["sender_name"])
    phones = _cleaned_names(messages["sender_phone"])
    labels = np.where(names != "", names, np.where(phones != "", phones, "unknown"))
    labels = np.where(flags(messages["from_me"]), labels + " (us)", labels)
    texts = [
        value if isinstance(value, str) and value.isprintable() else clean_text(value)
        for value in messages["text"]
    ]
    filenames = np.full(len(texts), None, dtype=object)
    with_file = flags(messages["has_attachment"])
    filenames[with_file] = [clean_name(name) or "file" for name in messages["attachment_filename"][with_file]]
    rows = zip(
        _CLOCK[minute_of_day],
        labels,
        texts,
        messages["message_type"],
        filenames,
        messages["status"],
        messages["created_by"],
        strict=True,
    )
    # The plain WhatsApp text message is the common case; everything else goes through _body.
    return [
        f"{clock}  {label}: {text}"
        if text and filename is None and (kind == "whatsapp" or kind is None)
        else f"{clock}  {_body(kind, text, status, filename, label, author)}"
        for clock, label, text, kind, filename, status, author in rows
    ]
