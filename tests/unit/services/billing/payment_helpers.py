"""Shared by the payment tests: accounts, bills, fees and late-fee rules written straight
into the demo hall, actors, and a dump of the billing tables to prove a refusal changed nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text

from app.bootstrap import Core
from app.models import Bill, CustomerAccount, FeeItem, Hall, LateFeeRuleRow
from app.services.billing.money import to_fen
from app.services.errors import DomainError
from app.services.security.actor import Actor

HALL = "DEMO"
PREFIX = "PC1"
BILLING_TABLES = (
    "payments",
    "payment_allocations",
    "payment_fees",
    "credit_entries",
    "payment_voids",
    "refunds",
    "receipt_prints",
    "receipt_series",
    "day_closings",
    "audit_log",
)
ISSUED = datetime(2026, 9, 1, tzinfo=UTC)


def hall_id(core: Core) -> uuid.UUID:
    with core.db.read() as s:
        return s.scalar(select(Hall.id).where(Hall.code == HALL))  # type: ignore[return-value]


def add_account(core: Core, number: str, account_type: str = "residential") -> uuid.UUID:
    row = CustomerAccount(
        id=uuid.uuid4(),
        hall_id=hall_id(core),
        account_number=number,
        name=f"户主{number}",
        address=f"幸福路{number}号",
        phone="",
        account_type=account_type,
        active=True,
        created_at=ISSUED,
    )
    with core.db.write() as s:
        s.add(row)
    return row.id


def add_bill(
    core: Core, account_id: uuid.UUID, period: str, amount: str, due: date, usage_milli: int = 0
) -> uuid.UUID:
    row = Bill(
        id=uuid.uuid4(),
        account_id=account_id,
        period=period,
        usage_milli=usage_milli,
        usage_unit="kWh",
        amount_fen=to_fen(Decimal(amount)),
        due_date=due,
        issued_at=ISSUED,
    )
    with core.db.write() as s:
        s.add(row)
    return row.id


def add_fee(
    core: Core, code: str, amount: str, name_zh: str = "复电", *, active: bool = True
) -> uuid.UUID:
    """A fee item of the demo hall (the test template's demo hall has no fee schedule)."""
    row = FeeItem(
        id=uuid.uuid4(),
        hall_id=hall_id(core),
        service_id=None,
        code=code,
        name_zh=name_zh,
        name_en=f"{code.title()} fee",
        amount_fen=to_fen(Decimal(amount)),
        active=active,
    )
    with core.db.write() as s:
        s.add(row)
    return row.id


def add_rule(
    core: Core,
    account_type: str = "residential",
    *,
    daily_ppm: int = 1000,
    cap_ppm: int = 300_000,
    grace_days: int = 0,
    waived: bool = False,
) -> None:
    with core.db.write() as s:
        s.add(
            LateFeeRuleRow(
                id=uuid.uuid4(),
                hall_id=hall_id(core),
                account_type=account_type,
                daily_rate_ppm=daily_ppm,
                cap_ratio_ppm=cap_ppm,
                grace_days=grace_days,
                waived=waived,
            )
        )


def clerk(core: Core, job: str = "1001") -> Actor:
    return core.auth.login(job, "1234")


def manager(core: Core) -> Actor:
    return core.auth.approve("8001", "1234", action="payment_void")


def pay(core: Core, actor: Actor, account: str, amount: str, method: str = "cash", **kw: Any):  # type: ignore[no-untyped-def]
    """A payment at counter 1 of station PC1; cash tendered exactly unless told."""
    if method == "cash":
        kw.setdefault("tendered", Decimal(amount))
    else:
        kw.setdefault("reference", "REF-1")
    return core.billing.pay(
        actor,
        HALL,
        account,
        Decimal(amount),
        method,
        counter_number=kw.pop("counter_number", 1),
        station_prefix=kw.pop("station_prefix", PREFIX),
        **kw,
    )


def dump(core: Core) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the billing tables (and the audit log), in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with core.db.engine.connect() as conn:
        for table in BILLING_TABLES:
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def assert_refused(core: Core, code: str, step: Callable[[], object]) -> DomainError:
    """The step raises DomainError `code` and leaves every billing table as it was."""
    before = dump(core)
    with pytest.raises(DomainError) as caught:
        step()
    assert caught.value.code == code, caught.value.message
    assert dump(core) == before
    return caught.value
