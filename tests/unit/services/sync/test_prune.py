"""The central change log pruned below every station's cursor: a station that is behind
keeps what it still needs, and a station made after the pruning still gets a whole copy."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, select

from app.models import CustomerAccount, SyncStation
from app.models.db import Database
from app.services.sync.initial import initial_sync
from app.services.sync.prune import change_log_size, prune_change_log, report_cursor
from app.services.sync.pull import pull_all
from tests.unit.services.sync.pull_helpers import HALL, account, hall_id, new_cache
from tests.unit.services.sync.sync_helpers import central_with_book


def _add_accounts(central: Database, first: int, n: int) -> None:
    hall = hall_id(central)
    for k in range(first, first + n):  # a transaction each
        with central.write() as s:
            s.execute(insert(CustomerAccount), [account(hall, f"66{k:08d}")])


def _numbers(cache: Database) -> set[str]:
    with cache.read() as s:
        return set(s.scalars(select(CustomerAccount.account_number)))


def _station(central: Database, path: Path, name: str) -> Database:
    cache = new_cache(path)
    initial_sync(central, cache, HALL)
    report_cursor(central, name, HALL, pull_all(central, cache, HALL).cursor)
    return cache


def test_pruned_below_the_slowest_station_only(pg_url: str, tmp_path: Path):
    central = central_with_book(pg_url, accounts=20)
    assert prune_change_log(central).horizon is None  # no station: nothing pruned
    fast = _station(central, tmp_path / "fast.sqlite3", "PC-FAST")
    slow = _station(central, tmp_path / "slow.sqlite3", "PC-SLOW")
    _add_accounts(central, 1, 5)
    report_cursor(central, "PC-FAST", HALL, pull_all(central, fast, HALL).cursor)
    before = change_log_size(central)
    pruned = prune_change_log(central)
    assert change_log_size(central) == before - pruned.deleted
    # the slow station has not pulled the five: they are kept for it
    assert len(_numbers(fast) - _numbers(slow)) == 5
    result = pull_all(central, slow, HALL)
    assert _numbers(slow) == _numbers(fast)
    report_cursor(central, "PC-SLOW", HALL, result.cursor)
    again = prune_change_log(central)
    assert again.deleted >= 5 and change_log_size(central) < before

    # a cursor never moves back
    report_cursor(central, "PC-SLOW", HALL, (0, 0))
    with central.read() as s:
        row = s.get(SyncStation, "PC-SLOW")
    assert (row.txid, row.change_id) == result.cursor

    # a station made after the pruning gets everything, and pulls on from there
    late = _station(central, tmp_path / "late.sqlite3", "PC-LATE")
    _add_accounts(central, 100, 2)
    pull_all(central, late, HALL)
    pull_all(central, fast, HALL)
    assert _numbers(late) == _numbers(fast)
    assert {"6600000100", "6600000101"} <= _numbers(late)
    for db in (fast, slow, late, central):
        db.dispose()
