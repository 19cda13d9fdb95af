"""indexes for the hall's reports: a hall's payments by time, a session's pauses

The daily and monthly reports (issue 10) read a hall's payments of a period: without
(hall_id, created_at) that is a scan of every hall's payments ever taken (200 ms for a
month of 20 halls on the bench, growing with the history). A session's pauses are read by
the reports and, for its open pause, by every counter window's refresh
(`QueueQueries.counter_state`) and by resume and log-out: without an index on
`session_id` each reads all the pauses ever made.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payments_hall_time", "payments", ["hall_id", "created_at"])
    op.create_index("ix_counter_pauses_session", "counter_pauses", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_counter_pauses_session", table_name="counter_pauses")
    op.drop_index("ix_payments_hall_time", table_name="payments")
