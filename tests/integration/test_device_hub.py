"""The hall's devices wired to the services: real ptys, the device simulator, a SQLite file.

Keypad keys become queue steps, the dispenser panel issues and prints tickets, the
evaluator records ratings, and every change reaches the keypad and LED displays.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.bootstrap import Core, build_core, build_device_hub, counter_desk
from app.devices import frame68
from app.devices.bus import BusTiming
from app.devices.escpos import PaperStatus
from app.devices.frame68 import BLANK_DIGIT, Command, Key
from app.devices.simulator.core import Simulator
from app.models import Alert, Evaluation, Ticket
from app.services.devices.health import RETRY_MAX
from app.services.devices.hub import DeviceHub
from app.services.devices.keypad import KeypadActions
from app.services.devices.setup import DeviceStatus, evaluator_scale
from app.settings import BusSettings, DeviceSettings, Settings
from tests.conftest import make_settings

HALL = "DEMO"
KEYPAD, EVALUATOR, PANEL, LED, LED_ASCII = 1, 11, 30, 1, 2
TIMING = BusTiming(poll_interval=0.3, rating_timeout=1.0, backoff_initial=0.1, backoff_max=0.5)


def wait_until(check: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    assert check(), "condition not met in time"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    s = Simulator(seed=1)
    s.add_keypad(KEYPAD)
    s.add_evaluator(EVALUATOR)
    s.add_dispenser(PANEL)
    s.add_printer()
    s.add_led(LED)
    s.add_led(LED_ASCII, "ascii")
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def hall(sim: Simulator, sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Core, DeviceHub]]:
    settings = make_settings(sqlite_url)
    settings = replace(
        settings,
        buses=(
            BusSettings("hallbus", sim.hall_url),
            BusSettings("printer", sim.printer_url),
            BusSettings("led", sim.led_url),
        ),
        devices=(
            DeviceSettings("caller", "hallbus", KEYPAD, counter=1),
            DeviceSettings("evaluator", "hallbus", EVALUATOR, counter=1),
            DeviceSettings(
                "dispenser_panel",
                "hallbus",
                PANEL,
                dispenser="D1",
                buttons={"1": "PAY", "2": "APPLY"},
            ),
            DeviceSettings("printer", "printer", 1, dispenser="D1"),
            DeviceSettings("led", "led", LED, counter=1),
            DeviceSettings("led", "led", LED_ASCII, counter=1, layout="ascii"),
        ),
    )
    core = build_core(settings, data_dir=tmp_path, demo=True)
    hub = build_device_hub(core, bus_timing=TIMING)
    assert hub is not None
    hub.start()
    try:
        yield core, hub
    finally:
        hub.stop()
        core.close()


def _login(core: Core, counter: int = 1) -> None:
    staff = core.auth.login(f"100{counter}", "1234")
    core.counters.open_session(HALL, counter, staff)


def _tickets(core: Core) -> int:
    with core.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_panel_button_issues_and_prints(hall: tuple[Core, DeviceHub], sim: Simulator) -> None:
    core, _ = hall
    sim.press_button(PANEL, 1)
    wait_until(lambda: any("A001" in line for line in sim.printer_lines()))
    lines = "\n".join(sim.printer_lines())
    assert "缴费业务" in lines and "示范营业厅" in lines
    assert sim.printer_qr_codes() == [f"DEMO-{_day(core)}-A001"]
    assert sim.printer_cuts() == 1
    assert _tickets(core) == 1


def test_paper_out_refuses_ticket_and_alerts(hall: tuple[Core, DeviceHub], sim: Simulator) -> None:
    core, _ = hall
    sim.set_paper(PaperStatus.OUT)
    sim.press_button(PANEL, 2)
    wait_until(lambda: sim.frames_received(PANEL, Command.BEEP))
    assert _tickets(core) == 0
    alerts = core.evaluations.alerts(HALL)
    assert [a.kind for a in alerts] == ["paper_out"]


def test_unmapped_button_beeps_and_issues_nothing(
    hall: tuple[Core, DeviceHub], sim: Simulator
) -> None:
    core, _ = hall
    sim.press_button(PANEL, 9)
    wait_until(lambda: sim.frames_received(PANEL, Command.BEEP))
    assert _tickets(core) == 0


def test_keypad_calls_next_and_displays(hall: tuple[Core, DeviceHub], sim: Simulator) -> None:
    core, _ = hall
    _login(core)
    core.queue.issue_ticket(HALL, "PAY")
    core.queue.issue_ticket(HALL, "PAY")
    sim.press_key(KEYPAD, Key.CALL_NEXT)
    wait_until(lambda: core.queries.counter_state(HALL, 1).current is not None)
    state = core.queries.counter_state(HALL, 1)
    assert state.current is not None and state.current.display_number == "A001"
    # keypad: 1 waiting (blank, blank, 1), ticket 001; LED above the counter: 1
    wait_until(lambda: sim.keypad_display(KEYPAD) == bytes([BLANK_DIGIT, BLANK_DIGIT, 1, 0, 0, 1]))
    wait_until(lambda: sim.led_value(LED) == 1)
    sim.press_key(KEYPAD, Key.FINISH)
    wait_until(lambda: core.queries.counter_state(HALL, 1).current is None)


def test_led_shows_the_letter_where_its_layout_can(
    hall: tuple[Core, DeviceHub], sim: Simulator
) -> None:
    core, _ = hall
    _login(core)
    core.queue.issue_ticket(HALL, "APPLY")  # B001
    core.queue.call_next(HALL, 1)
    wait_until(lambda: sim.led_text(LED_ASCII) == "B001")
    wait_until(lambda: sim.led_value(LED) == 1)  # the digits display: as before
    core.queue.finish(HALL, 1)
    wait_until(lambda: sim.led_text(LED_ASCII) == "")
    assert "B001" in sim.led_shown(LED_ASCII)
    assert all(len(shown) in (0, 4) for shown in sim.led_shown(LED_ASCII))  # never half


def test_refused_key_beeps_and_changes_nothing(
    hall: tuple[Core, DeviceHub], sim: Simulator
) -> None:
    core, _ = hall
    _login(core)
    before = core.queries.last_event_id(HALL)
    sim.press_key(KEYPAD, Key.FINISH)  # no current ticket
    wait_until(lambda: sim.frames_received(KEYPAD, Command.BEEP))
    assert core.queries.last_event_id(HALL) == before


CLOSED = [BLANK_DIGIT, BLANK_DIGIT] + [0] + [frame68.DASH_DIGIT] * 3  # "  0---"
OPEN_EMPTY = [BLANK_DIGIT, BLANK_DIGIT, 0] + [BLANK_DIGIT] * 3  # "  0   "
SECOND = timedelta(seconds=1)


def test_key_at_a_closed_counter_beeps_and_shows_closed(
    hall: tuple[Core, DeviceHub], sim: Simulator
) -> None:
    core, _ = hall
    # nobody is logged in at counter 1: its keypad says so from the start
    wait_until(lambda: sim.keypad_display(KEYPAD) == bytes(CLOSED))
    shown = len(sim.frames_received(KEYPAD, Command.DISPLAY))
    sim.press_key(KEYPAD, Key.CALL_NEXT)
    wait_until(lambda: sim.frames_received(KEYPAD, Command.BEEP))
    # the refusal sends the state again, so a keypad that lost it shows it too
    wait_until(lambda: len(sim.frames_received(KEYPAD, Command.DISPLAY)) > shown)
    assert sim.keypad_display(KEYPAD) == bytes(CLOSED)
    assert core.queries.counter_state(HALL, 1).current is None
    _login(core)  # the clerk logs in at the window: the keypad shows the counter again
    wait_until(
        lambda: (
            sim.keypad_display(KEYPAD) == bytes([BLANK_DIGIT, BLANK_DIGIT, 0] + [BLANK_DIGIT] * 3)
        )
    )


def test_window_change_reaches_keypad(hall: tuple[Core, DeviceHub], sim: Simulator) -> None:
    core, _ = hall
    _login(core)
    core.queue.issue_ticket(HALL, "APPLY")
    core.queue.call_next(HALL, 1)  # as the counter window would
    wait_until(
        lambda: sim.keypad_display(KEYPAD) == bytes([BLANK_DIGIT, BLANK_DIGIT, 0, 0, 0, 1]),
        timeout=1.5,
    )


def test_rating_from_keypad_is_recorded_with_alert(
    hall: tuple[Core, DeviceHub], sim: Simulator
) -> None:
    core, _ = hall
    _login(core)
    core.queue.issue_ticket(HALL, "PAY")
    core.queue.call_next(HALL, 1)
    sim.press_key(KEYPAD, Key.ASK_RATING)
    wait_until(
        lambda: any(f.data == b"\x0b" for f in sim.frames_received(EVALUATOR, Command.EVALUATOR))
    )
    job = sim.frames_received(EVALUATOR, Command.JOB_NUMBER)
    assert job and job[-1].data == b"1001"
    sim.rate(EVALUATOR, 3)
    wait_until(lambda: core.evaluations.alerts(HALL))
    with core.db.read() as s:
        ev = s.scalars(select(Evaluation)).one()
        assert ev.status == "rated" and ev.rating == 3
        assert s.scalar(select(func.count()).select_from(Alert)) == 1


def test_unanswered_rating_is_not_rated(hall: tuple[Core, DeviceHub], sim: Simulator) -> None:
    core, _ = hall
    _login(core)
    core.queue.issue_ticket(HALL, "PAY")
    core.queue.call_next(HALL, 1)
    core.evaluations.request_rating(HALL, 1)  # from the counter window
    wait_until(lambda: sim.frames_received(EVALUATOR, Command.CANCEL_RATING), timeout=4)

    def status() -> str:
        with core.db.read() as s:
            return s.scalars(select(Evaluation.status)).one()

    wait_until(lambda: status() == "not_rated")


def _day(core: Core) -> str:
    from zoneinfo import ZoneInfo

    return core.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")


def test_unplugged_bus_comes_back_and_resends_displays(
    hall: tuple[Core, DeviceHub], sim: Simulator
) -> None:
    core, _ = hall
    _login(core)
    core.queue.issue_ticket(HALL, "PAY")
    core.queue.issue_ticket(HALL, "PAY")
    wait_until(
        lambda: (
            sim.keypad_display(KEYPAD) == bytes([BLANK_DIGIT, BLANK_DIGIT, 2] + [BLANK_DIGIT] * 3)
        )
    )
    shown_before = len(sim.frames_received(KEYPAD, Command.DISPLAY))
    sim.unplug(1.0, "hall")
    time.sleep(0.2)
    assert sim.wait_plugged(5)
    back = time.monotonic()
    # within 2 s of the port returning: the display is re-sent and keys work again
    wait_until(lambda: len(sim.frames_received(KEYPAD, Command.DISPLAY)) > shown_before, 2.0)
    sim.press_key(KEYPAD, Key.CALL_NEXT)
    wait_until(lambda: core.queries.counter_state(HALL, 1).current is not None, 2.0)
    assert time.monotonic() - back < 4.0
    with core.db.read() as s:  # one press, one call: nothing recorded twice
        from app.models import TicketEvent

        calls = s.scalars(select(TicketEvent).where(TicketEvent.kind == "called")).all()
        assert len(calls) == 1


def test_device_offline_raises_alert_and_status(
    hall: tuple[Core, DeviceHub], sim: Simulator
) -> None:
    core, hub = hall
    wait_until(lambda: any(s.online for s in hub.statuses() if s.address == EVALUATOR))
    sim.set_muted(EVALUATOR, True)
    wait_until(lambda: any(a.kind == "device_offline" for a in core.evaluations.alerts(HALL)), 6)
    status = next(s for s in hub.statuses() if s.address == EVALUATOR and s.kind == "evaluator")
    assert status.online is False and status.since is not None
    sim.set_muted(EVALUATOR, False)
    wait_until(lambda: next(s for s in hub.statuses() if s.address == EVALUATOR).online is True, 6)


def test_evaluator_scale_is_the_counters_evaluator_or_four() -> None:
    devices = (
        DeviceSettings("caller", "hallbus", 1, counter=1),
        DeviceSettings("evaluator", "hallbus", 11, counter=1, scale=5),
        DeviceSettings("evaluator", "hallbus", 12, counter=2),
    )
    assert evaluator_scale(devices, 1) == 5
    assert evaluator_scale(devices, 2) == 4
    assert evaluator_scale(devices, 3) == 4  # no evaluator: the 4-key scale


# --------------------------------------------------------------------------- the database away
class PgRelay:
    """A TCP relay in front of the test PostgreSQL: `down()` refuses new connections and
    cuts the open ones, as a server that went away; `up()` listens on the same port again.
    The shared server itself is never stopped."""

    def __init__(self, url: str) -> None:
        self._target = make_url(url)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = self._target.set(host="127.0.0.1", port=self.port).render_as_string(
            hide_password=False
        )
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        self._spawn(self._accept, listener)

    def down(self) -> None:
        with self._lock:  # from now on the accepting thread keeps nothing it opens
            listener, self._listener = self._listener, None
            doomed, self._open = self._open, []
        if listener is not None:
            listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(5)
        self._threads = []

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="pg-relay")
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection((self._target.host, self._target.port))
            with self._lock:
                if self._listener is not listener:  # went down meanwhile
                    client.close()
                    server.close()
                    return
                self._open += [client, server]
            self._spawn(self._pump, client, server)
            self._spawn(self._pump, server, client)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _hub_on(core: Core, settings: Settings, **options: Any) -> DeviceHub:
    """The hub `build_device_hub` makes, with the hub's own options (shorter times)."""
    return DeviceHub(
        settings,
        KeypadActions(counter_desk(core, settings).press),
        core.queries,
        core.evaluations,
        core.dispenser,
        core.clock,
        bus_timing=TIMING,
        **options,
    )


def _hall_bus(sim: Simulator, url: str) -> Settings:
    return replace(
        make_settings(url),
        buses=(BusSettings("hallbus", sim.hall_url),),
        devices=(
            DeviceSettings("caller", "hallbus", KEYPAD, counter=1),
            DeviceSettings("evaluator", "hallbus", EVALUATOR, counter=1),
        ),
    )


def test_hub_backs_off_while_the_database_is_unreachable(
    sim: Simulator, pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL away for 5 s: the hub probes it with back-off (it used to retry at once:
    95 % of a core and thousands of warnings), says so once, keeps the alerts raised
    meanwhile and writes them, with their own times, when the database is back."""
    relay = PgRelay(pg_url)
    relay.up()
    settings = _hall_bus(sim, relay.url)
    core = build_core(settings, data_dir=tmp_path, demo=True)
    hub = _hub_on(core, settings)
    try:
        hub.start()
        wait_until(lambda: all(s.online for s in hub.statuses()))
        wait_until(lambda: sim.keypad_display(KEYPAD) == bytes(CLOSED))
        with caplog.at_level(logging.INFO):
            relay.down()
            down_at = core.clock.now()
            cpu, started = time.process_time(), time.monotonic()
            sim.set_muted(EVALUATOR)  # goes offline during the outage: its alert must wait
            wait_until(lambda: not next(s for s in hub.statuses() if s.kind == "evaluator").online)
            time.sleep(5.0 - (time.monotonic() - started))
            used = time.process_time() - cpu
            during = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert used < 0.5, f"{used:.2f} s of CPU in 5 s of outage"
        assert len(during) <= 3, [r.getMessage() for r in during]
        assert sum("database unreachable" in r.getMessage() for r in during) == 1
        caplog.clear()
        with caplog.at_level(logging.INFO):
            relay.up()
            back_at = core.clock.now()
            _login(core)  # the database is back: so are the keypad's displays
            wait_until(lambda: sim.keypad_display(KEYPAD) == bytes(OPEN_EMPTY), timeout=8)
            wait_until(lambda: core.evaluations.alert_history(HALL, "database/PC-1"))
        assert sum("reachable again" in r.getMessage() for r in caplog.records) == 1
        outage = core.evaluations.alert_history(HALL, "database/PC-1")
        assert [a.kind for a in outage] == ["database_unreachable"]
        assert outage[0].acknowledged_at is not None and outage[0].acknowledged_by is None
        # the end is when a probe found it back: at most the longest back-off later
        assert outage[0].acknowledged_at <= back_at + RETRY_MAX * SECOND + SECOND
        assert down_at <= outage[0].created_at <= down_at + SECOND
        offline = core.evaluations.device_history(HALL, "hallbus", EVALUATOR)
        assert [a.kind for a in offline] == ["device_offline"]
        assert offline[0].created_at < back_at and not offline[0].acknowledged
    finally:
        hub.stop()
        core.close()
        relay.down()


def _device_status(hub: DeviceHub, address: int) -> DeviceStatus:
    return next(s for s in hub.statuses() if s.bus == "hallbus" and s.address == address)


def _warnings(caplog: pytest.LogCaptureFixture, words: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and words in r.getMessage()
    ]


def test_device_back_online_resolves_its_alert_and_is_in_its_history(
    hall: tuple[Core, DeviceHub], sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    core, hub = hall
    wait_until(lambda: _device_status(hub, EVALUATOR).online)
    sim.set_muted(EVALUATOR, True)
    wait_until(lambda: core.evaluations.alerts(HALL), 6)
    offline_since = _device_status(hub, EVALUATOR).since
    with caplog.at_level(logging.INFO, logger="app.services.devices"):
        sim.set_muted(EVALUATOR, False)
        wait_until(lambda: not core.evaluations.alerts(HALL), 6)  # resolved by the system
        time.sleep(1.0)  # polls go on: nothing more is logged or raised
    back = [r.getMessage() for r in caplog.records if "back online" in r.getMessage()]
    assert len(back) == 1 and back[0].startswith(f"evaluator {EVALUATOR} on hallbus back online")
    history = core.evaluations.device_history(HALL, "hallbus", EVALUATOR)
    assert [(a.kind, a.severity) for a in history] == [
        ("device_offline", "warning"),
        ("device_online", "info"),
    ]
    offline, online = history
    assert offline.created_at == offline_since and offline.counter_number == 1
    assert offline.acknowledged_at == online.created_at  # back at
    assert offline.acknowledged_by is None and online.acknowledged  # a record, not a to-do
    assert _device_status(hub, KEYPAD).online  # the keypad was never touched
    assert core.evaluations.device_history(HALL, "hallbus", KEYPAD) == []


def test_device_fault_is_raised_once_and_resolved_when_it_clears(
    hall: tuple[Core, DeviceHub], sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    core, hub = hall
    wait_until(lambda: _device_status(hub, EVALUATOR).online)
    with caplog.at_level(logging.INFO, logger="app.services.devices"):
        sim.set_device_fault(EVALUATOR)
        wait_until(lambda: core.evaluations.alerts(HALL))
        time.sleep(4 * TIMING.poll_interval)  # four more answers with the bit set
        [alert] = core.evaluations.alerts(HALL)
        assert (alert.kind, alert.source) == ("device_fault", f"hallbus/{EVALUATOR}")
        assert _device_status(hub, EVALUATOR).fault
        sim.set_device_fault(EVALUATOR, False)
        wait_until(lambda: not core.evaluations.alerts(HALL))
    assert _warnings(caplog, "fault") == [
        f"evaluator {EVALUATOR} on hallbus reports a fault (status bit 0)"
    ]
    history = core.evaluations.device_history(HALL, "hallbus", EVALUATOR)
    assert [a.kind for a in history] == ["device_fault"]
    assert history[0].acknowledged_at is not None and history[0].acknowledged_by is None
    assert not _device_status(hub, EVALUATOR).fault


def test_a_port_that_does_not_open_is_alerted_shown_and_resolved(
    sim: Simulator, sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An adapter that is not there: the reason is logged once and shown on the device's
    status; after `port_alert_after` (10 s, 1 s here) an alert; plugged in, resolved."""
    adapter = tmp_path / "ttyUSB-late"
    settings = _hall_bus(sim, sqlite_url)
    settings = replace(
        settings,
        buses=(*settings.buses, BusSettings("annex", str(adapter))),
        devices=(*settings.devices, DeviceSettings("caller", "annex", 2, counter=2)),
    )
    core = build_core(settings, data_dir=tmp_path, demo=True)
    hub = _hub_on(core, settings, port_alert_after=1.0)
    with caplog.at_level(logging.INFO):
        hub.start()
        try:
            annex = lambda: next(s for s in hub.statuses() if s.bus == "annex")  # noqa: E731
            wait_until(lambda: annex().port_state == "failed")
            assert "No such file" in annex().port_detail
            # the other bus opens on its own, whichever of the two is tried first
            wait_until(lambda: _device_status(hub, KEYPAD).port_state == "open", 3)
            assert annex().port_state == "failed"
            time.sleep(0.5)
            assert not core.evaluations.alerts(HALL)  # not yet: it may just be slow
            wait_until(lambda: core.evaluations.alerts(HALL), 3)
            [alert] = core.evaluations.alerts(HALL)
            assert (alert.kind, alert.source) == ("port_unavailable", "annex")
            assert alert.message.startswith(f"bus annex: port {adapter} not open for 1 s: ")
            time.sleep(1.0)  # retries go on, nothing more is said
            other = Simulator(seed=2)
            other.add_keypad(2)
            other.start()
            try:
                adapter.symlink_to(other.hall_url)  # the adapter is plugged in
                wait_until(lambda: annex().port_state == "open", 3)
                wait_until(lambda: not core.evaluations.alerts(HALL))
                wait_until(lambda: annex().online)
            finally:
                hub.stop()
                other.stop()
        finally:
            hub.stop()
            core.close()
    failed = [m for m in _warnings(caplog, str(adapter)) if "failed" in m]
    assert len(failed) == 1 and "No such file" in failed[0]
    [resolved] = core.evaluations.alert_history(HALL, "annex")
    assert resolved.acknowledged_at is not None and resolved.acknowledged_by is None


def test_hub_started_without_the_database_catches_up_when_it_comes(
    sim: Simulator, pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    relay = PgRelay(pg_url)
    relay.up()
    settings = _hall_bus(sim, relay.url)
    core = build_core(settings, data_dir=tmp_path, demo=True)
    _login(core)
    core.queue.issue_ticket(HALL, "PAY")
    relay.down()
    hub = _hub_on(core, settings)
    try:
        with caplog.at_level(logging.INFO):
            hub.start()
            wait_until(lambda: all(s.online for s in hub.statuses()))
            time.sleep(1.0)
            assert sim.keypad_display(KEYPAD) is None  # nothing to show it with
            relay.up()
            # the displays are sent once the database answers (a probe within 5 s)
            one_waiting = bytes([BLANK_DIGIT, BLANK_DIGIT, 1] + [BLANK_DIGIT] * 3)
            wait_until(lambda: sim.keypad_display(KEYPAD) == one_waiting, timeout=8)
            core.queue.call_next(HALL, 1)  # and the event log is followed from then on
            wait_until(
                lambda: sim.keypad_display(KEYPAD) == bytes([BLANK_DIGIT] * 2 + [0, 0, 0, 1])
            )
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 2, warnings  # unreachable, reachable again
    finally:
        hub.stop()
        core.close()
        relay.down()


def test_hub_stops_at_once_while_backing_off(sim: Simulator, pg_url: str, tmp_path: Path) -> None:
    relay = PgRelay(pg_url)
    relay.up()
    settings = _hall_bus(sim, relay.url)
    core = build_core(settings, data_dir=tmp_path, demo=True)
    relay.down()
    hub = _hub_on(core, settings)
    try:
        hub.start()
        time.sleep(3.7)  # probes after 0.5, 1 and 2 s: the next one is 4 s away
        asked = time.monotonic()
        hub.stop()
        assert time.monotonic() - asked < 1.0
        assert not hub.running
    finally:
        hub.stop()
        core.close()
