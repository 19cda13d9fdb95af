"""Counter fee payment: accounts, bills, fee and late-fee schedules, payments and receipts.

Facts, never edited: `Payment`, `PaymentAllocation`, `PaymentFee`, `CreditEntry`,
`PaymentVoid`, `Refund`, `ReceiptPrint` and `DayClosing` rows are only ever inserted. A
payment is never updated in place: a mistake is undone by a `PaymentVoid` (at most one per
payment) or a `Refund`, each a new row with its own UUID, so every station's outbox can be
replayed at the centre with `INSERT … ON CONFLICT DO NOTHING` and two counters that took the
same bill while cut off both keep their (real) cash. The ORM refuses to flush an update or a
delete of these classes (`_refuse_change`), so a slip in a service fails loudly.

Computed, never stored: what a bill still owes is its `amount_fen` less the allocations of
its payments that have no void; an account's credit is the sum of its `CreditEntry` rows.

Money is integer fen in `BigInteger` columns named `*_fen` (SQLite's NUMERIC goes through
float); rates are integer parts per million (`*_ppm`: 0.05 % a day is 500). A bill's usage
is an integer of thousandths of its unit (`usage_milli` with `usage_unit` "m3", "kWh"):
exact, summable and comparable in SQL, which a string with its unit would not be.

Look-ups for a million accounts: (hall, account number) is unique; name, phone and address
have (hall, column) indexes. The address index uses `varchar_pattern_ops` on PostgreSQL so
`address LIKE 'prefix%'` uses it under any collation; on SQLite the index serves
`address >= :p AND address < :p || char(1114111)` (or `GLOB 'prefix*'`), since SQLite's LIKE
is case-insensitive and would skip a BINARY index.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from app.models.base import Base, UtcDateTime, UuidPk

ACCOUNT_TYPES = ("residential", "commercial", "low_income")
PAYMENT_METHODS = ("cash", "card", "qr")
CREDIT_REASONS = ("overpayment", "applied", "refund", "void", "adjustment")
Fen = BigInteger  # integer minor units; 2**63 fen is far beyond any hall's takings


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CustomerAccount(UuidPk, Base):
    """A customer's account (户号) at a hall: reference data pulled from the centre."""

    __tablename__ = "customer_accounts"
    __table_args__ = (
        UniqueConstraint("hall_id", "account_number", name="uq_customer_accounts_number"),
        Index("ix_customer_accounts_name", "hall_id", "name"),
        Index("ix_customer_accounts_phone", "hall_id", "phone"),
        Index(
            "ix_customer_accounts_address",
            "hall_id",
            "address",
            postgresql_ops={"address": "varchar_pattern_ops"},
        ),
        CheckConstraint(_one_of("account_type", ACCOUNT_TYPES), name="account_type"),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    account_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    account_type: Mapped[str] = mapped_column(String(16), default="residential")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Bill(UuidPk, Base):
    """A bill of one account for one period ('YYYY-MM'), issued by the centre.

    An account may have more than one bill for a period (a supplementary bill, 补收), so
    (account, period) is indexed, not unique. Bills are never changed by a payment."""

    __tablename__ = "bills"
    __table_args__ = (
        Index("ix_bills_account_period", "account_id", "period"),
        CheckConstraint("amount_fen >= 0", name="amount_fen"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer_accounts.id"))
    period: Mapped[str] = mapped_column(String(7))
    usage_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    usage_unit: Mapped[str] = mapped_column(String(8), default="")
    amount_fen: Mapped[int] = mapped_column(Fen)
    due_date: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FeeItem(UuidPk, Base):
    """A fee standard (收费标准) of a business type: connection fee, meter change, …"""

    __tablename__ = "fee_items"
    __table_args__ = (
        UniqueConstraint("hall_id", "code", name="uq_fee_items_code"),
        CheckConstraint("amount_fen >= 0", name="amount_fen"),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    # the business type (a queue service) the fee belongs to; none for hall-wide fees
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("services.id"), nullable=True
    )
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(Fen)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LateFeeRuleRow(UuidPk, Base):
    """The late fee (滞纳金) of an account type: a daily rate after the grace days, capped
    at a ratio of the amount overdue; `waived` turns it off (low-income accounts)."""

    __tablename__ = "late_fee_rules"
    __table_args__ = (
        UniqueConstraint("hall_id", "account_type", name="uq_late_fee_rules_type"),
        CheckConstraint(_one_of("account_type", ACCOUNT_TYPES), name="account_type"),
        CheckConstraint(
            "daily_rate_ppm >= 0 AND cap_ratio_ppm >= 0 AND grace_days >= 0", name="non_negative"
        ),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    account_type: Mapped[str] = mapped_column(String(16))
    daily_rate_ppm: Mapped[int] = mapped_column(Integer)
    cap_ratio_ppm: Mapped[int] = mapped_column(Integer)
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    waived: Mapped[bool] = mapped_column(Boolean, default=False)


class Payment(UuidPk, Base):
    """One payment taken at a counter: an append-only fact whose UUID is made at the counter.

    Cash keeps what was tendered and the change given (change = tendered - amount); card and
    QR keep the terminal's or the platform's reference. The receipt number is allocated in
    the payment's own transaction (app.services.billing.receipt_numbers), so it has no gaps.
    """

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("receipt_number", name="uq_payments_receipt_number"),
        Index("ix_payments_account", "account_id", "created_at"),
        Index("ix_payments_station_time", "station", "created_at"),
        Index("ix_payments_staff_time", "staff_id", "created_at"),
        # a hall's payments of a day or a month: the reports (migration 0012)
        Index("ix_payments_hall_time", "hall_id", "created_at"),
        CheckConstraint(_one_of("method", PAYMENT_METHODS), name="method"),
        CheckConstraint("amount_fen > 0", name="amount_fen"),
        CheckConstraint(
            "tendered_fen IS NULL OR (change_fen IS NOT NULL"
            " AND change_fen >= 0 AND tendered_fen - amount_fen = change_fen)",
            name="change",
        ),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    station: Mapped[str] = mapped_column(String(64))
    counter_number: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer_accounts.id"))
    method: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(Fen)
    tendered_fen: Mapped[int | None] = mapped_column(Fen, nullable=True)
    change_fen: Mapped[int | None] = mapped_column(Fen, nullable=True)
    reference: Mapped[str] = mapped_column(String(64), default="")
    receipt_number: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaymentAllocation(UuidPk, Base):
    """How much of a payment went to one bill, and the late fee paid with it."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        UniqueConstraint("payment_id", "bill_id", name="uq_payment_allocations_bill"),
        Index("ix_payment_allocations_bill", "bill_id"),
        CheckConstraint("amount_fen >= 0 AND late_fee_fen >= 0", name="non_negative"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("payments.id"))
    bill_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("bills.id"))
    amount_fen: Mapped[int] = mapped_column(Fen)
    late_fee_fen: Mapped[int] = mapped_column(Fen, default=0)


class PaymentFee(UuidPk, Base):
    """A business fee (收费项目) a payment paid, one row per fee taken (the same fee twice is
    two rows). Code, names and amount are copied from the `FeeItem` at payment time, so a
    later change of the fee schedule never changes a receipt or a day's takings."""

    __tablename__ = "payment_fees"
    __table_args__ = (
        Index("ix_payment_fees_payment", "payment_id"),
        CheckConstraint("amount_fen >= 0", name="amount_fen"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("payments.id"))
    fee_item_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("fee_items.id"))
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(Fen)


class CreditEntry(UuidPk, Base):
    """A line of an account's credit ledger (预存): + when money is left over, - when it is
    applied to a bill, refunded or taken back by a void. The balance is the sum."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        Index("ix_credit_entries_account", "account_id", "created_at"),
        Index("ix_credit_entries_payment", "payment_id"),
        CheckConstraint(_one_of("reason", CREDIT_REASONS), name="reason"),
        CheckConstraint("amount_fen <> 0", name="amount_fen"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer_accounts.id"))
    amount_fen: Mapped[int] = mapped_column(Fen)
    reason: Mapped[str] = mapped_column(String(16))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("payments.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaymentVoid(UuidPk, Base):
    """The void (作废) of a payment, approved by a manager: at most one per payment."""

    __tablename__ = "payment_voids"
    __table_args__ = (UniqueConstraint("payment_id", name="uq_payment_voids_payment"),)

    payment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("payments.id"))
    reason: Mapped[str] = mapped_column(String(200))
    approved_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Refund(UuidPk, Base):
    """Money handed back to a customer: from a payment, or from the account's credit."""

    __tablename__ = "refunds"
    __table_args__ = (
        Index("ix_refunds_account", "account_id", "created_at"),
        Index("ix_refunds_payment", "payment_id"),
        CheckConstraint(_one_of("method", PAYMENT_METHODS), name="method"),
        CheckConstraint("amount_fen > 0", name="amount_fen"),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    station: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customer_accounts.id"))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("payments.id"), nullable=True
    )
    method: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(Fen)
    reference: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(200))
    approved_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReceiptPrint(UuidPk, Base):
    """Every time a receipt was printed: one original per payment, then copies (补打),
    each with who printed it and when, so reprints are audited."""

    __tablename__ = "receipt_prints"
    __table_args__ = (
        Index("ix_receipt_prints_payment", "payment_id", "printed_at"),
        Index("ix_receipt_prints_number", "receipt_number"),
        Index(
            "uq_receipt_prints_original",
            "payment_id",
            unique=True,
            sqlite_where=text("copy = 0"),
            postgresql_where=text("NOT copy"),
        ),
    )

    receipt_number: Mapped[str] = mapped_column(String(32))
    payment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("payments.id"))
    copy: Mapped[bool] = mapped_column(Boolean, default=False)
    printed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))


class ReceiptSeries(Base):
    """The last receipt number of a station's series, keyed by the station's prefix."""

    __tablename__ = "receipt_series"

    station_prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger)


class DayClosing(UuidPk, Base):
    """A clerk's end-of-day closing (日结): takings by method, the cash counted in the
    drawer against the cash expected, and the difference. One per clerk and business day."""

    __tablename__ = "day_closings"
    __table_args__ = (
        UniqueConstraint("staff_id", "business_date", name="uq_day_closings_staff_date"),
        Index("ix_day_closings_hall_date", "hall_id", "business_date"),
        CheckConstraint("difference_fen = counted_cash_fen - expected_cash_fen", name="difference"),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    station: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    business_date: Mapped[date] = mapped_column(Date)
    payment_count: Mapped[int] = mapped_column(Integer, default=0)
    cash_fen: Mapped[int] = mapped_column(Fen, default=0)
    card_fen: Mapped[int] = mapped_column(Fen, default=0)
    qr_fen: Mapped[int] = mapped_column(Fen, default=0)
    refunds_fen: Mapped[int] = mapped_column(Fen, default=0)
    voids_fen: Mapped[int] = mapped_column(Fen, default=0)
    counted_cash_fen: Mapped[int] = mapped_column(Fen)
    expected_cash_fen: Mapped[int] = mapped_column(Fen)
    difference_fen: Mapped[int] = mapped_column(Fen)
    note: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)


APPEND_ONLY: tuple[type[Base], ...] = (
    Payment,
    PaymentAllocation,
    PaymentFee,
    CreditEntry,
    PaymentVoid,
    Refund,
    ReceiptPrint,
    DayClosing,
)


class AppendOnlyError(RuntimeError):
    """A service tried to update or delete a fact that may only be inserted."""


def _refuse_change(_mapper: Mapper[Any], _connection: Any, target: Base) -> None:
    raise AppendOnlyError(f"{type(target).__name__} rows are append-only facts")


for _cls in APPEND_ONLY:
    event.listen(_cls, "before_update", _refuse_change)
    event.listen(_cls, "before_delete", _refuse_change)
