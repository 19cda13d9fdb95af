"""Conflicts as business events: a bill paid at two counters while they were cut off from
each other (DESIGN.md "Data").

Both payments are real cash, so both stand. When a push brings allocations, the centre
checks their bills inside the push's own transaction: where the non-voided allocations of
a bill, oldest payment first, paid beyond it, the surplus not yet settled becomes an
`adjustment` credit entry on the account (the customer's money is kept as credit, 预存)
and a `SyncConflict` row tells the manager which payments met on which bill. A surplus
may be late fee alone (a station that had not heard of the payment in full took a few
yuan that went to the bill's late fee), so the bills checked are all that are paid in
full, not only those whose principal is exceeded. A bill paid three times gets a second
conflict for the further surplus.

What was paid beyond the bill (`surplus_of`) is found by taking its payments again in
the order they were taken, each as its station would have taken it had it seen the ones
before: principal past what was left is surplus, and so is late fee past what the late-fee
rule asked that day on what was left, less the late fee kept already (`billing/owed.py`:
a customer is never charged twice for the same days). A payment that found the bill paid
therefore gives back all its late fee; one that paid the whole bill after another station
took part of it and that part's late fee gives back the late fee charged a second time.
Payments taken by stations that saw each other come out as they were: no surplus. A bill
still owed is settled once its principal is paid in full: late fee paid twice on it
meanwhile is credited then.

A void can reach the centre after the surplus was credited: a station that had not heard
of the conflict gave the customer the cash of one payment back. The surplus is then
smaller than what was credited, and the centre takes the difference back with a negative
`adjustment` entry and a `surplus_taken_back` conflict naming the voided receipts, so
the money is not returned twice. Only a void takes a surplus back; a late-fee rule
changed since does not. A station that already sees the credit refuses such a void
(`void_after_conflict` in billing/corrections.py): the customer is paid back by a refund
of the credit.

Two stations pushing payments of one bill at the same time must not both see "no
conflict": the push locks the bills its allocations touch (`FOR UPDATE`, in id order so
two pushes cannot deadlock) before inserting, so the second waits and then sees the first's
rows. Ids are made from the bill and the total paid (principal and late fees: a further
surplus of late fee alone leaves the principal total as it was), so a replayed push finds
its conflict there already and adds nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, Uuid, any_, bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app.models import (
    Bill,
    CreditEntry,
    CustomerAccount,
    Hall,
    Payment,
    PaymentAllocation,
    PaymentVoid,
)
from app.models.sync import SyncConflict
from app.services.billing.late_fee import LateFeeRule, late_fee
from app.services.billing.money import from_fen, to_fen
from app.services.billing.owed import late_rule

CONFLICT_NS = uuid.UUID("6f1c0b7e-3d1a-4c55-9a57-2f0f4f3a9e11")
OVERPAID_BILL = "overpaid_bill"
SURPLUS_TAKEN_BACK = "surplus_taken_back"
BILLS = cast(Table, Bill.__table__)


def among(s: Session, column: Any, ids: Collection[uuid.UUID]) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL `column = ANY(:ids)` with the ids as one uuid[]
    parameter, so the statement's text is the same whatever their number (psycopg and
    the server parse it once, not once per batch size)."""
    if s.get_bind().dialect.name == "postgresql":
        return cast(
            ColumnElement[bool],
            column == any_(bindparam(None, sorted(ids), type_=ARRAY(Uuid), unique=True)),
        )
    return cast(ColumnElement[bool], column.in_(sorted(ids)))


def lock_bills(s: Session, bill_ids: Collection[uuid.UUID]) -> None:
    """Take the bills' row locks for this transaction (PostgreSQL; SQLite has one writer)."""
    if bill_ids and s.get_bind().dialect.name == "postgresql":
        s.execute(
            select(BILLS.c.id)
            .where(among(s, BILLS.c.id, bill_ids))
            .order_by(BILLS.c.id)
            .with_for_update()
        )


def surplus_of(
    amount: int,
    allocations: Sequence[tuple[int, int, date]],
    fee_on: Callable[[int, date], int],
) -> int:
    """What of a bill's allocations (principal, late fee, the day it was paid), oldest
    payment first, was paid beyond the bill (see the module docstring). `fee_on(left,
    day)` is the late fee the rule asks on `day` for `left` fen of principal unpaid."""
    left, late_kept, surplus = amount, 0, 0
    for principal, late, day in allocations:
        asked = max(0, fee_on(left, day) - late_kept) if left else 0
        kept = min(late, asked)
        late_kept += kept
        needed = min(left, principal)
        left -= needed
        surplus += principal - needed + late - kept
    return surplus


def fee_rule(rule: LateFeeRule | None, due: date) -> Callable[[int, date], int]:
    """`fee_on` for `surplus_of`: the rule's late fee (fen) of a bill due on `due`."""

    def fee_on(left: int, day: date) -> int:
        if rule is None or left <= 0:
            return 0
        return to_fen(late_fee(from_fen(left), due, day, rule))

    return fee_on


def touched_bills(s: Session, by_table: Mapping[str, list[dict[str, Any]]]) -> set[uuid.UUID]:
    """The bills a push's rows may change the surplus of: those its allocations pay, and
    those of the payments its voids void (read at the centre: a void's payment may have
    been pushed before)."""
    bills = {r["bill_id"] for r in by_table.get("payment_allocations", ())}
    voided = {r["payment_id"] for r in by_table.get("payment_voids", ())}
    if voided:
        bills |= set(
            s.scalars(
                select(PaymentAllocation.bill_id).where(
                    PaymentAllocation.payment_id.in_(sorted(voided))
                )
            )
        )
    return bills


def settle_overpaid(s: Session, bill_ids: Collection[uuid.UUID], now: datetime) -> int:
    """Credit the surplus of every overpaid bill among `bill_ids`, and take back what a
    void made no longer surplus; the conflicts recorded (see the module docstring)."""
    if not bill_ids:
        return 0
    chosen = list(bill_ids)
    voided = exists().where(PaymentVoid.payment_id == PaymentAllocation.payment_id)
    # a surplus needs the principal paid in full and a second payment on the bill
    # (principal beyond the amount, or a late fee paid after the principal was)
    overpaid = s.scalars(
        select(Bill.id)
        .join(PaymentAllocation, PaymentAllocation.bill_id == Bill.id)
        .where(among(s, Bill.id, chosen), ~voided)
        .group_by(Bill.id, Bill.amount_fen)
        .having(
            func.sum(PaymentAllocation.amount_fen) >= Bill.amount_fen,
            func.count(PaymentAllocation.id) > 1,
        )
    )
    # and one credited before may have lost its surplus to a void since
    settled_before = s.scalars(
        select(SyncConflict.bill_id).where(among(s, SyncConflict.bill_id, chosen))
    )
    made = 0
    for bill_id in sorted(set(overpaid) | {b for b in settled_before if b is not None}):
        made += _settle(s, s.get_one(Bill, bill_id), now)
    s.flush()
    return made


def _settle(s: Session, bill: Bill, now: datetime) -> int:
    """Credit the bill's surplus not credited yet, or take back a credit a void has made
    too large; 1 when a conflict was recorded."""
    account = s.get_one(CustomerAccount, bill.account_id)
    zone = ZoneInfo(s.get_one(Hall, account.hall_id).timezone)
    rows = s.execute(
        select(
            Payment.id,
            Payment.receipt_number,
            Payment.station,
            Payment.created_at,
            PaymentAllocation.amount_fen,
            PaymentAllocation.late_fee_fen,
            exists().where(PaymentVoid.payment_id == Payment.id).label("void"),
        )
        .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
        .where(PaymentAllocation.bill_id == bill.id)
        .order_by(Payment.created_at, Payment.receipt_number)
    ).all()
    payments = [r for r in rows if not r.void]
    # each payment on its hall's day, as the station charged it (`business_date`)
    surplus = surplus_of(
        bill.amount_fen,
        [(a.amount_fen, a.late_fee_fen, a.created_at.astimezone(zone).date()) for a in payments],
        fee_rule(late_rule(s, account), bill.due_date),
    )
    settled = int(
        s.scalar(
            select(func.coalesce(func.sum(SyncConflict.amount_fen), 0)).where(
                SyncConflict.bill_id == bill.id,
                SyncConflict.kind.in_((OVERPAID_BILL, SURPLUS_TAKEN_BACK)),
            )
        )
        or 0
    )
    voids = [r.receipt_number for r in rows if r.void]
    if surplus == settled or (surplus < settled and not voids):
        return 0  # only a void takes a surplus back (not a late-fee rule changed since)
    paid = sum(a.amount_fen for a in payments)
    late_paid = sum(a.late_fee_fen for a in payments)
    if surplus > settled:
        kind, key = OVERPAID_BILL, f"{bill.id}/{paid}/{late_paid}"  # never bill/principal
    else:
        kind, key = SURPLUS_TAKEN_BACK, f"back/{bill.id}/{paid}/{late_paid}/{settled}"
    s.add(
        CreditEntry(
            id=uuid.uuid5(CONFLICT_NS, f"credit/{key}"),
            account_id=account.id,
            amount_fen=surplus - settled,
            reason="adjustment",
            payment_id=payments[-1].id if payments else None,
            created_at=now,
        )
    )
    detail: dict[str, object] = {
        "payments": [{"receipt": p.receipt_number, "station": p.station} for p in payments],
        "bill_amount_fen": bill.amount_fen,
        "paid_fen": paid,
    }
    if kind == SURPLUS_TAKEN_BACK:
        detail["voided"] = voids
    s.add(
        SyncConflict(
            id=uuid.uuid5(CONFLICT_NS, f"conflict/{key}"),
            kind=kind,
            hall_id=account.hall_id,
            account_id=account.id,
            bill_id=bill.id,
            amount_fen=surplus - settled,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
            created_at=now,
        )
    )
    return 1
