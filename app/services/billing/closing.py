"""A clerk's end-of-day closing (日结): takings by method, the cash the drawer should hold,
the cash counted, and the difference, written once as a `DayClosing` fact.

The day is the hall's local calendar day (its time zone), so a payment at 23:59 in
Shanghai belongs to that day whatever UTC says. Totals are the clerk's own payments of the
day less those voided (a void is always on the payment's day), and the refunds the clerk
paid out that day; expected cash = cash payments - voided cash payments - cash refunds.

Once a clerk's day is closed, that clerk's payments, voids and refunds of the day are
refused (`day_closed`): the closing's figures would no longer be the drawer's. A closing
locks the clerk's staff row as every payment, void and refund does, so it never misses a
payment committed beside it; a second closing of the same day is refused too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import DayClosing, Payment, PaymentVoid, Refund
from app.models.db import Database
from app.services import errors
from app.services.billing.dto import ClosingResult
from app.services.billing.money import from_fen, to_fen
from app.services.billing.owed import lock_staff
from app.services.clock import Clock, SystemClock
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory, business_date
from app.services.security import audit
from app.services.security.actor import Actor
from app.services.security.auth import AuthService

DAY_CLOSED_ACTION = "day_closed"


def day_bounds(timezone: str, day: date) -> tuple[datetime, datetime]:
    """[start, end) of the hall's local `day` in UTC (23 or 25 hours across DST)."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def local_day(timezone: str, when: datetime) -> date:
    return when.astimezone(ZoneInfo(timezone)).date()


def refuse_if_closed(s: Session, day: date, *staff_ids: uuid.UUID) -> None:
    """`day_closed` when one of the clerks closed `day` already."""
    closed = s.scalar(
        select(DayClosing.id).where(
            DayClosing.staff_id.in_(set(staff_ids)), DayClosing.business_date == day
        )
    )
    if closed is not None:
        raise DomainError(errors.DAY_CLOSED, f"the day {day} is closed", day=day.isoformat())


@dataclass(frozen=True, slots=True)
class DayTotals:
    """A clerk's day in fen."""

    count: int
    by_method: dict[str, int]
    voids: int
    voided_cash: int
    refunds: int
    cash_refunds: int

    @property
    def expected_cash(self) -> int:
        return self.by_method.get("cash", 0) - self.cash_refunds


def day_totals(
    s: Session, hall_id: uuid.UUID, timezone: str, staff_id: uuid.UUID, day: date
) -> DayTotals:
    start, end = day_bounds(timezone, day)
    voided = exists().where(PaymentVoid.payment_id == Payment.id)
    rows = s.execute(
        select(Payment.method, voided, func.count(), func.sum(Payment.amount_fen))
        .where(
            Payment.hall_id == hall_id,
            Payment.staff_id == staff_id,
            Payment.created_at >= start,
            Payment.created_at < end,
        )
        .group_by(Payment.method, voided)
    ).all()
    by_method: dict[str, int] = {}
    count = voids = voided_cash = 0
    for method, is_void, n, total in rows:
        if is_void:
            voids += int(total)
            voided_cash += int(total) if method == "cash" else 0
        else:
            count += int(n)
            by_method[method] = by_method.get(method, 0) + int(total)
    refund_rows = s.execute(
        select(Refund.method, func.sum(Refund.amount_fen))
        .where(
            Refund.hall_id == hall_id,
            Refund.staff_id == staff_id,
            Refund.created_at >= start,
            Refund.created_at < end,
        )
        .group_by(Refund.method)
    ).all()
    refunds = sum(int(total) for _m, total in refund_rows)
    cash_refunds = sum(int(total) for m, total in refund_rows if m == "cash")
    return DayTotals(count, by_method, voids, voided_cash, refunds, cash_refunds)


class ClosingService:
    """Day closings of the clerks of a hall."""

    def __init__(
        self, db: Database, halls: HallDirectory, auth: AuthService, clock: Clock | None = None
    ) -> None:
        self._db = db
        self._halls = halls
        self._auth = auth
        self._clock = clock or SystemClock()

    def close_day(
        self,
        actor: Actor,
        hall_code: str,
        day: date,
        counted_cash: Decimal,
        *,
        note: str = "",
    ) -> ClosingResult:
        """Close `actor`'s `day` with the cash counted in the drawer; `day_closed` if it is
        closed already, `bad_input` for a day still to come or a note over 200 characters,
        `bad_amount` for a negative count."""
        self._auth.check(actor, "clerk")
        counted = to_fen(counted_cash)
        if counted < 0:
            raise DomainError(errors.BAD_AMOUNT, f"counted cash is negative: {counted_cash}")
        if len(note) > 200:
            raise DomainError(errors.BAD_INPUT, "the note has at most 200 characters")
        hall = self._halls.get(hall_code)
        try:
            with errors.database_reached(), self._db.write() as s:
                lock_staff(s, actor.id)
                now = self._clock.now()
                if day > business_date(hall, now):
                    raise DomainError(errors.BAD_INPUT, f"the day {day} has not come yet")
                refuse_if_closed(s, day, actor.id)
                t = day_totals(s, hall.id, hall.timezone, actor.id, day)
                row = DayClosing(
                    id=uuid.uuid4(),
                    hall_id=hall.id,
                    station=actor.station[:64],
                    staff_id=actor.id,
                    business_date=day,
                    payment_count=t.count,
                    cash_fen=t.by_method.get("cash", 0),
                    card_fen=t.by_method.get("card", 0),
                    qr_fen=t.by_method.get("qr", 0),
                    refunds_fen=t.refunds,
                    voids_fen=t.voids,
                    counted_cash_fen=counted,
                    expected_cash_fen=t.expected_cash,
                    difference_fen=counted - t.expected_cash,
                    note=note,
                    closed_at=now,
                )
                s.add(row)
                s.flush()
                audit.record(
                    s,
                    now,
                    DAY_CLOSED_ACTION,
                    actor=actor,
                    record_type="day_closing",
                    record_id=row.id,
                    day=day.isoformat(),
                    expected_fen=t.expected_cash,
                    counted_fen=counted,
                )
        except IntegrityError as exc:  # a closing committed beside this one
            raise DomainError(errors.DAY_CLOSED, f"the day {day} is closed") from exc
        return ClosingResult(
            business_date=day,
            payment_count=t.count,
            cash=from_fen(t.by_method.get("cash", 0)),
            card=from_fen(t.by_method.get("card", 0)),
            qr=from_fen(t.by_method.get("qr", 0)),
            voids=from_fen(t.voids),
            refunds=from_fen(t.refunds),
            expected_cash=from_fen(t.expected_cash),
            counted_cash=from_fen(counted),
            difference=from_fen(counted - t.expected_cash),
            closed_at=now,
        )
