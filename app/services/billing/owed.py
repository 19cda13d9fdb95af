"""What an account owes, computed from the facts inside the caller's unit of work.

A bill's principal left is its `amount_fen` less the principal of the allocations of its
payments that have no `PaymentVoid`; the credit balance is the sum of the account's
`CreditEntry` rows. Nothing here writes: `pay` reads the same figures in its own write
transaction (after locking the account row), so what it allocates is what it saw.

The late fee of a bill today is the account type's rule (`LateFeeRuleRow`, rates in parts
per million) applied by `late_fee.late_fee` to the principal left, for every overdue day,
less the late fee already paid on that bill, never below zero. A customer is therefore
never charged twice for the same days; after a partial payment the days before it are
charged on the smaller remainder only (an undercharge of at most the fee on the part paid
late, which the utility accepts rather than a double charge). No rule for the account
type: no late fee. `cap_ratio_ppm = 0` means no cap (a zero cap would be `waived`).

The account is read with a small private query by (hall, account number): the account
search service lives elsewhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.models import (
    Bill,
    CreditEntry,
    CustomerAccount,
    LateFeeRuleRow,
    PaymentAllocation,
    PaymentVoid,
    Staff,
)
from app.services import errors
from app.services.billing.dto import Owed, OwedBill
from app.services.billing.late_fee import LateFeeRule, late_fee
from app.services.billing.money import from_fen, to_fen
from app.services.errors import DomainError

_PPM = 6  # parts per million: Decimal(ppm).scaleb(-6) is exact


@dataclass(frozen=True, slots=True)
class BillState:
    """A bill of the account with what non-voided payments settled of it (fen)."""

    id: uuid.UUID
    period: str
    due_date: date
    usage_milli: int
    usage_unit: str
    amount_fen: int
    paid_fen: int
    late_paid_fen: int

    @property
    def principal_fen(self) -> int:
        return max(0, self.amount_fen - self.paid_fen)


def rule_of(row: LateFeeRuleRow) -> LateFeeRule:
    """The `LateFeeRule` of a stored rule (ppm to exact Decimal ratios)."""
    cap = Decimal(row.cap_ratio_ppm).scaleb(-_PPM) if row.cap_ratio_ppm else None
    return LateFeeRule(
        daily_rate=Decimal(row.daily_rate_ppm).scaleb(-_PPM),
        cap_ratio=cap,
        grace_days=row.grace_days,
        waived=row.waived,
    )


def account_row(
    s: Session, hall_id: uuid.UUID, number: str, *, lock: bool = False
) -> CustomerAccount:
    """The account (hall, number), locked for the unit when `lock`; `unknown_account`."""
    stmt = select(CustomerAccount).where(
        CustomerAccount.hall_id == hall_id, CustomerAccount.account_number == number.strip()
    )
    if lock:
        stmt = stmt.with_for_update()
    found = s.scalar(stmt)
    if found is None:
        raise DomainError(
            errors.UNKNOWN_ACCOUNT, f"no account {number.strip()!r}", account=number.strip()
        )
    return found


def lock_account(s: Session, account_id: uuid.UUID) -> None:
    """Lock the account row (PostgreSQL; SQLite's write lock is already exclusive), so
    two counters never allocate or refund the same money at once."""
    s.execute(select(CustomerAccount.id).where(CustomerAccount.id == account_id).with_for_update())


def lock_staff(s: Session, *staff_ids: uuid.UUID) -> None:
    """Lock the clerks' rows, in a fixed order: a clerk's payments, voids, refunds and day
    closing take turns, so a closing never misses a payment committed beside it."""
    for staff_id in sorted(set(staff_ids)):
        s.execute(select(Staff.id).where(Staff.id == staff_id).with_for_update())


def surplus_credited(s: Session, payment_id: uuid.UUID) -> bool:
    """Whether a bill the payment paid was paid twice while offline and the centre's
    adjustments for it still stand (`sync/conflicts.py`): its surplus is the customer's
    credit, which a refund pays back; a void would count the money twice."""
    mine = select(PaymentAllocation.bill_id).where(PaymentAllocation.payment_id == payment_id)
    sharing = select(PaymentAllocation.payment_id).where(PaymentAllocation.bill_id.in_(mine))
    standing = s.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount_fen), 0)).where(
            CreditEntry.reason == "adjustment", CreditEntry.payment_id.in_(sharing)
        )
    )
    return bool(standing)


def credit_fen(s: Session, account_id: uuid.UUID) -> int:
    total = s.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount_fen), 0)).where(
            CreditEntry.account_id == account_id
        )
    )
    return int(total or 0)


def bill_states(s: Session, account_id: uuid.UUID) -> list[BillState]:
    """Every bill of the account, oldest first, with its non-voided settlements."""
    live = ~exists().where(PaymentVoid.payment_id == PaymentAllocation.payment_id)
    paid = (
        select(
            PaymentAllocation.bill_id.label("bill_id"),
            func.sum(PaymentAllocation.amount_fen).label("principal"),
            func.sum(PaymentAllocation.late_fee_fen).label("late"),
        )
        .where(
            live,
            PaymentAllocation.bill_id.in_(select(Bill.id).where(Bill.account_id == account_id)),
        )
        .group_by(PaymentAllocation.bill_id)
        .subquery()
    )
    rows = s.execute(
        select(
            Bill.id,
            Bill.period,
            Bill.due_date,
            Bill.usage_milli,
            Bill.usage_unit,
            Bill.amount_fen,
            func.coalesce(paid.c.principal, 0),
            func.coalesce(paid.c.late, 0),
        )
        .outerjoin(paid, paid.c.bill_id == Bill.id)
        .where(Bill.account_id == account_id)
        .order_by(Bill.due_date, Bill.period, Bill.issued_at, Bill.id)
    ).all()
    return [
        BillState(r[0], r[1], r[2], int(r[3]), r[4], int(r[5]), int(r[6]), int(r[7])) for r in rows
    ]


def late_rule(s: Session, account: CustomerAccount) -> LateFeeRule | None:
    row = s.scalar(
        select(LateFeeRuleRow).where(
            LateFeeRuleRow.hall_id == account.hall_id,
            LateFeeRuleRow.account_type == account.account_type,
        )
    )
    return rule_of(row) if row is not None else None


def late_fee_fen(bill: BillState, rule: LateFeeRule | None, today: date) -> int:
    """Today's late fee still due on the bill (see the module docstring)."""
    if rule is None or bill.principal_fen == 0:
        return 0
    fee = to_fen(late_fee(from_fen(bill.principal_fen), bill.due_date, today, rule))
    return max(0, fee - bill.late_paid_fen)


def usage(milli: int) -> Decimal:
    return Decimal(milli).scaleb(-3)


def owed_in(s: Session, account: CustomerAccount, today: date) -> Owed:
    """What the account owes on `today`, read in the unit of `s`."""
    rule = late_rule(s, account)
    bills: list[OwedBill] = []
    for b in bill_states(s, account.id):
        if b.principal_fen == 0:
            continue
        bills.append(
            OwedBill(
                bill_id=b.id,
                period=b.period,
                due_date=b.due_date,
                usage=usage(b.usage_milli),
                unit=b.usage_unit,
                amount=from_fen(b.amount_fen),
                paid=from_fen(b.paid_fen),
                principal=from_fen(b.principal_fen),
                late_fee=from_fen(late_fee_fen(b, rule, today)),
            )
        )
    late = sum((b.late_fee for b in bills), from_fen(0))
    return Owed(
        account_id=account.id,
        account_number=account.account_number,
        holder=account.name,
        address=account.address,
        account_type=account.account_type,
        today=today,
        bills=tuple(bills),
        credit=from_fen(credit_fen(s, account.id)),
        late_fees=late,
        total_due=sum((b.due for b in bills), from_fen(0)),
    )
