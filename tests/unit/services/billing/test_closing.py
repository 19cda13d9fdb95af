"""A clerk's day closing on SQLite and PostgreSQL: totals by method net of voids, refunds,
expected and counted cash, the hall's local day, and what a closed day refuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.bootstrap import Core
from app.models import DayClosing
from app.services.clock import ManualClock
from tests.unit.services.billing.payment_helpers import (
    HALL,
    add_account,
    add_bill,
    add_fee,
    assert_refused,
    clerk,
    manager,
    pay,
)
from tests.unit.services.queue_helpers import local

DAY = date(2026, 11, 23)


def test_closing_totals_by_method_less_voids_and_refunds(hall: Core, clock: ManualClock) -> None:
    acc = add_account(hall, "C1")
    add_bill(hall, acc, "2026-11", "100.00", date(2026, 11, 30))
    me, other, boss = clerk(hall), clerk(hall, "1002"), manager(hall)
    clock.set(local(22, 23, 59))  # the day before, in Shanghai (15:59 UTC)
    pay(hall, me, "C1", "7.00")
    clock.set(local(23, 0, 0, 1))  # 16:00 UTC on the 22nd, but the 23rd in the hall
    pay(hall, me, "C1", "100.00", tendered=Decimal("150.00"))
    clock.set(local(23, 9))
    pay(hall, me, "C1", "50.00", "card", reference="POS-1")  # all credit
    pay(hall, me, "C1", "20.00", "qr", reference="WX-1")
    voided = pay(hall, me, "C1", "30.00")
    hall.billing.void(me, voided.payment_id, boss, "typed the wrong amount")
    hall.billing.refund(me, HALL, "C1", Decimal("10.00"), boss, "asked for it back")
    pay(hall, other, "C1", "40.00")  # another clerk's drawer

    closing = hall.closing.close_day(me, HALL, DAY, Decimal("89.50"))
    assert closing.payment_count == 3
    assert (closing.cash, closing.card, closing.qr) == (
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("20.00"),
    )
    assert (closing.voids, closing.refunds) == (Decimal("30.00"), Decimal("10.00"))
    assert closing.expected_cash == Decimal("90.00")
    assert closing.difference == Decimal("-0.50")
    with hall.db.read() as s:
        row = s.scalars(select(DayClosing)).one()
    assert (row.expected_cash_fen, row.counted_cash_fen, row.difference_fen) == (9000, 8950, -50)
    assert row.business_date == DAY

    yesterday = hall.closing.close_day(me, HALL, date(2026, 11, 22), Decimal("7.00"))
    assert (yesterday.payment_count, yesterday.cash, yesterday.difference) == (
        1,
        Decimal("7.00"),
        Decimal("0.00"),
    )


def test_fees_are_part_of_the_takings_and_of_a_void(hall: Core) -> None:
    """A fee is part of its payment's amount: the closing counts it with the payment, and a
    void takes it out with the payment, nothing else."""
    acc = add_account(hall, "C3")
    add_bill(hall, acc, "2026-11", "100.00", date(2026, 11, 30))
    add_fee(hall, "RECONNECT", "50.00")
    me, boss = clerk(hall), manager(hall)
    pay(hall, me, "C3", "50.00", fee_codes=["RECONNECT"])  # the fee only
    pay(hall, me, "C3", "180.00", "card", reference="POS-1", fee_codes=["RECONNECT"])
    voided = pay(hall, me, "C3", "120.00", fee_codes=["RECONNECT", "RECONNECT"])
    hall.billing.void(me, voided.payment_id, boss, "fee charged twice")
    closing = hall.closing.close_day(me, HALL, DAY, Decimal("50.00"))
    assert closing.payment_count == 2
    assert (closing.cash, closing.card, closing.voids) == (
        Decimal("50.00"),
        Decimal("180.00"),
        Decimal("120.00"),
    )
    assert (closing.expected_cash, closing.difference) == (Decimal("50.00"), Decimal("0.00"))


def test_a_closed_day_refuses_what_would_change_it(hall: Core) -> None:
    acc = add_account(hall, "C2")
    add_bill(hall, acc, "2026-11", "10.00", date(2026, 11, 30))
    me, other, boss = clerk(hall), clerk(hall, "1002"), manager(hall)
    pay(hall, me, "C2", "30.00")  # 20.00 credit
    hall.closing.close_day(me, HALL, DAY, Decimal("30.00"))
    close = hall.closing.close_day
    assert_refused(hall, "day_closed", lambda: close(me, HALL, DAY, Decimal("30.00")))
    assert_refused(hall, "day_closed", lambda: pay(hall, me, "C2", "1.00"))
    assert_refused(
        hall,
        "day_closed",
        lambda: hall.billing.refund(me, HALL, "C2", Decimal("1.00"), boss, "x"),
    )
    pay(hall, other, "C2", "1.00")  # the other clerk's day is still open


def test_closing_refuses_bad_input(hall: Core) -> None:
    me = clerk(hall)
    close = hall.closing.close_day
    assert_refused(hall, "bad_amount", lambda: close(me, HALL, DAY, Decimal("-1")))
    assert_refused(hall, "amount_too_precise", lambda: close(me, HALL, DAY, Decimal("1.001")))
    assert_refused(hall, "bad_input", lambda: close(me, HALL, date(2026, 11, 24), Decimal(0)))
    assert_refused(hall, "bad_input", lambda: close(me, HALL, DAY, Decimal(0), note="x" * 201))
    empty = close(me, HALL, DAY, Decimal("0"))
    assert (empty.payment_count, empty.expected_cash, empty.difference) == (
        0,
        Decimal("0.00"),
        Decimal("0.00"),
    )
