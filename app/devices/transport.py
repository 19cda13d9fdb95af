"""Serial port wrapper with explicit open/close and a connection state.

:class:`Port` wraps ``serial.serial_for_url`` so any pyserial URL works: ``/dev/ttyUSB0``,
``COM3``, ``socket://host:port``, ``rfc2217://...``, a pty path, ``loop://``.  The
constructor does no I/O and there is no ``__del__``: the owner thread calls :meth:`Port.open`
and :meth:`Port.close`.  Every pyserial or OS error becomes :class:`PortError` and leaves
the port ``FAILED`` and closed, ready to be reopened after a :class:`Backoff` delay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, NoReturn

import serial

log = logging.getLogger(__name__)

DEFAULT_BAUDRATE = 9600
BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit


def wire_time(n_bytes: int, baudrate: int = DEFAULT_BAUDRATE) -> float:
    """Seconds ``n_bytes`` take on an 8N1 line at ``baudrate``."""
    return n_bytes * BITS_PER_BYTE / baudrate


class ConnectionState(Enum):
    CLOSED = "closed"
    OPENING = "opening"
    OPEN = "open"
    FAILED = "failed"


class PortError(Exception):
    """The port could not be opened, read or written; it is now closed."""


class Backoff:
    """Reopen delays: ``initial``, doubled each failure, capped at ``maximum``.

    The defaults give 0.5 s, 1 s, 2 s, 4 s, 8 s, 10 s, 10 s, ... (PROTOCOL.md).
    """

    def __init__(self, initial: float = 0.5, maximum: float = 10.0) -> None:
        if initial <= 0 or maximum < initial:
            raise ValueError("need 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.maximum)
        return delay

    def reset(self) -> None:
        self._next = self.initial


SerialFactory = Callable[..., Any]


class Port:
    """One serial port, opened by URL; used by one owner thread only."""

    def __init__(
        self,
        url: str,
        baudrate: int = DEFAULT_BAUDRATE,
        *,
        timeout: float = 0.02,
        write_timeout: float = 2.0,
        factory: SerialFactory = serial.serial_for_url,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self.write_timeout = write_timeout
        self._factory = factory
        self._serial: Any = None
        self._state = ConnectionState.CLOSED
        self.last_error = ""

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def is_open(self) -> bool:
        return self._state is ConnectionState.OPEN

    def open(self) -> None:
        """Open the port; raises :class:`PortError` (state ``FAILED``) if it cannot."""
        if self.is_open:
            return
        self._state = ConnectionState.OPENING
        try:
            self._serial = self._factory(
                self.url,
                baudrate=self.baudrate,
                timeout=self.timeout,
                write_timeout=self.write_timeout,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            self._fail(exc)
        else:
            self._state = ConnectionState.OPEN
            self.last_error = ""
            log.debug("port %s open", self.url)  # the owner thread logs its state changes

    def close(self) -> None:
        """Close the port (state ``CLOSED``); never raises."""
        self._release()
        self._state = ConnectionState.CLOSED

    def read(self, max_bytes: int = 256) -> bytes:
        """Wait up to ``timeout`` for a first byte, then return what is there (``max_bytes``)."""
        ser = self._require_open()
        try:
            data: bytes = ser.read(1)
            if data and max_bytes > 1:
                waiting = int(ser.in_waiting)
                if waiting:
                    data += ser.read(min(waiting, max_bytes - 1))
        except (serial.SerialException, OSError) as exc:
            self._fail(exc)
        return data

    def write(self, data: bytes) -> None:
        """Write all of ``data``."""
        ser = self._require_open()
        try:
            ser.write(data)
        except (serial.SerialException, OSError) as exc:
            self._fail(exc)

    def _require_open(self) -> Any:
        if self._serial is None or not self.is_open:
            raise PortError(f"port {self.url} is not open")
        return self._serial

    def _release(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except (serial.SerialException, OSError) as exc:  # pragma: no cover - OS specific
                log.debug("closing %s: %s", self.url, exc)

    def _fail(self, exc: BaseException) -> NoReturn:
        self._release()
        self._state = ConnectionState.FAILED
        self.last_error = str(exc)
        raise PortError(f"{self.url}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class SerialPortInfo:
    """A serial port this machine offers, for the admin screen's port list."""

    device: str
    description: str
    hwid: str


def list_serial_ports() -> list[SerialPortInfo]:
    """The machine's serial ports (USB adapters included), sorted by name."""
    from serial.tools import list_ports

    return sorted(
        (
            SerialPortInfo(p.device, p.description or "", p.hwid or "")
            for p in list_ports.comports()
        ),
        key=lambda p: p.device,
    )
