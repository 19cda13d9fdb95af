"""A bill paid at two counters while they were cut off from each other: both payments
stand, the surplus is the customer's credit, and the manager gets one conflict record —
also when the two stations push at the same moment, when a push is replayed, and when
all that was paid twice is a late fee (on a fixed day and clock, so the late fees are the
same whatever day the tests run)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app.models import CreditEntry, SyncConflict
from app.models.db import Database
from app.services.billing.dto import Owed
from app.services.billing.money import to_fen
from app.services.billing.payments import PaymentService
from app.services.hall_ref import HallDirectory, business_date
from app.services.security.auth import AuthService
from app.services.sync.capture import OUTBOX
from app.services.sync.conflicts import surplus_of
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

ACCOUNT = "3300000007"
LATE = "3300000003"  # a household whose oldest bill is past due on BOOK_DAY


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
    drain_at_once(stations, central, batch=3)
    with central.read() as s:
        conflicts = s.scalars(select(SyncConflict)).all()
    assert len(conflicts) == len({c.bill_id for c in conflicts}) == len(_results[0].allocations)
    owed = _owed(central)
    assert owed.bills == () and owed.credit == _results[1].amount
    for station in stations:
        station.cache.dispose()
    central.dispose()


# ---------------------------------------------------------------- late fees paid twice
def _fee_on(left: int, day: date) -> int:
    """A rule of 1 % of what is left a day, counted from the 1st (no cap)."""
    return left * day.day // 100


D1, D3 = date(2026, 12, 1), date(2026, 12, 3)


def test_the_surplus_of_a_bill_counts_a_late_fee_only_once_the_bill_was_paid():
    assert surplus_of(1000, [(1000, 10, D1), (0, 100, D1)], _fee_on) == 100  # found it paid
    assert surplus_of(1000, [(1000, 10, D1), (1000, 10, D1)], _fee_on) == 1010
    assert surplus_of(1000, [(0, 5, D1), (0, 5, D1)], _fee_on) == 0  # in part, the bill owed
    assert surplus_of(1000, [(400, 10, D1), (600, 0, D1), (0, 50, D1)], _fee_on) == 50


def test_the_late_fee_charged_again_with_the_whole_bill_after_a_part_is_surplus():
    # station 1 took the day's late fee (10) and half the bill; station 2, cut off, the
    # whole bill and the same late fee again: on 500 left, the rule asked 5, less the 10
    # paid already, so nothing: 500 of principal and all 10 of late fee are surplus
    assert surplus_of(1000, [(500, 10, D1), (1000, 10, D1)], _fee_on) == 510
    # two days later the rule asks 15 on the 500 left, 10 of it paid: 5 kept, 25 back
    assert surplus_of(1000, [(500, 10, D1), (1000, 30, D3)], _fee_on) == 525
    # the same two payments taken by stations that saw each other: nothing back
    assert surplus_of(1000, [(500, 10, D1), (500, 5, D3)], _fee_on) == 0
    # the same, the second late fee more than the rule asked: the excess back
    assert surplus_of(1000, [(500, 10, D1), (500, 8, D3)], _fee_on) == 3


@pytest.fixture
def late_book(db_url: str, tmp_path: Path) -> Iterator[tuple[Database, list[Station]]]:
    """A book dated `BOOK_DAY` and two stations cut off from each other, their payments
    one minute apart from `BOOK_START` (so the late fees do not depend on today)."""
    central = central_with_book(db_url, accounts=4, book_day=BOOK_DAY)
    clock = StepClock(BOOK_START)
    stations = [make_station(central, tmp_path / f"pc{n}.sqlite3", clock) for n in (1, 2)]
    yield central, stations
    for station in stations:
        station.cache.dispose()
    central.dispose()


def _owed_on(db: Database) -> Owed:
    service = PaymentService(db, HallDirectory(db), AuthService(db), receipt_key=KEY)
    return service.owed(HALL, LATE, BOOK_DAY)


def _adjusted(central: Database) -> tuple[int, list[SyncConflict]]:
    with central.read() as s:
        credit = s.scalars(select(CreditEntry).where(CreditEntry.reason == "adjustment")).all()
        conflicts = list(s.scalars(select(SyncConflict)).all())
    return sum(c.amount_fen for c in credit), conflicts


def _pay(station: Station, amount: str, **kw: object):  # type: ignore[no-untyped-def]
    n = station.auth.station[-1]
    return station.pay(station.clerk(), LATE, amount, prefix=f"PC{n}", **kw)


@pytest.mark.parametrize("first", [0, 1], ids=["fee-only-pushed-first", "whole-pushed-first"])
def test_a_late_fee_paid_on_a_bill_paid_already_is_credit(
    late_book: tuple[Database, list[Station]], first: int
):
    central, (pc1, pc2) = late_book
    oldest = _owed_on(central).bills[0]
    assert oldest.late_fee > 1  # past due: a yuan paid on it is all late fee
    _pay(pc2, str(oldest.due), bill_ids=[oldest.bill_id])  # the bill whole, late fee too
    fee_only = _pay(pc1, "1")  # later, still cut off: PC1 sees the bill owed
    assert [(a.bill_id, a.principal, a.late_fee) for a in fee_only.allocations] == [
        (oldest.bill_id, 0, 1)
    ]
    for station in (pc1, pc2)[first], (pc1, pc2)[1 - first]:
        drain(station.cache, central)
    credited, conflicts = _adjusted(central)
    assert credited == 100  # PC1's late fee found the bill paid: charged a second time
    assert [(c.bill_id, c.amount_fen) for c in conflicts] == [(oldest.bill_id, 100)]
    assert _owed_on(central).credit == 1


def test_late_fees_paid_in_part_at_two_stations_are_no_surplus(
    late_book: tuple[Database, list[Station]],
):
    central, (pc1, pc2) = late_book
    oldest = _owed_on(central).bills[0]
    _pay(pc1, "1")
    _pay(pc2, "1")  # both on the late fee; the bill's principal untouched
    for station in (pc1, pc2):
        drain(station.cache, central)
    assert _adjusted(central) == (0, [])
    assert _owed_on(central).bills[0].principal == oldest.principal


def test_a_further_late_fee_on_a_settled_bill_is_a_second_conflict(
    late_book: tuple[Database, list[Station]],
):
    central, (pc1, pc2) = late_book
    oldest = _owed_on(central).bills[0]
    _pay(pc2, str(oldest.due), bill_ids=[oldest.bill_id])
    _pay(pc1, "1")
    for station in (pc1, pc2):
        drain(station.cache, central)
    _pay(pc1, "2")  # PC1 still does not know: 2 yuan more on the bill's late fee
    drain(pc1.cache, central)  # the bill's principal paid unchanged: a new conflict all the same
    credited, conflicts = _adjusted(central)
    assert credited == 300
    assert sorted(c.amount_fen for c in conflicts) == [100, 200]


def test_a_late_fee_charged_again_with_the_whole_bill_after_a_part_is_credit(
    late_book: tuple[Database, list[Station]],
):
    central, (pc1, pc2) = late_book
    oldest = _owed_on(central).bills[0]
    half = (oldest.principal / 2).quantize(Decimal("0.01"))
    part = _pay(pc1, str(oldest.late_fee + half), bill_ids=[oldest.bill_id])
    assert [(a.principal, a.late_fee) for a in part.allocations] == [(half, oldest.late_fee)]
    whole = _pay(pc2, str(oldest.due), bill_ids=[oldest.bill_id])  # cut off: sees it owed
    assert [(a.principal, a.late_fee) for a in whole.allocations] == [
        (oldest.principal, oldest.late_fee)
    ]
    for station in (pc2, pc1):
        drain(station.cache, central)
    # the same day: the rule asks less on the half left than PC1 took already, so PC2's
    # late fee was charged a second time and comes back with the half paid twice
    credited, conflicts = _adjusted(central)
    back = to_fen(half + oldest.late_fee)
    assert credited == back
    assert [(c.bill_id, c.amount_fen) for c in conflicts] == [(oldest.bill_id, back)]
    owed = _owed_on(central)
    assert owed.credit == half + oldest.late_fee
    assert oldest.bill_id not in {b.bill_id for b in owed.bills}
