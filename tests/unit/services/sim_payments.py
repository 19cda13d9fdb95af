"""The payments of a simulated hall day as the database has them, worked out from the rows
alone (payments, payment_voids, payment_allocations, bills, staff, tickets), to hold the
simulator's report against: shared by the simulator's tests and the CLI's."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from app.models import (
    Bill,
    Counter,
    Hall,
    Payment,
    PaymentAllocation,
    PaymentVoid,
    Service,
    Staff,
    Ticket,
)
from app.models.db import Database


def payments_in_database(url: str, hall: str) -> dict[str, Any]:
    """The `payments` object of the JSON report, computed from the database's rows, after
    checking that every station's receipts run 1, 2, 3... with no gap."""
    db = Database.from_url(url, use_keyring=False)
    try:
        with db.read() as s:
            hall_id = s.scalar(select(Hall.id).where(Hall.code == hall))
            rows = s.execute(
                select(Payment.id, Payment.method, Payment.amount_fen, Payment.receipt_number)
                .where(Payment.hall_id == hall_id)
                .order_by(Payment.receipt_number)
            ).all()
            voided = set(
                s.scalars(
                    select(PaymentVoid.payment_id)
                    .join(Payment, Payment.id == PaymentVoid.payment_id)
                    .where(Payment.hall_id == hall_id)
                )
            )
    finally:
        db.dispose()
    kept = [r for r in rows if r.id not in voided]
    series: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        prefix, _, number = r.receipt_number.partition("-")
        series[prefix].append(int(number))
    for prefix, numbers in series.items():
        assert numbers == list(range(1, len(numbers) + 1)), f"{prefix}: a gap or a duplicate"
    return {
        "count": len(kept),
        "collected_fen": sum(r.amount_fen for r in rows)
        - sum(r.amount_fen for r in rows if r.id in voided),
        "by_method": {m: sum(r.amount_fen for r in kept if r.method == m) for m in METHODS},
        "voids": len(voided),
        "voided_fen": sum(r.amount_fen for r in rows if r.id in voided),
        "stations": {
            prefix: {
                "first_receipt": f"{prefix}-{1:08d}",
                "last_receipt": f"{prefix}-{len(numbers):08d}",
            }
            for prefix, numbers in sorted(series.items())
        },
    }


METHODS = ("cash", "card", "qr")


def check_payment_rows(url: str, hall: str) -> dict[str, int]:
    """Assert what every payment of the day must be, on its rows: no bill settled beyond
    its amount; each payment for a bill payment ticket of the hall served at the counter
    that took it; cash with its change, card and QR with a reference; voids approved by a
    manager. Returns a few counts: partial payers, cash payments with change, voids."""
    db = Database.from_url(url, use_keyring=False)
    try:
        with db.read() as s:
            hall_id = s.scalar(select(Hall.id).where(Hall.code == hall))
            payments = list(s.scalars(select(Payment).where(Payment.hall_id == hall_id)))
            voided = {
                v.payment_id: v
                for v in s.scalars(
                    select(PaymentVoid).where(PaymentVoid.payment_id.in_([p.id for p in payments]))
                )
            }
            settled: dict[uuid.UUID, int] = defaultdict(int)
            for payment_id, bill_id, fen in s.execute(
                select(
                    PaymentAllocation.payment_id,
                    PaymentAllocation.bill_id,
                    PaymentAllocation.amount_fen,
                ).where(PaymentAllocation.payment_id.in_([p.id for p in payments]))
            ):
                if payment_id not in voided:
                    settled[bill_id] += fen
            bills = list(s.scalars(select(Bill).where(Bill.id.in_(list(settled)))))
            # accounts that paid and still owe: the customers who paid a part
            paying = {p.account_id for p in payments if p.id not in voided}
            owing = {
                b.account_id
                for b in s.scalars(select(Bill).where(Bill.account_id.in_(list(paying))))
                if settled.get(b.id, 0) < b.amount_fen
            }
            tickets = {
                t.id: (t, code, counter)
                for t, code, counter in s.execute(
                    select(Ticket, Service.code, Counter.number)
                    .join(Service, Service.id == Ticket.service_id)
                    .outerjoin(Counter, Counter.id == Ticket.counter_id)
                    .where(Ticket.hall_id == hall_id)
                )
            }
            roles = {i: role for i, role in s.execute(select(Staff.id, Staff.role))}
    finally:
        db.dispose()
    assert all(settled[b.id] <= b.amount_fen for b in bills), "a bill settled twice"
    for p in payments:
        assert p.ticket_id is not None
        ticket, code, counter = tickets[p.ticket_id]
        assert code == "PAY" and ticket.status == "done" and counter == p.counter_number
        assert ticket.serving_at is not None and ticket.finished_at is not None
        assert ticket.serving_at <= p.created_at <= ticket.finished_at  # while served
        assert p.receipt_number.startswith(f"{hall}C{p.counter_number:02d}-")
        if p.method == "cash":
            assert p.tendered_fen is not None and p.change_fen == p.tendered_fen - p.amount_fen
            assert p.tendered_fen % 1000 == 0  # whole notes of 10 yuan or more
        else:
            assert p.tendered_fen is None and p.reference
    for v in voided.values():
        assert roles[v.approved_by] == "manager" and roles[v.staff_id] == "clerk"
    return {
        "partial": len(owing),
        "change": sum(1 for p in payments if p.change_fen),
        "voids": len(voided),
    }
