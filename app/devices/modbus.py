"""Pure Modbus RTU for the LED displays above the counters (PROTOCOL.md section 3).

A display (unit id = bus address) has one of two register layouts, set per device:

* ``digits``: holding register 0 holds the ticket's digits as a number, written with
  function 06 (a digits-only display cannot show the service letter);
* ``ascii``: holding registers 0x0010-0x0013 hold the four characters of the ticket
  number ("A001"), one ASCII code per register, written together with function 16 so the
  display never shows half of one number and half of the next.

The display echoes a 06 request, answers a 16 request with its address and count, or
answers an exception (function | 0x80, code).  Frames end with CRC-16/MODBUS, low byte
first.  Only the functions the displays use are decoded (03, 06, 16, their exceptions).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

READ_HOLDING_REGISTERS = 0x03
WRITE_SINGLE_REGISTER = 0x06
WRITE_MULTIPLE_REGISTERS = 0x10
EXCEPTION_FLAG = 0x80
REQUEST_SIZE = 8  # unit, function, 2 x uint16, crc
EXCEPTION_SIZE = 5  # unit, function | 80, code, crc
BROADCAST = 0
DISPLAY_REGISTER = 0
"""``digits`` layout: the number shown."""
TEXT_REGISTER = 0x0010
"""``ascii`` layout: the first of :data:`TEXT_WIDTH` character registers."""
TEXT_WIDTH = 4
BLANK_CHAR = 0x20
MAX_WRITE_REGISTERS = 123  # function 16: at most 123 registers in one request


class LedLayout(StrEnum):
    """How a display takes the number it shows (the ``layout`` of an LED device)."""

    DIGITS = "digits"
    ASCII = "ascii"


class ExceptionCode(IntEnum):
    ILLEGAL_FUNCTION = 0x01
    ILLEGAL_DATA_ADDRESS = 0x02
    ILLEGAL_DATA_VALUE = 0x03
    SERVER_DEVICE_FAILURE = 0x04


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_modbus(data: bytes | bytearray) -> int:
    """CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF); sent low byte first."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


def with_crc(body: bytes) -> bytes:
    return body + struct.pack("<H", crc16_modbus(body))


def crc_ok(frame: bytes | bytearray) -> bool:
    return len(frame) >= 3 and crc16_modbus(frame[:-2]) == struct.unpack("<H", frame[-2:])[0]


@dataclass(frozen=True, slots=True)
class Request:
    """A fixed-size request: function 06 (``value`` = data) or 03 (``value`` = count).

    A function 06 echo response has the same layout and decodes to the same object.
    """

    unit: int
    function: int
    register: int
    value: int

    def encode(self) -> bytes:
        return with_crc(struct.pack(">BBHH", self.unit, self.function, self.register, self.value))


@dataclass(frozen=True, slots=True)
class ExceptionReply:
    unit: int
    function: int
    code: int

    def encode(self) -> bytes:
        return with_crc(bytes((self.unit, self.function | EXCEPTION_FLAG, self.code)))


@dataclass(frozen=True, slots=True)
class ReadReply:
    unit: int
    values: tuple[int, ...]

    def encode(self) -> bytes:
        data = b"".join(struct.pack(">H", v) for v in self.values)
        return with_crc(bytes((self.unit, READ_HOLDING_REGISTERS, len(data))) + data)


@dataclass(frozen=True, slots=True)
class WriteRegisters:
    """Function 16 request: ``values`` into consecutive holding registers from ``register``.

    The display answers with :meth:`echo` (unit, 10, register, count).
    """

    unit: int
    register: int
    values: tuple[int, ...]

    def encode(self) -> bytes:
        data = b"".join(struct.pack(">H", v) for v in self.values)
        head = struct.pack(
            ">BBHHB",
            self.unit,
            WRITE_MULTIPLE_REGISTERS,
            self.register,
            len(self.values),
            len(data),
        )
        return with_crc(head + data)

    def echo(self) -> Request:
        return Request(self.unit, WRITE_MULTIPLE_REGISTERS, self.register, len(self.values))


Reply = Request | ExceptionReply | ReadReply
HostRequest = Request | WriteRegisters


def write_register_frame(unit: int, register: int, value: int) -> bytes:
    """Function 06 request: write ``value`` into holding ``register`` of ``unit``."""
    if not 0 <= unit <= 247:
        raise ValueError(f"unit {unit} out of range 0..247")
    if not 0 <= register <= 0xFFFF or not 0 <= value <= 0xFFFF:
        raise ValueError("register and value are 16-bit")
    return Request(unit, WRITE_SINGLE_REGISTER, register, value).encode()


def read_registers_frame(unit: int, register: int, count: int = 1) -> bytes:
    """Function 03 request: read ``count`` holding registers."""
    if not 1 <= count <= 125:
        raise ValueError("count is 1..125")
    return Request(unit, READ_HOLDING_REGISTERS, register, count).encode()


def write_registers_frame(unit: int, register: int, values: Sequence[int]) -> bytes:
    """Function 16 request: write ``values`` from holding ``register`` of ``unit``."""
    return _write_registers(unit, register, values).encode()


def _write_registers(unit: int, register: int, values: Sequence[int]) -> WriteRegisters:
    if not 0 <= unit <= 247:
        raise ValueError(f"unit {unit} out of range 0..247")
    if not 1 <= len(values) <= MAX_WRITE_REGISTERS:
        raise ValueError(f"function 16 writes 1..{MAX_WRITE_REGISTERS} registers")
    if not 0 <= register <= 0x10000 - len(values) or not all(0 <= v <= 0xFFFF for v in values):
        raise ValueError("registers and values are 16-bit")
    return WriteRegisters(unit, register, tuple(values))


def digits_value(number: str) -> int:
    """``digits`` layout: the digits of a ticket number ("A012" -> 12, "" -> 0)."""
    digits = "".join(ch for ch in number if "0" <= ch <= "9")
    return int(digits[-4:]) if digits else 0


def text_registers(number: str) -> tuple[int, ...]:
    """``ascii`` layout: one printable ASCII code per register, left-aligned, blank-padded."""
    if len(number) > TEXT_WIDTH or not all(" " <= ch <= "~" for ch in number):
        raise ValueError(f"{number!r} is not up to {TEXT_WIDTH} printable ASCII characters")
    return tuple(ord(ch) for ch in number.ljust(TEXT_WIDTH))


def display_request(unit: int, layout: LedLayout, number: str) -> HostRequest:
    """The request that makes display ``unit`` show ticket ``number`` ("" for none)."""
    if layout is LedLayout.ASCII:
        return _write_registers(unit, TEXT_REGISTER, text_registers(number))
    value = digits_value(number)
    write_register_frame(unit, DISPLAY_REGISTER, value)  # validates
    return Request(unit, WRITE_SINGLE_REGISTER, DISPLAY_REGISTER, value)


def _decode_request(buffer: bytes | bytearray, pos: int) -> Request | None:
    frame = buffer[pos : pos + REQUEST_SIZE]
    if not crc_ok(frame):
        return None
    unit, function, register, value = struct.unpack(">BBHH", frame[:6])
    return Request(unit, function, register, value)


def _decode_write_registers(buffer: bytes | bytearray, pos: int) -> WriteRegisters | int | None:
    """A function 16 request at ``pos``; the bytes it needs if incomplete; None if noise."""
    if len(buffer) - pos < 7:
        return 7
    unit, _, register, count, byte_count = struct.unpack(">BBHHB", buffer[pos : pos + 7])
    if not 1 <= count <= MAX_WRITE_REGISTERS or byte_count != 2 * count:
        return None
    need: int = 9 + byte_count
    if len(buffer) - pos < need:
        return need
    frame = buffer[pos : pos + need]
    if not crc_ok(frame):
        return None
    values = tuple(v for (v,) in struct.iter_unpack(">H", frame[7:-2]))
    return WriteRegisters(unit, register, values)


def decode(buffer: bytes | bytearray) -> tuple[list[HostRequest], int]:
    """Request frames (functions 03, 06 and 16) in ``buffer``, for a simulated display.

    Like the 68 decoder: returns the frames and the bytes used; an incomplete candidate at
    the end waits for more data; anything that fails the CRC costs one byte.  Never raises.
    """
    frames: list[HostRequest] = []
    pos, size = 0, len(buffer)
    while size - pos >= 2:
        function = buffer[pos + 1]
        if function == WRITE_MULTIPLE_REGISTERS:
            found = _decode_write_registers(buffer, pos)
            if isinstance(found, int):
                return frames, pos
            if found is None:
                pos += 1
                continue
            frames.append(found)
            pos += 9 + 2 * len(found.values)
            continue
        if function not in (READ_HOLDING_REGISTERS, WRITE_SINGLE_REGISTER):
            pos += 1
            continue
        if size - pos < REQUEST_SIZE:
            return frames, pos
        request = _decode_request(buffer, pos)
        if request is None:
            pos += 1
            continue
        frames.append(request)
        pos += REQUEST_SIZE
    return frames, pos


def decode_replies(buffer: bytes | bytearray, unit: int | None = None) -> tuple[list[Reply], int]:
    """Responses in ``buffer`` for the host: 06 echoes, 16 answers, 03 replies, exceptions.

    Same contract as :func:`decode` (partial frames wait, noise costs one byte).  RTU frames
    have no start marker, so noise can look like the head of a long 03 reply and hold the
    buffer; pass the ``unit`` the host is waiting for to skip other candidates, and drop a
    byte after a silence (as :class:`~app.devices.led.LedDisplays` does).
    """
    replies: list[Reply] = []
    pos, size = 0, len(buffer)
    while size - pos >= 2:
        function = buffer[pos + 1]
        if unit is not None and buffer[pos] != unit:
            pos += 1
            continue
        if function in (WRITE_SINGLE_REGISTER, WRITE_MULTIPLE_REGISTERS):
            need = REQUEST_SIZE
        elif function & EXCEPTION_FLAG and function & 0x7F in (
            READ_HOLDING_REGISTERS,
            WRITE_SINGLE_REGISTER,
            WRITE_MULTIPLE_REGISTERS,
        ):
            need = EXCEPTION_SIZE
        elif function == READ_HOLDING_REGISTERS:
            if size - pos < 3:
                return replies, pos
            if buffer[pos + 2] % 2 or buffer[pos + 2] > 250:  # 2 bytes per register
                pos += 1
                continue
            need = 5 + buffer[pos + 2]
        else:
            pos += 1
            continue
        if size - pos < need:
            return replies, pos
        frame = buffer[pos : pos + need]
        if not crc_ok(frame):
            pos += 1
            continue
        sender = frame[0]
        if need == EXCEPTION_SIZE and function & EXCEPTION_FLAG:
            replies.append(ExceptionReply(sender, function & 0x7F, frame[2]))
        elif function in (WRITE_SINGLE_REGISTER, WRITE_MULTIPLE_REGISTERS):
            _, _, register, value = struct.unpack(">BBHH", frame[:6])
            replies.append(Request(sender, function, register, value))
        else:
            values = tuple(v for (v,) in struct.iter_unpack(">H", frame[3:-2]))
            replies.append(ReadReply(sender, values))
        pos += need
    return replies, pos
