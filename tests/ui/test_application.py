"""Wiring: one window per role, an orderly quit."""

from __future__ import annotations

from dataclasses import replace

import shiboken6
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from app.bootstrap import build_station
from app.ui import application
from app.ui.application import build_windows
from app.ui.counter import CounterWindow
from app.ui.display import DisplayWindow
from app.ui.kiosk import KioskWindow
from app.ui.taskman import TaskManager


def test_one_window_per_role(qtbot, sqlite_core, english):
    from app.ui.admin import AdminWindow
    from app.ui.manager import ManagerWindow

    tasks = TaskManager()
    stations = build_windows(
        build_station(sqlite_core),
        ["kiosk", "counter", "display", "manager", "admin", "bus", "kiosk", "nonsense"],
        tasks,
        voice=None,
        start=False,
    )
    try:
        assert isinstance(stations.kiosk, KioskWindow)
        assert isinstance(stations.counter, CounterWindow)
        assert isinstance(stations.display, DisplayWindow)
        assert isinstance(stations.admin, AdminWindow)
        assert isinstance(stations.manager, ManagerWindow)
        assert stations.device_panel is None  # no simulated devices outside the demo
        assert len(stations.windows) == 5
        assert not stations.watcher.running
    finally:
        stations.shutdown()


def test_shutdown_stops_the_watcher_joins_workers_then_closes_windows(
    qtbot, sqlite_core, make_voice
):
    tasks = TaskManager()
    voice = make_voice()
    stations = build_windows(build_station(sqlite_core), ["kiosk", "display"], tasks, voice=voice)
    stations.show()
    qtbot.waitUntil(lambda: stations.display.last_seen is not None)
    order: list[str] = []
    stations.kiosk.destroyed.connect(lambda: order.append("kiosk destroyed"))
    stations.shutdown()
    assert not stations.watcher.running
    assert tasks.closed and tasks.idle
    assert voice._thread.isFinished()
    assert not stations.kiosk.isVisible() and not stations.display.isVisible()
    stations.shutdown()  # twice is harmless
    assert order == []  # the windows outlive the shutdown; Python drops them later


def test_run_gui_shows_the_windows_and_quits_cleanly(qtbot, sqlite_core, monkeypatch):
    monkeypatch.setenv("HALLDESK_TTS_ENGINE", "mock")
    built = []
    real_build = application.build_windows

    def capture(*args, **kwargs):
        stations = real_build(*args, **kwargs)
        built.append(stations)
        return stations

    monkeypatch.setattr(application, "build_windows", capture)
    app = QApplication.instance()
    style_before = app.styleSheet()
    seen: dict[str, object] = {}

    def until_loaded(left: int = 200) -> None:
        kiosk = built[0].kiosk if built else None
        if kiosk is not None and kiosk.buttons:
            seen["title"] = kiosk.windowTitle()
            seen["style"] = app.styleSheet()
            seen["visible"] = kiosk.isVisible()
            app.quit()
        elif left:
            QTimer.singleShot(50, lambda: until_loaded(left - 1))
        else:
            app.quit()

    QTimer.singleShot(0, until_loaded)
    station = replace(build_station(sqlite_core), roles=("kiosk", "display"))
    assert application.run_gui(station) == 0
    assert seen["title"] == "HallDesk - 取号机"  # default language zh_CN
    assert "KioskWindow" in seen["style"]
    assert seen["visible"] is True
    stations = built[0]
    assert stations.voice is not None and stations.voice.engine_name == "mock"
    assert stations.tasks.closed
    assert not stations.watcher.running
    assert stations.voice._thread.isFinished()
    assert shiboken6.isValid(stations.kiosk)  # the windows outlive the workers
    assert not stations.kiosk.isVisible()
    # What run_gui installed on the shared application is taken off again.
    assert app.styleSheet() == style_before
    assert QCoreApplication.translate("KioskWindow", "Your number") == "Your number"
    # No stray quit is left behind: later event loops still run.
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks))
