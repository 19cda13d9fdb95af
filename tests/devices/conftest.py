"""Fixtures for the device tests: the simulator on real pty pairs and the host side.

Timings are shortened (polls every 0.25 s instead of 5 s) so the whole run stays fast;
every test checks that it leaves no thread and no pty symlink behind.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from app.devices.bus import BusMaster
from app.devices.events import DeviceOnline
from app.devices.simulator import Simulator
from tests.devices.pty_helpers import FAST, HALL_DEVICES, EventLog, wait_until


def _open_ptys() -> set[str]:
    """This process's file descriptors on a pty (Linux; empty elsewhere)."""
    found = set()
    fd_dir = "/proc/self/fd"
    for name in os.listdir(fd_dir) if os.path.isdir(fd_dir) else []:
        try:
            target = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue
        if target == "/dev/ptmx" or target.startswith("/dev/pts/"):
            found.add(f"{name}->{target}")
    return found


@pytest.fixture(autouse=True)
def no_leftovers() -> Iterator[None]:
    before = set(threading.enumerate())
    ptys_before = _open_ptys()
    yield
    assert _open_ptys() <= ptys_before, "pty file descriptors left open"
    deadline = time.monotonic() + 2.0
    while True:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not extra, f"threads left running: {extra}"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A hall: keypad 3, 4-key evaluator 5, 5-key evaluator 6, dispenser 9, printer, LEDs
    1 and 2 (digits) and 3 (ascii: shows letters)."""
    simulator = Simulator(seed=1234)
    simulator.add_keypad(3)
    simulator.add_evaluator(5, keys=4)
    simulator.add_evaluator(6, keys=5)
    simulator.add_dispenser(9)
    simulator.add_printer()
    simulator.add_led(1)
    simulator.add_led(2)
    simulator.add_led(3, "ascii")
    simulator.start()
    directory = simulator.directory
    try:
        yield simulator
    finally:
        simulator.stop()
    assert not os.path.exists(directory)


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def bus(sim: Simulator, events: EventLog) -> Iterator[BusMaster]:
    """A started bus master on the simulator's hall bus, every device seen online."""
    master = BusMaster(sim.hall_url, HALL_DEVICES, on_event=events, timing=FAST)
    master.start()
    try:
        expected = {d.address for d in HALL_DEVICES}
        wait_until(lambda: expected <= {e.address for e in events.of(DeviceOnline)})
        yield master
    finally:
        master.stop()
    assert not master.running
