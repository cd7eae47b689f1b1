"""Write claims: which run is creating a note or uploading a file, so overlapping runs never write it twice."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tz_write_claims",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("item_key", sa.String(200), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tz_write_claims")
