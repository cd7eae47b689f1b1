"""The state store: what the integration knows and has written (the only module that knows SQL)."""

from __future__ import annotations

from timelines_zoho.state.contacts import ChatLink, Claim
from timelines_zoho.state.inbox import InboxMessage, PollCursor
from timelines_zoho.state.keys import NoteDay, NoteKey
from timelines_zoho.state.ledgers import AttachmentEntry, NoteEntry, QuarantinedItem
from timelines_zoho.state.store import AuditEntry, IntegrationSettings, RunRecord, StateStore
from timelines_zoho.state.sync_index import IndexedRecord

__all__ = [
    "AttachmentEntry",
    "AuditEntry",
    "ChatLink",
    "Claim",
    "InboxMessage",
    "IndexedRecord",
    "IntegrationSettings",
    "NoteDay",
    "NoteEntry",
    "NoteKey",
    "PollCursor",
    "QuarantinedItem",
    "RunRecord",
    "StateStore",
]
