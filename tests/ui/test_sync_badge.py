"""The counter of a cached station tells the clerk when the centre is away (a real
PostgreSQL crashed with `pg_ctl stop -m immediate`), keeps taking payments, and hides the
badge again once everything is sent."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from app.bootstrap import build_core, build_station
from app.services.desks.cashier import PayRequest
from app.settings import SyncSettings
from app.ui.counter import CounterWindow
from app.ui.taskman import TaskManager
from tests.conftest import make_settings
from tests.pg_server import PgServer
from tests.ui.conftest import log_in
from tests.unit.services.sync.sync_helpers import central_with_book


def test_the_badge_follows_the_centre(qtbot, tmp_path: Path, english):
    server = PgServer()
    url = server.start()
    central_with_book(url, accounts=10).dispose()
    settings = replace(make_settings(url), sync=SyncSettings(mode="cached", interval_s=0.3))
    core = build_core(settings, data_dir=tmp_path, receipt_key=b"k" * 32)
    tasks = TaskManager()
    station = build_station(core)
    window = CounterWindow(station.counter, tasks, cashier=station.cashier)
    qtbot.addWidget(window)
    try:
        window.show()
        log_in(qtbot, window)
        badge = window.view.sync_badge
        qtbot.waitUntil(lambda: core.cached.worker.status().online, timeout=20_000)
        assert badge.isHidden()
        server.crash()
        actor = core.auth.login("1001", "1234")
        request = PayRequest("3300000001", Decimal("5.00"), "cash", tendered=Decimal("5.00"))
        station.cashier.pay(actor, 1, request)  # the counter goes on
        qtbot.waitUntil(badge.isVisible, timeout=20_000)
        assert "offline since" in badge.text() and "waiting to be sent" in badge.text()
        assert badge.property("level") == "error"
        server.restart()
        qtbot.waitUntil(badge.isHidden, timeout=60_000)
        assert core.cached.worker.status().outbox == 0
    finally:
        window.close()
        tasks.shutdown()
        core.close()
        server.stop()
