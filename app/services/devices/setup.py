"""Building the port owners of a station's device settings, and what the admin screen
reads of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from app.devices.bus import BusDevice, BusMaster, BusTiming, DeviceKind
from app.devices.events import DeviceEvent
from app.devices.led import LedDisplays
from app.devices.printer import EscPosPrinter
from app.devices.transport import SerialPortInfo, list_serial_ports
from app.settings import DeviceSettings, Settings, SettingsError

BUS_KINDS = {
    "caller": DeviceKind.CALLER_KEYPAD,
    "evaluator": DeviceKind.EVALUATOR,
    "dispenser_panel": DeviceKind.DISPENSER,
}
DEFAULT_SCALE = 4


@dataclass(frozen=True)
class DeviceStatus:
    """What the admin screen shows of one configured device."""

    kind: str
    bus: str
    url: str
    address: int
    counter: int
    dispenser: str
    online: bool | None
    since: datetime | None
    last_event_at: datetime | None
    detail: str = ""
    port_state: str = ""
    """The port's `ConnectionState` value ("opening", "open", "failed", "closed"); "" before
    the hub starts."""
    port_detail: str = ""
    """Why the port is in that state: the OS error of a port that does not open."""
    fault: bool = False
    """The device reports a fault (bit 0 of its poll answer)."""


def evaluator_scale(devices: Iterable[DeviceSettings], counter: int) -> int:
    """Rating keys (4 or 5) of the evaluator at `counter`, 4 when it has none.

    The one answer for the counter window's rate button and the keypad's rate key, so a
    rating requested either way offers the customer the keys the evaluator has.
    """
    return next(
        (d.scale for d in devices if d.kind == "evaluator" and d.counter == counter),
        DEFAULT_SCALE,
    )


def serial_ports() -> list[SerialPortInfo]:
    """The serial ports of this machine, for the admin screen (no port is opened)."""
    return list_serial_ports()


Workers = tuple[
    dict[str, BusMaster],
    dict[str, tuple[EscPosPrinter, DeviceSettings]],
    dict[str, LedDisplays],
    dict[tuple[str, int], DeviceStatus],
]


def build_workers(
    settings: Settings,
    sink_for: Callable[[str], Callable[[DeviceEvent], None]],
    timing: BusTiming | None,
    status_timeout: float,
) -> Workers:
    """One owner per configured port (not started): bus masters by bus name, printers by
    dispenser, LED owners by bus name, and a status row per device."""
    buses_out: dict[str, BusMaster] = {}
    printers: dict[str, tuple[EscPosPrinter, DeviceSettings]] = {}
    leds: dict[str, LedDisplays] = {}
    status: dict[tuple[str, int], DeviceStatus] = {}
    buses = {b.name: b for b in settings.buses}
    by_bus: dict[str, list[DeviceSettings]] = {}
    for d in settings.devices:
        by_bus.setdefault(d.bus, []).append(d)
    for name, devices in by_bus.items():
        bus = buses[name]
        families = {_family(d.kind) for d in devices}
        if len(families) > 1:
            raise SettingsError(
                settings.path,
                f"bus '{name}' mixes {' and '.join(sorted(families))} devices; "
                "give each protocol its own port",
            )
        family = families.pop()
        sink = sink_for(name)
        if family == "hallbus":
            buses_out[name] = BusMaster(
                bus.url,
                [BusDevice(d.address, BUS_KINDS[d.kind], d.scale) for d in devices],
                on_event=sink,
                timing=timing,
                baudrate=bus.baud,
            )
        elif family == "escpos":
            if len(devices) != 1:
                raise SettingsError(settings.path, f"bus '{name}' has two printers")
            printer = EscPosPrinter(
                bus.url, baudrate=bus.baud, on_event=sink, status_timeout=status_timeout
            )
            printers[devices[0].dispenser or settings.station.dispenser] = (
                printer,
                devices[0],
            )
        else:
            leds[name] = LedDisplays(bus.url, baudrate=bus.baud, on_event=sink)
        for d in devices:
            status[(name, d.address)] = DeviceStatus(
                kind=d.kind,
                bus=name,
                url=bus.url,
                address=d.address,
                counter=d.counter,
                dispenser=d.dispenser,
                online=None,
                since=None,
                last_event_at=None,
            )
    return buses_out, printers, leds, status


def _family(kind: str) -> str:
    if kind in BUS_KINDS:
        return "hallbus"
    return "escpos" if kind == "printer" else "modbus"
