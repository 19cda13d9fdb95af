"""business fees paid at the counter: payment_fees

One append-only row per fee a payment took, with the fee's code, names and amount copied
from fee_items at payment time; see app/models/billing.py (PaymentFee).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_fees",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("fee_item_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_payment_fees_amount_fen")),
        sa.ForeignKeyConstraint(
            ["fee_item_id"], ["fee_items.id"], name=op.f("fk_payment_fees_fee_item_id_fee_items")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_fees_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_fees")),
    )
    op.create_index("ix_payment_fees_payment", "payment_fees", ["payment_id"], unique=False)


def downgrade() -> None:
    op.drop_table("payment_fees")  # its index goes with it
