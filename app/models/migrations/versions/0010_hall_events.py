"""hall database: a ticket event pushed from a hall database keeps its hall's own id

A hall whose queue runs on its own hall database (issue 9) pushes its ticket events to the
centre like any outbox row. Their ids are the hall database's sequence, which every hall
has: at the centre the event gets a centre id and keeps the hall's in `origin_id`, unique
per hall, so a push repeated after a lost reply inserts nothing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_events") as batch:
        batch.add_column(sa.Column("origin_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "uq_ticket_events_origin",
        "ticket_events",
        ["hall_id", "origin_id"],
        unique=True,
        sqlite_where=sa.text("origin_id IS NOT NULL"),
        postgresql_where=sa.text("origin_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_ticket_events_origin", table_name="ticket_events")
    with op.batch_alter_table("ticket_events") as batch:
        batch.drop_column("origin_id")
