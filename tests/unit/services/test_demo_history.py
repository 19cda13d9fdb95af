"""The demo book's paid past: older bills paid on time by the demo clerks, what is left
owed looks like a real hall's book, receipts gapless in time order, the same every time.
Checked on SQLite and PostgreSQL through the real payment service."""

from __future__ import annotations

import random
from collections import Counter as Tally
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.models import Bill, Payment, PaymentAllocation, ReceiptPrint, ReceiptSeries
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.billing.payments import PaymentService
from app.services.hall_ref import HallDirectory
from app.services.security.auth import AuthService
from app.services.simulation.demo_hall import ensure_demo_hall
from app.services.simulation.demo_history import history_prefix, months_owed

DAY = date(2026, 12, 10)  # the book is billed up to November; October's bill is past due
CODE = "HIST"
ACCOUNTS = 400


def _book(url: str) -> Database:
    db = Database.from_url(url, use_keyring=False)
    upgrade(db.engine)
    ensure_demo_hall(db, code=CODE, accounts=ACCOUNTS, book_day=DAY, paid_history=True)
    return db


def test_older_bills_are_paid_and_the_rest_is_a_real_books_arrears(db_url: str):
    db = _book(db_url)
    try:
        with db.read() as s:
            payments = list(s.scalars(select(Payment).order_by(Payment.receipt_number)))
            allocations = {a.payment_id: a for a in s.scalars(select(PaymentAllocation))}
            bills = {b.id: b for b in s.scalars(select(Bill))}
            series = s.get(ReceiptSeries, history_prefix(CODE))
            prints = s.scalar(select(func.count()).select_from(ReceiptPrint))
        assert payments and len(allocations) == len(payments) == prints
        # gapless, in time order, the series continues after the last one
        numbers = [p.receipt_number for p in payments]
        assert numbers == [f"HISTH-{n:08d}" for n in range(1, len(payments) + 1)]
        times = [p.created_at for p in payments]
        assert times == sorted(times)
        assert series is not None and series.last_number == len(payments)
        end = datetime.combine(DAY, datetime.min.time(), UTC) - timedelta(hours=8)
        for p in payments:
            bill = bills[allocations[p.id].bill_id]
            assert allocations[p.id].amount_fen == bill.amount_fen == p.amount_fen
            assert bill.issued_at <= p.created_at < end  # after the bill, before the day
            local = (p.created_at + timedelta(hours=8)).time()
            assert local.hour >= 9 and (local.hour, local.minute) <= (16, 30)
            assert (p.tendered_fen is None) == (p.method != "cash")
            if p.tendered_fen is not None:
                assert p.change_fen == p.tendered_fen - p.amount_fen >= 0

        service = PaymentService(db, HallDirectory(db), AuthService(db), receipt_key=b"k" * 32)
        owed = Tally(
            len(service.owed(CODE, f"33{n:08d}", DAY).bills) for n in range(1, ACCOUNTS + 1)
        )
        share = {k: v / ACCOUNTS for k, v in owed.items()}
        assert 0.08 < share.get(0, 0) < 0.25  # paid up
        assert 0.50 < share.get(1, 0) < 0.70  # last month's bill, not yet due
        assert 0.08 < share.get(2, 0) < 0.22
        assert sum(v for k, v in share.items() if k >= 3) < 0.15
        assert max(owed) >= 6  # some long arrears to show
    finally:
        db.dispose()


def test_the_same_seed_gives_the_same_past(tmp_path):
    first = [_book(f"sqlite:///{tmp_path / f'{n}.sqlite3'}") for n in (1, 2)]
    try:
        rows = []
        for db in first:
            with db.read() as s:
                rows.append(
                    s.execute(
                        select(
                            Payment.receipt_number,
                            Payment.amount_fen,
                            Payment.method,
                            Payment.created_at,
                            Payment.counter_number,
                        ).order_by(Payment.receipt_number)
                    ).all()
                )
        assert rows[0] == rows[1] and len(rows[0]) > 1000
    finally:
        for db in first:
            db.dispose()


def test_months_owed_never_exceeds_the_bills():
    rng = random.Random(5)
    drawn = [months_owed(rng, 3) for _ in range(2000)]
    assert max(drawn) == 3 and min(drawn) == 0
