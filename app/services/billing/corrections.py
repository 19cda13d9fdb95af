"""Corrections of counter payments, each approved, audited and append-only: the void
(作废) of a payment, a refund (退费) of an account's credit, a reprint (补打) of a receipt;
and what they share with `payments`: a stored payment read back as its receipt shows it.

A void is a manager-approved `PaymentVoid` on the payment's business day (the hall's
calendar day), before the day closing of the clerk who took it or of the clerk who voids,
with a negative `CreditEntry` taking back the credit the payment added; it is refused when
that credit has been refunded since (the account's credit would go below zero), and when
a bill it paid was paid twice while offline and the centre credited the surplus (the
customer gets that money back by a refund; a void would pay it twice). A refund pays
credit back: a `Refund` row and a negative `CreditEntry`, never beyond the credit. A
reprint adds a `ReceiptPrint(copy=True)` and an audit row and returns the receipt marked
as a copy; a void payment has no copy.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import (
    Bill,
    CreditEntry,
    CustomerAccount,
    Hall,
    Payment,
    PaymentAllocation,
    PaymentVoid,
    ReceiptPrint,
    Refund,
    Staff,
)
from app.models.billing import PAYMENT_METHODS
from app.models.db import Database
from app.services import errors
from app.services.billing.capitals import to_capitals
from app.services.billing.closing import local_day, refuse_if_closed
from app.services.billing.dto import AllocationLine, PaymentResult, RefundResult, VoidResult
from app.services.billing.fees import fee_lines
from app.services.billing.money import MAX_AMOUNT, from_fen, to_fen
from app.services.billing.owed import (
    account_row,
    credit_fen,
    lock_account,
    lock_staff,
    surplus_credited,
    usage,
)
from app.services.billing.receipt_check import check_value
from app.services.billing.receipt_doc import BillLine, ReceiptDoc
from app.services.billing.receipt_doc import FeeLine as ReceiptFee
from app.services.clock import Clock
from app.services.dto import HallInfo
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory, business_date
from app.services.security import audit
from app.services.security.actor import Actor
from app.services.security.auth import AuthService

# Audit actions of this module.
PAYMENT = "payment"
PAYMENT_VOID = "payment_void"
REFUND = "refund"
RECEIPT_REPRINT = "receipt_reprint"

REASON_MAX = 200
REFERENCE_MAX = 64


def positive_fen(amount: Decimal, what: str = "amount") -> int:
    """`amount` in fen if it is > 0, ≤ MAX_AMOUNT and a whole number of fen."""
    fen = to_fen(amount)
    if fen <= 0:
        raise DomainError(errors.AMOUNT_NOT_POSITIVE, f"{what} not positive: {amount}")
    if fen > to_fen(MAX_AMOUNT):
        raise DomainError(errors.AMOUNT_TOO_LARGE, f"{what} above {MAX_AMOUNT}: {amount}")
    return fen


def check_reason(reason: str) -> str:
    text = reason.strip()
    if not text or len(text) > REASON_MAX:
        raise DomainError(errors.BAD_INPUT, f"a reason of 1-{REASON_MAX} characters is needed")
    return text


def receipt_doc(
    result: PaymentResult, hall: HallInfo, key: bytes, *, copy: bool = False
) -> ReceiptDoc:
    """The receipt of a payment: capitals of the total, the check value signed with `key`."""
    issued_on = local_day(hall.timezone, result.created_at)
    return ReceiptDoc(
        hall_name=hall.name_zh,
        hall_name_en=hall.name_en,
        counter_no=result.counter_number,
        clerk_no=result.clerk_no,
        station=result.station,
        number=result.receipt_number,
        issued_at=result.created_at,
        timezone=hall.timezone,
        account_no=result.account_number,
        holder=result.holder,
        address=result.address,
        bills=tuple(
            BillLine(a.period, a.usage, a.unit, a.principal)
            for a in result.allocations
            if a.principal
        ),
        late_fees=result.late_fees,
        business_fees=tuple(ReceiptFee(f.name_zh, f.amount) for f in result.fees),
        total=result.amount,
        total_capitals=to_capitals(result.amount),
        method=result.method,  # type: ignore[arg-type]  # checked against PAYMENT_METHODS
        tendered=result.tendered,
        change=result.change,
        reference=result.reference,
        credit=result.credit_added,
        copy=copy,
        check=check_value(key, result.receipt_number, to_fen(result.amount), issued_on),
    )


def load_result(s: Session, p: Payment, hall_code: str) -> PaymentResult:
    """A stored payment as its receipt shows it."""
    account = s.get_one(CustomerAccount, p.account_id)
    lines = s.execute(
        select(
            PaymentAllocation.bill_id,
            Bill.period,
            Bill.usage_milli,
            Bill.usage_unit,
            PaymentAllocation.amount_fen,
            PaymentAllocation.late_fee_fen,
        )
        .join(Bill, Bill.id == PaymentAllocation.bill_id)
        .where(PaymentAllocation.payment_id == p.id)
        .order_by(Bill.due_date, Bill.period, Bill.issued_at, Bill.id)
    ).all()
    credit = s.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount_fen), 0)).where(
            CreditEntry.payment_id == p.id, CreditEntry.reason == "overpayment"
        )
    )
    clerk = s.scalar(select(Staff.job_number).where(Staff.id == p.staff_id)) or ""
    return PaymentResult(
        payment_id=p.id,
        receipt_number=p.receipt_number,
        hall_code=hall_code,
        station=p.station,
        counter_number=p.counter_number,
        clerk_no=clerk,
        account_number=account.account_number,
        holder=account.name,
        address=account.address,
        method=p.method,
        amount=from_fen(p.amount_fen),
        tendered=from_fen(p.tendered_fen) if p.tendered_fen is not None else None,
        change=from_fen(p.change_fen) if p.change_fen is not None else None,
        reference=p.reference,
        fees=fee_lines(s, p.id),
        allocations=tuple(
            AllocationLine(b, period, usage(milli), unit, from_fen(amt), from_fen(late))
            for b, period, milli, unit, amt, late in lines
        ),
        credit_added=from_fen(int(credit or 0)),
        created_at=p.created_at,
    )


def credit_row(
    account_id: uuid.UUID, fen: int, reason: str, payment_id: uuid.UUID | None, now: datetime
) -> CreditEntry:
    return CreditEntry(
        id=uuid.uuid4(),
        account_id=account_id,
        amount_fen=fen,
        reason=reason,
        payment_id=payment_id,
        created_at=now,
    )


def print_row(p: Payment, actor: Actor, *, copy: bool, at: datetime | None = None) -> ReceiptPrint:
    return ReceiptPrint(
        id=uuid.uuid4(),
        receipt_number=p.receipt_number,
        payment_id=p.id,
        copy=copy,
        printed_at=at or p.created_at,
        staff_id=actor.id,
    )


class PaymentCorrections:
    """Void, refund and reprint; `PaymentService` is built on it."""

    _db: Database
    _halls: HallDirectory
    _auth: AuthService
    _clock: Clock
    _key: bytes

    def receipt_doc(self, result: PaymentResult, *, copy: bool = False) -> ReceiptDoc:
        """The receipt of `result`, signed with the station's key."""
        return receipt_doc(result, self._halls.get(result.hall_code), self._key, copy=copy)

    # ------------------------------------------------------------------ corrections
    def void(self, actor: Actor, payment_id: uuid.UUID, approver: Actor, reason: str) -> VoidResult:
        """Void a payment on its own business day with a manager's approval (`approver`
        from `auth.approve`). Refusals: `not_allowed` (approver not a manager),
        `unknown_payment`, `already_voided`, `void_not_same_day`, `day_closed`,
        `credit_insufficient` (its credit was refunded meanwhile), `void_after_conflict`
        (its bill was paid twice and the surplus credited), `bad_input` (reason)."""
        self._auth.check(actor, "clerk")
        self._auth.check(approver, "manager")
        text = check_reason(reason)
        try:
            with errors.database_reached(), self._db.write() as s:
                p = s.get(Payment, payment_id)
                if p is None:
                    raise DomainError(errors.UNKNOWN_PAYMENT, f"no payment {payment_id}")
                lock_staff(s, actor.id, p.staff_id)
                lock_account(s, p.account_id)
                if s.scalar(select(PaymentVoid.id).where(PaymentVoid.payment_id == p.id)):
                    raise DomainError(errors.ALREADY_VOIDED, f"{p.receipt_number} is void")
                now = self._clock.now()
                tz = s.scalar(select(Hall.timezone).where(Hall.id == p.hall_id)) or "UTC"
                day = local_day(tz, now)
                if local_day(tz, p.created_at) != day:
                    raise DomainError(
                        errors.VOID_NOT_SAME_DAY, f"{p.receipt_number} is not of today"
                    )
                refuse_if_closed(s, day, actor.id, p.staff_id)
                if surplus_credited(s, p.id):
                    raise DomainError(
                        errors.VOID_AFTER_CONFLICT,
                        f"a bill of {p.receipt_number} was paid twice: refund the credit",
                    )
                credit = int(  # what the payment added (the centre's adjustments are not)
                    s.scalar(
                        select(func.coalesce(func.sum(CreditEntry.amount_fen), 0)).where(
                            CreditEntry.payment_id == p.id, CreditEntry.reason != "adjustment"
                        )
                    )
                    or 0
                )
                if credit > credit_fen(s, p.account_id):
                    raise DomainError(
                        errors.CREDIT_INSUFFICIENT,
                        f"the credit of {p.receipt_number} was spent or refunded",
                    )
                s.add(
                    PaymentVoid(
                        id=uuid.uuid4(),
                        payment_id=p.id,
                        reason=text,
                        approved_by=approver.id,
                        staff_id=actor.id,
                        created_at=now,
                    )
                )
                if credit:
                    s.add(credit_row(p.account_id, -credit, "void", p.id, now))
                audit.record(
                    s,
                    now,
                    PAYMENT_VOID,
                    actor=actor,
                    record_type="payment",
                    record_id=p.id,
                    receipt=p.receipt_number,
                    amount_fen=p.amount_fen,
                    approved_by=approver.job_number,
                    reason=text,
                )
                result = VoidResult(
                    p.id, p.receipt_number, from_fen(p.amount_fen), from_fen(credit), now
                )
        except IntegrityError as exc:  # a void of the same payment committed beside it
            raise DomainError(errors.ALREADY_VOIDED, "the payment is void") from exc
        return result

    def refund(
        self,
        actor: Actor,
        hall_code: str,
        account_number: str,
        amount: Decimal,
        approver: Actor,
        reason: str,
        *,
        method: str = "cash",
        reference: str = "",
    ) -> RefundResult:
        """Pay back `amount` of the account's credit, approved by a manager. Refusals:
        `credit_insufficient`, `not_allowed`, `unknown_account`, `day_closed`, the amount
        and method codes of `pay`, `bad_input` (reason)."""
        self._auth.check(actor, "clerk")
        self._auth.check(approver, "manager")
        fen = positive_fen(amount)
        if method not in PAYMENT_METHODS or len(reference) > REFERENCE_MAX:
            raise DomainError(errors.BAD_INPUT, f"bad refund method {method!r} or reference")
        if method != "cash" and not reference.strip():
            raise DomainError(errors.REFERENCE_REQUIRED, f"a {method} refund needs a reference")
        text = check_reason(reason)
        hall = self._halls.get(hall_code)
        with errors.database_reached(), self._db.write() as s:
            lock_staff(s, actor.id)
            now = self._clock.now()
            refuse_if_closed(s, business_date(hall, now), actor.id)
            account = account_row(s, hall.id, account_number, lock=True)
            credit = credit_fen(s, account.id)
            if fen > credit:
                raise DomainError(
                    errors.CREDIT_INSUFFICIENT,
                    f"refund {amount} is more than the credit {from_fen(credit)}",
                    credit=str(from_fen(credit)),
                )
            refund = Refund(
                id=uuid.uuid4(),
                hall_id=hall.id,
                station=actor.station[:64],
                account_id=account.id,
                payment_id=None,
                method=method,
                amount_fen=fen,
                reference=reference.strip(),
                reason=text,
                approved_by=approver.id,
                staff_id=actor.id,
                created_at=now,
            )
            s.add(refund)
            s.add(credit_row(account.id, -fen, "refund", None, now))
            audit.record(
                s,
                now,
                REFUND,
                actor=actor,
                record_type="refund",
                record_id=refund.id,
                account=account.account_number,
                amount_fen=fen,
                approved_by=approver.job_number,
                reason=text,
            )
            number = account.account_number
        return RefundResult(refund.id, number, from_fen(fen), from_fen(credit - fen), now)

    def reprint(self, actor: Actor, payment_id: uuid.UUID) -> ReceiptDoc:
        """A copy (补打) of a payment's receipt, recorded and audited; `unknown_payment`,
        `already_voided` (no copy of a void receipt)."""
        self._auth.check(actor, "clerk")
        with errors.database_reached(), self._db.write() as s:
            p = s.get(Payment, payment_id)
            if p is None:
                raise DomainError(errors.UNKNOWN_PAYMENT, f"no payment {payment_id}")
            if s.scalar(select(PaymentVoid.id).where(PaymentVoid.payment_id == p.id)):
                raise DomainError(errors.ALREADY_VOIDED, f"{p.receipt_number} is void")
            hall_code = s.scalar(select(Hall.code).where(Hall.id == p.hall_id)) or ""
            result = load_result(s, p, hall_code)
            now = self._clock.now()
            s.add(print_row(p, actor, copy=True, at=now))
            audit.record(
                s,
                now,
                RECEIPT_REPRINT,
                actor=actor,
                record_type="payment",
                record_id=p.id,
                receipt=p.receipt_number,
            )
        return self.receipt_doc(result, copy=True)

    # ------------------------------------------------------------------ rows
