"""Index phone keys by record: replacing or forgetting a record's keys no longer scans every key."""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tz_phone_keys_record", "tz_phone_keys", ["record_id"])


def downgrade() -> None:
    op.drop_index("ix_tz_phone_keys_record", table_name="tz_phone_keys")
