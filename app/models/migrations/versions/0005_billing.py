"""counter fee payment: accounts, bills, fee and late-fee schedules, payments, receipts

Money is BIGINT fen, rates integer parts per million, times timestamptz (naive UTC on
SQLite). Payments and what follows them are append-only; see app/models/billing.py.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Dependants first: dropping a table drops its indexes and constraints with it.
TABLES = (
    "refunds",
    "receipt_prints",
    "payment_voids",
    "payment_allocations",
    "credit_entries",
    "payments",
    "fee_items",
    "day_closings",
    "bills",
    "late_fee_rules",
    "customer_accounts",
    "receipt_series",
)


def upgrade() -> None:
    op.create_table(
        "receipt_series",
        sa.Column("station_prefix", sa.String(length=16), nullable=False),
        sa.Column("last_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("station_prefix", name=op.f("pk_receipt_series")),
    )
    op.create_table(
        "customer_accounts",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("account_number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("account_type", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "account_type IN ('residential', 'commercial', 'low_income')",
            name=op.f("ck_customer_accounts_account_type"),
        ),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_customer_accounts_hall_id_halls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_accounts")),
        sa.UniqueConstraint("hall_id", "account_number", name="uq_customer_accounts_number"),
    )
    op.create_index(
        "ix_customer_accounts_address",
        "customer_accounts",
        ["hall_id", "address"],
        unique=False,
        postgresql_ops={"address": "varchar_pattern_ops"},
    )
    op.create_index(
        "ix_customer_accounts_name", "customer_accounts", ["hall_id", "name"], unique=False
    )
    op.create_index(
        "ix_customer_accounts_phone", "customer_accounts", ["hall_id", "phone"], unique=False
    )
    op.create_table(
        "late_fee_rules",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("account_type", sa.String(length=16), nullable=False),
        sa.Column("daily_rate_ppm", sa.Integer(), nullable=False),
        sa.Column("cap_ratio_ppm", sa.Integer(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("waived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "account_type IN ('residential', 'commercial', 'low_income')",
            name=op.f("ck_late_fee_rules_account_type"),
        ),
        sa.CheckConstraint(
            "daily_rate_ppm >= 0 AND cap_ratio_ppm >= 0 AND grace_days >= 0",
            name=op.f("ck_late_fee_rules_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_late_fee_rules_hall_id_halls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_fee_rules")),
        sa.UniqueConstraint("hall_id", "account_type", name="uq_late_fee_rules_type"),
    )
    op.create_table(
        "bills",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("usage_milli", sa.BigInteger(), nullable=False),
        sa.Column("usage_unit", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_bills_amount_fen")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["customer_accounts.id"],
            name=op.f("fk_bills_account_id_customer_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bills")),
    )
    op.create_index("ix_bills_account_period", "bills", ["account_id", "period"], unique=False)
    op.create_table(
        "day_closings",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("cash_fen", sa.BigInteger(), nullable=False),
        sa.Column("card_fen", sa.BigInteger(), nullable=False),
        sa.Column("qr_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunds_fen", sa.BigInteger(), nullable=False),
        sa.Column("voids_fen", sa.BigInteger(), nullable=False),
        sa.Column("counted_cash_fen", sa.BigInteger(), nullable=False),
        sa.Column("expected_cash_fen", sa.BigInteger(), nullable=False),
        sa.Column("difference_fen", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "difference_fen = counted_cash_fen - expected_cash_fen",
            name=op.f("ck_day_closings_difference"),
        ),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_day_closings_hall_id_halls")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_day_closings_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_closings")),
        sa.UniqueConstraint("staff_id", "business_date", name="uq_day_closings_staff_date"),
    )
    op.create_index(
        "ix_day_closings_hall_date", "day_closings", ["hall_id", "business_date"], unique=False
    )
    op.create_table(
        "fee_items",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_fee_items_amount_fen")),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_fee_items_hall_id_halls")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_fee_items_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_items")),
        sa.UniqueConstraint("hall_id", "code", name="uq_fee_items_code"),
    )
    op.create_table(
        "payments",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("counter_number", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("tendered_fen", sa.BigInteger(), nullable=True),
        sa.Column("change_fen", sa.BigInteger(), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("receipt_number", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("method IN ('cash', 'card', 'qr')", name=op.f("ck_payments_method")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_payments_amount_fen")),
        sa.CheckConstraint(
            "tendered_fen IS NULL OR (change_fen IS NOT NULL AND change_fen >= 0 AND tendered_fen - amount_fen = change_fen)",
            name=op.f("ck_payments_change"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["customer_accounts.id"],
            name=op.f("fk_payments_account_id_customer_accounts"),
        ),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_payments_hall_id_halls")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_payments_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("receipt_number", name="uq_payments_receipt_number"),
    )
    op.create_index("ix_payments_account", "payments", ["account_id", "created_at"], unique=False)
    op.create_index("ix_payments_staff_time", "payments", ["staff_id", "created_at"], unique=False)
    op.create_index("ix_payments_station_time", "payments", ["station", "created_at"], unique=False)
    op.create_table(
        "credit_entries",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('overpayment', 'applied', 'refund', 'void', 'adjustment')",
            name=op.f("ck_credit_entries_reason"),
        ),
        sa.CheckConstraint("amount_fen <> 0", name=op.f("ck_credit_entries_amount_fen")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["customer_accounts.id"],
            name=op.f("fk_credit_entries_account_id_customer_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_credit_entries_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_entries")),
    )
    op.create_index(
        "ix_credit_entries_account", "credit_entries", ["account_id", "created_at"], unique=False
    )
    op.create_index("ix_credit_entries_payment", "credit_entries", ["payment_id"], unique=False)
    op.create_table(
        "payment_allocations",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("bill_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("late_fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "amount_fen >= 0 AND late_fee_fen >= 0",
            name=op.f("ck_payment_allocations_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bills.id"], name=op.f("fk_payment_allocations_bill_id_bills")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_allocations_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_allocations")),
        sa.UniqueConstraint("payment_id", "bill_id", name="uq_payment_allocations_bill"),
    )
    op.create_index("ix_payment_allocations_bill", "payment_allocations", ["bill_id"], unique=False)
    op.create_table(
        "payment_voids",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("approved_by", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_payment_voids_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_voids_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_payment_voids_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_voids")),
        sa.UniqueConstraint("payment_id", name="uq_payment_voids_payment"),
    )
    op.create_table(
        "receipt_prints",
        sa.Column("receipt_number", sa.String(length=32), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("copy", sa.Boolean(), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_receipt_prints_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_receipt_prints_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_prints")),
    )
    op.create_index("ix_receipt_prints_number", "receipt_prints", ["receipt_number"], unique=False)
    op.create_index(
        "ix_receipt_prints_payment", "receipt_prints", ["payment_id", "printed_at"], unique=False
    )
    op.create_index(
        "uq_receipt_prints_original",
        "receipt_prints",
        ["payment_id"],
        unique=True,
        sqlite_where=sa.text("copy = 0"),
        postgresql_where=sa.text("NOT copy"),
    )
    op.create_table(
        "refunds",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("approved_by", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("method IN ('cash', 'card', 'qr')", name=op.f("ck_refunds_method")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_refunds_amount_fen")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["customer_accounts.id"],
            name=op.f("fk_refunds_account_id_customer_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_refunds_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_refunds_hall_id_halls")),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_refunds_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_refunds_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    op.create_index("ix_refunds_account", "refunds", ["account_id", "created_at"], unique=False)
    op.create_index("ix_refunds_payment", "refunds", ["payment_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
