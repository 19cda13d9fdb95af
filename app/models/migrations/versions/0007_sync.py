"""sync: outbox and pull cursors (station caches), change log with its triggers (central)

The change log is written by a trigger on every table a station pulls, in the writer's
own transaction, with `pg_current_xact_id()` (xid8) as a number, and a `pg_notify` on
'halldesk_changes' so that listening stations pull at once. PostgreSQL only: on SQLite the
table exists and stays empty. See app/models/sync.py.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# pulled table -> the column that names the changed row in the change log
PULLED = {
    "halls": "id",
    "services": "id",
    "counters": "id",
    "counter_services": "counter_id",
    "staff": "id",
    "customer_accounts": "id",
    "bills": "id",
    "fee_items": "id",
    "late_fee_rules": "id",
    "payments": "id",
    "payment_allocations": "id",
    "payment_fees": "id",
    "credit_entries": "id",
    "payment_voids": "id",
    "refunds": "id",
    "receipt_prints": "id",
    "day_closings": "id",
}

LOG_CHANGE = """
CREATE FUNCTION halldesk_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
    key uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING changed INTO key;
    INSERT INTO change_log (txid, table_name, row_id)
        VALUES (pg_current_xact_id()::text::bigint, TG_TABLE_NAME, key);
    PERFORM pg_notify('halldesk_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
        sa.Column("last_key", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "change_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_index("ix_change_log_txid_id", "change_log", ["txid", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LOG_CHANGE)
        for table, key in PULLED.items():
            op.execute(
                f"CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION halldesk_log_change('{key}')"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PULLED:
            op.execute(f"DROP TRIGGER log_change ON {table}")
        op.execute("DROP FUNCTION halldesk_log_change()")
    op.drop_index("ix_change_log_txid_id", table_name="change_log")
    op.drop_table("change_log")
    op.drop_table("sync_cursors")
    op.drop_table("outbox")
