"""Cached stations through a real PgBouncer in transaction mode (issue 9, "past one
machine"): each transaction may run on another server session, so nothing may live in
one. Prepared statements do (the control below shows a plain engine failing); with
`[database] pgbouncer = true` a station pushes, pulls, reports and prunes through it, and
its hall's one listener at PostgreSQL wakes both stations, the second through the relay."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.bootstrap import Core, build_core, cashier_desk
from app.models import Hall, Payment, SyncStation
from app.models.db import Database
from app.services.desks.cashier import PayRequest
from app.settings import DatabaseSettings, SyncSettings
from tests.conftest import make_settings
from tests.pgbouncer import PgBouncer
from tests.unit.services.sync.sync_helpers import central_with_book

POOL = 3  # server connections PgBouncer may open to the database


@pytest.fixture
def bouncer(pg_admin_url: str) -> Iterator[PgBouncer]:
    b = PgBouncer(pg_admin_url, pool_size=POOL)
    b.start()
    yield b
    b.stop()


def _until(check: Callable[[], bool], timeout: float = 15.0) -> float:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.02)
    return time.monotonic() - start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _same_query_on_another_session(db: Database, bouncer: PgBouncer, name: str) -> None:
    """A query run often enough for psycopg to prepare it (on server session X), then a
    second client takes X (PgBouncer hands out the last used first), then the query again."""
    query = text("SELECT count(*) FROM halls WHERE code = :code")
    for _ in range(8):
        with db.read() as s:
            s.execute(query, {"code": "DEMO"})
    conninfo = make_url(bouncer.url(name)).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False)) as other:
        other.execute("SELECT 1")  # holds X in its open transaction
        with db.read() as s:
            assert s.execute(query, {"code": "DEMO"}).scalar() == 1


def test_prepared_statements_are_off_through_pgbouncer(pg_url: str, bouncer: PgBouncer):
    name = make_url(pg_url).database
    assert name is not None
    plain = Database.from_url(bouncer.url(name), use_keyring=False, pool_size=1)
    try:  # the control: this PgBouncer does move transactions between sessions
        with pytest.raises(DBAPIError, match="prepared statement"):
            _same_query_on_another_session(plain, bouncer, name)
    finally:
        plain.dispose()
    pooled = Database.from_url(bouncer.url(name), use_keyring=False, pool_size=1, pgbouncer=True)
    try:
        _same_query_on_another_session(pooled, bouncer, name)
    finally:
        pooled.dispose()


def _station(bouncer: PgBouncer, direct: str, name: str, wake: str, port: int, tmp: Path) -> Core:
    database = make_url(direct).database
    assert database is not None
    settings = make_settings(bouncer.url(database), name=name)
    settings = replace(
        settings,
        database=DatabaseSettings(url=bouncer.url(database), pgbouncer=True, listen_url=direct),
        sync=SyncSettings(mode="cached", interval_s=30.0, wake=wake, relay_port=port),
    )
    return build_core(settings, data_dir=tmp / name, receipt_key=b"k" * 32)


def _pay(core: Core, account: str) -> object:
    actor = core.auth.login("1001", "1234")
    request = PayRequest(account, Decimal("12.00"), "cash", tendered=Decimal("12.00"))
    return cashier_desk(core).pay(actor, 1, request).result


def _has(core: Core, payment_id: object) -> bool:
    assert core.cached is not None
    with core.cached.cache.read() as s:
        return s.get(Payment, payment_id) is not None


def test_two_cached_stations_through_pgbouncer_woken_by_one_hall_listener(
    pg_url: str, bouncer: PgBouncer, tmp_path: Path
):
    central = central_with_book(pg_url, accounts=30)
    port = _free_port()
    a = _station(bouncer, pg_url, "PC-A", "relay", port, tmp_path)
    b = _station(bouncer, pg_url, "PC-B", f"tcp://127.0.0.1:{port}", port, tmp_path)
    try:
        assert a.cached is not None and b.cached is not None
        time.sleep(1.0)  # the listener and the relay's station connected
        # polling every 30 s: only the wake-ups can make these fast
        paid_a = _pay(a, "3300000001")
        assert _until(lambda: _has(b, paid_a.payment_id)) < 5  # type: ignore[attr-defined]
        paid_b = _pay(b, "3300000002")
        assert _until(lambda: _has(a, paid_b.payment_id)) < 5  # type: ignore[attr-defined]
        assert _until(lambda: not a.cached.worker.status().outbox)  # type: ignore[union-attr]

        with central.read() as s:
            assert s.scalar(select(func.count()).select_from(Payment)) == 2
            stations = set(s.scalars(select(SyncStation.station)))
            assert stations == {"PC-A", "PC-B"}  # reported through PgBouncer
            hall = s.scalar(select(Hall.id).where(Hall.code == "DEMO"))
            # the payments were logged for their hall (what the relay's NOTIFY said)
            logged = s.execute(
                text("SELECT DISTINCT hall_id FROM change_log WHERE table_name = 'payments'")
            ).scalars()
            assert set(logged) == {hall}
            sessions = s.execute(
                text(
                    "SELECT query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            listening = [q for q in sessions if q.startswith("LISTEN")]
            others = s.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND query NOT LIKE 'LISTEN%'"
                )
            )
        assert len(listening) == 1  # one listener for the hall, not one per station
        assert others <= POOL  # every other session is PgBouncer's, however many clients
    finally:
        b.close()
        a.close()
        central.dispose()
