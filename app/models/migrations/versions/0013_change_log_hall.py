"""sync: the change log names each change's hall, and the NOTIFY says which hall changed

A station pulls its own hall's changes only, by an index on (hall_id, txid, id), instead
of reading every hall's log and throwing most of it away: with 1,000 halls a station read
1,000 times what it needed. The NOTIFY payload is the hall's id, so a hall's listener
wakes its stations for their hall's changes only. Halls and staff are logged with no
hall (NULL): every hall reads them, as before, since a station may hold another hall's
hall row or clerk as the parent of a payment taken by a visiting clerk. An update that
moves a row to another hall (or another parent) is logged for the old hall too, so the
old hall's stations learn that it left. The log is pruned per hall below the cursors
the hall's stations reported (`sync_stations`, now indexed by hall and by cursor: with
30,000 stations the lowest cursor is an index probe, not a scan at every prune).

Rows already in the log keep no hall (NULL): every station reads them, as before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# pulled table -> (the column that names the changed row, how its hall is found):
# "" no hall (every hall reads it), "hall_id" its own column, "parent.column" its parent's
HALL_OF = {
    "halls": ("id", ""),
    "services": ("id", "hall_id"),
    "counters": ("id", "hall_id"),
    "counter_services": ("counter_id", "counters.counter_id"),
    "staff": ("id", ""),
    "customer_accounts": ("id", "hall_id"),
    "bills": ("id", "customer_accounts.account_id"),
    "fee_items": ("id", "hall_id"),
    "late_fee_rules": ("id", "hall_id"),
    "payments": ("id", "hall_id"),
    "payment_allocations": ("id", "payments.payment_id"),
    "payment_fees": ("id", "payments.payment_id"),
    "credit_entries": ("id", "customer_accounts.account_id"),
    "payment_voids": ("id", "payments.payment_id"),
    "refunds": ("id", "hall_id"),
    "receipt_prints": ("id", "payments.payment_id"),
    "day_closings": ("id", "hall_id"),
}

HALL_OF_ROW = """
CREATE FUNCTION halldesk_change_hall(changed anyelement, how text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    hall uuid;
    parent_id uuid;
BEGIN
    IF how = '' THEN
        RETURN NULL;
    END IF;
    IF position('.' IN how) = 0 THEN
        EXECUTE format('SELECT ($1).%I', how) USING changed INTO hall;
        RETURN hall;
    END IF;
    EXECUTE format('SELECT ($1).%I', split_part(how, '.', 2)) USING changed INTO parent_id;
    EXECUTE format('SELECT hall_id FROM %I WHERE id = $1', split_part(how, '.', 1))
        USING parent_id INTO hall;
    RETURN hall;  -- NULL when the parent is gone: every hall reads it, which is safe
END
$$
"""

LOG_CHANGE = """
CREATE OR REPLACE FUNCTION halldesk_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    xact bigint := pg_current_xact_id()::text::bigint;
    key uuid;
    hall uuid;
    old_key uuid;
    old_hall uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING OLD INTO key;
        hall := halldesk_change_hall(OLD, TG_ARGV[1]);
    ELSE
        EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING NEW INTO key;
        hall := halldesk_change_hall(NEW, TG_ARGV[1]);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING OLD INTO old_key;
        old_hall := halldesk_change_hall(OLD, TG_ARGV[1]);
        IF old_key IS DISTINCT FROM key OR old_hall IS DISTINCT FROM hall THEN
            INSERT INTO change_log (txid, table_name, row_id, hall_id)
                VALUES (xact, TG_TABLE_NAME, old_key, old_hall);
            PERFORM pg_notify('halldesk_changes', coalesce(old_hall::text, ''));
        END IF;
    END IF;
    INSERT INTO change_log (txid, table_name, row_id, hall_id)
        VALUES (xact, TG_TABLE_NAME, key, hall);
    PERFORM pg_notify('halldesk_changes', coalesce(hall::text, ''));
    RETURN NULL;
END
$$
"""

# migration 0007's function, for the downgrade
OLD_LOG_CHANGE = """
CREATE OR REPLACE FUNCTION halldesk_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
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


def _triggers(args: dict[str, str]) -> None:
    for table, arg in args.items():
        op.execute(f"DROP TRIGGER log_change ON {table}")
        op.execute(
            f"CREATE TRIGGER log_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION halldesk_log_change({arg})"
        )


def upgrade() -> None:
    op.add_column("change_log", sa.Column("hall_id", sa.Uuid(), nullable=True))
    op.create_index("ix_change_log_hall_txid_id", "change_log", ["hall_id", "txid", "id"])
    op.create_index(
        "ix_sync_stations_hall", "sync_stations", ["hall_code", "txid", "change_id"]
    )
    op.create_index("ix_sync_stations_cursor", "sync_stations", ["txid", "change_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(HALL_OF_ROW)
        op.execute(LOG_CHANGE)
        _triggers({t: f"'{key}', '{how}'" for t, (key, how) in HALL_OF.items()})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(OLD_LOG_CHANGE)
        _triggers({t: f"'{key}'" for t, (key, _how) in HALL_OF.items()})
        op.execute("DROP FUNCTION halldesk_change_hall(anyelement, text)")
    op.drop_index("ix_sync_stations_cursor", table_name="sync_stations")
    op.drop_index("ix_sync_stations_hall", table_name="sync_stations")
    op.drop_index("ix_change_log_hall_txid_id", table_name="change_log")
    with op.batch_alter_table("change_log") as batch:
        batch.drop_column("hall_id")
