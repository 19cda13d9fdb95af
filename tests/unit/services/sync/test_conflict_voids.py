"""A void after a bill was paid twice while offline: the centre credited the surplus, so
a void pushed later takes that credit back (the customer is not paid twice), the
manager's dashboard lists both, and a station that sees the credit refuses the void and
points the clerk to a refund. On a
fixed day and clock, as in test_conflicts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from app.models import CreditEntry, PaymentVoid, SyncConflict
from app.models.db import Database
from app.services import errors
from app.services.billing.money import to_fen
from app.services.billing.payments import PaymentService
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory
from app.services.monitoring.conflicts import recent_conflicts
from app.services.security.auth import AuthService
from app.services.sync.capture import OUTBOX
from app.services.sync.push import drain, push
from tests.unit.services.sync.sync_helpers import (
    BOOK_DAY,
    BOOK_START,
    HALL,
    KEY,
    Station,
    StepClock,
    central_with_book,
    make_station,
)

LATE = "3300000003"  # a household whose oldest bill is past due on BOOK_DAY


@pytest.fixture
def paid_twice(db_url: str, tmp_path: Path) -> Iterator[tuple[Database, list[Station], list]]:  # type: ignore[type-arg]
    """Two stations cut off from each other each took the account's oldest bill whole,
    and both pushed: the centre credited the second payment as surplus."""
    central = central_with_book(db_url, accounts=4, book_day=BOOK_DAY)
    clock = StepClock(BOOK_START)
    stations = [make_station(central, tmp_path / f"pc{n}.sqlite3", clock) for n in (1, 2)]
    oldest = _service(central, clock).owed(HALL, LATE, BOOK_DAY).bills[0]
    paid = [
        st.pay(st.clerk(), LATE, str(oldest.due), prefix=f"PC{n}", bill_ids=[oldest.bill_id])
        for n, st in enumerate(stations, start=1)
    ]
    for st in stations:
        drain(st.cache, central)
    assert _standing(central) == to_fen(oldest.due)
    yield central, stations, paid
    for st in stations:
        st.cache.dispose()
    central.dispose()


def _service(db: Database, clock: StepClock, auth: AuthService | None = None) -> PaymentService:
    auth = auth or AuthService(db)
    return PaymentService(db, HallDirectory(db), auth, clock, receipt_key=KEY)


def _standing(central: Database) -> int:
    with central.read() as s:
        return int(
            s.scalar(
                select(func.coalesce(func.sum(CreditEntry.amount_fen), 0)).where(
                    CreditEntry.reason == "adjustment"
                )
            )
            or 0
        )


def _conflicts(central: Database) -> list[SyncConflict]:
    with central.read() as s:
        return list(s.scalars(select(SyncConflict).order_by(SyncConflict.amount_fen.desc())))


def test_a_void_pushed_after_the_surplus_was_credited_takes_it_back(paid_twice) -> None:  # type: ignore[no-untyped-def]
    central, (pc1, _pc2), (first, second) = paid_twice
    due = to_fen(first.amount)
    # PC1 has not heard of the conflict: it voids its payment (the customer's cash back)
    pc1.billing.void(pc1.clerk(), first.payment_id, pc1.auth.approve("8001", "1234"), "twice")
    with pc1.cache.read() as s:
        saved = [dict(r._mapping) for r in s.execute(select(OUTBOX))]
    drain(pc1.cache, central)
    assert _standing(central) == 0  # the credit taken back: the money counted once
    back = _conflicts(central)
    assert [(c.kind, c.amount_fen) for c in back] == [
        ("overpaid_bill", due),
        ("surplus_taken_back", -due),
    ]
    assert json.loads(back[1].detail)["voided"] == [first.receipt_number]
    owed = _service(central, StepClock(BOOK_START)).owed(HALL, LATE, BOOK_DAY)
    assert owed.credit == 0
    assert first.allocations[0].bill_id not in {b.bill_id for b in owed.bills}  # PC2's stands
    # what the manager's dashboard lists: the take-back, then the credit
    seen = recent_conflicts(central, HALL, datetime.now(UTC) - timedelta(hours=1))
    assert [(c.kind, c.amount, c.names) for c in seen] == [
        ("surplus_taken_back", -first.amount, (first.receipt_number,)),
        ("overpaid_bill", first.amount, (first.receipt_number, second.receipt_number)),
    ]
    assert {c.account_number for c in seen} == {LATE} and seen[0].period == seen[1].period != ""
    assert recent_conflicts(central, HALL, datetime.now(UTC) + timedelta(minutes=1)) == ()
    # the same push again takes nothing back a second time
    with pc1.cache.write() as s:
        s.execute(insert(OUTBOX), saved)
    assert push(pc1.cache, central, batch=len(saved)).conflicts == 0
    assert _standing(central) == 0 and len(_conflicts(central)) == 2
    assert second.amount == first.amount


def test_a_station_that_sees_the_credit_refuses_the_void(paid_twice) -> None:  # type: ignore[no-untyped-def]
    central, _stations, paid = paid_twice
    clock = StepClock(BOOK_START + timedelta(hours=1))  # the same business day
    auth = AuthService(central)
    service = _service(central, clock, auth)
    for payment in paid:  # at the centre's database, as a station without a cache sees it
        with pytest.raises(DomainError) as refused:
            service.void(
                auth.login("1001", "1234"),
                payment.payment_id,
                auth.approve("8001", "1234"),
                "twice",
            )
        assert refused.value.code == errors.VOID_AFTER_CONFLICT
    with central.read() as s:
        assert s.scalar(select(func.count()).select_from(PaymentVoid)) == 0
    assert _standing(central) == to_fen(paid[1].amount)  # the credit the refund pays back
