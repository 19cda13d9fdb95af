"""The hall's devices wired to the services: real ptys, the device simulator, a SQLite file.

Keypad keys become queue steps, the dispenser panel issues and prints tickets, the
evaluator records ratings, and every change reaches the keypad and LED displays.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bootstrap import Core, build_core, build_device_hub
from app.devices import frame68
from app.devices.bus import BusTiming
from app.devices.escpos import PaperStatus
from app.devices.frame68 import BLANK_DIGIT, Command, Key
from app.devices.simulator.core import Simulator
from app.models import Alert, Evaluation, Ticket
from app.services.devices.hub import DeviceHub
from app.services.devices.setup import evaluator_scale
from app.settings import BusSettings, DeviceSettings
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
