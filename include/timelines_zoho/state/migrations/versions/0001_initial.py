"""Initial state store: settings, audit, OAuth states, links, claims, phone index, ledgers, runs, quarantine."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tz_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        *(sa.Column(name, sa.String(100)) for name in
          ("module", "phone_field", "name_field", "chat_link_field", "lead_source_field")),
        sa.Column("timezone", sa.String(64)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("activated_at", TZ),
        sa.Column("activated_by", sa.String(200)),
        sa.Column("test_record_id", sa.String(64)),
        sa.Column("updated_at", TZ),
        sa.Column("updated_by", sa.String(200)),
    )
    op.create_table(
        "tz_audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "tz_oauth_states",
        sa.Column("state", sa.String(100), primary_key=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_table(
        "tz_chat_links",
        sa.Column("chat_id", sa.String(64), primary_key=True),
        sa.Column("record_id", sa.String(64), nullable=False, index=True),
        sa.Column("phone_e164", sa.String(32), nullable=False),
        sa.Column("written_name", sa.String(300)),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "tz_contact_claims",
        sa.Column("phone_e164", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(64)),
        sa.Column("claimed_at", TZ, nullable=False),
    )
    op.create_table(
        "tz_index_records",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300)),
        sa.Column("modified_time", sa.String(40)),
    )
    op.create_table(
        "tz_phone_keys",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column(
            "record_id", sa.String(64),
            sa.ForeignKey("tz_index_records.record_id", ondelete="CASCADE"), primary_key=True,
        ),
    )
    op.create_table(
        "tz_meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "tz_note_ledger",
        sa.Column("chat_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("part", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("note_id", sa.String(64)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "tz_attachment_ledger",
        sa.Column("message_uid", sa.String(100), primary_key=True),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("note_id", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("attachment_id", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "tz_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_key", sa.String(250), nullable=False, unique=True),
        sa.Column("window_start", TZ, nullable=False),
        sa.Column("window_end", TZ, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("summary", sa.Text),
    )
    op.create_table(
        "tz_run_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("tz_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_kind", sa.String(32), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_tz_run_items_run", "tz_run_items", ["run_id"])
    op.create_table(
        "tz_quarantine",
        sa.Column("item_kind", sa.String(32), primary_key=True),
        sa.Column("item_id", sa.String(200), primary_key=True),
        sa.Column("chat_id", sa.String(64)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("first_seen", TZ, nullable=False),
        sa.Column("last_seen", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "tz_quarantine", "tz_run_items", "tz_runs", "tz_attachment_ledger", "tz_note_ledger", "tz_meta",
        "tz_phone_keys", "tz_index_records", "tz_contact_claims", "tz_chat_links", "tz_oauth_states",
        "tz_audit_log", "tz_settings",
    ):
        op.drop_table(table)
