"""The initial sync of a station cache: a real central PostgreSQL with two halls' books, a
real SQLite cache file; interrupted and resumed as a station killed mid-copy would be."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from app.models import CustomerAccount, FeeItem, Hall, Staff
from app.models.db import Database
from app.services.errors import DomainError
from app.services.sync.copy_progress import CopyProgress
from app.services.sync.initial import initial_sync, initial_sync_complete
from app.services.sync.pull import pull_all, pull_changes
from app.services.sync.pulled import PULLED, SyncSetupError
from app.services.sync.push import outbox_depth
from tests.unit.services.sync.pull_helpers import (
    HALL,
    OTHER,
    account,
    central_two_halls,
    counts,
    dump,
    hall_id,
    new_cache,
)


@pytest.fixture
def central(pg_url: str) -> Iterator[Database]:
    db = central_two_halls(pg_url)
    yield db
    db.dispose()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Database]:
    db = new_cache(tmp_path / "station.sqlite3")
    yield db
    db.dispose()


def test_initial_sync_copies_the_hall_and_nothing_of_another(central: Database, cache: Database):
    demo = hall_id(central)
    seen: list[CopyProgress] = []
    result = initial_sync(central, cache, HALL, batch=1000, progress=seen.append)
    expected = counts(central, demo)
    assert counts(cache) == expected
    assert expected["customer_accounts"] == 300 and expected["bills"] == 3600
    assert expected["payments"] > 1000 and expected["staff"] == 9  # 8 of DEMO, 1 hall-less
    assert all(n > 0 for n in expected.values())  # a row of every table at least
    assert dump(cache) == dump(central, demo)
    assert result.rows_copied == sum(expected.values()) and not result.resumed
    assert not result.already_complete and result.cursor[1] == 0
    # WEST's rows stayed at the centre
    west = hall_id(central, OTHER)
    with cache.read() as s:
        assert (
            s.scalars(select(CustomerAccount.id).where(CustomerAccount.hall_id == west)).all() == []
        )
    # progress: every table, done rising to its total; the whole copy's rows rising to all
    assert [p.table for p in seen if p.table_done == p.table_total] == list(PULLED)
    bills = [(p.table_done, p.table_total) for p in seen if p.table == "bills"]
    assert bills == [(1000, 3600), (2000, 3600), (3000, 3600), (3600, 3600)]
    assert {p.total for p in seen} == {sum(expected.values())}
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert seen[-1].done == seen[-1].total and seen[-1].fraction == 1.0
    # copies of the centre's rows are not the station's to push
    assert outbox_depth(cache) == 0
    # a second call has nothing to do
    again = initial_sync(central, cache, HALL, batch=1000)
    assert again.already_complete and again.rows_copied == 0 and again.cursor == result.cursor


def test_payments_by_another_halls_clerk_bring_the_clerk(central: Database, tmp_path: Path):
    """WEST's demo payments were taken by DEMO's clerks: the cache needs them (foreign keys
    on), so they come along with their hall's row, and none of DEMO's other rows do."""
    cache = new_cache(tmp_path / "west.sqlite3")
    west = hall_id(central, OTHER)
    initial_sync(central, cache, OTHER, batch=500)
    copied = counts(cache)
    expected = counts(central, west)
    parents = ("staff", "halls")
    assert {k: v for k, v in copied.items() if k not in parents} == {
        k: v for k, v in expected.items() if k not in parents
    }
    with cache.read() as s:
        jobs = sorted(s.scalars(select(Staff.job_number)))
        halls = sorted(s.scalars(select(Hall.code)))
    assert halls == [HALL, OTHER]
    assert "9901" in jobs  # hall-less
    assert "1001" in jobs and "8001" not in jobs  # a DEMO clerk with payments here; not its manager
    cache.dispose()


def test_an_interrupted_sync_resumes_to_the_same_copy(central: Database, tmp_path: Path):
    class Stop(Exception):
        pass

    def stop_in_bills(progress: CopyProgress) -> None:
        if progress.table == "bills" and progress.table_done == 500:  # after its second batch
            raise Stop(progress.table)

    cut = new_cache(tmp_path / "cut.sqlite3")
    with pytest.raises(Stop):
        initial_sync(central, cut, HALL, batch=250, progress=stop_in_bills)
    half = dump(cut)
    assert not initial_sync_complete(cut, HALL)
    assert len(half["bills"]) == 500 and len(half["customer_accounts"]) == 300
    assert half["payments"] == []
    with pytest.raises(SyncSetupError):  # no pull before the copy is complete
        pull_changes(central, cut, HALL)
    seen: list[CopyProgress] = []
    result = initial_sync(central, cut, HALL, batch=250, progress=seen.append)
    assert result.resumed and not result.already_complete
    assert initial_sync_complete(cut, HALL)
    first = seen[0]
    assert (first.table, first.table_done, first.table_total) == ("bills", 750, 3600)
    # what the cut copy had done counts as done in the whole copy's progress
    assert first.done == sum(len(v) for v in half.values()) + 250
    assert seen[-1].done == seen[-1].total == sum(counts(cut).values())
    whole = new_cache(tmp_path / "whole.sqlite3")
    initial_sync(central, whole, HALL, batch=250)
    assert dump(cut) == dump(whole) == dump(central, hall_id(central))
    assert result.rows_copied == sum(counts(cut).values()) - sum(len(v) for v in half.values())
    cut.dispose()
    whole.dispose()


def test_writes_during_the_copy_are_pulled_after_it(central: Database, cache: Database):
    """The start cursor: a writer open when the sync starts, and writers that commit while
    tables are being copied (before or after their table), all reach the cache by the
    pulls that follow, and the cache ends equal to the centre."""
    demo = hall_id(central)
    opened = account(demo, "9970000001")
    with central.read() as s:
        first = s.scalars(
            select(CustomerAccount.id)
            .where(CustomerAccount.hall_id == demo)
            .order_by(CustomerAccount.id)
        ).first()
    writes = 0

    def write_meanwhile(progress: CopyProgress) -> None:
        nonlocal writes
        if progress.table == "bills" and writes == 0:  # accounts copied, fee items not yet
            writes += 1
            with central.write() as s:
                s.execute(insert(CustomerAccount), [account(demo, "9970000002")])
                s.execute(
                    update(CustomerAccount).where(CustomerAccount.id == first).values(name="改名")
                )
                s.execute(
                    delete(FeeItem).where(FeeItem.hall_id == demo, FeeItem.code == "RECONNECT")
                )

    with central.engine.connect() as a:
        a_tx = a.begin()
        a.execute(insert(CustomerAccount), [opened])
        initial_sync(central, cache, HALL, batch=1000, progress=write_meanwhile)
        a_tx.commit()
    assert writes == 1
    pull_all(central, cache, HALL)
    assert dump(cache) == dump(central, demo)
    with cache.read() as s:
        assert s.scalar(select(CustomerAccount.name).where(CustomerAccount.id == first)) == "改名"
        assert s.scalar(select(func.count()).where(CustomerAccount.id == opened["id"])) == 1


def test_a_sqlite_central_is_refused(tmp_path: Path, cache: Database):
    central = Database.from_url(f"sqlite:///{tmp_path / 'central.sqlite3'}", use_keyring=False)
    with pytest.raises(SyncSetupError, match="PostgreSQL"):
        initial_sync(central, cache, HALL)
    with pytest.raises(SyncSetupError, match="PostgreSQL"):
        pull_changes(central, cache, HALL)
    central.dispose()


def test_an_unknown_hall_is_a_domain_error(central: Database, cache: Database):
    with pytest.raises(DomainError) as info:
        initial_sync(central, cache, "NOPE")
    assert info.value.code == "unknown_hall"


def test_a_copy_asked_to_stop_stops_between_batches_and_resumes(central: Database, tmp_path: Path):
    """`should_stop` is asked before each batch: the copy stops there with its batches
    committed, says so, and the next call goes on from there (no row twice, none missed)."""
    cut = new_cache(tmp_path / "cut.sqlite3")
    seen: list[CopyProgress] = []
    asked = 0

    def stop_after_five_batches() -> bool:
        nonlocal asked
        asked += 1
        return len(seen) >= 5

    first = initial_sync(
        central, cut, HALL, batch=100, progress=seen.append, should_stop=stop_after_five_batches
    )
    assert first.stopped and not first.already_complete and first.batches == 5
    assert asked == 6  # once before each batch, the sixth said stop
    assert not initial_sync_complete(cut, HALL)
    assert sum(counts(cut).values()) == first.rows_copied == seen[-1].done
    second = initial_sync(central, cut, HALL, batch=100, should_stop=lambda: False)
    assert second.resumed and not second.stopped and initial_sync_complete(cut, HALL)
    assert first.rows_copied + second.rows_copied == sum(counts(cut).values())
    assert dump(cut) == dump(central, hall_id(central))
    cut.dispose()
