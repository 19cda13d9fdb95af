"""What the payment services hand out: frozen dataclasses of plain values (Decimal money,
UUIDs, aware UTC datetimes) that cross the worker and GUI threads; never ORM objects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class OwedBill:
    """One unpaid bill: its amount, what non-voided payments settled of it, what is left
    (`principal`) and today's late fee on what is left (`late_fee`)."""

    bill_id: uuid.UUID
    period: str
    due_date: date
    usage: Decimal
    unit: str
    amount: Decimal
    paid: Decimal
    principal: Decimal
    late_fee: Decimal

    @property
    def due(self) -> Decimal:
        return self.principal + self.late_fee


@dataclass(frozen=True, slots=True)
class Owed:
    """An account's unpaid bills (oldest first), its credit balance (预存), and the total
    due: the bills' principal and late fees. Credit is shown, not deducted: the clerk
    takes money for bills, and a surplus goes to credit."""

    account_id: uuid.UUID
    account_number: str
    holder: str
    address: str
    account_type: str
    today: date
    bills: tuple[OwedBill, ...]
    credit: Decimal
    late_fees: Decimal
    total_due: Decimal


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """What one payment settled of one bill: late fee first, then principal."""

    bill_id: uuid.UUID
    period: str
    usage: Decimal
    unit: str
    principal: Decimal
    late_fee: Decimal


@dataclass(frozen=True, slots=True)
class FeeInfo:
    """A business fee the hall charges at the counter (收费标准): its code, names and
    fixed amount."""

    code: str
    name_zh: str
    name_en: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class FeeLine:
    """A business fee one payment took, as it was charged then (one line per fee taken)."""

    code: str
    name_zh: str
    name_en: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """A committed payment with everything its receipt shows: the business fees it took
    first (`fees`), then what it settled of bills (`allocations`), then the credit added."""

    payment_id: uuid.UUID
    receipt_number: str
    hall_code: str
    station: str
    counter_number: int
    clerk_no: str
    account_number: str
    holder: str
    address: str
    method: str
    amount: Decimal
    tendered: Decimal | None
    change: Decimal | None
    reference: str
    fees: tuple[FeeLine, ...]
    allocations: tuple[AllocationLine, ...]
    credit_added: Decimal
    created_at: datetime

    @property
    def late_fees(self) -> Decimal:
        return sum((a.late_fee for a in self.allocations), Decimal("0.00"))

    @property
    def fees_total(self) -> Decimal:
        return sum((f.amount for f in self.fees), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class VoidResult:
    payment_id: uuid.UUID
    receipt_number: str
    amount: Decimal
    credit_reversed: Decimal
    voided_at: datetime


@dataclass(frozen=True, slots=True)
class RefundResult:
    refund_id: uuid.UUID
    account_number: str
    amount: Decimal
    credit_left: Decimal
    refunded_at: datetime


@dataclass(frozen=True, slots=True)
class ClosingResult:
    """A clerk's day (日结): takings by method net of voids, refunds paid out, the cash the
    drawer should hold, what was counted and the difference (counted - expected)."""

    business_date: date
    payment_count: int
    cash: Decimal
    card: Decimal
    qr: Decimal
    voids: Decimal
    refunds: Decimal
    expected_cash: Decimal
    counted_cash: Decimal
    difference: Decimal
    closed_at: datetime
