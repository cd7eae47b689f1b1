"""The inbox: since when each chat is held contiguously up to its poll cursor, and an index on `landed_at`
(the settings page's backlog and "newest landed" read it)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0011"  # chained after main's 0011 at rebase
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tz_inbox_chats") as batch:
        batch.add_column(sa.Column("covered_since", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_tz_inbox_messages_landed_at", "tz_inbox_messages", ["landed_at"])


def downgrade() -> None:
    op.drop_index("ix_tz_inbox_messages_landed_at", table_name="tz_inbox_messages")
    with op.batch_alter_table("tz_inbox_chats") as batch:
        batch.drop_column("covered_since")
