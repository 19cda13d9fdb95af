"""What the counter shows of payments already taken: an account's payment history, and a
clerk's day so far (the figures the day closing will write, before it is written).

Read-only units; the same totals as the closing (`closing.day_totals`), so what the clerk
sees on the closing screen is what `close_day` records if nothing is paid meanwhile.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from app.models import CustomerAccount, DayClosing, Payment, PaymentVoid, Staff
from app.models.db import Database
from app.services import errors
from app.services.billing.closing import day_bounds, day_totals, local_day
from app.services.billing.money import from_fen
from app.services.billing.owed import account_row
from app.services.clock import Clock, SystemClock
from app.services.hall_ref import HallDirectory, business_date
from app.services.security.actor import Actor
from app.services.security.auth import AuthService

HISTORY_LIMIT = 50


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """One payment as the history lists it; `today` when it is of the hall's business
    day (only those may be voided), `mine` when the asking clerk took it."""

    payment_id: uuid.UUID
    receipt_number: str
    created_at: datetime
    account_number: str
    method: str
    amount: Decimal
    clerk_no: str
    counter_number: int
    voided: bool
    today: bool
    mine: bool


@dataclass(frozen=True, slots=True)
class DaySummary:
    """A clerk's business day so far: takings by method net of voids, voids, refunds, the
    cash the drawer should hold, and whether the day is closed already."""

    business_date: date
    payment_count: int
    by_method: dict[str, Decimal]
    voids: Decimal
    refunds: Decimal
    expected_cash: Decimal
    closed: bool
    payments: tuple[PaymentRow, ...]

    @property
    def collected(self) -> Decimal:
        return sum(self.by_method.values(), Decimal("0.00"))


def _rows(
    s: Session, query: ColumnElement[bool], timezone: str, today: date, asker: uuid.UUID
) -> tuple[PaymentRow, ...]:
    voided = exists().where(PaymentVoid.payment_id == Payment.id)
    stmt = (
        select(Payment, voided, Staff.job_number, CustomerAccount.account_number)
        .join(Staff, Staff.id == Payment.staff_id)
        .join(CustomerAccount, CustomerAccount.id == Payment.account_id)
        .where(query)
        .order_by(Payment.created_at.desc(), Payment.receipt_number.desc())
        .limit(HISTORY_LIMIT)
    )
    return tuple(
        PaymentRow(
            payment_id=p.id,
            receipt_number=p.receipt_number,
            created_at=p.created_at,
            account_number=number,
            method=p.method,
            amount=from_fen(p.amount_fen),
            clerk_no=job,
            counter_number=p.counter_number,
            voided=bool(is_void),
            today=local_day(timezone, p.created_at) == today,
            mine=p.staff_id == asker,
        )
        for p, is_void, job, number in s.execute(stmt).all()
    )


class PaymentHistory:
    """Read-only views of the payments of a hall."""

    def __init__(
        self, db: Database, halls: HallDirectory, auth: AuthService, clock: Clock | None = None
    ) -> None:
        self._db = db
        self._halls = halls
        self._auth = auth
        self._clock = clock or SystemClock()

    def account(self, actor: Actor, hall_code: str, account_number: str) -> tuple[PaymentRow, ...]:
        """The account's latest payments, newest first (at most 50); `unknown_account`."""
        self._auth.check(actor, "clerk")
        hall = self._halls.get(hall_code)
        today = business_date(hall, self._clock.now())
        with errors.read_unit(self._db) as s:
            account = account_row(s, hall.id, account_number)
            return _rows(s, Payment.account_id == account.id, hall.timezone, today, actor.id)

    def day(self, actor: Actor, hall_code: str, day: date | None = None) -> DaySummary:
        """The clerk's `day` (default: the hall's business day today) so far."""
        self._auth.check(actor, "clerk")
        hall = self._halls.get(hall_code)
        today = business_date(hall, self._clock.now())
        day = day or today
        start, end = day_bounds(hall.timezone, day)
        with errors.read_unit(self._db) as s:
            t = day_totals(s, hall.id, hall.timezone, actor.id, day)
            closed = s.scalar(
                select(DayClosing.id).where(
                    DayClosing.staff_id == actor.id, DayClosing.business_date == day
                )
            )
            rows = _rows(
                s,
                (Payment.hall_id == hall.id)
                & (Payment.staff_id == actor.id)
                & (Payment.created_at >= start)
                & (Payment.created_at < end),
                hall.timezone,
                today,
                actor.id,
            )
        return DaySummary(
            business_date=day,
            payment_count=t.count,
            by_method={m: from_fen(v) for m, v in sorted(t.by_method.items())},
            voids=from_fen(t.voids),
            refunds=from_fen(t.refunds),
            expected_cash=from_fen(t.expected_cash),
            closed=closed is not None,
            payments=rows,
        )
