"""The setting "keep names edited in Zoho": off by default, so a WhatsApp rename renames the record."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tz_settings", sa.Column("keep_zoho_names", sa.Boolean, nullable=False,
                                           server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("tz_settings", "keep_zoho_names")
