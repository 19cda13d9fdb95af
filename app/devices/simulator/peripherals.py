"""Simulated ESC/POS printer and Modbus RTU LED displays."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.devices import modbus
from app.devices.escpos import PaperStatus, paper_status_byte
from app.devices.escpos_decode import Cut, EscPosParser, PrintLine, QrPrinted, StatusRequest
from app.devices.modbus import LedLayout
from app.devices.simulator.ports import Faults, PortHandler

log = logging.getLogger(__name__)


class PrinterHandler(PortHandler):
    """An ESC/POS printer: prints to :attr:`lines`, answers ``DLE EOT n``.

    With the paper out it prints nothing (the lines are counted in :attr:`lost_lines`).
    """

    def __init__(self, paper: PaperStatus = PaperStatus.OK) -> None:
        self.paper = paper
        self.faults = Faults()
        self.lines: list[PrintLine] = []
        self.paper_out: list[PrintLine | QrPrinted | Cut] = []
        """Everything that came out of the printer, in order (lines, QR codes, cuts)."""
        self.qr_codes: list[str] = []
        self.cuts = 0
        self.status_requests = 0
        self.lost_lines = 0
        self.received = bytearray()
        self._parser = EscPosParser()

    def on_plug(self) -> None:
        self._parser = EscPosParser()

    def on_bytes(self, data: bytes, now: float) -> None:
        self.received += data
        for event in self._parser.feed(data):
            if isinstance(event, StatusRequest):
                self.status_requests += 1
                self._answer_status(event.kind)
            elif self.paper is PaperStatus.OUT:
                self.lost_lines += isinstance(event, PrintLine)
            elif isinstance(event, PrintLine):
                self.lines.append(event)
                self.paper_out.append(event)
                log.info("printer: %s", event.text)
            elif isinstance(event, QrPrinted):
                self.qr_codes.append(event.payload)
                self.paper_out.append(event)
                log.info("printer: [QR %s]", event.payload)
            elif isinstance(event, Cut):
                self.cuts += 1
                self.paper_out.append(event)
                log.info("printer: --- cut ---")

    def _answer_status(self, kind: int) -> None:
        if self.faults.no_ack > 0:
            self.faults.no_ack -= 1
            return
        status = paper_status_byte(self.paper) if kind == 4 else 0x12
        answer = bytes((status,))
        if self.faults.slow > 0:
            self.port.schedule(self.faults.slow, lambda: self.port.write(answer))
        else:
            self.port.write(answer)


@dataclass
class SimLed:
    """One display: register 0 (``digits``) or four character registers (``ascii``)."""

    unit: int
    layout: LedLayout = LedLayout.DIGITS
    registers: dict[int, int] = field(default_factory=dict)
    writes: list[int] = field(default_factory=list)
    """Values written to register 0 (``digits``)."""
    shown: list[str] = field(default_factory=list)
    """What the display showed after each write."""

    def __post_init__(self) -> None:
        if not self.registers:
            if self.layout is LedLayout.ASCII:
                width = range(modbus.TEXT_WIDTH)
                self.registers = {modbus.TEXT_REGISTER + i: modbus.BLANK_CHAR for i in width}
            else:
                self.registers = {modbus.DISPLAY_REGISTER: 0}

    @property
    def value(self) -> int:
        """Register 0 of a ``digits`` display (KeyError on an ``ascii`` one)."""
        return self.registers[modbus.DISPLAY_REGISTER]

    @property
    def text(self) -> str:
        """What the display shows: the number, or its characters without trailing blanks."""
        if self.layout is LedLayout.DIGITS:
            return str(self.value)
        first = modbus.TEXT_REGISTER
        chars = (chr(self.registers[first + i]) for i in range(modbus.TEXT_WIDTH))
        return "".join(chars).rstrip()

    def refusal(self, register: int, values: tuple[int, ...]) -> int | None:
        """The exception code a write of ``values`` from ``register`` gets, or None."""
        if any(register + i not in self.registers for i in range(len(values))):
            return modbus.ExceptionCode.ILLEGAL_DATA_ADDRESS
        if self.layout is LedLayout.ASCII and not all(0x20 <= v <= 0x7E for v in values):
            return modbus.ExceptionCode.ILLEGAL_DATA_VALUE
        return None

    def write(self, register: int, values: tuple[int, ...]) -> None:
        for i, v in enumerate(values):
            self.registers[register + i] = v
        if register == modbus.DISPLAY_REGISTER and self.layout is LedLayout.DIGITS:
            self.writes.append(values[0])
        self.shown.append(self.text)
        log.info("display %d shows %s", self.unit, self.text)


class LedHandler(PortHandler):
    """Modbus RTU displays: ``digits`` ones hold the number shown in register 0, ``ascii``
    ones its characters in registers 0x0010-0x0013; other registers are illegal."""

    def __init__(self) -> None:
        self.displays: dict[int, SimLed] = {}
        self.faults = Faults()
        self.requests: list[modbus.HostRequest] = []
        self._rx = bytearray()

    def add(self, unit: int, layout: LedLayout = LedLayout.DIGITS) -> None:
        if not 1 <= unit <= 247:
            raise ValueError("Modbus unit is 1..247")
        if unit in self.displays:
            raise ValueError(f"display {unit} already exists")
        self.displays[unit] = SimLed(unit, LedLayout(layout))

    def on_plug(self) -> None:
        self._rx.clear()

    def on_bytes(self, data: bytes, now: float) -> None:
        self._rx += data
        requests, used = modbus.decode(self._rx)
        del self._rx[:used]
        for request in requests:
            self.requests.append(request)
            self._serve(request)

    def _serve(self, request: modbus.HostRequest) -> None:
        targets = (
            list(self.displays.values())
            if request.unit == modbus.BROADCAST
            else [d for d in (self.displays.get(request.unit),) if d is not None]
        )
        if not targets:
            return
        reply: bytes
        if isinstance(request, modbus.WriteRegisters) or (
            request.function == modbus.WRITE_SINGLE_REGISTER
        ):
            if isinstance(request, modbus.WriteRegisters):
                register, values = request.register, request.values
                function, answer = modbus.WRITE_MULTIPLE_REGISTERS, request.echo()
            else:
                register, values = request.register, (request.value,)
                function, answer = request.function, request
            refusals = [d.refusal(register, values) for d in targets]
            for display, refusal in zip(targets, refusals, strict=True):
                if refusal is None:
                    display.write(register, values)
            code = refusals[0]
            if code is None:
                reply = answer.encode()
            else:
                reply = modbus.ExceptionReply(request.unit, function, code).encode()
        else:
            display = targets[0]
            if request.register not in display.registers or request.value != 1:
                reply = modbus.ExceptionReply(
                    request.unit, request.function, modbus.ExceptionCode.ILLEGAL_DATA_ADDRESS
                ).encode()
            else:
                values = (display.registers[request.register],)
                reply = modbus.ReadReply(request.unit, values).encode()
        if request.unit != modbus.BROADCAST:
            self._send(reply)

    def _send(self, reply: bytes) -> None:
        faults = self.faults
        if faults.no_ack > 0:
            faults.no_ack -= 1
            return
        if faults.bad_checksum > 0:
            faults.bad_checksum -= 1
            reply = reply[:-1] + bytes(((reply[-1] + 1) & 0xFF,))
        if faults.noise > 0:
            faults.noise -= 1
            reply = b"\x00\x55\xaa" + reply
        if faults.slow > 0:
            self.port.schedule(faults.slow, lambda: self.port.write(reply))
        else:
            self.port.write(reply)
