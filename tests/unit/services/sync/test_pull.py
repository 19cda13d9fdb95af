"""Pulling the central change log into a station cache: inserts, updates and deletes of the
hall arrive, other halls' do not; rows the station still refers to stay; unique values
that moved between rows land. A real central PostgreSQL and a real SQLite cache file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from app.models import (
    Bill,
    Counter,
    CounterService,
    CounterSession,
    CustomerAccount,
    FeeItem,
    Payment,
    PaymentAllocation,
    Service,
)
from app.models.db import Database
from app.services.sync.initial import initial_sync
from app.services.sync.pull import pull_all, pull_changes
from app.services.sync.push import outbox_depth
from tests.unit.services.sync.pull_helpers import (
    AT,
    HALL,
    OTHER,
    account,
    bill,
    central_two_halls,
    dump,
    hall_id,
    new_cache,
    staff_id,
)


@pytest.fixture
def central(pg_url: str) -> Iterator[Database]:
    db = central_two_halls(pg_url, accounts=60)
    yield db
    db.dispose()


@pytest.fixture
def cache(central: Database, tmp_path: Path) -> Iterator[Database]:
    db = new_cache(tmp_path / "station.sqlite3")
    initial_sync(central, db, HALL)
    yield db
    db.dispose()


def counter_of(db: Database, hall: uuid.UUID, number: int) -> uuid.UUID:
    with db.read() as s:
        return s.scalars(
            select(Counter.id).where(Counter.hall_id == hall, Counter.number == number)
        ).one()


def test_pull_brings_the_halls_inserts_updates_and_deletes(central: Database, cache: Database):
    demo, west = hall_id(central), hall_id(central, OTHER)
    counter = counter_of(central, demo, 1)
    with central.read() as s:
        bill_id = s.scalars(
            select(Bill.id).join(CustomerAccount).where(CustomerAccount.hall_id == demo)
        ).first()
        svc = {v.code: v.id for v in s.scalars(select(Service).where(Service.hall_id == demo))}
    with central.write() as s:
        s.execute(insert(CustomerAccount), [account(demo, "9900000001")])  # 1 change
        s.execute(insert(CustomerAccount), [account(west, "9900000002")])  # another hall: not read
        s.execute(update(Bill).where(Bill.id == bill_id).values(amount_fen=12_345))  # 1
        s.execute(delete(FeeItem).where(FeeItem.hall_id == demo, FeeItem.code == "METER_MOVE"))
        s.execute(delete(CounterService).where(CounterService.counter_id == counter))  # 2
        s.execute(
            insert(CounterService),
            [
                {"counter_id": counter, "service_id": svc["ENQ"], "rank": 0},
                {"counter_id": counter, "service_id": svc["PAY"], "rank": 1},
            ],
        )  # 2
    result = pull_changes(central, cache, HALL)
    assert result.changes_read == 7 and not result.more
    # the account, the bill, the fee item gone, the counter's 2 old services out, 2 new in
    assert result.rows_applied == 7
    assert dump(cache) == dump(central, demo)
    with cache.read() as s:
        assert s.scalar(select(Bill.amount_fen).where(Bill.id == bill_id)) == 12_345
        assert s.scalar(select(func.count()).where(CustomerAccount.hall_id == west)) == 0
        ranks = s.execute(
            select(CounterService.service_id, CounterService.rank)
            .where(CounterService.counter_id == counter)
            .order_by(CounterService.rank)
        ).all()
    assert ranks == [(svc["ENQ"], 0), (svc["PAY"], 1)]
    assert outbox_depth(cache) == 0  # pulled rows are never pushed back
    again = pull_changes(central, cache, HALL)
    assert again.changes_read == 0 and again.cursor == result.cursor


def test_another_halls_changes_are_not_read_but_the_horizon_moves(
    central: Database, cache: Database
):
    """A station reads its own hall's log only (migration 0013); a pull that found
    nothing still says how far everything of its hall has been read."""
    before = pull_changes(central, cache, HALL)
    with central.write() as s:
        s.execute(insert(CustomerAccount), [account(hall_id(central, OTHER), "9900000003")])
    result = pull_changes(central, cache, HALL)
    assert (result.changes_read, result.rows_applied, result.more) == (0, 0, False)
    assert result.cursor == before.cursor
    assert result.horizon > before.horizon > 0
    with central.read() as s:
        logged = s.execute(
            text("SELECT txid, hall_id FROM change_log ORDER BY id DESC LIMIT 1")
        ).one()
    assert logged.hall_id == hall_id(central, OTHER) and logged.txid < result.horizon


def test_an_account_moved_to_another_hall_is_logged_for_both(central: Database, cache: Database):
    """The old hall's stations must learn that the row left (the cache keeps it only if
    it holds it already, as a row of another hall), the new hall's that it came."""
    demo, west = hall_id(central), hall_id(central, OTHER)
    row = account(demo, "9930000001")
    with central.write() as s:
        s.execute(insert(CustomerAccount), [row])
    pull_changes(central, cache, HALL)
    with central.write() as s:
        s.execute(
            update(CustomerAccount).where(CustomerAccount.id == row["id"]).values(hall_id=west)
        )
    with central.read() as s:
        logged = (
            s.execute(
                text("SELECT hall_id FROM change_log WHERE row_id = :r ORDER BY id"),
                {"r": row["id"]},
            )
            .scalars()
            .all()
        )
    assert logged == [demo, demo, west]  # the insert; the move, for the old hall and the new
    result = pull_changes(central, cache, HALL)
    assert result.changes_read == 1
    with cache.read() as s:
        assert (
            s.scalar(select(CustomerAccount.hall_id).where(CustomerAccount.id == row["id"])) == west
        )


def test_a_batch_holds_whole_transactions(central: Database, cache: Database):
    demo = hall_id(central)
    with central.write() as s:
        s.execute(insert(CustomerAccount), [account(demo, f"99100000{n:02d}") for n in range(5)])
    with central.write() as s:
        s.execute(insert(CustomerAccount), [account(demo, "9920000000")])
    first = pull_changes(central, cache, HALL, limit=2)
    assert (first.changes_read, first.rows_applied, first.more) == (5, 5, True)
    second = pull_changes(central, cache, HALL, limit=2)
    assert (second.changes_read, second.more) == (1, False)
    assert dump(cache) == dump(central, demo)


def test_counters_that_swapped_numbers(central: Database, cache: Database):
    demo = hall_id(central)
    one, two = counter_of(central, demo, 1), counter_of(central, demo, 2)
    with central.write() as s:
        s.execute(update(Counter).where(Counter.id == one).values(number=99))
        s.execute(update(Counter).where(Counter.id == two).values(number=1))
        s.execute(update(Counter).where(Counter.id == one).values(number=2))
    pull_all(central, cache, HALL)
    assert dump(cache) == dump(central, demo)
    assert counter_of(cache, demo, 1) == two and counter_of(cache, demo, 2) == one


def test_a_row_the_station_still_refers_to_stays(central: Database, cache: Database):
    """Counter 6 is removed at the centre while this station has a session open at it, and
    an account whose bills are deleted there was paid here in a payment not pushed yet:
    both stay in the cache (the payment, its account and its bill), the rest goes."""
    demo = hall_id(central)
    six = counter_of(central, demo, 6)
    new = account(demo, "9930000000")
    gone = new["id"]
    bills = [bill(gone, "2026-10"), bill(gone, "2026-11")]
    with central.write() as s:
        s.execute(insert(CustomerAccount), [new])
        s.execute(insert(Bill), bills)
    pull_all(central, cache, HALL)
    clerk = staff_id(central, "1006")
    with cache.write() as s:
        s.add(CounterSession(id=uuid.uuid4(), counter_id=six, staff_id=clerk, started_at=AT))
        pay = Payment(
            id=uuid.uuid4(),
            hall_id=demo,
            station="PC1",
            counter_number=1,
            staff_id=clerk,
            account_id=gone,
            method="card",
            amount_fen=100,
            reference="CARD1",
            receipt_number="PC1-00000001",
            created_at=AT,
        )
        s.add(pay)
        s.flush()
        s.add(
            PaymentAllocation(
                id=uuid.uuid4(),
                payment_id=pay.id,
                bill_id=bills[0]["id"],
                amount_fen=100,
                late_fee_fen=0,
            )
        )
    assert outbox_depth(cache) == 2  # the station's own payment, waiting to be pushed
    with central.write() as s:
        s.execute(delete(CounterService).where(CounterService.counter_id == six))
        s.execute(delete(Counter).where(Counter.id == six))
        s.execute(delete(Bill).where(Bill.account_id == gone))
        s.execute(delete(CustomerAccount).where(CustomerAccount.id == gone))
    pull_all(central, cache, HALL)
    with cache.read() as s:
        assert s.scalar(select(func.count()).where(Counter.id == six)) == 1
        assert s.scalar(select(func.count()).where(CounterService.counter_id == six)) == 0
        assert s.scalar(select(func.count()).where(CustomerAccount.id == gone)) == 1
        assert s.scalars(select(Bill.id).where(Bill.account_id == gone)).all() == [bills[0]["id"]]
        assert s.scalar(select(func.count()).where(Payment.id == pay.id)) == 1
    central_rows, cached_rows = dump(central, demo), dump(cache)
    assert len(cached_rows["counters"]) == len(central_rows["counters"]) + 1
    assert len(cached_rows["bills"]) == len(central_rows["bills"]) + 1
