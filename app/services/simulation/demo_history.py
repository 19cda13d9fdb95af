"""The demo book's past: most bills were paid when they fell due, as in a real hall.

A book where every household owes twelve months is no hall a clerk knows. For the demo
(`--demo`, `scripts/run`) every account's older bills are settled by payments taken at the
hall's counters before today: the payments (with their allocations and original receipt
prints) of the hall's history series, receipt prefix `<hall code>H` (`DEMOH-00000001`, …,
gapless in time order, and the series row set to the last one), as if migrated from the
system the hall used before. What is left owed is what a real book shows:

- 15 % of the accounts owe nothing (last month's bill paid early);
- 60 % owe last month's bill only (due on the 25th: not yet late early in the month);
- 15 % owe two months (one past due, with its late fee), 7 % three to five, 3 % six to
  twelve (the long arrears a clerk phones about).

A paid bill was paid whole, 0-20 days before its due date, during opening hours (Shanghai
09:00-16:30), at counter 1-6 by that counter's demo clerk; cash (half, tendered exact or
to the next ten yuan), card or QR (a third) with a made-up reference. Never later than
yesterday, never before the bill was issued.
Deterministic for the same seed; written in bulk in the demo hall's transaction. No audit
rows: these are imported facts, not steps anyone took in HallDesk.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from app.models import Payment, PaymentAllocation, ReceiptPrint, ReceiptSeries

PAYMENTS = cast(Table, Payment.__table__)
ALLOCATIONS = cast(Table, PaymentAllocation.__table__)
PRINTS = cast(Table, ReceiptPrint.__table__)
SHANGHAI = timedelta(hours=8)
STATION = "LEGACY"
# (cumulative share, fewest, most months owed)
ARREARS = ((0.15, 0, 0), (0.75, 1, 1), (0.90, 2, 2), (0.97, 3, 5), (1.00, 6, 12))


def history_prefix(hall_code: str) -> str:
    """The receipt prefix of the hall's imported history: A-Z, 0-9, at most 16."""
    clean = "".join(c for c in hall_code.upper() if c.isascii() and c.isalnum())
    return f"{clean[:15]}H"


def months_owed(rng: random.Random, bills: int) -> int:
    draw = rng.random()
    for share, low, high in ARREARS:
        if draw < share:
            return min(bills, rng.randint(low, high))
    return bills


def _paid_at(rng: random.Random, bill: dict[str, Any], last_day: date) -> datetime | None:
    """When the bill was paid: 0-20 days before its due date, not before it was issued,
    not after `last_day` (yesterday, in the hall's calendar); None if it could not be."""
    day = min(bill["due_date"] - timedelta(days=rng.randint(0, 20)), last_day)
    if day < (bill["issued_at"] + SHANGHAI).date():
        return None
    local = datetime.combine(day, time(9, 0)) + timedelta(minutes=rng.randint(0, 450))
    return (local - SHANGHAI).replace(tzinfo=UTC)


def seed_paid_history(
    session: Session,
    hall_id: uuid.UUID,
    hall_code: str,
    bills: list[dict[str, Any]],
    clerks: list[uuid.UUID],
    now: datetime,
    *,
    seed: int,
) -> int:
    """Settle the older bills of `bills` (rows as written, grouped by account, oldest
    first) with payments by `clerks` (counter n's clerk is clerks[n-1]); the count."""
    if not clerks:
        return 0
    rng = random.Random(f"{seed}/history/{hall_code}")
    by_account: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for bill in bills:
        by_account.setdefault(bill["account_id"], []).append(bill)
    made: list[tuple[datetime, dict[str, Any], dict[str, Any]]] = []
    last_day = (now + SHANGHAI).date() - timedelta(days=1)
    for account_id, rows in by_account.items():
        owed = months_owed(rng, len(rows))
        for bill in rows[: len(rows) - owed]:
            at = _paid_at(rng, bill, last_day)
            if at is None:
                break  # issued too recently to be paid yet: it and the later ones are owed
            counter = rng.randint(1, min(6, len(clerks)))
            method = rng.choices(("cash", "card", "qr"), (50, 15, 35))[0]
            fen = bill["amount_fen"]
            tendered = None
            if method == "cash":
                tendered = fen if rng.random() < 0.4 else (fen // 1000 + 1) * 1000
            payment = {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "hall_id": hall_id,
                "station": STATION,
                "counter_number": counter,
                "staff_id": clerks[counter - 1],
                "ticket_id": None,
                "account_id": account_id,
                "method": method,
                "amount_fen": fen,
                "tendered_fen": tendered,
                "change_fen": tendered - fen if tendered is not None else None,
                "reference": ""
                if method == "cash"
                else f"{method.upper()}{rng.randrange(10**10):010d}",
                "created_at": at,
            }
            allocation = {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "payment_id": payment["id"],
                "bill_id": bill["id"],
                "amount_fen": fen,
                "late_fee_fen": 0,
            }
            made.append((at, payment, allocation))
    made.sort(key=lambda m: (m[0], m[1]["id"]))
    prefix = history_prefix(hall_code)
    prints = []
    for n, (at, payment, _a) in enumerate(made, start=1):
        payment["receipt_number"] = f"{prefix}-{n:08d}"
        prints.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "receipt_number": payment["receipt_number"],
                "payment_id": payment["id"],
                "copy": False,
                "printed_at": at,
                "staff_id": payment["staff_id"],
            }
        )
    if made:
        session.execute(insert(PAYMENTS), [m[1] for m in made])
        session.execute(insert(ALLOCATIONS), [m[2] for m in made])
        session.execute(insert(PRINTS), prints)
        session.add(ReceiptSeries(station_prefix=prefix, last_number=len(made)))
    return len(made)
