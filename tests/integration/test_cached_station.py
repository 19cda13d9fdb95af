"""A cached station (`[sync] mode = "cached"`) as the application builds it: its first
start copies the hall from the central PostgreSQL; payments are taken on the cache and
reach the centre; a change at the centre reaches the cache within a second (NOTIFY); the
centre crashed (`pg_ctl stop -m immediate`) does not stop the counter, not even a station
started while it is down; everything arrives once the centre is back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.bootstrap import Core, build_core, cashier_desk
from app.models import CustomerAccount, Hall, Payment
from app.models.db import Database
from app.services.desks.cashier import PayRequest
from app.settings import SyncSettings
from tests.conftest import make_settings
from tests.pg_server import PgServer
from tests.unit.services.sync.sync_helpers import central_with_book


def _until(check: Callable[[], bool], timeout: float = 30.0) -> float:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.02)
    return time.monotonic() - start


def _cached_core(url: str, data_dir: Path) -> Core:
    settings = replace(make_settings(url), sync=SyncSettings(mode="cached", interval_s=0.5))
    return build_core(settings, data_dir=data_dir, receipt_key=b"k" * 32)


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _pay(core: Core, account: str) -> object:
    desk = cashier_desk(core)
    actor = core.auth.login("1001", "1234")
    return desk.pay(
        actor, 1, PayRequest(account, Decimal("25.00"), "cash", tendered=Decimal("25.00"))
    ).result


def test_a_cached_station_works_with_and_without_its_centre(tmp_path: Path):
    server = PgServer()
    url = server.start()
    central = central_with_book(url, accounts=60)
    core = _cached_core(url, tmp_path)
    try:
        assert core.cached is not None
        cache = core.cached.cache
        assert _count(cache, CustomerAccount) == _count(central, CustomerAccount) == 60
        paid = _pay(core, "3300000001")
        _until(lambda: _count(central, Payment) == 1)
        _until(lambda: core.cached.worker.status().online)

        # a change at the centre reaches the cache at once
        with central.write() as s:
            hall = s.scalar(select(Hall.id).where(Hall.code == "DEMO"))
            s.add(CustomerAccount(id=uuid.uuid4(), hall_id=hall, account_number="8800000001",
                                  name="新开户", address="", phone="", account_type="residential",
                                  active=True, created_at=datetime.now(UTC)))  # fmt: skip
        seen = _until(lambda: core.accounts.find("DEMO", "8800000001") != [], 5)
        assert seen < 1.5

        # the centre crashes: the counter goes on, the station says so
        server.crash()
        second = _pay(core, "3300000002")
        _until(lambda: core.cached.worker.status().offline_since is not None)
        assert core.cached.worker.status().outbox > 0
        server.restart()
        central.dispose()  # the test's own pool held connections the crash killed
        _until(lambda: _count(central, Payment) == 2, 60)
        with central.read() as s:
            ids = set(s.scalars(select(Payment.id)))
        assert ids == {paid.payment_id, second.payment_id}
    finally:
        core.close()

    # a station started while the centre is down works from its cache
    server.crash()
    core = _cached_core(url, tmp_path)
    try:
        third = _pay(core, "3300000003")
        assert core.cached is not None
        server.restart()
        central.dispose()
        _until(lambda: _count(central, Payment) == 3, 60)
        with central.read() as s:
            assert s.get(Payment, third.payment_id) is not None
    finally:
        core.close()
        central.dispose()
        server.stop()


def test_a_new_station_needs_its_centre_once(tmp_path: Path):
    from app.services.errors import DatabaseUnavailable

    server = PgServer()
    url = server.start()
    central_with_book(url, accounts=5).dispose()
    server.crash()
    try:
        try:
            _cached_core(url, tmp_path).close()
        except DatabaseUnavailable as exc:
            assert "connect it once" in exc.message
        else:
            raise AssertionError("a station with no copy started without its centre")
    finally:
        server.restart()
        server.stop()
