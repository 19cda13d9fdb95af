"""LedDisplays (Modbus RTU) against the simulated displays over a real pty."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.devices.events import PortStateChanged
from app.devices.led import LedDisplays, ModbusDeviceError, ModbusTimeoutError
from app.devices.modbus import ExceptionCode, LedLayout
from app.devices.simulator import Fault, Simulator
from app.devices.transport import ConnectionState
from tests.devices.pty_helpers import EventLog


@pytest.fixture
def leds(sim: Simulator, events: EventLog) -> Iterator[LedDisplays]:
    displays = LedDisplays(sim.led_url, on_event=events, response_timeout=0.15, retries=1)
    displays.start()
    events.wait_for(PortStateChanged, lambda e: e.state is ConnectionState.OPEN)
    try:
        yield displays
    finally:
        displays.stop()


def test_show_and_read_back(sim: Simulator, leds: LedDisplays) -> None:
    assert leds.show(1, 12).result(timeout=2) == 12
    assert leds.show(2, 65535).result(timeout=2) == 65535
    assert sim.led_value(1) == 12
    assert sim.led_value(2) == 65535
    assert leds.read_register(1).result(timeout=2) == 12
    futures = [leds.show(1, n) for n in range(100, 110)]  # queued, one at a time
    assert [f.result(timeout=3) for f in futures] == list(range(100, 110))
    assert sim.led_writes(1) == [12, *range(100, 110)]


def test_ascii_display_shows_the_whole_number(sim: Simulator, leds: LedDisplays) -> None:
    assert leds.show_number(3, "A001", LedLayout.ASCII).result(timeout=2) == 4  # registers
    assert sim.led_text(3) == "A001"
    assert leds.show_number(3, "B012", LedLayout.ASCII).result(timeout=2) == 4
    assert leds.show_number(3, "", LedLayout.ASCII).result(timeout=2) == 4
    # one function 16 per number: the display never showed half of one and half of another
    assert sim.led_shown(3) == ["A001", "B012", ""]
    with pytest.raises(ValueError):
        leds.show_number(3, "A0001", LedLayout.ASCII)


def test_digits_display_keeps_the_digits_and_refuses_text(
    sim: Simulator, leds: LedDisplays
) -> None:
    assert leds.show_number(1, "A001", LedLayout.DIGITS).result(timeout=2) == 1
    assert sim.led_text(1) == "1"
    # a digits display configured as ascii answers an exception: the mistake is seen
    with pytest.raises(ModbusDeviceError) as caught:
        leds.show_number(1, "A001", LedLayout.ASCII).result(timeout=2)
    assert caught.value.code == ExceptionCode.ILLEGAL_DATA_ADDRESS
    assert sim.led_text(1) == "1"
    assert leds.show_number(1, "C120", LedLayout.DIGITS).result(timeout=2) == 120


def test_broadcast_reaches_every_display(sim: Simulator, leds: LedDisplays) -> None:
    assert leds.show(0, 888).result(timeout=2) == 888
    time.sleep(0.05)
    assert (sim.led_value(1), sim.led_value(2)) == (888, 888)


def test_exception_reply(sim: Simulator, leds: LedDisplays) -> None:
    with pytest.raises(ModbusDeviceError) as caught:
        leds.write_register(1, 7, 1).result(timeout=2)
    assert caught.value.code == ExceptionCode.ILLEGAL_DATA_ADDRESS
    assert leds.show(1, 5).result(timeout=2) == 5  # the port carries on


def test_missing_display_times_out_after_retry(sim: Simulator, leds: LedDisplays) -> None:
    started = time.monotonic()
    with pytest.raises(ModbusTimeoutError):
        leds.show(9, 1).result(timeout=2)
    assert time.monotonic() - started >= 2 * 0.15  # the try and one retry
    with pytest.raises(ValueError):
        leds.show(1, 70000)


@pytest.mark.parametrize(
    ("fault", "value"),
    [(Fault.NO_ACK, 1), (Fault.BAD_CHECKSUM, 1), (Fault.NOISE, 1), (Fault.SLOW, 0.05)],
)
def test_faults_are_survived(sim: Simulator, leds: LedDisplays, fault: Fault, value: float) -> None:
    sim.set_fault(fault, value, port="led")
    assert leds.show(2, 321).result(timeout=2) == 321
    assert sim.led_value(2) == 321


def test_too_slow_display_times_out(sim: Simulator, leds: LedDisplays) -> None:
    sim.set_fault(Fault.SLOW, 0.5, port="led")
    with pytest.raises(ModbusTimeoutError):
        leds.show(1, 44).result(timeout=3)
    sim.set_fault(Fault.NONE, port="led")
    time.sleep(0.6)  # let the late answers arrive and be ignored
    assert leds.show(1, 45).result(timeout=2) == 45
