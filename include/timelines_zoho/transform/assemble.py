"""Assemble sorted transcript lines into bundle rows: titles, contents, parts, uids, attachments.

Works on plain lists and numpy arrays rather than pandas columns: at a million messages, iterating a pandas
string column costs more than everything else together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from timelines_zoho.transform.render import flags
from timelines_zoho.transform.split import pack_parts
from timelines_zoho.transform.text import cut, zoho_len

TITLE_LIMIT = 120
CONTENT_LIMIT = 65_535
TITLE_PREFIX = "WhatsApp chat with "
# Room kept in a note for load to list the files Zoho could not take (over 20 MB): a heading once, then one
# `- name: reason` line per file, name and reason cut to these widths, so the final note never passes the limit.
FILES_HEADING = "\n\nFiles not attached:\n"
FILE_NAME_ROOM = 120
FILE_REASON_ROOM = 100
FILE_LINE_ROOM = len("- ") + FILE_NAME_ROOM + len(": ") + FILE_REASON_ROOM + len("\n")
BUNDLE_COLUMNS = [
    "chat_id",
    "day",
    "part",
    "parts",
    "title",
    "content",
    "message_uids",
    "attachments",
]
_SHORT_NAME_LIMIT = TITLE_LIMIT - len(TITLE_PREFIX) - len(" (DD/MM/YYYY)")


@dataclass
class Transcript:
    """Messages already sorted by (chat, day, instant, uid), one rendered line each."""

    uids: list[str]
    lines: list[str]
    contact: np.ndarray  # row of the chat in the (chat_id-sorted) contacts frame
    day: np.ndarray  # local calendar day, as days since 1970-01-01
    files: dict[int, dict]  # position in the transcript -> attachment reference


def title(name: str, date: str, part: int = 1, parts: int = 1) -> str:
    """Return a note title that fits Zoho's limit and always ends with the date."""
    suffix = f" ({date})" if parts == 1 else f", part {part} of {parts} ({date})"
    return TITLE_PREFIX + cut(name, TITLE_LIMIT - len(TITLE_PREFIX) - len(suffix)) + suffix


def attachment_refs(messages: Mapping[str, np.ndarray], position: np.ndarray) -> dict[int, dict]:
    """Return {transcript position: {message_uid, filename, url}} for the messages that carry an attachment."""
    uids, urls, names = messages["uid"], messages["attachment_url"], messages["attachment_filename"]
    return {
        int(position[row]): {"message_uid": uids[row], "filename": names[row], "url": urls[row]}
        for row in np.flatnonzero(flags(messages["has_attachment"]))
    }


def _day_strings(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (YYYY-MM-DD per distinct day, DD/MM/YYYY per distinct day, index of each day into them)."""
    distinct, index = np.unique(days, return_inverse=True)
    dates = pd.to_datetime(distinct, unit="D")
    return (
        np.array(dates.strftime("%Y-%m-%d"), dtype=object),
        np.array(dates.strftime("%d/%m/%Y"), dtype=object),
        index,
    )


def _attachments(transcript: Transcript, starts: np.ndarray) -> list[list[dict]]:
    """Return per chat-day the attachment references of its messages, in transcript order."""
    lists: list[list[dict]] = [[] for _ in range(len(starts))]
    rows = sorted(transcript.files)
    for group, row in zip((np.searchsorted(starts, rows, side="right") - 1).tolist(), rows, strict=True):
        lists[group].append(transcript.files[row])
    return lists


def assemble(transcript: Transcript, contacts: pd.DataFrame, note: str) -> pd.DataFrame:
    """Return bundle rows, one per chat-day, or one per part of a day too long for a single note."""
    contact, day, lines, uids = transcript.contact, transcript.day, transcript.lines, transcript.uids
    starts = np.flatnonzero(np.r_[True, (contact[1:] != contact[:-1]) | (day[1:] != day[:-1])])
    ends = np.r_[starts[1:], len(lines)]
    owner = contact[starts]
    iso_days, dmy_days, day_index = _day_strings(day[starts])
    iso, dmy = iso_days[day_index].tolist(), dmy_days[day_index].tolist()
    headers = [f"TimelinesAI chat: {url}\n{note}\n\n" for url in contacts["chat_url"].tolist()]
    # A chat without a WhatsApp name is titled by its phone, never by the record's placeholder name.
    names = [
        name if has_name else phone
        for name, has_name, phone in zip(contacts["name"].tolist(), contacts["has_whatsapp_name"].tolist(),
                                         contacts["phone_e164"].tolist(), strict=True)
    ]
    # Titles as two halves, per chat and per day, added in one numpy pass instead of a format per bundle.
    title_heads = np.array(
        [f"{TITLE_PREFIX}{cut(name, _SHORT_NAME_LIMIT)} (" for name in names], dtype=object
    )
    bounds = list(zip(starts.tolist(), ends.tolist(), owner.tolist(), strict=True))

    columns: dict[str, list] = {
        "chat_id": contacts["chat_id"].to_numpy()[owner].tolist(),
        "day": iso,
        "part": [1] * len(bounds),
        "parts": [1] * len(bounds),
        "title": (
            title_heads[owner] + np.array([f"{date})" for date in dmy_days], dtype=object)[day_index]
        ).tolist(),
        "content": [headers[who] + "\n".join(lines[start:end]) for start, end, who in bounds],
        "message_uids": [uids[start:end] for start, end, _ in bounds],
        "attachments": _attachments(transcript, starts),
    }
    # Code points understate UTF-16 units by at most half, so only big days need the exact count.
    sizes = np.fromiter(map(len, columns["content"]), dtype=np.int64, count=len(bounds))
    files = np.fromiter(map(len, columns["attachments"]), dtype=np.int64, count=len(bounds))
    rooms = np.where(files > 0, len(FILES_HEADING) + files * FILE_LINE_ROOM, 0)
    candidates = np.flatnonzero(sizes * 2 + rooms > CONTENT_LIMIT).tolist()
    too_long = [group for group in candidates if zoho_len(columns["content"][group]) + rooms[group] > CONTENT_LIMIT]
    # Splice from the end so earlier group positions stay valid.
    for group in reversed(too_long):
        start, end, who = bounds[group]
        reserve = {row - start: FILE_LINE_ROOM for row in transcript.files if start <= row < end}
        parts = pack_parts(lines[start:end], headers[who], CONTENT_LIMIT, reserve, len(FILES_HEADING))
        count = len(parts)
        replacement = {
            "chat_id": [columns["chat_id"][group]] * count,
            "day": [iso[group]] * count,
            "part": list(range(1, count + 1)),
            "parts": [count] * count,
            "title": [title(names[who], dmy[group], number, count) for number in range(1, count + 1)],
            "content": [content for content, _ in parts],
            "message_uids": [[uids[start + index] for index in first] for _, first in parts],
            "attachments": [
                [transcript.files[start + index] for index in first if start + index in transcript.files]
                for _, first in parts
            ],
        }
        for name, values in replacement.items():
            columns[name][group : group + 1] = values
    return pd.DataFrame(columns, columns=BUNDLE_COLUMNS)
