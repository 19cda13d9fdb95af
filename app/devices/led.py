"""Owner of a Modbus RTU port with the LED displays above the counters.

Modbus is strictly master/slave: the port thread sends one request, waits for the echo (or
an exception reply, or the time-out, with ``retries`` more tries), keeps 3.5 characters of
silence, then takes the next request.  Calls return a :class:`concurrent.futures.Future`.
Displays on one port may have different register layouts (:class:`~app.devices.modbus.
LedLayout`): :meth:`LedDisplays.show_number` is told the layout of the unit it writes.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass, field

from app.devices import modbus
from app.devices.modbus import (
    ExceptionReply,
    HostRequest,
    LedLayout,
    ReadReply,
    Request,
    WriteRegisters,
)
from app.devices.transport import Backoff, PortError, wire_time
from app.devices.worker import EventSink, PortWorker, reject, resolve

log = logging.getLogger(__name__)


class ModbusError(Exception):
    pass


class ModbusTimeoutError(ModbusError):
    """No answer from the display (after the retries)."""


class ModbusDeviceError(ModbusError):
    """The display answered with a Modbus exception."""

    def __init__(self, unit: int, code: int) -> None:
        super().__init__(f"unit {unit} answered exception {code:02X}")
        self.unit = unit
        self.code = code


@dataclass(eq=False)
class _Transaction:
    request: HostRequest
    future: Future[int] = field(default_factory=Future)
    attempts: int = 0


class LedDisplays(PortWorker):
    """Modbus RTU LED displays sharing one port (unit id = bus address)."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        on_event: EventSink | None = None,
        response_timeout: float = 0.5,
        retries: int = 1,
        read_timeout: float = 0.01,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(
            url,
            baudrate=baudrate,
            on_event=on_event,
            read_timeout=read_timeout,
            backoff=backoff,
            name="led",
        )
        self.response_timeout = response_timeout
        self.retries = retries
        self._current: _Transaction | None = None
        self._deadline = 0.0
        self._quiet_until = 0.0
        self._rx = bytearray()
        self._last_rx = 0.0
        self._silence = max(wire_time(4, baudrate), 0.002)  # >= 3.5 characters

    def show(self, unit: int, value: int) -> Future[int]:
        """Show ``value`` (0-65535) on display ``unit``; the future gives the echoed value."""
        return self.write_register(unit, modbus.DISPLAY_REGISTER, value)

    def show_number(self, unit: int, number: str, layout: LedLayout) -> Future[int]:
        """Show ticket ``number`` ("A001", "" for none) on display ``unit`` in its layout.

        The future gives the echoed value (``digits``) or register count (``ascii``);
        raises ValueError at once for a number the layout cannot carry.
        """
        return self._queue(modbus.display_request(unit, layout, number))

    def write_registers(self, unit: int, register: int, values: list[int]) -> Future[int]:
        """Function 16; the future gives the count of registers the display wrote."""
        modbus.write_registers_frame(unit, register, values)  # validates, raises ValueError
        return self._queue(WriteRegisters(unit, register, tuple(values)))

    def write_register(self, unit: int, register: int, value: int) -> Future[int]:
        modbus.write_register_frame(unit, register, value)  # validates, raises ValueError
        return self._queue(Request(unit, modbus.WRITE_SINGLE_REGISTER, register, value))

    def read_register(self, unit: int, register: int = modbus.DISPLAY_REGISTER) -> Future[int]:
        """Read one holding register (what the display shows)."""
        if not 1 <= unit <= 247:
            raise ValueError("read needs a unit 1..247")
        return self._queue(Request(unit, modbus.READ_HOLDING_REGISTERS, register, 1))

    def _queue(self, request: HostRequest) -> Future[int]:
        transaction = _Transaction(request)
        self._submit(transaction)
        return transaction.future

    # --- owner thread -------------------------------------------------------------

    def _ready_for_command(self, now: float) -> bool:
        return self._current is None and now >= self._quiet_until

    def _on_command(self, command: object, now: float) -> None:
        if not isinstance(command, _Transaction):
            raise TypeError(f"unexpected command {command!r}")
        if not command.future.set_running_or_notify_cancel():
            return
        self._transmit(command, now)

    def _transmit(self, transaction: _Transaction, now: float) -> None:
        transaction.attempts += 1
        self._rx.clear()
        request = transaction.request
        try:
            self._write(request.encode())
        except PortError as exc:
            self._current = None
            reject(transaction.future, exc)
            raise
        if request.unit == modbus.BROADCAST:  # nobody answers a broadcast
            resolve(transaction.future, _answer_of(request).value)
            self._quiet_until = now + self._silence
            return
        self._current = transaction
        self._deadline = now + self.response_timeout

    def _finish(self, now: float) -> None:
        self._current = None
        self._quiet_until = now + self._silence

    def _on_bytes(self, data: bytes, now: float) -> None:
        self._rx += data
        self._last_rx = now
        self._decode(now)

    def _decode(self, now: float) -> None:
        expected = None if self._current is None else self._current.request.unit
        replies, used = modbus.decode_replies(self._rx, expected)
        del self._rx[:used]
        for reply in replies:
            current = self._current
            if current is None or reply.unit != current.request.unit:
                log.debug("unexpected Modbus reply %r", reply)
                continue
            answer = _answer_of(current.request)
            if isinstance(reply, ExceptionReply) and reply.function == answer.function:
                reject(current.future, ModbusDeviceError(reply.unit, reply.code))
            elif isinstance(reply, ReadReply) and reply.values:
                resolve(current.future, reply.values[0])
            elif reply == answer:
                resolve(current.future, reply.value)
            else:
                log.debug("Modbus reply %r does not match %r", reply, current.request)
                continue
            self._finish(now)

    def _on_tick(self, now: float) -> None:
        if self._rx and now - self._last_rx > 2 * self._silence:
            # a "frame" that never completed after a silence: hunt past its first byte
            while self._rx:
                del self._rx[0]
                self._decode(now)
        current = self._current
        if current is None or now < self._deadline:
            return
        if current.attempts <= self.retries:
            log.info("no answer from display %d, retrying", current.request.unit)
            self._transmit(current, now)
            return
        self._finish(now)
        reject(current.future, ModbusTimeoutError(f"display {current.request.unit} silent"))

    def _on_reject(self, command: object, reason: str) -> None:
        if isinstance(command, _Transaction):
            reject(command.future, PortError(reason))

    def _on_lost(self) -> None:
        self._fail_current("port lost")

    def _on_stopped(self) -> None:
        self._fail_current("displays stopped")

    def _fail_current(self, reason: str) -> None:
        current, self._current = self._current, None
        if current is not None:
            reject(current.future, PortError(reason))


def _answer_of(request: HostRequest) -> Request:
    """What a display answers to ``request`` when it succeeds (03 aside: a ReadReply)."""
    return request.echo() if isinstance(request, WriteRegisters) else request
