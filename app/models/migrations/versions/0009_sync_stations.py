"""sync: how far each station has pulled, so the change log can be pruned below them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_stations",
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("hall_code", sa.String(length=16), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("station", name=op.f("pk_sync_stations")),
    )


def downgrade() -> None:
    op.drop_table("sync_stations")
