"""manager's view: alert thresholds per service, the manager's note on an alert

`services.handling_limit_min`: a customer at a counter longer than this raises an alert;
`services.queue_limit`: more waiting than this raises one (0: no such alert). The wait
limit is `wait_threshold_min`, there since 0001. `alerts.note`: what the manager wrote
when acknowledging (the audit log keeps it too, with who and when); `alerts.value` and
`alerts.threshold`: the figure that passed its limit and the limit (minutes or people),
so the dashboard words an alert in the manager's language.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(
            sa.Column("handling_limit_min", sa.Integer(), nullable=False, server_default="30")
        )
        batch.add_column(sa.Column("queue_limit", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("note", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("value", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("threshold", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("threshold")
        batch.drop_column("value")
        batch.drop_column("note")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("queue_limit")
        batch.drop_column("handling_limit_min")
