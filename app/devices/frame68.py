"""Pure codec for the hall bus "68 frame" (PROTOCOL.md section 1).

Layout on the wire::

    FF 68 L L 68 AA CC D1 ... Dn CS 16

``L = n + 2``, sent twice; ``CS = (AA + CC + D1 + ... + Dn) mod 256``.  :func:`encode` builds
the bytes, :func:`decode` finds frames in a receive buffer that may hold partial frames and
noise.  The helpers below build every host -> device command and interpret every
device -> host frame; none of them does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

PREAMBLE = 0xFF
START = 0x68
END = 0x16
MAX_DATA = 32
MIN_LENGTH = 2
MAX_LENGTH = MAX_DATA + 2
HEADER_SIZE = 4  # 68 L L 68
TRAILER_SIZE = 2  # CS 16
MIN_FRAME_SIZE = HEADER_SIZE + MIN_LENGTH + TRAILER_SIZE

BLANK_DIGIT = 0x0A
"""Digit byte that leaves a keypad display position blank."""
DASH_DIGIT = 0x0B
"""Digit byte that shows a dash (segment g): ``---`` in D4-D6 means "counter closed"."""
KEY_SUFFIX = 0x0F
"""Second byte of the two-byte ``[digit, 0F]`` keys."""
START_RATING_CODE = 0x0B
"""Data byte of CC 01 that starts a rating (any other value acknowledges a rating)."""
MAX_JOB_NUMBER = 16
MAX_BUTTON = 16
STATUS_FAULT_BIT = 0x01


class Command(IntEnum):
    """Command byte CC."""

    # host -> device
    EVALUATOR = 0x01
    """To an evaluator: ``[0B]`` starts a rating, ``[rating]`` acknowledges one."""
    DISPLAY = 0x02
    BEEP = 0x03
    JOB_NUMBER = 0x04
    CANCEL_RATING = 0x05
    POLL = 0x1E
    # device -> host
    KEY = 0x10
    RATING = 0x11
    BUTTON = 0x12
    STATUS = 0x1F


HOST_COMMANDS = frozenset(
    {
        Command.EVALUATOR,
        Command.DISPLAY,
        Command.BEEP,
        Command.JOB_NUMBER,
        Command.CANCEL_RATING,
        Command.POLL,
    }
)
DEVICE_COMMANDS = frozenset({Command.KEY, Command.RATING, Command.BUTTON, Command.STATUS})


class Key(IntEnum):
    """Caller keypad keys.

    One-byte keys have their byte as value; the two-byte ``[digit, 0F]`` keys have the value
    ``digit << 8 | 0x0F`` (so ``HOLD`` is ``0x000F``): use :func:`key_bytes` for the wire.
    """

    CALL_NEXT = 0x0C
    RECALL = 0x0D
    FINISH = 0x0E
    ASK_RATING = 0x0B
    PAUSE = 0x12
    TRANSFER = 0x13
    NO_SHOW = 0x060F
    HOLD = 0x000F
    CALL_BACK = 0x030F

    @property
    def two_byte(self) -> bool:
        return self.value & 0xFF == KEY_SUFFIX


class Rating(IntEnum):
    """Evaluator ratings; ``VERY_DISSATISFIED`` exists on 5-key models only."""

    VERY_SATISFIED = 0x00
    SATISFIED = 0x01
    FAIR = 0x02
    DISSATISFIED = 0x03
    VERY_DISSATISFIED = 0x04


@dataclass(frozen=True, slots=True)
class Frame:
    """One 68 frame: device address, command byte and up to 32 data bytes."""

    address: int
    command: int
    data: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.address <= 0xFF:
            raise ValueError(f"address {self.address} out of range 0..255")
        if not 0 <= self.command <= 0xFF:
            raise ValueError(f"command {self.command} out of range 0..255")
        if len(self.data) > MAX_DATA:
            raise ValueError(f"{len(self.data)} data bytes, at most {MAX_DATA}")
        # plain int and bytes, so frames compare, hash and print the same however built
        object.__setattr__(self, "command", int(self.command))
        object.__setattr__(self, "data", bytes(self.data))

    def __str__(self) -> str:
        return f"Frame(addr={self.address:02X} cc={self.command:02X} data={self.data.hex(' ')})"


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """Answer to a poll (CC 1F)."""

    raw: int

    @property
    def fault(self) -> bool:
        return bool(self.raw & STATUS_FAULT_BIT)


def checksum(body: bytes) -> int:
    """Arithmetic checksum of ``AA CC D1 ... Dn``."""
    return sum(body) & 0xFF


def encode(frame: Frame, preamble: bool = True) -> bytes:
    """Return the wire bytes of ``frame``, with the ``FF`` preamble unless told not to."""
    body = bytes((frame.address, frame.command)) + frame.data
    length = len(body)
    head = bytes((PREAMBLE,)) if preamble else b""
    return head + bytes((START, length, length, START)) + body + bytes((checksum(body), END))


def decode(buffer: bytes | bytearray) -> tuple[list[Frame], int]:
    """Find the frames in ``buffer``.

    Returns the frames, in order, and how many leading bytes of ``buffer`` were used (frames
    and noise).  The bytes of an incomplete frame at the end are left unused so the caller
    keeps them and calls again with more data appended.  A candidate that fails any check
    costs one byte and the search goes on from the next byte.  Never raises.
    """
    frames: list[Frame] = []
    size = len(buffer)
    pos = 0
    while True:
        start = buffer.find(START, pos)
        if start < 0:
            return frames, size
        if size - start < HEADER_SIZE:
            return frames, start
        length = buffer[start + 1]
        if (
            length != buffer[start + 2]
            or not MIN_LENGTH <= length <= MAX_LENGTH
            or buffer[start + 3] != START
        ):
            pos = start + 1
            continue
        total = HEADER_SIZE + length + TRAILER_SIZE
        if size - start < total:
            return frames, start
        body_at = start + HEADER_SIZE
        body = bytes(buffer[body_at : body_at + length])
        if buffer[body_at + length] != checksum(body) or buffer[body_at + length + 1] != END:
            pos = start + 1
            continue
        frames.append(Frame(body[0], body[1], body[2:]))
        pos = start + total


# --- host -> device -------------------------------------------------------------------


def start_rating(address: int) -> Frame:
    """CC 01 [0B]: the evaluator lights up and asks the customer."""
    return Frame(address, Command.EVALUATOR, bytes((START_RATING_CODE,)))


def ack_rating(address: int, rating: int) -> Frame:
    """CC 01 [rating]: acknowledge the rating the evaluator sent."""
    return Frame(address, Command.EVALUATOR, bytes((rating & 0xFF,)))


def _digits(text: str, width: int) -> list[int]:
    digits = [ord(ch) - 0x30 for ch in text if "0" <= ch <= "9"][-width:]
    return [BLANK_DIGIT] * (width - len(digits)) + digits


def _waiting_digits(waiting: int | None) -> list[int]:
    if waiting is None:
        return [BLANK_DIGIT] * 3
    if waiting < 0:
        raise ValueError("waiting count cannot be negative")
    return _digits(str(min(waiting, 999)), 3)


def display_digits(waiting: int | None, ticket: str | int | None) -> bytes:
    """The six digit bytes of CC 02.

    ``waiting`` (D1-D3) is right-aligned with leading blanks and capped at 999; ``None``
    blanks it.  ``ticket`` (D4-D6) shows the last three digits of the ticket number with its
    zeros ("A012" -> 00 01 02); ``None`` blanks it.
    """
    head = _waiting_digits(waiting)
    if ticket is None:
        tail = [BLANK_DIGIT] * 3
    elif isinstance(ticket, int):
        if ticket < 0:
            raise ValueError("ticket number cannot be negative")
        tail = _digits(f"{ticket % 1000:03d}", 3)
    else:
        tail = _digits(ticket, 3)
    return bytes(head + tail)


def keypad_display(address: int, waiting: int | None, ticket: str | int | None) -> Frame:
    """CC 02: show the waiting count and the current ticket on a caller keypad."""
    return Frame(address, Command.DISPLAY, display_digits(waiting, ticket))


def closed_digits(waiting: int | None) -> bytes:
    """The six digit bytes of CC 02 when nobody is logged in at the counter: the waiting
    count as usual (D1-D3) and ``---`` (D4-D6) where the current ticket would be."""
    return bytes([*_waiting_digits(waiting), DASH_DIGIT, DASH_DIGIT, DASH_DIGIT])


def keypad_closed(address: int, waiting: int | None) -> Frame:
    """CC 02: the keypad shows that its counter is closed (keys are refused, with a beep)."""
    return Frame(address, Command.DISPLAY, closed_digits(waiting))


def beep(address: int) -> Frame:
    """CC 03: the keypad beeps."""
    return Frame(address, Command.BEEP)


def show_job_number(address: int, job_number: str) -> Frame:
    """CC 04: the evaluator shows the clerk's job number (ASCII, at most 16 bytes)."""
    try:
        data = job_number.encode("ascii")
    except UnicodeEncodeError as exc:
        raise ValueError(f"job number {job_number!r} is not ASCII") from exc
    if len(data) > MAX_JOB_NUMBER:
        raise ValueError(f"job number {job_number!r} longer than {MAX_JOB_NUMBER} bytes")
    return Frame(address, Command.JOB_NUMBER, data)


def cancel_rating(address: int) -> Frame:
    """CC 05: cancel a rating request (timed out)."""
    return Frame(address, Command.CANCEL_RATING)


def poll(address: int) -> Frame:
    """CC 1E: poll; the device answers CC 1F."""
    return Frame(address, Command.POLL)


# --- device -> host -------------------------------------------------------------------


def key_bytes(key: Key) -> bytes:
    """The data bytes a keypad sends for ``key``."""
    if key.two_byte:
        return bytes((key.value >> 8, KEY_SUFFIX))
    return bytes((key.value,))


def key_pressed(address: int, key: Key) -> Frame:
    """CC 10 as a keypad sends it."""
    return Frame(address, Command.KEY, key_bytes(key))


def rating_given(address: int, rating: int) -> Frame:
    """CC 11 as an evaluator sends it (``rating`` may be invalid, for tests)."""
    return Frame(address, Command.RATING, bytes((rating & 0xFF,)))


def button_pressed(address: int, button: int) -> Frame:
    """CC 12 as a dispenser panel sends it."""
    return Frame(address, Command.BUTTON, bytes((button & 0xFF,)))


def status_answer(address: int, fault: bool = False) -> Frame:
    """CC 1F, a device's answer to a poll."""
    return Frame(address, Command.STATUS, bytes((STATUS_FAULT_BIT if fault else 0,)))


def parse_key(data: bytes) -> Key | None:
    """The key of a CC 10 frame, or ``None`` if the data is no known key."""
    if len(data) == 1:
        value = data[0]
    elif len(data) == 2 and data[1] == KEY_SUFFIX:
        value = data[0] << 8 | KEY_SUFFIX
    else:
        return None
    try:
        key = Key(value)
    except ValueError:
        return None
    return key if key.two_byte == (len(data) == 2) else None


def parse_rating(data: bytes, keys: int = 4) -> Rating | None:
    """The rating of a CC 11 frame on a ``keys``-key evaluator (4 or 5), else ``None``."""
    if keys not in (4, 5):
        raise ValueError("evaluators have 4 or 5 keys")
    if len(data) != 1 or data[0] >= keys:
        return None
    return Rating(data[0])


def parse_button(data: bytes) -> int | None:
    """The button (1-16) of a CC 12 frame, else ``None``."""
    if len(data) != 1 or not 1 <= data[0] <= MAX_BUTTON:
        return None
    return data[0]


def parse_status(data: bytes) -> DeviceStatus | None:
    """The status of a CC 1F frame, else ``None``."""
    if len(data) != 1:
        return None
    return DeviceStatus(data[0])


def acknowledgement(frame: Frame) -> Frame | None:
    """The host's answer to a device frame (PROTOCOL: host reply column), if any.

    CC 10 and CC 12 are echoed unchanged, CC 11 is answered with CC 01 [rating]; CC 1F and
    anything else get no answer.  An invalid rating ``0B`` is not acknowledged because
    CC 01 [0B] would start a rating instead.
    """
    if frame.command in (Command.KEY, Command.BUTTON):
        return frame
    if frame.command == Command.RATING and len(frame.data) == 1:
        if frame.data[0] == START_RATING_CODE:
            return None
        return ack_rating(frame.address, frame.data[0])
    return None


def is_acknowledgement(sent: Frame, answer: Frame) -> bool:
    """Whether ``answer`` acknowledges the device frame ``sent`` (device side view)."""
    expected = acknowledgement(sent)
    return expected is not None and expected == answer
