"""Prepaid credit paid out at two counters cut off from each other: both refunds stand
(the cash is real), the account's credit goes below zero at the centre, and the manager
gets one `credit_overdrawn` conflict naming the counters, also when a push is replayed.
On a fixed day and clock, as in test_conflicts."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from app.models import CreditEntry, CustomerAccount, Payment, SyncConflict
from app.models.db import Database
from app.services.billing.payments import PaymentService
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
    drain_at_once,
    make_station,
)

ACCOUNT = "3300000003"


def _credit(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.coalesce(func.sum(CreditEntry.amount_fen), 0))) or 0)


def _build(url: str, tmp_path: Path) -> tuple[Database, list[Station]]:
    """100 yuan prepaid at the centre, and two stations that have it (copied into their
    caches as the pull would bring it; Core inserts, so not sent back)."""
    central = central_with_book(url, accounts=4, book_day=BOOK_DAY)
    clock = StepClock(BOOK_START)
    auth = AuthService(central)
    billing = PaymentService(central, HallDirectory(central), auth, clock, receipt_key=KEY)
    clerk = auth.login("1001", "1234")
    billing.pay(clerk, HALL, ACCOUNT, Decimal(100), "cash", tendered=Decimal(100), bill_ids=[],
                counter_number=1, station_prefix="C")  # fmt: skip
    assert _credit(central) == 10_000
    stations = [make_station(central, tmp_path / f"pc{n}.sqlite3", clock) for n in (1, 2)]
    with central.read() as s:
        payments = [dict(r._mapping) for r in s.execute(select(Payment.__table__))]
        credits = [dict(r._mapping) for r in s.execute(select(CreditEntry.__table__))]
    for st in stations:
        with st.cache.write() as s:
            s.execute(insert(Payment.__table__), payments)
            s.execute(insert(CreditEntry.__table__), credits)
    return central, stations


def _close(central: Database, stations: list[Station]) -> None:
    for st in stations:
        st.cache.dispose()
    central.dispose()


@pytest.fixture
def both_see_credit(db_url: str, tmp_path: Path) -> Iterator[tuple[Database, list[Station]]]:
    central, stations = _build(db_url, tmp_path)
    yield central, stations
    _close(central, stations)


def _refund(st: Station) -> None:
    st.billing.refund(st.clerk(), HALL, ACCOUNT, Decimal(100), st.auth.approve("8001", "1234"),
                      "cash back")  # fmt: skip


def test_credit_paid_out_twice_is_flagged_once(both_see_credit) -> None:  # type: ignore[no-untyped-def]
    central, (pc1, pc2) = both_see_credit
    for st in (pc1, pc2):  # cut off: each pays the whole credit out
        _refund(st)
        assert _credit(st.cache) == 0
    drain(pc1.cache, central)
    assert _credit(central) == 0
    with central.read() as s:
        assert s.scalar(select(func.count()).select_from(SyncConflict)) == 0
    with pc2.cache.read() as s:
        saved = [dict(r._mapping) for r in s.execute(select(OUTBOX))]
    drain(pc2.cache, central)
    assert _credit(central) == -10_000  # both refunds stand: the customer owes 100
    seen = recent_conflicts(central, HALL, datetime.now(UTC) - timedelta(hours=1))
    assert [(c.kind, c.amount, c.names, c.period) for c in seen] == [
        ("credit_overdrawn", Decimal("-100.00"), ("pc1", "pc2"), "")
    ]
    with pc2.cache.write() as s:  # the reply lost: the same records pushed again
        s.execute(insert(OUTBOX), saved)
    assert push(pc2.cache, central, batch=len(saved)).conflicts == 0
    assert len(recent_conflicts(central, HALL, datetime.now(UTC) - timedelta(hours=1))) == 1


def test_a_refund_within_the_credit_is_no_conflict(both_see_credit) -> None:  # type: ignore[no-untyped-def]
    central, (pc1, _pc2) = both_see_credit
    _refund(pc1)
    drain(pc1.cache, central)
    assert _credit(central) == 0
    assert recent_conflicts(central, HALL, datetime.now(UTC) - timedelta(hours=1)) == ()


def test_two_stations_pushing_their_refunds_at_once_find_the_overdraft(both_see_credit) -> None:  # type: ignore[no-untyped-def]
    central, stations = both_see_credit
    for st in stations:
        _refund(st)
    drain_at_once(stations, central)
    assert _credit(central) == -10_000
    seen = recent_conflicts(central, HALL, datetime.now(UTC) - timedelta(hours=1))
    assert [(c.kind, c.amount) for c in seen] == [("credit_overdrawn", Decimal("-100.00"))]


def _waits_for_a_lock(central: Database, within_s: float = 15.0) -> bool:
    """Whether a session of the test's database comes to wait for a row lock."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + within_s
    with central.engine.connect() as probe:
        while time.monotonic() < deadline:
            if probe.scalar(waiting):
                return True
            probe.rollback()  # a fresh snapshot of pg_stat_activity
            time.sleep(0.05)
    return False


def test_a_push_paying_out_credit_waits_for_another_paying_out_the_same(
    pg_url: str, tmp_path: Path
) -> None:
    """PostgreSQL: a transaction that has paid out the account's credit and not yet
    committed (as another station's push would be) holds the second push back; once it
    commits, the second push sees it and records the overdraft."""
    central, (pc1, pc2) = _build(pg_url, tmp_path)
    try:
        _refund(pc2)
        with central.engine.connect() as other:
            other.begin()
            account = other.scalar(
                select(CustomerAccount.id).where(CustomerAccount.account_number == ACCOUNT)
            )
            # its refund only, as a push without the account's lock would write it (the
            # credit entry's foreign key takes a share lock, which does not hold others)
            other.execute(
                insert(CreditEntry.__table__).values(
                    id=uuid.uuid4(), account_id=account, amount_fen=-10_000, reason="refund",
                    payment_id=None, created_at=datetime.now(UTC),
                )
            )  # fmt: skip
            pushing = threading.Thread(target=drain, args=(pc2.cache, central))
            pushing.start()
            assert _waits_for_a_lock(central)  # the push, held back by the refund
            assert pushing.is_alive()
            other.commit()
        pushing.join(30)
        assert not pushing.is_alive()
        assert _credit(central) == -10_000
        seen = recent_conflicts(central, HALL, datetime.now(UTC) - timedelta(hours=1))
        assert [(c.kind, c.amount) for c in seen] == [("credit_overdrawn", Decimal("-100.00"))]
    finally:
        _close(central, [pc1, pc2])
