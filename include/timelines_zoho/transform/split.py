"""Split a day's transcript that exceeds Zoho's note size into parts, on message boundaries where possible."""

from __future__ import annotations

from collections.abc import Mapping

from timelines_zoho.transform.text import zoho_len


def _pieces(line: str, budget: int) -> list[str]:
    """Cut one line into consecutive pieces of at most `budget` UTF-16 units (never inside a character)."""
    if zoho_len(line) <= budget:
        return [line]
    if line.isascii():
        return [line[start : start + budget] for start in range(0, len(line), budget)]
    pieces: list[str] = []
    start, used = 0, 0
    for index, char in enumerate(line):
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > budget:
            pieces.append(line[start:index])
            start, used = index, 0
        used += width
    pieces.append(line[start:])
    return pieces


def pack_parts(lines: list[str], header: str, limit: int, reserve: Mapping[int, int] | None = None,
               shared: int = 0) -> list[tuple[str, list[int]]]:
    """Return (content, indexes of the lines that start in it) per part; every part fits in `limit`.

    `reserve` maps a line index to room kept free in the part where that line starts, and `shared` is room kept
    once in every part when anything is reserved (load appends text there later).
    """
    reserve = reserve or {}
    budget = limit - zoho_len(header) - (shared if reserve else 0)
    if budget <= max(reserve.values(), default=0):
        raise ValueError("note header leaves no room for the transcript")
    parts: list[tuple[list[str], list[int]]] = []
    used = budget + 1  # forces a first part
    for index, line in enumerate(lines):
        extra = reserve.get(index, 0)
        for piece_number, piece in enumerate(_pieces(line, budget - extra)):
            size = zoho_len(piece) + (extra if piece_number == 0 else 0)
            if used + 1 + size > budget:
                parts.append(([], []))
                used = size
            else:
                used += 1 + size
            parts[-1][0].append(piece)
            if piece_number == 0:
                parts[-1][1].append(index)
    return [(header + "\n".join(texts), starting) for texts, starting in parts]
