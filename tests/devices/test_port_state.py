"""A port's state and why: logged and reported once per change, not once per retry."""

from __future__ import annotations

import logging
import time

import pytest

from app.devices.bus import BusMaster
from app.devices.events import DeviceOnline, PortStateChanged
from app.devices.simulator import Simulator
from app.devices.transport import ConnectionState
from tests.devices.pty_helpers import FAST, HALL_DEVICES, EventLog, wait_until


def _port_lines(caplog: pytest.LogCaptureFixture, url: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.devices.worker" and url in r.message]


@pytest.mark.parametrize(
    ("url", "reason"),
    [("/dev/ttyNOPE9", "No such file"), ("socket://127.0.0.1:1", "refused")],
)
def test_a_port_that_never_opens_says_why_once(
    url: str, reason: str, events: EventLog, caplog: pytest.LogCaptureFixture
) -> None:
    master = BusMaster(url, HALL_DEVICES[:1], on_event=events, timing=FAST)
    with caplog.at_level(logging.DEBUG, logger="app.devices"):
        master.start()
        try:
            # back-off 0.1, 0.2, 0.4, 0.5 s: at least four attempts in 1.5 s
            time.sleep(1.5)
            assert master.state is ConnectionState.FAILED
            assert reason in master.detail
        finally:
            master.stop()
    failed = [e for e in events.of(PortStateChanged) if e.state is ConnectionState.FAILED]
    assert len(failed) == 1 and reason in failed[0].detail
    assert failed[0].detail.startswith("cannot open: ")
    warnings = [r for r in _port_lines(caplog, url) if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.message for r in warnings]
    assert reason in warnings[0].message


def test_lost_and_back_each_logged_once_with_the_reason(
    sim: Simulator, events: EventLog, caplog: pytest.LogCaptureFixture
) -> None:
    master = BusMaster(sim.hall_url, HALL_DEVICES, on_event=events, timing=FAST)
    with caplog.at_level(logging.INFO, logger="app.devices"):
        master.start()
        try:
            events.wait_for(DeviceOnline)
            sim.unplug(1.2, "hall")  # the adapter is pulled: lost, then cannot reopen
            assert sim.wait_plugged(3)
            back = time.monotonic()
            events.wait_for(PortStateChanged, lambda e: e.state is ConnectionState.OPEN, after=back)
            wait_until(lambda: master.state is ConnectionState.OPEN)
        finally:
            master.stop()
    changes = [(e.state, e.detail.split(":")[0]) for e in events.of(PortStateChanged)]
    assert changes == [
        (ConnectionState.OPENING, ""),
        (ConnectionState.OPEN, ""),
        (ConnectionState.FAILED, "lost"),
        (ConnectionState.FAILED, "cannot open"),  # the reason changed: said once more
        (ConnectionState.OPEN, ""),
        (ConnectionState.CLOSED, ""),
    ]
    lines = [r.message for r in _port_lines(caplog, sim.hall_url)]
    assert lines == [
        f"bus on {sim.hall_url} open",
        f"bus on {sim.hall_url} failed: {events.of(PortStateChanged)[2].detail}",
        f"bus on {sim.hall_url} failed: {events.of(PortStateChanged)[3].detail}",
        f"bus on {sim.hall_url} open",
    ]
