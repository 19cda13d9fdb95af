"""Conflicts as business events, the other way round: an account's prepaid credit paid
out at two counters while they were cut off from each other (DESIGN.md "Data").

Each counter saw the whole credit and refunded it (or a void there took it back), so the
customer has the cash twice and the account's credit is below zero once both have pushed.
Both refunds stand (the cash is real); the centre cannot take money back by itself, so a
`credit_overdrawn` conflict tells the manager what is owed and which counters paid out
(`recent_conflicts` on the dashboard). It is recorded once for a given state of the
account: its id is made from the account, its number of credit entries and its balance,
so a replayed push adds nothing, and a further overdraft is a new conflict.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import CreditEntry, CustomerAccount, Payment, Refund
from app.models.sync import SyncConflict
from app.services.sync.conflicts import CONFLICT_NS, among

CREDIT_OVERDRAWN = "credit_overdrawn"
REFUNDS_NAMED = timedelta(days=7)  # the refunds the conflict names: those of the last week


def paying_out(s: Session, by_table: Mapping[str, list[dict[str, Any]]]) -> set[uuid.UUID]:
    """The accounts whose credit a push's rows may take: its refunds' and voids' credit
    entries, and the accounts of the payments it voids (whose bills' surplus the centre
    may take back, `conflicts.settle_overpaid`); read before the rows go in."""
    accounts = {r["account_id"] for r in by_table.get("credit_entries", ()) if r["amount_fen"] < 0}
    voided = {r["payment_id"] for r in by_table.get("payment_voids", ())}
    if voided:
        accounts |= {r["account_id"] for r in by_table.get("payments", ()) if r["id"] in voided}
        accounts |= set(s.scalars(select(Payment.account_id).where(Payment.id.in_(sorted(voided)))))
    return accounts


def lock_accounts(s: Session, account_ids: Collection[uuid.UUID]) -> None:
    """Take the accounts' row locks for this transaction (PostgreSQL; SQLite has one
    writer), in id order: two pushes paying out one account's credit take turns, so the
    second sees the first's refund and finds the overdraft."""
    if account_ids and s.get_bind().dialect.name == "postgresql":
        s.execute(
            select(CustomerAccount.id)
            .where(among(s, CustomerAccount.id, account_ids))
            .order_by(CustomerAccount.id)
            .with_for_update()
        )


def flag_overdrawn(s: Session, account_ids: Collection[uuid.UUID], now: datetime) -> int:
    """A conflict for every account among `account_ids` whose credit is below zero and
    not yet recorded in this state; how many were recorded."""
    made = 0
    for account_id in sorted(account_ids):
        balance, entries = s.execute(
            select(func.coalesce(func.sum(CreditEntry.amount_fen), 0), func.count()).where(
                CreditEntry.account_id == account_id
            )
        ).one()
        if balance >= 0:
            continue
        conflict_id = uuid.uuid5(CONFLICT_NS, f"overdrawn/{account_id}/{entries}/{balance}")
        if s.get(SyncConflict, conflict_id) is not None:
            continue  # a replayed push: this state is recorded already
        refunds = s.execute(
            select(Refund.station, Refund.amount_fen, Refund.created_at)
            .where(Refund.account_id == account_id, Refund.created_at >= now - REFUNDS_NAMED)
            .order_by(Refund.created_at, Refund.id)
        ).all()
        detail = {
            "credit_fen": int(balance),
            "refunds": [
                {"station": r.station, "amount_fen": r.amount_fen, "at": r.created_at.isoformat()}
                for r in refunds
            ],
        }
        s.add(
            SyncConflict(
                id=conflict_id,
                kind=CREDIT_OVERDRAWN,
                hall_id=s.get_one(CustomerAccount, account_id).hall_id,
                account_id=account_id,
                bill_id=None,
                amount_fen=int(balance),
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
                created_at=now,
            )
        )
        made += 1
    s.flush()
    return made
