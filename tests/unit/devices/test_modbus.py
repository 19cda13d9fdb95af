"""Modbus RTU codec, checked against known vectors and against pymodbus 3.x."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymodbus.framer import FramerRTU
from pymodbus.pdu import DecodePDU
from pymodbus.pdu.register_message import (
    WriteMultipleRegistersRequest,
    WriteSingleRegisterRequest,
)

from app.devices import modbus
from app.devices.modbus import ExceptionReply, LedLayout, ReadReply, Request, WriteRegisters

THIRD_PARTY = settings(max_examples=300, database=None)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize(
    ("data", "crc"),
    [
        (b"123456789", 0x4B37),  # the CRC catalogue's check value for CRC-16/MODBUS
        (b"", 0xFFFF),
        (h("01 03 00 00 00 01"), 0x0A84),  # classic read request, sent as 84 0A
        (h("11 06 00 01 00 03"), 0x9B9A),  # write single register example, sent as 9A 9B
    ],
)
def test_crc_known_vectors(data: bytes, crc: int) -> None:
    assert modbus.crc16_modbus(data) == crc


def test_write_register_frame_golden() -> None:
    assert modbus.write_register_frame(0x11, 1, 3) == h("11 06 00 01 00 03 9A 9B")
    assert modbus.write_register_frame(1, 0, 12) == h("01 06 00 00 00 0C 89 CF")
    assert modbus.read_registers_frame(1, 0, 1) == h("01 03 00 00 00 01 84 0A")
    for bad in ((248, 0, 1), (1, 0x10000, 1), (1, 0, -1), (1, 0, 0x10000)):
        with pytest.raises(ValueError):
            modbus.write_register_frame(*bad)


@THIRD_PARTY
@given(st.binary(max_size=256))
def test_crc_matches_pymodbus(data: bytes) -> None:
    # pymodbus returns the CRC byte-swapped (as it appears on the wire, big-endian)
    swapped = FramerRTU.compute_CRC(data)
    assert modbus.crc16_modbus(data) == ((swapped & 0xFF) << 8 | swapped >> 8)


@THIRD_PARTY
@given(st.integers(1, 247), st.integers(0, 0xFFFF), st.integers(0, 0xFFFF))
def test_request_matches_pymodbus_framer(unit: int, register: int, value: int) -> None:
    ours = modbus.write_register_frame(unit, register, value)
    pdu = WriteSingleRegisterRequest(address=register, registers=[value], dev_id=unit)
    assert FramerRTU(DecodePDU(is_server=False)).buildFrame(pdu) == ours
    used, decoded = FramerRTU(DecodePDU(is_server=True)).handleFrame(ours, 0, 0)
    assert used == len(ours)
    assert decoded is not None
    assert (decoded.dev_id, decoded.address, list(decoded.registers)) == (unit, register, [value])


def test_decode_requests_with_noise_and_partial_frames() -> None:
    first = modbus.write_register_frame(1, 0, 12)
    second = modbus.read_registers_frame(2, 0)
    corrupt = first[:-1] + bytes(((first[-1] + 1) & 0xFF,))
    stream = b"\x00\x06\xff" + corrupt + first + b"\x55" + second
    requests, used = modbus.decode(stream)
    assert requests == [Request(1, 6, 0, 12), Request(2, 3, 0, 1)]
    assert used == len(stream)
    requests, used = modbus.decode(first + second[:5])
    assert requests == [Request(1, 6, 0, 12)]
    assert used == len(first)  # the partial read request waits for its end


def test_decode_replies() -> None:
    echo = modbus.write_register_frame(3, 0, 999)
    exception = ExceptionReply(3, 6, 2).encode()
    read = ReadReply(3, (999, 7)).encode()
    assert exception == h("03 86 02") + exception[-2:]
    assert read[:7] == h("03 03 04 03 E7 00 07")
    stream = b"\x86\x00" + echo + exception + read
    replies, used = modbus.decode_replies(stream)
    assert replies == [Request(3, 6, 0, 999), ExceptionReply(3, 6, 2), ReadReply(3, (999, 7))]
    assert used == len(stream)
    # "01 03 86" looks like the head of a 134-byte read reply: without knowing the unit
    # it waits for more; told the unit the host expects, it skips the impostor.
    stream = echo + b"\x01" + exception
    assert modbus.decode_replies(stream) == ([Request(3, 6, 0, 999)], len(echo))
    assert modbus.decode_replies(stream, unit=3) == (
        [Request(3, 6, 0, 999), ExceptionReply(3, 6, 2)],
        len(stream),
    )
    assert modbus.decode_replies(echo[:-1]) == ([], 0)
    bad = echo[:-1] + bytes(((echo[-1] ^ 0xFF),))
    assert modbus.decode_replies(bad)[0] == []


@settings(max_examples=200, database=None)
@given(st.binary(max_size=300), st.lists(st.integers(1, 20), max_size=50))
def test_decoders_never_raise_and_resync(junk: bytes, chunks: list[int]) -> None:
    """Fed in chunks, then (as after a silence on the line) one byte dropped at a time."""
    frame = modbus.write_register_frame(9, 0, 4321)
    stream = junk + frame
    decoders: list[Callable[[bytes], tuple[Sequence[object], int]]] = [
        modbus.decode,
        modbus.decode_replies,
        lambda buffer: modbus.decode_replies(buffer, unit=9),
    ]
    for decode in decoders:
        buffer = bytearray()
        found: list[object] = []
        pos = 0
        for size in [*chunks, len(stream)]:
            buffer += stream[pos : pos + size]
            pos += size
            got, used = decode(bytes(buffer))
            assert 0 <= used <= len(buffer)
            found += got
            del buffer[:used]
        while buffer:
            del buffer[0]
            got, used = decode(bytes(buffer))
            found += got
            del buffer[:used]
        assert Request(9, 6, 0, 4321) in found


# --- display layouts (PROTOCOL.md section 3) ----------------------------------------


def test_ascii_layout_golden() -> None:
    """ "A001" as four characters in holding registers 0x0010-0x0013, one function 16."""
    request = modbus.display_request(1, LedLayout.ASCII, "A001")
    assert request == WriteRegisters(1, 0x0010, (0x41, 0x30, 0x30, 0x31))
    assert request.encode() == h("01 10 00 10 00 04 08 00 41 00 30 00 30 00 31 A7 5E")
    # no current ticket: four blanks
    blank = modbus.display_request(1, LedLayout.ASCII, "")
    assert blank.encode() == h("01 10 00 10 00 04 08 00 20 00 20 00 20 00 20 D7 92")
    # the display's answer echoes address and count
    assert request.echo() == Request(1, 0x10, 0x0010, 4)
    assert request.echo().encode() == h("01 10 00 10 00 04 C0 0F")


def test_digits_layout_is_todays_register_zero() -> None:
    assert modbus.display_request(1, LedLayout.DIGITS, "A001") == Request(1, 6, 0, 1)
    assert modbus.display_request(1, LedLayout.DIGITS, "C120").encode() == (
        modbus.write_register_frame(1, 0, 120)
    )
    assert modbus.display_request(2, LedLayout.DIGITS, "") == Request(2, 6, 0, 0)


def test_text_registers_pad_and_refuse() -> None:
    assert modbus.text_registers("B7") == (0x42, 0x37, 0x20, 0x20)  # left-aligned
    for bad in ("A0001", "号01", "A\n01"):
        with pytest.raises(ValueError):
            modbus.text_registers(bad)
    with pytest.raises(ValueError):
        modbus.write_registers_frame(1, 0x10, [])
    with pytest.raises(ValueError):
        modbus.write_registers_frame(1, 0x10, [0x10000])


@THIRD_PARTY
@given(
    st.integers(1, 247),
    st.integers(0, 0xFF00),
    st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=123),
)
def test_write_registers_matches_pymodbus(unit: int, register: int, values: list[int]) -> None:
    ours = modbus.write_registers_frame(unit, register, values)
    pdu = WriteMultipleRegistersRequest(address=register, registers=values, dev_id=unit)
    assert FramerRTU(DecodePDU(is_server=False)).buildFrame(pdu) == ours
    # our simulated display's decoder reads it back, in pieces
    assert modbus.decode(ours) == ([WriteRegisters(unit, register, tuple(values))], len(ours))
    assert modbus.decode(ours[:-1]) == ([], 0)


def test_decode_write_registers_among_noise_and_its_replies() -> None:
    text = modbus.display_request(4, LedLayout.ASCII, "C042").encode()
    digits = modbus.write_register_frame(4, 0, 42)
    # a count that disagrees with the byte count is noise, as is a bad CRC
    fake = h("04 10 00 10 00 04 07")
    stream = fake + text[:-1] + b"\x00" + text + digits
    requests, used = modbus.decode(stream)
    assert requests == [WriteRegisters(4, 0x10, (0x43, 0x30, 0x34, 0x32)), Request(4, 6, 0, 42)]
    assert used == len(stream)
    echo = Request(4, 0x10, 0x10, 4).encode()
    refused = ExceptionReply(4, 0x10, 2).encode()
    assert refused[:3] == h("04 90 02")
    assert modbus.decode_replies(echo + refused, unit=4) == (
        [Request(4, 0x10, 0x10, 4), ExceptionReply(4, 0x10, 2)],
        len(echo) + len(refused),
    )
