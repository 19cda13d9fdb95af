"""Fixtures of the UI tests: background lanes, windows on a real Core, a mock speech engine.

The windows run against the real services on SQLite files and PostgreSQL (tests/conftest.py);
speech uses Qt's own 'mock' engine (100 ms per word, no sound), never a sound card.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import pytestqt.wait_signal
from PySide6.QtCore import QCoreApplication, QEvent, QLoggingCategory, Qt, SignalInstance
from PySide6.QtWidgets import QApplication

# Loading QtTextToSpeech loads Qt Multimedia, which warns that PipeWire is not installed
# on this machine and then uses PulseAudio; harmless, and not about HallDesk.
QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver.warning=false")

from app.bootstrap import Core, StationDevices, build_core, build_station, start_devices  # noqa: E402
from app.devices.bus import BusTiming  # noqa: E402
from app.settings import load_settings, save_settings  # noqa: E402
from app.ui.application import Stations, build_windows  # noqa: E402
from app.ui.counter import CounterWindow  # noqa: E402
from app.ui.i18n import Translations  # noqa: E402
from app.ui.qtcompat import disconnect  # noqa: E402
from app.ui.taskman import TaskManager  # noqa: E402
from app.ui.voice import VoiceCaller  # noqa: E402
from tests.conftest import make_settings  # noqa: E402


def _silent_disconnect(signal: SignalInstance, slot: Callable[..., object]) -> None:
    with contextlib.suppress(TypeError, RuntimeError):  # as pytest-qt's own
        disconnect(signal, slot)


def _spy_exit(self: pytestqt.wait_signal.SignalEmittedSpy, *_exc: object) -> None:
    disconnect(self.signal, self.slot)


# pytest-qt disconnects its waitSignal(s) and assertNotEmitted slots with a bare
# `signal.disconnect(slot)`, which on a binding with the bug of app/ui/qtcompat.py takes
# a reference off `True` each time: some hundred waitSignal over the suite, and the
# interpreter aborted in its final collection ("bool_dealloc"). Its two disconnecting
# places go through the app's safe `disconnect` instead (test_qtcompat.py checks it).
assert callable(pytestqt.wait_signal._silent_disconnect), "pytest-qt changed: see above"
assert "__exit__" in vars(pytestqt.wait_signal.SignalEmittedSpy), "pytest-qt changed"
pytestqt.wait_signal._silent_disconnect = _silent_disconnect
pytestqt.wait_signal.SignalEmittedSpy.__exit__ = _spy_exit  # type: ignore[method-assign]

# The offscreen platform plugin reports on every window shown that it cannot propagate
# size hints to a (non-existent) window system; nothing a test can act on.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread() -> Iterator[None]:
    """Collect the test's widgets here, with no worker running: Python's cycle collector
    may otherwise run in a worker thread and destroy a widget there."""
    yield
    gc.collect()


@pytest.fixture(scope="session", autouse=True)
def _no_widget_left_for_the_finaliser(qapp: QApplication) -> Iterator[None]:
    """At the end of the session, delete every widget still alive and collect, while the
    QApplication exists: left to Python's finaliser, PySide6 objects are torn down in an
    arbitrary order after Qt's, which crashed the interpreter at exit now and then."""
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    gc.collect()


@pytest.fixture
def tasks(qapp: QApplication) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


@pytest.fixture
def make_voice(qapp: QApplication) -> Iterator[Callable[..., VoiceCaller]]:
    """VoiceCaller factory on the mock engine; every caller is shut down after the test."""
    made: list[VoiceCaller] = []

    def make(languages: tuple[str, ...] = ("en_US",), **kwargs: object) -> VoiceCaller:
        kwargs.setdefault("engine", "mock")
        kwargs.setdefault("fallback_command", None)
        voice = VoiceCaller(languages, **kwargs)  # type: ignore[arg-type]
        made.append(voice)
        return voice

    yield make
    for voice in made:
        voice.shutdown()


@pytest.fixture
def make_stations(
    qtbot, make_voice: Callable[..., VoiceCaller]
) -> Iterator[Callable[..., Stations]]:
    """Build the windows of `roles` on `core` (shown), shut them down after the test."""
    built: list[Stations] = []

    def make(core: Core, roles: list[str], *, voice: VoiceCaller | None = None) -> Stations:
        tasks = TaskManager()
        station = getattr(core, "station", None) or build_station(core)
        stations = build_windows(station, roles, tasks, voice=voice)
        for window in stations.windows:
            qtbot.addWidget(window)
        stations.show()
        built.append(stations)
        return stations

    yield make
    for stations in built:
        stations.shutdown()


@pytest.fixture
def english(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """English with its plural forms ("1 person", "2 people")."""
    translations = Translations(qapp, "en")
    assert translations.install(tmp_path_factory.mktemp("qm"))
    yield
    translations.remove()


@pytest.fixture
def chinese(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    translations = Translations(qapp, "zh_CN")
    assert translations.install(tmp_path_factory.mktemp("qm"))
    yield
    translations.remove()


def log_in(qtbot, window: CounterWindow, job: str = "1001", password: str = "1234") -> None:
    """Log in through the counter's dialog as a clerk would, then focus the window."""
    qtbot.waitUntil(lambda: window.login_dialog is not None)
    dialog = window.login_dialog
    assert dialog is not None
    dialog.job_number.clear()
    dialog.password.clear()
    qtbot.keyClicks(dialog.job_number, job)
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.staff is not None, timeout=20_000)
    assert window.login_dialog is None
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


DEMO_TIMING = BusTiming(poll_interval=0.3, rating_timeout=3.0, backoff_initial=0.1, backoff_max=0.5)


@pytest.fixture
def demo_core(sqlite_url: str, tmp_path: Path) -> Iterator[Core]:
    """A core whose devices are the demo's simulated ones (as scripts/run starts them)."""
    settings = make_settings(sqlite_url)
    path = tmp_path / "halldesk.toml"
    save_settings(settings, path)
    core = build_core(load_settings(path), data_dir=tmp_path, demo=True)
    devices = start_devices(core, demo=True, bus_timing=DEMO_TIMING)
    try:
        yield DemoRig(core, devices)
    finally:
        devices.stop()
        core.close()


class DemoRig:
    """The core's services, the running demo devices and the settings they run on."""

    def __init__(self, core: Core, devices: StationDevices) -> None:
        self.core = core
        self.devices = devices
        self.settings = devices.settings
        self.demo_devices = devices.demo
        self.station = build_station(core, devices)

    def __getattr__(self, name: str) -> object:
        return getattr(self.core, name)
