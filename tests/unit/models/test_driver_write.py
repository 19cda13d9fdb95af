"""`Database.driver_write`, the unit of work on the bare driver connection that call next
uses on PostgreSQL: committed on success, rolled back on error, a lost server reported
as the database being unreachable and its dead connection dropped from the pool, and
refused on SQLite. Real PostgreSQL through tests/fault_proxy.py for the lost server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

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


def test_commits_on_success_and_rolls_back_on_error(pg_url: str) -> None:
    db = Database.from_url(pg_url, pool_size=1, use_keyring=False)
    try:
        with db.engine.begin() as c:
            c.execute(text("CREATE TABLE probe (n integer)"))
        with db.driver_write() as conn:
            conn.execute("INSERT INTO probe VALUES (1)")
        with pytest.raises(ValueError), db.driver_write() as conn:
            conn.execute("INSERT INTO probe VALUES (2)")
            raise ValueError("the step refused")
        with db.engine.connect() as c:
            assert c.execute(text("SELECT n FROM probe")).scalars().all() == [1]
    finally:
        db.dispose()


def test_call_next_with_the_server_cut_is_unreachable_then_recovers(
    far_hall: Core, proxy: FaultProxy, clock: ManualClock
) -> None:
    hall = far_hall
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    before = dump(hall.db)
    proxy.cut()
    with pytest.raises(DatabaseUnavailable):
        hall.queue.call_next(HALL, 1)
    proxy.heal()
    assert dump(hall.db) == before  # nothing half done
    clock.advance(10)
    called = hall.queue.call_next(HALL, 1)  # a new connection: the dead one left the pool
    assert called is not None and called.display_number == "A001"


def test_a_driver_error_comes_out_as_sqlalchemys(pg_url: str) -> None:
    db = Database.from_url(pg_url, pool_size=1, use_keyring=False)
    try:
        with pytest.raises(OperationalError), db.driver_write() as conn:
            conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        with db.driver_write() as conn:  # the pool hands out a live connection again
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        db.dispose()


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
