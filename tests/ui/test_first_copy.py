"""The first start of a cached station: the window of its first copy of the hall, on a real
central PostgreSQL with a book of many batches (small batches here) and a real SQLite
cache. The bar only goes forward, to 100 %; the window closes itself and the station then
starts on its copy; Cancel stops after a batch and the next start finishes the copy with
no row copied twice."""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app import cli_sync
from app.bootstrap import build_core, cashier_desk, first_copy
from app.models import Payment
from app.models.db import Database
from app.services.desks.cashier import PayRequest
from app.services.errors import DatabaseUnavailable
from app.services.sync.copy_progress import CopyProgress
from app.services.sync.initial import InitialResult, initial_sync_complete
from app.settings import Settings, SyncSettings, UiSettings
from app.station_cache import FirstCopy
from app.ui.first_copy import BAR_STEPS, FirstCopyWindow
from app.ui.taskman import TaskManager
from tests.conftest import make_settings
from tests.pg_server import PgServer
from tests.unit.services.sync.pull_helpers import counts, hall_id
from tests.unit.services.sync.sync_helpers import central_with_book

BATCH = 50


def _settings(url: str) -> Settings:
    return replace(make_settings(url), sync=SyncSettings(mode="cached", interval_s=0.5))


class HeldCopy:
    """The real first copy, held after its `at`-th batch until `release` is set, as a
    slow centre would hold it; `seen`: its progress as the worker reported it."""

    def __init__(self, job: FirstCopy, at: int) -> None:
        self.job, self.at = job, at
        self.seen: list[CopyProgress] = []
        self.held = threading.Event()
        self.release = threading.Event()

    @property
    def hall(self) -> str:
        return self.job.hall

    def run(
        self, progress: Callable[[CopyProgress], None], should_stop: Callable[[], bool]
    ) -> InitialResult:
        def report(done: CopyProgress) -> None:
            self.seen.append(done)
            progress(done)
            if len(self.seen) == self.at:
                self.held.set()
                assert self.release.wait(30)

        return self.job.run(report, should_stop)


def _window(qtbot, job, tasks: TaskManager) -> tuple[FirstCopyWindow, list[tuple[int, str, str]]]:
    """The window on `job`, shown; what it showed each time its bar moved."""
    window = FirstCopyWindow(job, tasks)
    qtbot.addWidget(window)
    shown: list[tuple[int, str, str]] = []
    window.bar.valueChanged.connect(
        lambda v: shown.append((v, window.table_line.text(), window.rows_line.text()))
    )
    window.show()
    return window, shown


def _until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.05)


def test_the_window_follows_the_copy_to_100_per_cent_then_the_station_works(
    qtbot, pg_url: str, tmp_path: Path, english, caplog
):
    central = central_with_book(pg_url, accounts=120)
    demo = hall_id(central)
    rows = counts(central, demo)
    settings = _settings(pg_url)
    job = first_copy(settings, data_dir=tmp_path, batch=BATCH)
    assert job is not None
    held = HeldCopy(job, at=20)
    tasks = TaskManager()
    try:
        window, shown = _window(qtbot, held, tasks)
        assert window.table_line.text() == "Counting the rows to copy…"
        window.start()
        # mid-copy: the table in hand, its rows, the rows of all, the bar between
        qtbot.waitUntil(held.held.is_set, timeout=30_000)
        qtbot.waitUntil(lambda: len(shown) >= 1 and window.bar.value() == shown[-1][0])
        qtbot.waitUntil(lambda: held.seen[-1].done == _rows_shown(window))
        now = held.seen[-1]
        assert 0 < window.bar.value() < BAR_STEPS
        assert window.bar.value() == int(now.done / now.total * BAR_STEPS)
        assert window.table_line.text().endswith(f"{now.table_done:,} of {now.table_total:,} rows")
        assert window.rows_line.text() == f"{now.done:,} of {sum(rows.values()):,} rows in all"
        with qtbot.waitSignal(window.copy_ended, timeout=60_000) as ended:
            held.release.set()
        assert ended.args == ["done"]
        assert not window.isVisible()  # it closed itself
        assert window.result is not None and not window.result.stopped
    finally:
        held.release.set()
        tasks.shutdown()
        job.close()
    values = [v for v, _t, _r in shown]
    assert len(held.seen) > 40  # many batches, each reported
    assert values == sorted(values) and values[-1] == BAR_STEPS  # forward only, to 100 %
    assert len(set(values)) > 20  # it moved with the batches, not in one jump at the end
    bills = [t for _v, t, _r in shown if t.startswith("Bills: ")]
    assert bills[0] == f"Bills: {BATCH} of {rows['bills']:,} rows"
    assert f"Bills: {rows['bills']:,} of {rows['bills']:,} rows" in bills
    tables_shown = [t.split(":")[0] for _v, t, _r in shown]
    assert tables_shown.index("Customer accounts") < tables_shown.index("Bills")  # parents first

    # the station starts on its copy: no copy again, the counter takes a payment
    caplog.clear()
    core = build_core(settings, data_dir=tmp_path, receipt_key=b"k" * 32)
    try:
        assert core.cached is not None
        assert not [r for r in caplog.records if "copying hall" in r.getMessage()]
        assert counts(core.cached.cache) == rows
        actor = core.auth.login("1001", "1234")
        request = PayRequest("3300000001", Decimal("5.00"), "cash", tendered=Decimal("5.00"))
        paid = cashier_desk(core).pay(actor, 1, request).result
        _until(lambda: _payment_at(central, paid.payment_id))
    finally:
        core.close()
        central.dispose()


def _rows_shown(window: FirstCopyWindow) -> int:
    text = window.rows_line.text()
    return int(text.split(" of ")[0].replace(",", "")) if text else -1


def _payment_at(central: Database, payment_id: object) -> bool:
    with central.read() as s:
        return bool(s.scalar(select(func.count()).where(Payment.id == payment_id)))


def test_cancel_stops_after_the_batch_and_the_next_start_finishes_the_copy(
    qtbot, pg_url: str, tmp_path: Path, english
):
    central = central_with_book(pg_url, accounts=120)
    rows = counts(central, hall_id(central))
    settings = _settings(pg_url)
    job = first_copy(settings, data_dir=tmp_path, batch=BATCH)
    assert job is not None
    held = HeldCopy(job, at=25)
    tasks = TaskManager()
    try:
        window, shown = _window(qtbot, held, tasks)
        window.start()
        qtbot.waitUntil(held.held.is_set, timeout=30_000)
        qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
        assert not window.button.isEnabled()
        assert window.time_line.text() == "Stopping after the batch being written…"
        assert window.isVisible()  # it stays until the batch is written
        with qtbot.waitSignal(window.copy_ended, timeout=30_000) as ended:
            held.release.set()
        assert ended.args == ["stopped"]
        assert not window.isVisible()
        first = window.result
        assert first is not None and first.stopped and first.batches == 25
        stopped_at = shown[-1][0]
    finally:
        held.release.set()
        tasks.shutdown()
        job.close()
    cache = Database.from_url(f"sqlite:///{tmp_path / 'cache-DEMO.sqlite3'}", use_keyring=False)
    try:
        assert not initial_sync_complete(cache, "DEMO")
        assert sum(counts(cache).values()) == first.rows_copied < sum(rows.values())
    finally:
        cache.dispose()

    # the next start: the same window goes on from there and finishes
    again = first_copy(settings, data_dir=tmp_path, batch=BATCH)
    assert again is not None
    tasks = TaskManager()
    try:
        window, shown = _window(qtbot, again, tasks)
        with qtbot.waitSignal(window.copy_ended, timeout=60_000) as ended:
            window.start()
        assert ended.args == ["done"]
        second = window.result
        assert second is not None and second.resumed and not second.stopped
    finally:
        tasks.shutdown()
        again.close()
    values = [v for v, _t, _r in shown]
    assert values[0] >= stopped_at  # it went on, not back to 0
    assert values == sorted(values) and values[-1] == BAR_STEPS
    # every row of the centre's hall is in the cache, and none was copied twice
    assert first.rows_copied + second.rows_copied == sum(rows.values())
    assert first_copy(settings, data_dir=tmp_path, batch=BATCH) is None  # nothing left to copy
    core = build_core(settings, data_dir=tmp_path, receipt_key=b"k" * 32)
    try:
        assert core.cached is not None
        assert counts(core.cached.cache) == rows
    finally:
        core.close()
        central.dispose()


def test_the_windows_start_copies_first_then_goes_on(qtbot, pg_url: str, tmp_path: Path):
    """`main.py run` on a new cached station: the window comes with its own event loop,
    ends with the copy, and the start goes on (None); a whole copy needs no window."""
    central = central_with_book(pg_url, accounts=20)
    rows = counts(central, hall_id(central))
    settings = replace(_settings(pg_url), ui=UiSettings(language="en"))
    args = argparse.Namespace(data_dir=tmp_path, demo=False)
    assert cli_sync.first_copy(settings, args) is None
    core = build_core(settings, data_dir=tmp_path, receipt_key=b"k" * 32)
    try:
        assert core.cached is not None and counts(core.cached.cache) == rows
    finally:
        core.close()
    # the next start finds the copy whole without asking the centre: a URL that could
    # not even be opened as one goes unnoticed
    nowhere = replace(settings.database, url=f"sqlite:///{tmp_path / 'no-centre.sqlite3'}")
    assert first_copy(replace(settings, database=nowhere), data_dir=tmp_path) is None
    central.dispose()


def test_a_centre_lost_mid_copy_is_told_and_the_next_start_goes_on(qtbot, tmp_path: Path, english):
    server = PgServer()
    url = server.start()
    try:
        central = central_with_book(url, accounts=40)
        rows = counts(central, hall_id(central))
        central.dispose()
        settings = _settings(url)
        job = first_copy(settings, data_dir=tmp_path, batch=BATCH)
        assert job is not None
        held = HeldCopy(job, at=8)
        tasks = TaskManager()
        try:
            window, _shown = _window(qtbot, held, tasks)
            window.start()
            qtbot.waitUntil(held.held.is_set, timeout=30_000)
            server.crash()
            held.release.set()
            qtbot.waitUntil(lambda: window.outcome is not None, timeout=30_000)
            assert window.outcome == "failed" and window.isVisible()  # it says why
            assert window.status.text() == (
                "The copy stopped: The central database cannot be reached. The next start "
                "of HallDesk goes on from where it stopped."
            )
            assert window.button.text() == "Close"
            with qtbot.waitSignal(window.copy_ended, timeout=5_000) as ended:
                qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
            assert ended.args == ["failed"] and not window.isVisible()
        finally:
            held.release.set()
            tasks.shutdown()
            job.close()
        # without its centre no window and no start, as before; with it, the copy is finished
        assert first_copy(settings, data_dir=tmp_path, batch=BATCH) is None
        with pytest.raises(DatabaseUnavailable, match="connect it once"):
            build_core(settings, data_dir=tmp_path, receipt_key=b"k" * 32)
        server.restart()
        again = first_copy(settings, data_dir=tmp_path, batch=BATCH)
        assert again is not None
        try:
            result = again.run(lambda _p: None, lambda: False)
        finally:
            again.close()
        assert result.resumed and result.rows_copied < sum(rows.values())
        core = build_core(settings, data_dir=tmp_path, receipt_key=b"k" * 32)
        try:
            assert core.cached is not None and counts(core.cached.cache) == rows
        finally:
            core.close()
    finally:
        server.stop()
