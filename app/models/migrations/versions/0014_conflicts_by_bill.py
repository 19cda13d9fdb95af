"""sync: a bill's conflicts by an index

Every push that pays or voids bills asks the centre which of them had a surplus credited
before (`sync/conflicts.py`: a void may take it back) and what was credited for each.
Without an index on `bill_id` each push scans every hall's conflicts ever recorded.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sync_conflicts_bill", "sync_conflicts", ["bill_id"])


def downgrade() -> None:
    op.drop_index("ix_sync_conflicts_bill", table_name="sync_conflicts")
