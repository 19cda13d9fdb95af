"""The sync conflicts of a hall, for the manager: bills paid at two counters while they
were cut off from each other, whose surplus the centre credited to the customer (or took
back after a void), and prepaid credit paid out at two such counters. The centre records
them (`sync/conflicts.py`, `sync/overdrawn.py`); the manager calls the customer, who may
ask for the credit back (a refund at the counter) or owes what was paid out twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from app.models import Bill, CustomerAccount, Hall, SyncConflict
from app.models.db import Database
from app.services.billing.money import from_fen
from app.services.sync.conflicts import OVERPAID_BILL, SURPLUS_TAKEN_BACK
from app.services.sync.overdrawn import CREDIT_OVERDRAWN

__all__ = ["CREDIT_OVERDRAWN", "OVERPAID_BILL", "SURPLUS_TAKEN_BACK", "ConflictSeen"]

SHOWN = 20  # the newest; the rest stay in sync_conflicts (and `sync status` counts them)


@dataclass(frozen=True, slots=True)
class ConflictSeen:
    at: datetime
    kind: str  # OVERPAID_BILL, SURPLUS_TAKEN_BACK or CREDIT_OVERDRAWN
    account_number: str
    period: str  # the bill's month ("" for an overdrawn credit)
    amount: Decimal  # credited to the account (> 0), taken back or overdrawn (< 0)
    # the receipts of the payments that met on the bill, the voided ones, or the counters
    # that paid the credit out
    names: tuple[str, ...]


def recent_conflicts(db: Database, hall_code: str, since: datetime) -> tuple[ConflictSeen, ...]:
    """The hall's conflicts recorded since `since`, newest first (at most `SHOWN`)."""
    with db.read() as s:
        rows = s.execute(
            select(SyncConflict, CustomerAccount.account_number, Bill.period)
            .join(Hall, Hall.id == SyncConflict.hall_id)
            .join(CustomerAccount, CustomerAccount.id == SyncConflict.account_id)
            .outerjoin(Bill, Bill.id == SyncConflict.bill_id)
            .where(Hall.code == hall_code, SyncConflict.created_at >= since)
            .order_by(SyncConflict.created_at.desc(), SyncConflict.id)
            .limit(SHOWN)
        ).all()
    return tuple(_seen(c, number, period) for c, number, period in rows)


def _seen(c: SyncConflict, account_number: str, period: str | None) -> ConflictSeen:
    try:
        detail = json.loads(c.detail)
    except ValueError:
        detail = {}
    if c.kind == CREDIT_OVERDRAWN:
        named = list(dict.fromkeys(r.get("station", "") for r in detail.get("refunds", [])))
    elif c.kind == SURPLUS_TAKEN_BACK:
        named = detail.get("voided", [])
    else:
        named = [p.get("receipt", "") for p in detail.get("payments", [])]
    return ConflictSeen(
        c.created_at, c.kind, account_number, period or "", from_fen(c.amount_fen), tuple(named)
    )
