"""The :class:`Simulator`: every simulated device, driven from Python or a script.

Typical use (tests, demos)::

    with Simulator(pace=False) as sim:          # starts on enter, stops on exit
        ...

or ``sim = Simulator(); sim.add_keypad(3); sim.start(); ...; sim.stop()``.  Devices on the
hall bus share one port (``sim.hall_url``), the printer has its own (``sim.printer_url``),
the LED displays theirs (``sim.led_url``).  With ptys these URLs are stable symlinks in
``directory``: configure the host with them, they survive :meth:`Simulator.unplug`.
Every method may be called from any thread.  Actions (a key press, a fault, unplugging)
run on the port threads and return once they have taken effect (a frame is on its way, not
yet answered); readers take the port's lock and return a snapshot.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
from collections.abc import Callable
from enum import Enum
from types import TracebackType
from typing import TypeVar

from app.devices import frame68
from app.devices.escpos import PaperStatus
from app.devices.escpos_decode import Cut, PrintLine, QrPrinted
from app.devices.frame68 import Frame, Key
from app.devices.modbus import LedLayout
from app.devices.simulator.endpoints import Endpoint, PtyEndpoint, TcpEndpoint
from app.devices.simulator.hallbus import (
    HallBusHandler,
    SimBusDevice,
    SimDispenser,
    SimEvaluator,
    SimKeypad,
)
from app.devices.simulator.peripherals import LedHandler, PrinterHandler
from app.devices.simulator.ports import PortHandler, SimPort

T = TypeVar("T")

HALL, PRINTER, LED = "hall", "printer", "led"
PORT_NAMES = (HALL, PRINTER, LED)


class Fault(Enum):
    NOISE = "noise"
    BAD_CHECKSUM = "badcs"
    NO_ACK = "noack"
    SLOW = "slow"
    NONE = "none"


class Simulator:
    """Plays caller keypads, evaluators, a dispenser panel, a printer and LED displays."""

    def __init__(
        self,
        directory: str | None = None,
        *,
        tcp_port: int | None = None,
        baudrate: int = 9600,
        pace: bool = False,
        retry_interval: float = 0.3,
        max_retries: int = 3,
        seed: int | None = None,
    ) -> None:
        self._own_directory = directory is None and tcp_port is None
        self.directory = directory or ""
        self.tcp_port = tcp_port
        self.baudrate = baudrate
        self.pace = pace
        self.hall = HallBusHandler(
            retry_interval=retry_interval, max_retries=max_retries, rng=random.Random(seed)
        )
        self.printer: PrinterHandler | None = None
        self.led = LedHandler()
        self.ports: dict[str, SimPort] = {}
        self._started = False
        self._lock = threading.Lock()

    # --- set-up -------------------------------------------------------------------

    def add_keypad(self, address: int) -> None:
        self._add_bus_device(SimKeypad(address))

    def add_evaluator(self, address: int, keys: int = 4) -> None:
        if keys not in (4, 5):
            raise ValueError("evaluators have 4 or 5 keys")
        self._add_bus_device(SimEvaluator(address, keys=keys))

    def add_dispenser(self, address: int) -> None:
        self._add_bus_device(SimDispenser(address))

    def add_printer(self, paper: PaperStatus = PaperStatus.OK) -> None:
        if self.printer is not None:
            raise ValueError("the simulator plays one printer")
        self._require_not_started("printer")
        self.printer = PrinterHandler(paper)

    def add_led(self, address: int, layout: LedLayout | str = LedLayout.DIGITS) -> None:
        """A display of ``layout``: ``digits`` (register 0) or ``ascii`` (characters)."""
        shape = LedLayout(layout)
        self._in_port(LED, lambda: self.led.add(address, shape), create_ok=not self._started)

    def _add_bus_device(self, device: SimBusDevice) -> None:
        self._in_port(HALL, lambda: self.hall.add(device), create_ok=not self._started)

    def _require_not_started(self, what: str) -> None:
        if self._started:
            raise RuntimeError(f"add the {what} before start()")

    def _in_port(self, name: str, fn: Callable[[], None], *, create_ok: bool) -> None:
        port = self.ports.get(name)
        if port is None:
            if not create_ok:
                raise RuntimeError(f"no {name} port: add its devices before start()")
            fn()
            return
        with port.lock:
            fn()

    def start(self) -> None:
        """Create the ports (ptys or TCP listeners) and start their threads."""
        if self._started:
            raise RuntimeError("simulator already started")
        if self.tcp_port is None and not hasattr(os, "openpty"):
            self.tcp_port = 0  # no ptys (Windows): TCP ports chosen by the OS
        if self.tcp_port is None and not self.directory:
            self.directory = tempfile.mkdtemp(prefix="halldesk-sim-")
        handlers: dict[str, PortHandler] = {}
        if self.hall.devices:
            handlers[HALL] = self.hall
        if self.printer is not None:
            handlers[PRINTER] = self.printer
        if self.led.displays:
            handlers[LED] = self.led
        try:
            for offset, (name, handler) in enumerate(handlers.items()):
                port = SimPort(
                    self._endpoint(name, offset),
                    handler,
                    baudrate=self.baudrate,
                    pace=self.pace,
                    name=name,
                )
                port.start()
                self.ports[name] = port
        except BaseException:
            self.stop()
            raise
        self._started = True

    def _endpoint(self, name: str, offset: int) -> Endpoint:
        if self.tcp_port is None:
            return PtyEndpoint(self.directory, name)
        return TcpEndpoint(self.tcp_port + offset if self.tcp_port else 0)

    def stop(self) -> None:
        """Stop every port thread, close the ptys, remove the symlinks."""
        for port in self.ports.values():
            port.stop()
        self.ports.clear()
        self._started = False
        if self._own_directory and self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = ""

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- URLs ---------------------------------------------------------------------

    def url(self, port: str = HALL) -> str:
        return self._port(port).url

    @property
    def hall_url(self) -> str:
        return self.url(HALL)

    @property
    def printer_url(self) -> str:
        return self.url(PRINTER)

    @property
    def led_url(self) -> str:
        return self.url(LED)

    def _port(self, name: str) -> SimPort:
        try:
            return self.ports[name]
        except KeyError:
            raise KeyError(f"no {name} port (started, with such devices?)") from None

    # --- actions ------------------------------------------------------------------

    def _bus_device(self, address: int, kind: type[SimBusDevice]) -> SimBusDevice:
        device = self.hall.devices.get(address)
        if not isinstance(device, kind):
            raise KeyError(f"no {kind.__name__} at address {address}")
        return device

    def _transmit(self, device: SimBusDevice, frame: Frame) -> None:
        self._port(HALL).call(lambda: self.hall.transmit(device, frame))

    def press_key(self, address: int, key: Key | int | bytes) -> None:
        """The clerk presses ``key`` (a :class:`Key`, or raw data bytes / one byte)."""
        device = self._bus_device(address, SimKeypad)
        if isinstance(key, Key):
            data = frame68.key_bytes(key)
        elif isinstance(key, bytes):
            data = key
        else:
            data = bytes((key,))
        self._transmit(device, Frame(address, frame68.Command.KEY, data))

    def rate(self, address: int, rating: int) -> None:
        """The customer presses rating ``rating`` (invalid values are sent as they are)."""
        device = self._bus_device(address, SimEvaluator)
        self._transmit(device, frame68.rating_given(address, rating))

    def press_button(self, address: int, button: int) -> None:
        device = self._bus_device(address, SimDispenser)
        self._transmit(device, frame68.button_pressed(address, button))

    def send_raw(self, data: bytes, port: str = HALL) -> None:
        """Write arbitrary bytes to the host."""
        sim_port = self._port(port)
        sim_port.call(lambda: sim_port.write(data))

    def set_fault(self, fault: Fault | str, value: float = 1, port: str = HALL) -> None:
        """Arm a fault: ``NOISE``/``BAD_CHECKSUM``/``NO_ACK`` for the next ``value`` frames,
        ``SLOW`` answers ``value`` seconds late, ``NONE`` clears every fault of the port."""
        fault = Fault(fault)
        faults = self._port(port).handler.faults

        def arm() -> None:
            if fault is Fault.NONE:
                faults.clear()
            elif fault is Fault.SLOW:
                faults.slow = float(value)
            elif fault is Fault.NOISE:
                faults.noise = int(value)
            elif fault is Fault.BAD_CHECKSUM:
                faults.bad_checksum = int(value)
            else:
                faults.no_ack = int(value)

        self._port(port).call(arm)

    def unplug(self, seconds: float, port: str | None = None) -> None:
        """Pull the cable of ``port`` (all ports if ``None``) now, put it back after ``seconds``."""
        for name in [port] if port else list(self.ports):
            self._port(name).unplug(seconds)

    def wait_plugged(self, timeout: float = 10.0) -> bool:
        return all(p.plugged_event.wait(timeout) for p in self.ports.values())

    def set_paper(self, status: PaperStatus | str) -> None:
        printer = self.printer
        if printer is None:
            raise KeyError("no printer")
        paper = PaperStatus(status)
        with self._port(PRINTER).lock:
            printer.paper = paper

    def set_muted(self, address: int, muted: bool = True) -> None:
        """A muted device hears nothing and answers nothing (switched off)."""
        device = self._bus_device(address, SimBusDevice)
        with self._port(HALL).lock:
            device.muted = muted

    def set_device_fault(self, address: int, fault: bool = True) -> None:
        """Set the fault bit the device reports in its poll answers."""
        device = self._bus_device(address, SimBusDevice)
        with self._port(HALL).lock:
            device.fault = fault

    # --- state --------------------------------------------------------------------

    def _read(self, port: str, fn: Callable[[], T]) -> T:
        with self._port(port).lock:
            return fn()

    def frames_received(self, address: int, command: int | None = None) -> list[Frame]:
        """Frames the device got from the host (acknowledgements and polls included)."""
        device = self._bus_device(address, SimBusDevice)
        return self._read(
            HALL,
            lambda: [f for f in device.received if command is None or f.command == command],
        )

    def frames_sent(self, address: int, command: int | None = None) -> list[Frame]:
        """Frames the device put on the wire, each retransmission included."""
        device = self._bus_device(address, SimBusDevice)
        return self._read(
            HALL, lambda: [f for f in device.sent if command is None or f.command == command]
        )

    def device(self, address: int) -> SimBusDevice:
        """The simulated device itself (read its fields with care: it lives on its thread)."""
        return self._bus_device(address, SimBusDevice)

    def keypad_display(self, address: int) -> bytes | None:
        device = self._bus_device(address, SimKeypad)
        assert isinstance(device, SimKeypad)
        return self._read(HALL, lambda: device.display)

    def keypad_beeps(self, address: int) -> int:
        """How often the keypad beeped (the host refused a key, or tested it)."""
        device = self._bus_device(address, SimKeypad)
        assert isinstance(device, SimKeypad)
        return self._read(HALL, lambda: device.beeps)

    def evaluator_lit(self, address: int) -> bool:
        """The evaluator is lit, asking the customer for a rating."""
        device = self._bus_device(address, SimEvaluator)
        assert isinstance(device, SimEvaluator)
        return self._read(HALL, lambda: device.rating_requested)

    def idle(self, address: int) -> bool:
        """The device has nothing left to send (every frame answered or given up)."""
        device = self._bus_device(address, SimBusDevice)
        return self._read(HALL, lambda: device.current is None and not device.queue)

    def printer_lines(self) -> list[str]:
        printer = self._require_printer()
        return self._read(PRINTER, lambda: [line.text for line in printer.lines])

    def printer_paper(self, start: int = 0) -> list[PrintLine | QrPrinted | Cut]:
        """What came out of the printer from item ``start`` on, in order."""
        printer = self._require_printer()
        return self._read(PRINTER, lambda: printer.paper_out[start:])

    def printer_qr_codes(self) -> list[str]:
        printer = self._require_printer()
        return self._read(PRINTER, lambda: list(printer.qr_codes))

    def printer_cuts(self) -> int:
        printer = self._require_printer()
        return self._read(PRINTER, lambda: printer.cuts)

    def _require_printer(self) -> PrinterHandler:
        if self.printer is None:
            raise KeyError("no printer")
        return self.printer

    def led_value(self, address: int) -> int:
        """Register 0 of a ``digits`` display."""
        display = self.led.displays[address]
        return self._read(LED, lambda: display.value)

    def led_text(self, address: int) -> str:
        """What a display shows, either layout: "1" (``digits``), "A001" (``ascii``)."""
        display = self.led.displays[address]
        return self._read(LED, lambda: display.text)

    def led_shown(self, address: int) -> list[str]:
        """What the display showed after each write, oldest first."""
        display = self.led.displays[address]
        return self._read(LED, lambda: list(display.shown))

    def led_writes(self, address: int) -> list[int]:
        display = self.led.displays[address]
        return self._read(LED, lambda: list(display.writes))
