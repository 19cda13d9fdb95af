"""The live status of the hall's devices and ports, and what its changes tell the manager.

The hub's thread feeds it the bus events; it keeps one `DeviceStatus` per configured device
(read by the admin screen from any thread), logs each change once and raises or resolves
the alerts through the hub's `AlertLane`. A device's alerts have the source "bus/address"
(`device_source`), so `EvaluationService.device_history` lists its whole story:

| what happens | logged (once) | alert |
| --- | --- | --- |
| three missed polls | by the bus | `device_offline` raised |
| it answers again | "back online after N s" | `device_offline` resolved, `device_online` |
| fault bit set in its poll answer | "reports a fault" | `device_fault` raised |
| fault bit clear again | "fault cleared" | `device_fault` resolved |
| port not open for `port_alert_after` s | by the port owner | `port_unavailable` raised |
| port open | by the port owner | `port_unavailable` resolved |

A port's alerts have the bus name as their source; `device_online` is a record (severity
info, resolved as it is written) of when the device came back.

The first answer after a start also resolves what an earlier run left open (a device that
came back while nothing was watching), and records it as back online.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from app.devices.transport import ConnectionState
from app.services.clock import Clock
from app.services.devices.health import AlertLane, AlertOp
from app.services.devices.setup import DeviceStatus
from app.services.evaluation.alerts import device_source

log = logging.getLogger(__name__)

OFFLINE, ONLINE, FAULT, PORT = "device_offline", "device_online", "device_fault", "port_unavailable"
Key = tuple[str, int]


class DeviceBoard:
    def __init__(
        self,
        statuses: dict[Key, DeviceStatus],
        alerts: AlertLane,
        clock: Clock,
        *,
        port_alert_after: float = 10.0,
    ) -> None:
        self._status = statuses
        self._alerts = alerts
        self._clock = clock
        self._port_alert_after = port_alert_after
        self._port_down: dict[str, float] = {}  # bus -> monotonic time it was last not open
        self._port_alerted: set[str] = set()
        self._listeners: list[Callable[[DeviceStatus], None]] = []

    # ------------------------------------------------------------------ any thread
    def statuses(self) -> list[DeviceStatus]:
        return sorted(self._status.values(), key=lambda s: (s.bus, s.address))

    def subscribe(self, listener: Callable[[DeviceStatus], None]) -> None:
        self._listeners.append(listener)

    # ------------------------------------------------------------------ hub thread
    def start(self) -> None:
        """The ports are being opened: none is open yet."""
        now = time.monotonic()
        self._port_down = {s.bus: now for s in self._status.values()}
        self._port_alerted.clear()

    def touch(self, bus: str, address: int) -> None:
        if (bus, address) in self._status:
            self._update((bus, address), last_event_at=self._clock.now())

    def online(self, bus: str, address: int, fault: bool) -> None:
        key = (bus, address)
        old = self._status.get(key)
        if old is None or old.online is True:
            return
        now = self._clock.now()
        self._update(key, online=True, since=now)
        name, source = _name(old), device_source(bus, address)
        back = AlertOp(
            "record",
            (ONLINE,),
            source,
            now,
            f"{name} is back online",
            counter=old.counter or None,
            severity="info",
        )
        if old.online is False:
            log.info("%s back online after %s", name, _lasted(old.since, now))
            self._alerts.resolve((OFFLINE,), source, then=back)
        else:  # first answer since the start: close what an earlier run left open
            self._alerts.resolve((OFFLINE,) if fault else (OFFLINE, FAULT), source, then=back)
        self.fault(bus, address, fault)

    def offline(self, bus: str, address: int) -> None:
        key = (bus, address)
        old = self._status.get(key)
        if old is None or old.online is False:
            return
        now = self._clock.now()
        self._update(key, online=False, since=now)
        source, counter = device_source(bus, address), old.counter or None
        self._alerts.raise_alert(
            OFFLINE, source, f"{_name(old)} is offline", counter=counter, at=now
        )

    def fault(self, bus: str, address: int, fault: bool) -> None:
        """The fault bit of the device's poll answers (the bus reports it when it changes)."""
        key = (bus, address)
        old = self._status.get(key)
        if old is None or old.fault == fault:
            return
        self._update(key, fault=fault)
        name, source = _name(old), device_source(bus, address)
        if fault:
            log.warning("%s reports a fault (status bit 0)", name)
            self._alerts.raise_alert(
                FAULT, source, f"{name} reports a fault", counter=old.counter or None
            )
        else:
            log.info("%s: fault cleared", name)
            self._alerts.resolve((FAULT,), source)

    def port(self, bus: str, state: ConnectionState, detail: str) -> None:
        for key in [k for k in self._status if k[0] == bus]:
            self._update(key, port_state=state.value, port_detail=detail)
        if state is ConnectionState.OPEN:
            self._port_down.pop(bus, None)
            self._port_alerted.discard(bus)
            self._alerts.resolve((PORT,), bus)
        else:
            self._port_down.setdefault(bus, time.monotonic())

    def paper(self, bus: str, detail: str) -> None:
        for key in [k for k in self._status if k[0] == bus]:
            self._update(key, detail=detail)

    def next_deadline(self) -> float:
        """When `tick` has something to do (monotonic), or infinity."""
        waiting = [t for b, t in self._port_down.items() if b not in self._port_alerted]
        return min(waiting) + self._port_alert_after if waiting else math.inf

    def tick(self) -> None:
        """Alert the ports that have not opened for `port_alert_after` seconds."""
        now = time.monotonic()
        for bus, since in list(self._port_down.items()):
            if bus in self._port_alerted or now - since < self._port_alert_after:
                continue
            self._port_alerted.add(bus)
            row = next(s for s in self._status.values() if s.bus == bus)
            reason = row.port_detail or row.port_state or "not opened yet"
            message = f"bus {bus}: port {row.url} not open for {now - since:.0f} s: {reason}"
            log.info("%s (alert raised)", message)
            self._alerts.raise_alert(PORT, bus, message)

    def _update(self, key: Key, **changes: object) -> None:
        status = replace(self._status[key], **changes)  # type: ignore[arg-type]
        self._status[key] = status
        for listener in self._listeners:
            listener(status)


def _name(status: DeviceStatus) -> str:
    return f"{status.kind} {status.address} on {status.bus}"


def _lasted(since: datetime | None, now: datetime) -> str:
    return f"{(now - since).total_seconds():.0f} s offline" if since else "being offline"
