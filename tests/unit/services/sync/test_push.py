"""The outbox and its push: every pushed row committed at a station gets its outbox record
in the same transaction, and reaches the centre exactly once whatever fails when. Real
SQLite caches, a real central PostgreSQL (and SQLite), real failures: a lost reply replayed,
an unreachable server, a server crashed with `pg_ctl stop -m immediate` mid-push."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from app.models.db import Database
from app.services.errors import DatabaseUnavailable
from app.services.sync.capture import OUTBOX
from app.services.sync.push import drain, outbox_depth, push
from tests.pg_server import PgServer
from tests.unit.services.sync.sync_helpers import (
    central_with_book,
    counts,
    ids,
    make_station,
)


@pytest.fixture
def central(db_url: str) -> Iterator[Database]:
    db = central_with_book(db_url)
    yield db
    db.dispose()


def test_a_payment_and_its_outbox_commit_together(central: Database, tmp_path: Path):
    station = make_station(central, tmp_path / "pc1.sqlite3")
    actor = station.clerk()
    before = outbox_depth(station.cache)  # the log-in's audit row
    result = station.pay(actor, "3300000001", "100.00")
    with station.cache.read() as s:
        records = s.execute(select(OUTBOX.c.table_name, OUTBOX.c.row_id)).all()
    pushed = {(t, r) for t, r in records}
    assert ("payments", result.payment_id) in pushed
    tables = [t for t, _ in records[before:]]
    assert tables.index("payments") < tables.index("payment_allocations")
    assert {"payments", "payment_allocations", "receipt_prints", "audit_log"} <= set(tables)
    # a refused payment writes no outbox record either
    depth = outbox_depth(station.cache)
    with pytest.raises(Exception):  # noqa: B017 - the service's own refusal, any code
        station.pay(actor, "0000000000", "10.00")
    assert outbox_depth(station.cache) == depth
    station.cache.dispose()


def test_push_sends_everything_once_and_a_replay_inserts_nothing(central: Database, tmp_path):
    station = make_station(central, tmp_path / "pc1.sqlite3")
    actor = station.clerk()
    for n in range(1, 11):
        station.pay(actor, f"33{n:08d}", "50.00")
    before_central = counts(central)
    with station.cache.read() as s:
        saved = [dict(r._mapping) for r in s.execute(select(OUTBOX))]
    sent = drain(station.cache, central, batch=7)
    assert sent == len(saved) and outbox_depth(station.cache) == 0
    local, remote = counts(station.cache), counts(central)
    for table, n in local.items():
        assert remote[table] - before_central[table] == n, table
    assert set(ids(station.cache, "payments")) <= set(ids(central, "payments"))
    # the reply was lost (the outbox not trimmed): the same records again change nothing
    with station.cache.write() as s:
        s.execute(insert(OUTBOX), saved)
    again = push(station.cache, central, batch=len(saved))
    assert (again.sent, again.inserted, again.refused, again.left) == (len(saved), 0, 0, 0)
    assert counts(central) == remote
    station.cache.dispose()


def test_an_unreachable_centre_keeps_the_outbox(central: Database, tmp_path: Path):
    station = make_station(central, tmp_path / "pc1.sqlite3")
    station.pay(station.clerk(), "3300000002", "20.00")
    depth = outbox_depth(station.cache)
    nowhere = Database.from_url(
        "postgresql://halldesk@127.0.0.1:1/none?connect_timeout=2", use_keyring=False
    )
    with pytest.raises(DatabaseUnavailable):
        push(station.cache, nowhere)
    assert outbox_depth(station.cache) == depth
    nowhere.dispose()
    station.cache.dispose()


def test_a_central_crash_mid_push_loses_and_doubles_nothing(tmp_path: Path):
    """`pg_ctl stop -m immediate` while batches are being pushed, then a restart: every
    record arrives exactly once."""
    server = PgServer()
    url = server.start()
    central = central_with_book(url, accounts=120)
    station = make_station(central, tmp_path / "pc1.sqlite3")
    try:
        actor = station.clerk()
        for n in range(1, 121):
            station.pay(actor, f"33{n:08d}", "30.00", counter_number=1 + n % 6)
        total = outbox_depth(station.cache)
        failures: list[BaseException] = []
        crashed = threading.Event()

        def pusher() -> None:
            while not crashed.is_set() or outbox_depth(station.cache):
                try:
                    if push(station.cache, central, batch=5).left == 0:
                        return
                except DatabaseUnavailable as exc:
                    failures.append(exc)
                    time.sleep(0.05)

        thread = threading.Thread(target=pusher)
        thread.start()
        deadline = time.monotonic() + 30
        while outbox_depth(station.cache) > total * 0.6 and time.monotonic() < deadline:
            time.sleep(0.005)
        server.crash()  # in the middle of the push: some batches in, some not
        crashed.set()
        left_at_crash = outbox_depth(station.cache)
        time.sleep(0.5)
        server.restart()
        thread.join(timeout=60)
        assert not thread.is_alive()
        assert 0 < left_at_crash < total
        assert failures  # the pusher did meet the dead server
        assert outbox_depth(station.cache) == 0
        local, remote = counts(station.cache), counts(central)
        for table in ("payments", "payment_allocations", "receipt_prints"):
            assert remote[table] == local[table], table
        assert ids(central, "payments") == ids(station.cache, "payments")
    finally:
        station.cache.dispose()
        central.dispose()
        server.stop()
