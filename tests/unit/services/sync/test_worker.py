"""The sync worker through a link the test breaks: it says when the centre went away and
how deep the outbox is, keeps the payments, and sends them all once the link is back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from app.models.db import Database
from app.services.sync.push import outbox_depth
from app.services.sync.worker import SyncWorker
from tests.fault_proxy import FaultProxy
from tests.unit.services.sync.sync_helpers import central_with_book, ids, make_station


def _until(check, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def _linked(pg_url: str, tmp_path: Path) -> Iterator[tuple[Database, Any, FaultProxy, SyncWorker]]:
    """(the centre, a station, the proxy between them, the station's sync worker)."""
    central = central_with_book(pg_url)
    station = make_station(central, tmp_path / "pc1.sqlite3")
    url = make_url(pg_url)
    proxy = FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    linked = Database.from_url(
        url.set(port=proxy.port).render_as_string(hide_password=False), use_keyring=False
    )
    worker = SyncWorker(station.cache, linked, interval=0.05)
    try:
        yield central, station, proxy, worker
    finally:
        worker.stop()
        proxy.stop()
        linked.dispose()
        station.cache.dispose()
        central.dispose()


def test_offline_then_back(pg_url: str, tmp_path: Path):
    with _linked(pg_url, tmp_path) as (central, station, proxy, worker):
        actor = station.clerk()
        worker.start()
        _until(lambda: worker.status().online and worker.status().outbox == 0)
        proxy.cut()
        for n in range(1, 6):  # the counter goes on taking payments
            station.pay(actor, f"33{n:08d}", "10.00")
            worker.wake()
        _until(lambda: worker.status().offline_since is not None)
        status = worker.status()
        assert not status.online and status.last_error
        assert outbox_depth(station.cache) > 0
        _until(lambda: worker.status().outbox == outbox_depth(station.cache) > 0)
        proxy.heal()
        _until(lambda: worker.status().online and outbox_depth(station.cache) == 0, 40)
        assert worker.status().offline_since is None
        assert set(ids(station.cache, "payments")) <= set(ids(central, "payments"))
        assert len(ids(central, "payments")) == 5


def test_a_centre_of_another_schema_version_is_refused(tmp_path: Path):
    """A centre still at an older schema: no row goes over, the station says why."""
    from app.models.migrate import upgrade
    from app.services.errors import DomainError
    from app.services.sync.worker import check_schema

    central = Database.from_url(f"sqlite:///{tmp_path / 'old.sqlite3'}", use_keyring=False)
    upgrade(central.engine, "0006")
    cache = Database.from_url(f"sqlite:///{tmp_path / 'cache.sqlite3'}", use_keyring=False)
    upgrade(cache.engine)
    try:
        with pytest.raises(DomainError) as caught:
            check_schema(central, cache)
        assert caught.value.code == "schema_mismatch"
        assert "0006" in caught.value.message and "init-db" in caught.value.message
        with pytest.raises(DomainError) as caught:
            SyncWorker(cache, central).sync_once()
        assert caught.value.code == "schema_mismatch"
        upgrade(central.engine)
        check_schema(central, cache)  # both at head: fine
    finally:
        central.dispose()
        cache.dispose()


def test_offline_is_shown_with_the_outbox_it_holds(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The first status that says "offline" already counts the payments waiting for the
    centre (a fresh clone's CI once read offline with the outbox of the last good round).
    The count is slowed down here so that a status set in two steps would be seen."""
    import app.services.sync.worker as worker_module

    def slow_depth(db: Database) -> int:
        time.sleep(0.3)
        return outbox_depth(db)

    with _linked(pg_url, tmp_path) as (_central, station, proxy, worker):
        worker.start()
        _until(lambda: worker.status().online and worker.status().outbox == 0)
        monkeypatch.setattr(worker_module, "outbox_depth", slow_depth)
        proxy.cut()
        station.pay(station.clerk(), "3300000001", "10.00")
        worker.wake()
        deadline = time.monotonic() + 30
        while (status := worker.status()).offline_since is None:
            assert time.monotonic() < deadline, "never offline"
            time.sleep(0.005)
        assert status.outbox == outbox_depth(station.cache) > 0
