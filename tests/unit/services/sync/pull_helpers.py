"""A central PostgreSQL with the books of two halls, and station caches beside it, for the
pull and initial-sync tests.

The test template's DEMO hall has no book: it gets the one `ensure_demo_hall(accounts=…,
paid_history=True)` would give it (accounts, a year of bills, most of them paid, fees and
late-fee rules), plus one row of every fact the book lacks (a payment with a fee, a
credit, a void, a refund, a reprint, a day closing) and a hall-less administrator. WEST is
a second hall made by `ensure_demo_hall`; the job numbers of its clerks were taken, so its
payments were taken by DEMO's clerks.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from app.models import (
    CreditEntry,
    CustomerAccount,
    DayClosing,
    FeeItem,
    Hall,
    Payment,
    PaymentFee,
    PaymentVoid,
    ReceiptPrint,
    Refund,
    Service,
    Staff,
)
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.simulation.demo_accounts import seed_demo_accounts
from app.services.simulation.demo_hall import ensure_demo_hall
from app.services.sync.capture import install_capture
from app.services.sync.pulled import PULLED, TABLES, hall_filter

HALL = "DEMO"
OTHER = "WEST"
AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def hall_id(db: Database, code: str = HALL) -> uuid.UUID:
    with db.read() as s:
        return s.scalars(select(Hall.id).where(Hall.code == code)).one()


def staff_id(db: Database, job: str) -> uuid.UUID:
    with db.read() as s:
        return s.scalars(select(Staff.id).where(Staff.job_number == job)).one()


def central_two_halls(url: str, accounts: int = 300) -> Database:
    db = Database.from_url(url, use_keyring=False)
    upgrade(db.engine)
    demo = hall_id(db)
    clerks = [staff_id(db, f"{1000 + n}") for n in range(1, 7)]
    with db.write() as s:
        services = {v.code: v.id for v in s.scalars(select(Service).where(Service.hall_id == demo))}
        seed_demo_accounts(s, demo, HALL, services, count=accounts, paid_by=clerks)
    ensure_demo_hall(db, code=OTHER, counters=3, accounts=40, paid_history=True)
    add_facts(db)
    return db


def account(hall: uuid.UUID, number: str) -> dict[str, Any]:
    return {"id": uuid.uuid4(), "hall_id": hall, "account_number": number, "name": "新户"} | {
        "address": "西湖区文三路1号",
        "phone": "13800000000",
        "account_type": "residential",
        "active": True,
        "created_at": AT,
    }


def bill(account_id: uuid.UUID, period: str) -> dict[str, Any]:
    return {"id": uuid.uuid4(), "account_id": account_id, "period": period, "usage_milli": 1} | {
        "usage_unit": "kWh",
        "amount_fen": 100,
        "due_date": date(2026, 12, 25),
        "issued_at": AT,
    }


def add_facts(db: Database) -> None:
    """One row of each fact the demo book has none of, and a hall-less administrator."""
    demo, clerk, manager = hall_id(db), staff_id(db, "1001"), staff_id(db, "8001")
    with db.write() as s:
        account = s.scalars(
            select(CustomerAccount.id)
            .where(CustomerAccount.hall_id == demo)
            .order_by(CustomerAccount.account_number)
        ).first()
        fee = s.scalars(select(FeeItem).where(FeeItem.hall_id == demo, FeeItem.code == "BILL_COPY"))
        fee_row = fee.one()
        pay = uuid.uuid4()
        who = {"staff_id": clerk, "approved_by": manager}
        rows: list[tuple[Any, dict[str, Any]]] = [
            (
                Payment,
                {
                    "id": pay,
                    "hall_id": demo,
                    "station": "PC9",
                    "counter_number": 1,
                    "staff_id": clerk,
                    "account_id": account,
                    "method": "cash",
                    "amount_fen": 700,
                    "tendered_fen": 1000,
                    "change_fen": 300,
                    "reference": "",
                    "receipt_number": "PC9-00000001",
                    "created_at": AT,
                },
            ),
            (
                PaymentFee,
                {"payment_id": pay, "fee_item_id": fee_row.id, "code": fee_row.code}
                | {"name_zh": fee_row.name_zh, "name_en": fee_row.name_en, "amount_fen": 200},
            ),
            (
                CreditEntry,
                {"account_id": account, "amount_fen": 500, "reason": "overpayment"}
                | {"payment_id": pay, "created_at": AT},
            ),
            (PaymentVoid, {"payment_id": pay, "reason": "wrong account", "created_at": AT} | who),
            (
                Refund,
                {"hall_id": demo, "station": "PC9", "account_id": account, "payment_id": pay}
                | {"method": "cash", "amount_fen": 500, "reason": "credit back", "created_at": AT}
                | who,
            ),
            (
                ReceiptPrint,
                {"receipt_number": "PC9-00000001", "payment_id": pay, "copy": True}
                | {"printed_at": AT, "staff_id": clerk},
            ),
            (
                DayClosing,
                {"hall_id": demo, "station": "PC9", "staff_id": clerk}
                | {"business_date": date(2026, 11, 30), "payment_count": 1, "cash_fen": 700}
                | {"counted_cash_fen": 700, "expected_cash_fen": 700, "difference_fen": 0}
                | {"closed_at": AT},
            ),
            (
                Staff,
                {"hall_id": None, "job_number": "9901", "name": "总部管理员", "role": "admin"}
                | {"password_hash": "x", "active": True},
            ),
        ]
        for model, values in rows:
            s.execute(insert(model), [{"id": uuid.uuid4()} | values])


def new_cache(path: Path, *, capture: bool = True) -> Database:
    """A migrated, empty station cache with the outbox capture on (as a station runs)."""
    cache = Database.from_url(f"sqlite:///{path}", use_keyring=False)
    upgrade(cache.engine)
    if capture:
        install_capture(cache)
    return cache


def dump(db: Database, hall: uuid.UUID | None = None) -> dict[str, list[Any]]:
    """Every pulled table's rows in key order: the hall's at the centre, all in a cache."""
    out: dict[str, list[Any]] = {}
    with db.read() as s:
        for name in PULLED:
            t = TABLES[name]
            query = select(t) if hall is None else select(t).where(hall_filter(t, hall))
            out[name] = sorted((tuple(r) for r in s.execute(query)), key=str)
    return out


def counts(db: Database, hall: uuid.UUID | None = None) -> dict[str, int]:
    with db.read() as s:
        return {
            name: int(
                s.scalar(
                    select(func.count())
                    .select_from(TABLES[name])
                    .where(*(() if hall is None else (hall_filter(TABLES[name], hall),)))
                )
                or 0
            )
            for name in PULLED
        }
