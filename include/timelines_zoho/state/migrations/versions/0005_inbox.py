"""The inbox: messages by uid (from webhooks or polls) and per-chat state (last entry, poll cursor)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0008"  # chained after main's 0008 at rebase (the brief gave "0003")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tz_inbox_messages",
        sa.Column("message_uid", sa.String(100), primary_key=True),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("landed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tz_inbox_messages_chat_ts", "tz_inbox_messages", ["chat_id", "ts"])
    op.create_index("ix_tz_inbox_messages_ts", "tz_inbox_messages", ["ts"])
    op.create_table(
        "tz_inbox_chats",
        sa.Column("chat_id", sa.String(64), primary_key=True),
        sa.Column("last_entry_at", sa.DateTime(timezone=True)),
        sa.Column("cursor_uid", sa.String(100)),
        sa.Column("cursor_ts", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_tz_inbox_chats_last_entry", "tz_inbox_chats", ["last_entry_at"])


def downgrade() -> None:
    op.drop_table("tz_inbox_chats")
    op.drop_table("tz_inbox_messages")
