"""Simulated ESC/POS printer and Modbus RTU LED displays."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.devices import modbus
from app.devices.escpos import PaperStatus, paper_status_byte
from app.devices.escpos_decode import Cut, EscPosParser, PrintLine, QrPrinted, StatusRequest
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
                log.info("printer: %s", event.text)
            elif isinstance(event, QrPrinted):
                self.qr_codes.append(event.payload)
                log.info("printer: [QR %s]", event.payload)
            elif isinstance(event, Cut):
                self.cuts += 1
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
    unit: int
    registers: dict[int, int] = field(default_factory=lambda: {modbus.DISPLAY_REGISTER: 0})
    writes: list[int] = field(default_factory=list)

    @property
    def value(self) -> int:
        return self.registers[modbus.DISPLAY_REGISTER]


class LedHandler(PortHandler):
    """Modbus RTU displays: register 0 holds the number shown; others are illegal."""

    def __init__(self) -> None:
        self.displays: dict[int, SimLed] = {}
        self.faults = Faults()
        self.requests: list[modbus.Request] = []
        self._rx = bytearray()

    def add(self, unit: int) -> None:
        if not 1 <= unit <= 247:
            raise ValueError("Modbus unit is 1..247")
        if unit in self.displays:
            raise ValueError(f"display {unit} already exists")
        self.displays[unit] = SimLed(unit)

    def on_plug(self) -> None:
        self._rx.clear()

    def on_bytes(self, data: bytes, now: float) -> None:
        self._rx += data
        requests, used = modbus.decode(self._rx)
        del self._rx[:used]
        for request in requests:
            self.requests.append(request)
            self._serve(request)

    def _serve(self, request: modbus.Request) -> None:
        targets = (
            list(self.displays.values())
            if request.unit == modbus.BROADCAST
            else [d for d in (self.displays.get(request.unit),) if d is not None]
        )
        if not targets:
            return
        reply: bytes
        if request.function == modbus.WRITE_SINGLE_REGISTER:
            if request.register != modbus.DISPLAY_REGISTER:
                reply = modbus.ExceptionReply(
                    request.unit, request.function, modbus.ExceptionCode.ILLEGAL_DATA_ADDRESS
                ).encode()
            else:
                for display in targets:
                    display.registers[request.register] = request.value
                    display.writes.append(request.value)
                    log.info("display %d shows %d", display.unit, request.value)
                reply = request.encode()
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
