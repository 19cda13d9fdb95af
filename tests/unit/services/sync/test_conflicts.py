"""A bill paid at two counters while they were cut off from each other: both payments
stand, the surplus is the customer's credit, and the manager gets one conflict record —
also when the two stations push at the same moment, and when a push is replayed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app.models import CreditEntry, SyncConflict
from app.models.db import Database
from app.services.billing.payments import PaymentService
from app.services.hall_ref import HallDirectory, business_date
from app.services.security.auth import AuthService
from app.services.sync.capture import OUTBOX
from app.services.sync.push import drain, push
from tests.unit.services.sync.sync_helpers import HALL, KEY, central_with_book, make_station

ACCOUNT = "3300000007"


@pytest.fixture
def central(db_url: str) -> Iterator[Database]:
    db = central_with_book(db_url)
    yield db
    db.dispose()


def _owed(db: Database):  # type: ignore[no-untyped-def]
    halls = HallDirectory(db)
    service = PaymentService(db, halls, AuthService(db), receipt_key=KEY)
    # the hall's business day (Shanghai), as the stations' payments see it
    return service.owed(HALL, ACCOUNT, business_date(halls.get(HALL), datetime.now(UTC)))


def _both_pay(central: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    due = _owed(central).total_due
    stations = [make_station(central, tmp_path / f"pc{n}.sqlite3") for n in (1, 2)]
    results = []
    for n, station in enumerate(stations, start=1):  # cut off: neither sees the other
        results.append(station.pay(station.clerk(), ACCOUNT, str(due), prefix=f"PC{n}"))
    return due, stations, results


def test_both_payments_stand_and_the_surplus_is_credit(central: Database, tmp_path: Path):
    due, stations, results = _both_pay(central, tmp_path)
    assert due > 0
    for station in stations:
        drain(station.cache, central)
    with central.read() as s:
        conflicts = s.scalars(select(SyncConflict)).all()
        credit = s.scalars(select(CreditEntry).where(CreditEntry.reason == "adjustment")).all()
    bills = {a.bill_id for a in results[0].allocations}
    assert {c.bill_id for c in conflicts} == bills  # one conflict a bill paid twice
    assert {c.kind for c in conflicts} == {"overpaid_bill"}
    # the second payment found every bill paid: all of it (late fees too) is credit
    paid_twice = results[1].amount
    assert Decimal(sum(c.amount_fen for c in credit)).scaleb(-2) == paid_twice
    assert sum(c.amount_fen for c in conflicts) == sum(c.amount_fen for c in credit)
    receipts = {p["receipt"] for p in json.loads(conflicts[0].detail)["payments"]}
    assert receipts == {r.receipt_number for r in results}
    owed = _owed(central)
    assert owed.bills == () and owed.credit == paid_twice  # nothing owed, the money kept
    for station in stations:
        station.cache.dispose()


def test_a_replayed_push_records_no_second_conflict(central: Database, tmp_path: Path):
    _due, stations, _results = _both_pay(central, tmp_path)
    drain(stations[0].cache, central)
    with stations[1].cache.read() as s:
        saved = [dict(r._mapping) for r in s.execute(select(OUTBOX))]
    drain(stations[1].cache, central)
    with stations[1].cache.write() as s:
        s.execute(insert(OUTBOX), saved)
    assert push(stations[1].cache, central, batch=len(saved)).conflicts == 0
    with central.read() as s:
        conflicts = s.scalars(select(SyncConflict)).all()
        credits = s.scalars(select(CreditEntry).where(CreditEntry.reason == "adjustment")).all()
    assert len(conflicts) == len(credits) == len(_results[0].allocations)
    for station in stations:
        station.cache.dispose()


def test_two_stations_pushing_at_once_find_each_conflict_once(pg_url: str, tmp_path: Path):
    central = central_with_book(pg_url)
    _due, stations, _results = _both_pay(central, tmp_path)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(station) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            drain(station.cache, central, batch=3)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(st,)) for st in stations]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with central.read() as s:
        conflicts = s.scalars(select(SyncConflict)).all()
    assert len(conflicts) == len({c.bill_id for c in conflicts}) == len(_results[0].allocations)
    owed = _owed(central)
    assert owed.bills == () and owed.credit == _results[1].amount
    for station in stations:
        station.cache.dispose()
    central.dispose()
