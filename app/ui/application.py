"""Start the station's windows: `run_gui(station)` for the app, `build_windows` for tests,
and before them, on a new cached station, `run_first_copy(job, language)`: the window of
its first copy of the hall, with its own event loop that ends with the copy.

Wiring only: one `TaskManager` (the background lanes), one `HallWatcher` (is there news in
the hall?) shared by every window, a `VoiceCaller` for the display, and one window per role,
each handed its own desk of the `Station` built by `app.bootstrap`.
On quit (`aboutToQuit`) the watcher stops and the voice thread and the task workers are
joined; only then are the windows closed.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Literal

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.services.desks.station import Station
from app.ui.admin import AdminWindow
from app.ui.counter import CounterWindow
from app.ui.device_panel import DevicePanel
from app.ui.display import DisplayWindow
from app.ui.first_copy import CopyEnded, CopyJob, FirstCopyWindow, Outcome
from app.ui.i18n import install_translations
from app.ui.kiosk import KioskWindow
from app.ui.manager import ManagerWindow
from app.ui.qtcompat import disconnect
from app.ui.taskman import TaskManager
from app.ui.theme import apply_theme
from app.ui.voice import VoiceCaller
from app.ui.watcher import HallWatcher

log = logging.getLogger(__name__)


class Stations:
    """The windows of this PC and what they share; `shutdown()` ends them in order."""

    def __init__(self, station: Station, tasks: TaskManager, watcher: HallWatcher) -> None:
        self.station = station
        self.tasks = tasks
        self.watcher = watcher
        self.voice: VoiceCaller | None = None
        self.kiosk: KioskWindow | None = None
        self.counter: CounterWindow | None = None
        self.display: DisplayWindow | None = None
        self.admin: AdminWindow | None = None
        self.manager: ManagerWindow | None = None
        self.device_panel: DevicePanel | None = None
        self._stopped = False
        self._closed = False

    @property
    def windows(self) -> list[QWidget]:
        main: list[QWidget] = [
            w
            for w in (
                self.kiosk,
                self.counter,
                self.display,
                self.manager,
                self.admin,
                self.device_panel,
            )
            if w is not None
        ]
        return main

    def show(self) -> None:
        for i, window in enumerate(self.windows):
            window.move(40 + 48 * i, 40 + 36 * i)
            if window is self.display and self.station.ui.display_fullscreen:
                window.showFullScreen()
            else:
                window.show()

    def stop_background(self) -> None:
        """Stop polling and join the voice thread and the workers; windows stay."""
        if self._stopped:
            return
        self._stopped = True
        self.watcher.stop()
        if self.voice is not None:
            self.voice.shutdown()
        self.tasks.shutdown()
        log.info("background work joined")

    def shutdown(self) -> None:
        """Stop the background work first, then close the windows."""
        self.stop_background()
        if self._closed:
            return
        self._closed = True
        for window in self.windows:
            window.close()


def build_windows(
    station: Station,
    roles: Iterable[str] | None,
    tasks: TaskManager,
    *,
    voice: VoiceCaller | None | Literal["auto"] = "auto",
    start: bool = True,
) -> Stations:
    """Build (not show) one window per role (default: the station's), wired to one shared
    hall watcher."""
    ui = station.ui
    watcher = HallWatcher(station.last_event_id, tasks, ui.refresh_ms)
    stations = Stations(station, tasks, watcher)
    for role in dict.fromkeys(station.roles if roles is None else roles):
        if role == "kiosk":
            stations.kiosk = KioskWindow(station.kiosk, station.clock, tasks)
            stations.kiosk.ticket_issued.connect(lambda _t: watcher.poke())
            _follow(watcher, stations.kiosk)
        elif role == "counter":
            stations.counter = CounterWindow(
                station.counter, tasks, cashier=station.cashier, receipt_paper=ui.receipt_paper
            )
            stations.counter.action_completed.connect(lambda _a: watcher.poke())
            _follow(watcher, stations.counter)
        elif role == "display":
            if voice == "auto":
                stations.voice = VoiceCaller(ui.voice_languages) if ui.voice else None
            else:
                stations.voice = voice
            stations.display = DisplayWindow(station.display, station.clock, tasks, stations.voice)
            _follow(watcher, stations.display)
        elif role == "admin":
            stations.admin = AdminWindow(station.admin, tasks)
        elif role == "bus":
            log.info("bus role: the device hub runs in this process")
        elif role == "manager":
            stations.manager = ManagerWindow(station.manager, tasks, ui.language)
            watcher.changed.connect(stations.manager.on_hall_changed)
        else:
            log.warning("unknown role %r ignored", role)
    if station.demo_devices is not None:
        # The demo plays the hall's devices: show them, so their keys can be pressed.
        stations.device_panel = DevicePanel(
            station.demo_devices, tasks, ports=station.admin.statuses
        )
    if start:
        watcher.start()
    return stations


def _follow(watcher: HallWatcher, window: KioskWindow | CounterWindow | DisplayWindow) -> None:
    watcher.changed.connect(window.on_hall_changed)
    watcher.failed.connect(window.on_watch_failed)
    watcher.recovered.connect(window.on_watch_recovered)


@contextmanager
def _on_stop_signals(stop: Callable[[], None]) -> Iterator[None]:
    """Ctrl+C or SIGTERM call `stop` on the GUI thread (a timer lets Python see signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop())
    timer = QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(250)
    try:
        yield
    finally:
        timer.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("HallDesk")
    app.setOrganizationName("HallDesk")
    return app


def run_first_copy(job: CopyJob, language: str) -> CopyEnded:
    """Show the first copy's window until the copy is whole, stopped or failed (then
    until the user closed it); how it ended. Ctrl+C stops the copy after its batch, as
    Cancel does. The worker is joined, the window closed and the translations taken off
    again before this returns."""
    app = _application()
    translations = install_translations(app, language)
    previous_style = app.styleSheet()
    apply_theme(app)
    tasks = TaskManager(read_workers=1)
    window = FirstCopyWindow(job, tasks)
    loop = QEventLoop()
    window.copy_ended.connect(loop.quit)
    try:
        window.show()
        window.start()
        with _on_stop_signals(window.cancel):
            loop.exec()
    finally:
        window.cancel()  # left by an exception: the copy stops after its batch
        tasks.shutdown()
        if window.outcome is None:  # its callback dropped: the next start goes on
            window.outcome = Outcome.STOPPED
        window.close()
        window.deleteLater()
        translations.remove()
        app.setStyleSheet(previous_style)
    return CopyEnded(window.outcome, window.result, window.error)


def run_gui(station: Station) -> int:
    """Show the windows of the station's roles until the user quits; the exit code."""
    roles = list(station.roles)
    app = _application()
    translations = install_translations(app, station.ui.language)
    previous_style = app.styleSheet()
    apply_theme(app)
    tasks = TaskManager()
    stations = build_windows(station, roles, tasks)
    if not stations.windows:
        log.error("no window to show for roles %s", roles)
        stations.shutdown()
        translations.remove()
        return 2
    # On quit the background work ends while the event loop still runs; the windows are
    # closed after it returned (closing the last one inside it would post another quit).
    app.aboutToQuit.connect(stations.stop_background)
    stations.show()
    try:
        with _on_stop_signals(app.quit):
            code = app.exec()
    finally:
        disconnect(app.aboutToQuit, stations.stop_background)
        stations.shutdown()
        translations.remove()
        app.setStyleSheet(previous_style)
    return int(code)
