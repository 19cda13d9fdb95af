"""`Database.driver_write`, the unit of work on the bare driver connection that call next
uses on PostgreSQL (`DriverUnit`: BEGIN and COMMIT sent with its first and last
statements): committed with its last statement or on exit, rolled back on error, the
values quoted by the driver, the connection back in the pool as it went, a lost server reported
as the database being unreachable and its dead connection dropped from the pool, and
refused on SQLite. Real PostgreSQL through tests/fault_proxy.py for the lost server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from app.bootstrap import Core, build_core
from app.models.db import Database
from app.services.clock import ManualClock
from app.services.errors import DatabaseUnavailable
from tests.conftest import make_settings
from tests.fault_proxy import FaultProxy, free_port
from tests.unit.services.queue_helpers import HALL, dump, local, login


@pytest.fixture
def proxy(pg_url: str) -> Iterator[FaultProxy]:
    u = make_url(pg_url)
    p = FaultProxy(u.host or "127.0.0.1", u.port or 5432).start()
    try:
        yield p
    finally:
        p.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local(23, 9))


@pytest.fixture
def far_hall(pg_url: str, proxy: FaultProxy, tmp_path: Path, clock: ManualClock) -> Iterator[Core]:
    """The demo hall on PostgreSQL, reached through the proxy."""
    url = make_url(pg_url).set(host="127.0.0.1", port=proxy.port)
    settings = make_settings(url.render_as_string(hide_password=False))
    core = build_core(settings, data_dir=tmp_path, demo=True, clock=clock)
    try:
        yield core
    finally:
        core.close()


@pytest.fixture
def probe_db(pg_url: str) -> Iterator[Database]:
    """One pooled connection (each unit gets the same one back) and a table to write."""
    db = Database.from_url(pg_url, pool_size=1, use_keyring=False)
    with db.engine.begin() as c:
        c.execute(text("CREATE TABLE probe (n integer PRIMARY KEY, s text)"))
    try:
        yield db
    finally:
        db.dispose()


def _probe(db: Database) -> list[tuple[int, str | None]]:
    with db.engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT n, s FROM probe ORDER BY n"))]  # type: ignore[misc]


def test_commits_with_the_last_statement_or_on_exit_and_rolls_back_on_error(
    probe_db: Database,
) -> None:
    db = probe_db
    first = _pid(db)
    with db.driver_write() as unit:
        assert unit.one("SELECT count(*) FROM probe", {}) == (0,)
        unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 1}, commit=True)
        with pytest.raises(RuntimeError, match="committed"):
            unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 9})
    with db.driver_write() as unit:  # nothing marked as the last: committed on exit
        unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 2})
    with pytest.raises(ValueError), db.driver_write() as unit:
        unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 3})
        raise ValueError("the step refused")
    assert _probe(db) == [(1, None), (2, None)]
    assert _pid(db) == first  # rolled back and idle: the same connection, back in the pool


def test_each_statement_gives_its_first_row_or_none(probe_db: Database) -> None:
    """One trip of several statements: a row for a statement that returns rows, None for
    one that returns none (an empty SELECT) and for one that returns no result set."""
    db = probe_db
    with db.driver_write() as unit:
        got = unit.rows(
            [
                "INSERT INTO probe VALUES (%(n)s, %(s)s)",
                "SELECT n FROM probe WHERE n > %(n)s",
                "UPDATE probe SET s = 'seen' WHERE n = %(n)s RETURNING n, s",
                "SELECT count(*) FROM probe",
            ],
            {"n": 4, "s": "new"},
            commit=True,
        )
    assert got == [None, None, (4, "seen"), (1,)]
    assert _probe(db) == [(4, "seen")]


def test_a_failing_last_statement_commits_nothing(probe_db: Database) -> None:
    """The server skips the COMMIT sent with a statement that fails; the unit rolls the
    aborted transaction back; the next unit commits."""
    db = probe_db
    with pytest.raises(IntegrityError), db.driver_write() as unit:
        unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 5})
        unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 5}, commit=True)  # a duplicate
    assert _probe(db) == []
    with db.driver_write() as unit:
        unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 6}, commit=True)
    assert _probe(db) == [(6, None)]


def test_values_are_quoted_by_the_driver(probe_db: Database) -> None:
    """Parameters are bound on the client, as literals: psycopg's quoting keeps a value
    with quotes and semicolons one value, never more SQL."""
    db = probe_db
    hostile = "O'Brien'); DROP TABLE probe; --"
    with db.driver_write() as unit:
        got = unit.one(
            "INSERT INTO probe VALUES (%(n)s, %(s)s) RETURNING s",
            {"n": 7, "s": hostile},
            commit=True,
        )
    assert got == (hostile,)
    assert _probe(db) == [(7, hostile)]


def test_call_next_with_the_server_cut_is_unreachable_then_recovers(
    far_hall: Core, proxy: FaultProxy, clock: ManualClock, pg_url: str
) -> None:
    hall = far_hall
    for _ in range(2):
        hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    assert hall.queue.call_next(HALL, 1).display_number == "A001"  # type: ignore[union-attr]
    direct = Database.from_url(pg_url, pool_size=1, use_keyring=False)  # not through the cut
    try:
        before = dump(direct)
        proxy.cut()
        clock.advance(10)
        with pytest.raises(DatabaseUnavailable):
            hall.queue.call_next(HALL, 1)
        proxy.heal()
        assert dump(direct) == before  # nothing half done
    finally:
        direct.dispose()
    clock.advance(10)
    called = hall.queue.call_next(HALL, 1)  # a new connection: the dead one left the pool
    assert called is not None and called.display_number == "A002"


def _pid(db: Database) -> int:
    with db.driver_write() as unit:
        return int(unit.one("SELECT pg_backend_pid() + %(z)s", {"z": 0})[0])


def _hd_prepared(db: Database) -> list[str]:
    """The parameter types of each statement a driver unit prepared on the connection."""
    with db.driver_write() as unit:
        found = unit.one(
            "SELECT array_agg(parameter_types::text ORDER BY name) FROM pg_prepared_statements"
            " WHERE name LIKE %(hd)s",
            {"hd": "hd%"},
        )[0]
    return list(found)


def test_each_statement_is_prepared_once_a_connection(probe_db: Database) -> None:
    db = probe_db
    for n in (1, 2):
        with db.driver_write() as unit:
            unit.one("INSERT INTO probe VALUES (%(n)s, %(s)s)", {"n": n, "s": "x"}, commit=True)
    with db.driver_write() as unit:  # a NULL has no type to prepare with: sent whole
        unit.one("INSERT INTO probe VALUES (%(n)s, %(s)s)", {"n": 3, "s": None}, commit=True)
    # the INSERT once, (bigint, text); this look-up's own, (text); none for the NULL's
    assert sorted(_hd_prepared(db)) == ["{bigint,text}", "{text}"]
    assert _probe(db) == [(1, "x"), (2, "x"), (3, None)]


def test_after_a_driver_error_the_connection_leaves_the_pool(probe_db: Database) -> None:
    """What a connection prepared is not known after a driver error (a query that failed
    may or may not have run its PREPARE): the connection is dropped, never reused."""
    db = probe_db
    first = _pid(db)
    assert _pid(db) == first  # one pooled connection, reused
    with pytest.raises(IntegrityError), db.driver_write() as unit:
        unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 1})
        unit.one("INSERT INTO probe VALUES (%(n)s)", {"n": 1}, commit=True)
    assert _pid(db) != first
    assert _probe(db) == []


def test_a_driver_error_comes_out_as_sqlalchemys(probe_db: Database) -> None:
    db = probe_db
    with pytest.raises(OperationalError), db.driver_write() as unit:
        unit.one("SELECT pg_terminate_backend(pg_backend_pid())", {})
    with db.driver_write() as unit:  # the pool hands out a live connection again
        assert unit.one("SELECT 1", {}) == (1,)


def test_a_refused_connection_comes_out_as_sqlalchemys() -> None:
    """A server that refuses connections (down, restarting) is SQLAlchemy's
    OperationalError, as from `write`: the queue's "database unreachable", not a crash."""
    db = Database.from_url(
        f"postgresql+psycopg://halldesk@127.0.0.1:{free_port()}/halldesk", use_keyring=False
    )
    try:
        with pytest.raises(OperationalError, match="refused"), db.driver_write():
            pass
    finally:
        db.dispose()


def test_sqlite_has_no_driver_unit(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path / 'h.sqlite3'}", use_keyring=False)
    try:
        with pytest.raises(RuntimeError, match="PostgreSQL"), db.driver_write():
            pass
    finally:
        db.dispose()
