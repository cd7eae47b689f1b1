"""Attachment ledger: the size of each file sent, and an index by note, so a pending file is matched in Zoho by
name, size and order, and never adopts a file the ledger already holds on that note."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tz_attachment_ledger") as batch:
        batch.add_column(sa.Column("size", sa.BigInteger(), nullable=True))
    op.create_index("ix_tz_attachment_ledger_note", "tz_attachment_ledger", ["note_id"])


def downgrade() -> None:
    op.drop_index("ix_tz_attachment_ledger_note", table_name="tz_attachment_ledger")
    with op.batch_alter_table("tz_attachment_ledger") as batch:
        batch.drop_column("size")
