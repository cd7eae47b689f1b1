"""SQLAlchemy 2 tables of the state store; the Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every state table."""


class SettingsRow(Base):
    """The integration settings: a single row with id 1."""

    __tablename__ = "tz_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module: Mapped[str | None] = mapped_column(String(100))
    phone_field: Mapped[str | None] = mapped_column(String(100))
    name_field: Mapped[str | None] = mapped_column(String(100))
    chat_link_field: Mapped[str | None] = mapped_column(String(100))
    lead_source_field: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_by: Mapped[str | None] = mapped_column(String(200))
    test_record_id: Mapped[str | None] = mapped_column(String(64))
    keep_zoho_names: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(200))


class AuditRow(Base):
    """One audited settings action."""

    __tablename__ = "tz_audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")


class OAuthStateRow(Base):
    """A one-time OAuth `state` value, deleted when consumed."""

    __tablename__ = "tz_oauth_states"
    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    actor: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChatLinkRow(Base):
    """A chat linked to its Zoho record, with the name we last wrote there."""

    __tablename__ = "tz_chat_links"
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    phone_e164: Mapped[str] = mapped_column(String(32))
    written_name: Mapped[str | None] = mapped_column(String(300))
    how: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContactClaimRow(Base):
    """The claim on creating a contact for one E.164 phone: the primary key decides who creates."""

    __tablename__ = "tz_contact_claims"
    phone_e164: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    chat_id: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WriteClaimRow(Base):
    """The claim on writing one note ("note", `chat/day#part`) or file ("attachment", message uid) to Zoho."""

    __tablename__ = "tz_write_claims"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IndexRecordRow(Base):
    """A Zoho record as last seen by the phone index scan."""

    __tablename__ = "tz_index_records"
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    modified_time: Mapped[str | None] = mapped_column(String(40))


class PhoneKeyRow(Base):
    """One normalised phone key of a Zoho record."""

    __tablename__ = "tz_phone_keys"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("tz_index_records.record_id", ondelete="CASCADE"), primary_key=True
    )
    # Replacing a record's keys deletes them by record id (and the foreign key checks by it).
    __table_args__ = (Index("ix_tz_phone_keys_record", "record_id"),)


class MetaRow(Base):
    """Small named values, such as the index's Modified_Time watermark."""

    __tablename__ = "tz_meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class NoteLedgerRow(Base):
    """The note written for one (chat, day, part): pending until Zoho returned its id."""

    __tablename__ = "tz_note_ledger"
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    note_id: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttachmentLedgerRow(Base):
    """The attachment uploaded for one message: pending, done, or refused with a reason."""

    __tablename__ = "tz_attachment_ledger"
    message_uid: Mapped[str] = mapped_column(String(100), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    note_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(300))
    attachment_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_tz_attachment_ledger_note", "note_id"),)


class RunRow(Base):
    """One sync run: its window, status and summary (JSON)."""

    __tablename__ = "tz_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_key: Mapped[str] = mapped_column(String(250), unique=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str | None] = mapped_column(Text)


class RunItemRow(Base):
    """One item's outcome in a run (created, linked, skipped, failed, ...) with its reason."""

    __tablename__ = "tz_run_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("tz_runs.id", ondelete="CASCADE"))
    item_kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_tz_run_items_run", "run_id"),)


class QuarantineRow(Base):
    """An item that failed and is retried on a later run."""

    __tablename__ = "tz_quarantine"
    item_kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    chat_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
