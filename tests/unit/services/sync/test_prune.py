"""The central change log pruned below every station's cursor: a station that is behind
keeps what it still needs, and a station made after the pruning still gets a whole copy;
per hall, a station holds back its own hall's rows only (and those every hall reads)."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, insert, select, update

from app.models import ChangeLog, CustomerAccount, Staff, SyncStation
from app.models.db import Database
from app.services.sync.initial import initial_sync
from app.services.sync.prune import change_log_size, prune_change_log, read_to, report_cursor
from app.services.sync.pull import pull_all
from tests.unit.services.sync.pull_helpers import (
    HALL,
    OTHER,
    account,
    central_two_halls,
    hall_id,
    new_cache,
)
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


def _logged(central: Database, hall: uuid.UUID | None) -> int:
    where = ChangeLog.hall_id.is_(None) if hall is None else ChangeLog.hall_id == hall
    with central.read() as s:
        return int(s.scalar(select(func.count()).select_from(ChangeLog).where(where)) or 0)


def _report(central: Database, cache: Database, code: str, name: str) -> None:
    result = pull_all(central, cache, code)
    report_cursor(central, name, code, read_to(result.cursor, result.horizon))


def test_a_slow_station_holds_back_its_own_halls_log_only(pg_url: str, tmp_path: Path):
    """WEST's station is switched off: DEMO's rows still go once DEMO's station has read
    them; WEST's rows, and the rows every hall reads, wait for WEST's station; once it is
    back it finds everything it needs, and then they go too."""
    central = central_two_halls(pg_url, accounts=20)
    demo, west = hall_id(central), hall_id(central, OTHER)
    stations = {}
    for code, name in ((HALL, "PC-DEMO"), (OTHER, "PC-WEST")):
        cache = new_cache(tmp_path / f"{name}.sqlite3")
        initial_sync(central, cache, code)
        _report(central, cache, code, name)
        stations[code] = cache
    prune_change_log(central)  # what both have read: gone
    with central.write() as s:  # a transaction each hall, and one every hall reads
        s.execute(insert(CustomerAccount), [account(demo, f"6700000{k:03d}") for k in range(5)])
    with central.write() as s:
        s.execute(insert(CustomerAccount), [account(west, f"6800000{k:03d}") for k in range(3)])
    with central.write() as s:
        s.execute(update(Staff).where(Staff.job_number == "1001").values(name="新名字"))
    assert (_logged(central, demo), _logged(central, west), _logged(central, None)) == (5, 3, 1)

    _report(central, stations[HALL], HALL, "PC-DEMO")  # WEST's station is off
    assert prune_change_log(central).deleted == 0  # everyone's: held back by PC-WEST
    prune_change_log(central, HALL)
    assert (_logged(central, demo), _logged(central, west), _logged(central, None)) == (0, 3, 1)
    prune_change_log(central, OTHER)  # WEST's own station has not read them
    assert (_logged(central, west), _logged(central, None)) == (3, 1)

    _report(central, stations[OTHER], OTHER, "PC-WEST")  # back: it finds all it needs
    assert {f"6800000{k:03d}" for k in range(3)} <= _numbers(stations[OTHER])
    with stations[OTHER].read() as s:
        assert s.scalar(select(Staff.name).where(Staff.job_number == "1001")) == "新名字"
    prune_change_log(central, OTHER)
    assert (_logged(central, demo), _logged(central, west), _logged(central, None)) == (0, 0, 0)
    for db in (*stations.values(), central):
        db.dispose()
