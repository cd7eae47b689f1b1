"""Split a day's transcript that exceeds Zoho's note size into parts, on message boundaries where possible."""

from __future__ import annotations

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


def pack_parts(lines: list[str], header: str, limit: int) -> list[tuple[str, list[int]]]:
    """Return (content, indexes of the lines that start in it) per part; every part fits in `limit`."""
    budget = limit - zoho_len(header)
    if budget <= 0:
        raise ValueError("note header leaves no room for the transcript")
    parts: list[tuple[list[str], list[int]]] = []
    used = budget + 1  # forces a first part
    for index, line in enumerate(lines):
        for piece_number, piece in enumerate(_pieces(line, budget)):
            size = zoho_len(piece)
            if used + 1 + size > budget:
                parts.append(([], []))
                used = size
            else:
                used += 1 + size
            parts[-1][0].append(piece)
            if piece_number == 0:
                parts[-1][1].append(index)
    return [(header + "\n".join(texts), starting) for texts, starting in parts]
