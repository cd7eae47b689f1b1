"""Pure transform (no I/O): WhatsApp chats into contact rows, messages into per-day note bundles."""

from __future__ import annotations

from timelines_zoho.transform.contacts import build_contacts
from timelines_zoho.transform.notes import build_note_bundles

__all__ = ["build_contacts", "build_note_bundles"]
