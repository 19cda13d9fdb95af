"""Helpers shared by the pty device tests (imported by conftest and the tests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from app.devices.bus import BusDevice, BusTiming, DeviceKind
from app.devices.events import DeviceEvent

E = TypeVar("E")

FAST = BusTiming(
    poll_interval=0.25,
    poll_timeout=0.1,
    missed_polls=3,
    rating_timeout=2.0,
    backoff_initial=0.1,
    backoff_max=0.5,
)


def wait_until(predicate: Callable[[], Any], timeout: float = 3.0, step: float = 0.01) -> Any:
    """Poll ``predicate`` until it is truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(step)


class EventLog:
    """Collects events from a port owner's thread (its ``on_event`` callback)."""

    def __init__(self) -> None:
        self._events: list[tuple[float, DeviceEvent]] = []
        self._cond = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self._cond:
            self._events.append((time.monotonic(), event))
            self._cond.notify_all()

    @property
    def events(self) -> list[DeviceEvent]:
        with self._cond:
            return [e for _, e in self._events]

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def wait_for(
        self,
        kind: type[E],
        match: Callable[[E], bool] = lambda _: True,
        timeout: float = 3.0,
        after: float = 0.0,
    ) -> tuple[float, E]:
        """The first event of ``kind`` matching ``match`` logged at or after ``after``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for stamp, event in self._events:
                    if stamp >= after and isinstance(event, kind) and match(event):
                        return stamp, event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"no {kind.__name__} within {timeout} s; got {self.events}")
                self._cond.wait(remaining)

    def clear(self) -> None:
        with self._cond:
            self._events.clear()


HALL_DEVICES = [
    BusDevice(3, DeviceKind.CALLER_KEYPAD),
    BusDevice(5, DeviceKind.EVALUATOR, rating_keys=4),
    BusDevice(6, DeviceKind.EVALUATOR, rating_keys=5),
    BusDevice(9, DeviceKind.DISPENSER),
]
