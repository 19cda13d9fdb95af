"""What the counter shows of payments taken: an account's history and a clerk's day so far,
which must equal what the day closing then records. Real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.bootstrap import Core
from app.services.errors import DomainError
from tests.unit.services.billing.payment_helpers import (
    HALL,
    add_account,
    add_bill,
    clerk,
    manager,
    pay,
)

DUE = date(2026, 1, 20)


def test_account_history_newest_first_with_voids(core: Core):
    account = add_account(core, "5500000001")
    add_bill(core, account, "2025-12", "100.00", DUE)
    other = add_account(core, "5500000002")
    me, colleague = clerk(core), clerk(core, "1002")
    first = pay(core, me, "5500000001", "60.00")
    second = pay(core, colleague, "5500000001", "40.00", "qr", counter_number=2)
    pay(core, me, "5500000002", "10.00")  # another account's: not in this history
    core.billing.void(me, first.payment_id, manager(core), "wrong amount")

    rows = core.history.account(me, HALL, "5500000001")
    assert [r.receipt_number for r in rows] == [second.receipt_number, first.receipt_number]
    newest, oldest = rows
    assert (newest.method, newest.amount, newest.clerk_no, newest.voided) == (
        "qr",
        Decimal("40.00"),
        "1002",
        False,
    )
    assert (oldest.voided, oldest.mine, newest.mine) == (True, True, False)
    assert all(r.today for r in rows)
    assert core.history.account(me, HALL, "5500000002")[0].amount == Decimal("10.00")
    assert other is not None


def test_unknown_account_history_is_refused(core: Core):
    with pytest.raises(DomainError) as caught:
        core.history.account(clerk(core), HALL, "0000000000")
    assert caught.value.code == "unknown_account"


def test_the_day_shown_is_the_day_the_closing_records(core: Core):
    account = add_account(core, "5500000003")
    add_bill(core, account, "2025-12", "500.00", DUE)
    me = clerk(core)
    cash = pay(core, me, "5500000003", "120.00", tendered=Decimal("200.00"))
    pay(core, me, "5500000003", "30.50", "card")
    voided = pay(core, me, "5500000003", "19.50")
    pay(core, clerk(core, "1002"), "5500000003", "7.00")  # a colleague's: not in my day
    core.billing.void(me, voided.payment_id, manager(core), "customer cancelled")

    day = core.history.day(me, HALL)
    assert day.payment_count == 2
    assert day.by_method == {"card": Decimal("30.50"), "cash": Decimal("120.00")}
    assert day.voids == Decimal("19.50")
    assert day.expected_cash == Decimal("120.00")
    assert day.collected == Decimal("150.50")
    assert not day.closed
    assert {r.receipt_number for r in day.payments} >= {cash.receipt_number}
    assert len(day.payments) == 3  # the void one is listed, marked

    closed = core.closing.close_day(me, HALL, day.business_date, Decimal("120.00"))
    assert (closed.payment_count, closed.cash, closed.card, closed.voids) == (
        day.payment_count,
        day.by_method["cash"],
        day.by_method["card"],
        day.voids,
    )
    assert closed.expected_cash == day.expected_cash
    assert core.history.day(me, HALL).closed
