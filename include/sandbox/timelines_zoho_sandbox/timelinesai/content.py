"""Deterministic per-message content derived from (seed, index): uids, texts and attachment bytes."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

MASK64 = (1 << 64) - 1
MASK48 = (1 << 48) - 1
CHUNK = 64 * 1024
SCRAMBLE = 0x9E3779B97F4B  # odd, so multiplying by it is invertible modulo 2**48
UNSCRAMBLE = pow(SCRAMBLE, -1, 1 << 48)


def mix64(value: int) -> int:
    """Return the splitmix64 finaliser of `value`: a cheap, well-spread 64-bit hash."""
    z = (value + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def message_uid(seed: int, index: int) -> str:
    """Encode a message index as a random-looking UUID4 that `uid_index` can decode without a lookup table."""
    high = mix64(seed * 1_000_003 + index)
    low = ((mix64(high) & 0xFFFF) << 48) | (((index ^ (mix64(seed) & MASK48)) * SCRAMBLE) & MASK48)
    value = (high << 64) | low
    value = (value & ~(0xF << 76)) | (0x4 << 76)  # version 4
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def uid_index(seed: int, uid: str, count: int) -> int | None:
    """Return the message index a uid encodes, or None when it is not one of ours."""
    try:
        value = uuid.UUID(uid).int
    except (ValueError, AttributeError):
        return None
    index = (((value & MASK48) * UNSCRAMBLE) & MASK48) ^ (mix64(seed) & MASK48)
    if index >= count or message_uid(seed, index) != str(uuid.UUID(uid)) or uid != uid.lower():
        return None
    return index


WORDS = (
    "hello thanks order invoice delivery tomorrow price offer meeting call please confirm address payment "
    "today week monday friday sample catalogue discount quote shipment contract details available great "
    "perfect sure when where how much stock colour size update signed received photo later morning"
).split()
EMOJI = ("👍", "🙏", "😀", "🎉", "❤️", "🔥", "✅", "🤝", "📦", "👨‍👩‍👧")
RTL = ("مرحبا، هل الطلب جاهز؟", "שלום, מתי המשלוח מגיע?", "شكراً جزيلاً 🙏", "תודה רבה, נדבר מחר")

# text_kind codes stored per message
TEXT_PLAIN, TEXT_EMOJI, TEXT_RTL, TEXT_EMPTY, TEXT_LONG, TEXT_NONE = range(6)
LONG_TEXT_CHARS = 3_000


def message_text(seed: int, index: int, kind: int) -> str | None:
    """Return the deterministic text of a generated message of the given kind."""
    if kind == TEXT_NONE:
        return None
    if kind == TEXT_EMPTY:
        return ""
    h = mix64(seed ^ (index * 0x9E37))
    if kind == TEXT_EMOJI:
        return f"{WORDS[h % len(WORDS)].capitalize()} {EMOJI[(h >> 8) % len(EMOJI)]}{EMOJI[(h >> 16) % len(EMOJI)]}"
    if kind == TEXT_RTL:
        return RTL[h % len(RTL)]
    words = [WORDS[(h >> (5 * k)) % len(WORDS)] for k in range(3 + h % 9)]
    sentence = " ".join(words).capitalize() + ("?" if h & 1 else ".")
    if kind == TEXT_LONG:
        return (sentence + " ") * (LONG_TEXT_CHARS // (len(sentence) + 1) + 1)
    return sentence


@dataclass(frozen=True)
class AttachmentKind:
    """One attachment type: extension, mimetype, leading magic bytes and a typical size range."""

    ext: str
    mimetype: str
    magic: bytes
    min_size: int
    max_size: int
    stem: str


ATTACHMENT_KINDS: tuple[AttachmentKind, ...] = (
    AttachmentKind(
        "jpg", "image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", 20_000, 900_000, "IMG-{d}-WA{n:04d}"
    ),
    AttachmentKind("png", "image/png", b"\x89PNG\r\n\x1a\n", 5_000, 600_000, "Screenshot {d} {n}"),
    AttachmentKind("webp", "image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", 3_000, 90_000, "STK-{d}-WA{n:04d}"),
    AttachmentKind("pdf", "application/pdf", b"%PDF-1.7\n", 30_000, 3_000_000, "Faktura {n}"),
    AttachmentKind(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
        10_000,
        800_000,
        "Offer {n}",
    ),
    AttachmentKind(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
        8_000,
        500_000,
        "Price list {n}",
    ),
    AttachmentKind("ogg", "audio/ogg", b"OggS\x00\x02", 4_000, 400_000, "PTT-{d}-WA{n:04d}"),
    AttachmentKind("mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42", 200_000, 12_000_000, "VID-{d}-WA{n:04d}"),
    AttachmentKind("vcf", "text/vcard", b"BEGIN:VCARD\r\nVERSION:3.0\r\n", 200, 2_000, "Contact {n}"),
    AttachmentKind("txt", "text/plain", b"", 50, 20_000, "notes {n}"),
    AttachmentKind("zip", "application/zip", b"PK\x03\x04", 50_000, 5_000_000, "photos-{n}"),
)
KIND_BY_EXT = {kind.ext: i for i, kind in enumerate(ATTACHMENT_KINDS)}


def attachment_filename(kind: int, index: int, day: str) -> str:
    """Return a realistic filename (WhatsApp-style where WhatsApp names files) for a generated attachment."""
    spec = ATTACHMENT_KINDS[kind]
    return f"{spec.stem.format(d=day.replace('-', ''), n=index % 10_000)}.{spec.ext}"


def attachment_bytes(seed: int, index: int, kind: int, size: int) -> Iterator[bytes]:
    """Yield `size` deterministic bytes in 64 KiB chunks, so a 20 MB file is never held in memory whole."""
    head = ATTACHMENT_KINDS[kind].magic[:size]
    block = random.Random(mix64(seed ^ index)).randbytes(CHUNK)
    remaining = size - len(head)
    if head:
        yield head
    while remaining > 0:
        piece = block[: min(CHUNK, remaining)]
        remaining -= len(piece)
        yield piece
