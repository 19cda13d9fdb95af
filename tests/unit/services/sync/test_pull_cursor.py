"""The pull cursor: no change skipped when transactions commit out of order, none applied
twice, and the cursor stored in the same cache transaction as the rows it stands for."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from app.models import CustomerAccount
from app.models.db import Database
from app.services.sync import pull as pull_module
from app.services.sync.initial import initial_sync
from app.services.sync.pull import pull_all, pull_changes
from app.services.sync.pulled import SyncSetupError, pull_cursor_name, read_cursor
from app.station_cache import Puller
from tests.unit.services.sync.pull_helpers import (
    HALL,
    account,
    central_two_halls,
    hall_id,
    new_cache,
)


@pytest.fixture
def central(pg_url: str) -> Iterator[Database]:
    db = central_two_halls(pg_url, accounts=20)
    yield db
    db.dispose()


@pytest.fixture
def cache(central: Database, tmp_path: Path) -> Iterator[Database]:
    db = new_cache(tmp_path / "station.sqlite3")
    initial_sync(central, db, HALL)
    pull_all(central, db, HALL)
    yield db
    db.dispose()


def cached(cache: Database, *ids: uuid.UUID) -> int:
    with cache.read() as s:
        return int(s.scalar(select(func.count()).where(CustomerAccount.id.in_(ids))) or 0)


def logged_txid(central: Database, row_id: uuid.UUID) -> int:
    with central.read() as s:
        return int(s.scalar(text("SELECT txid FROM change_log WHERE row_id = :r"), {"r": row_id}))


def test_a_transaction_committed_after_a_later_one_is_not_skipped(
    central: Database, cache: Database
):
    demo = hall_id(central)
    a_row, b_row = account(demo, "9940000001"), account(demo, "9940000002")
    start = pull_changes(central, cache, HALL).cursor
    with central.engine.connect() as a, central.engine.connect() as b:
        a_tx = a.begin()
        a.execute(insert(CustomerAccount), [a_row])  # A takes its transaction id first
        with b.begin():
            b.execute(insert(CustomerAccount), [b_row])  # B takes a later one, and commits
        # B's change is in the log, after a cursor that has not seen A's
        with central.read() as s:
            after = "SELECT count(*) FROM change_log WHERE (txid, id) > (:t, :i)"
            assert s.scalar(text(after), {"t": start[0], "i": start[1]}) == 1
        held = pull_changes(central, cache, HALL)
        assert (held.changes_read, held.rows_applied, held.more) == (0, 0, False)
        assert held.cursor == start  # not past A, which is still open
        assert held.held  # and it says B's change waits: a wake-up for B came too early
        a_tx.commit()
    assert logged_txid(central, a_row["id"]) < logged_txid(central, b_row["id"])
    both = pull_changes(central, cache, HALL)
    assert (both.changes_read, both.rows_applied) == (2, 2)
    assert cached(cache, a_row["id"], b_row["id"]) == 2
    assert both.cursor[0] == logged_txid(central, b_row["id"])
    assert not both.held
    again = pull_changes(central, cache, HALL)  # nothing read twice
    assert (again.changes_read, again.cursor) == (0, both.cursor)


def test_a_station_woken_too_early_pulls_again_shortly(central: Database, cache: Database):
    """B's change is committed (its NOTIFY sent) while an older writer A is still open:
    the station's pull cannot take it yet, and pulls again after 50 ms, 100 ms, ...
    instead of at its next poll; A ends 0.2 s later, and the one call brings both."""
    demo = hall_id(central)
    a_row, b_row = account(demo, "9950000001"), account(demo, "9950000002")
    puller = Puller(central, cache, HALL, "PC-EARLY")
    with central.engine.connect() as a:
        a_tx = a.begin()
        a.execute(insert(CustomerAccount), [a_row])
        with central.write() as s:
            s.execute(insert(CustomerAccount), [b_row])
        timer = threading.Timer(0.2, a_tx.commit)
        timer.start()
        start = time.monotonic()
        puller()
        took = time.monotonic() - start
        timer.join()
    assert cached(cache, a_row["id"], b_row["id"]) == 2
    assert 0.2 <= took < 1.6


def test_a_rolled_back_writer_holds_the_pull_until_it_ends(central: Database, cache: Database):
    demo = hall_id(central)
    kept, dropped = account(demo, "9950000001"), account(demo, "9950000002")
    with central.engine.connect() as a:
        a_tx = a.begin()
        a.execute(insert(CustomerAccount), [dropped])
        with central.write() as s:
            s.execute(insert(CustomerAccount), [kept])
        assert pull_changes(central, cache, HALL).changes_read == 0
        a_tx.rollback()
    result = pull_changes(central, cache, HALL)
    assert (result.changes_read, result.rows_applied) == (1, 1)
    assert cached(cache, kept["id"]) == 1 and cached(cache, dropped["id"]) == 0


def test_the_cursor_moves_with_the_rows_or_not_at_all(
    central: Database, cache: Database, monkeypatch: pytest.MonkeyPatch
):
    row = account(hall_id(central), "9960000001")
    with central.write() as s:
        s.execute(insert(CustomerAccount), [row])
    with cache.read() as s:
        before = tuple(read_cursor(s, pull_cursor_name(HALL)))
    real = pull_module.store_cursor

    def power_cut(session, name, **values):  # type: ignore[no-untyped-def]
        real(session, name, **values)  # the rows and the cursor written, not committed
        raise RuntimeError("power cut before COMMIT")

    monkeypatch.setattr(pull_module, "store_cursor", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        pull_changes(central, cache, HALL)
    with cache.read() as s:
        assert tuple(read_cursor(s, pull_cursor_name(HALL))) == before
    assert cached(cache, row["id"]) == 0
    monkeypatch.undo()
    result = pull_changes(central, cache, HALL)
    assert (result.changes_read, result.rows_applied) == (1, 1)
    assert cached(cache, row["id"]) == 1


def test_a_new_cache_must_be_synced_before_it_pulls(central: Database, tmp_path: Path):
    fresh = new_cache(tmp_path / "fresh.sqlite3")
    with pytest.raises(SyncSetupError, match="initial sync"):
        pull_changes(central, fresh, HALL)
    fresh.dispose()
