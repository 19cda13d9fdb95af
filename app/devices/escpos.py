"""Pure ESC/POS encoder and ticket layout (PROTOCOL.md section 2).

:class:`EscPos` accumulates command bytes; :func:`ticket_bytes` and :func:`receipt_bytes`
lay out a queue ticket or a generic receipt for 58 mm (32 columns) or 80 mm (48 columns)
paper with GB18030 text.  :func:`parse_paper_status` reads the answer to ``DLE EOT 4``.
The reverse direction (bytes back to text, for the simulated printer and the tests) is
:mod:`app.devices.escpos_decode` (no dependency on this module), re-exported here as
:func:`decode_to_text` and :func:`decode_print`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Self

from app.devices.escpos_decode import (
    DecodedPrint,
    EscPosParser,
    PrintLine,
    decode_print,
    decode_to_text,
)

ESC = 0x1B
GS = 0x1D
FS = 0x1C
DLE = 0x10
EOT = 0x04
LF = 0x0A

DEFAULT_ENCODING = "gb18030"
STATUS_REQUEST = bytes((DLE, EOT, 4))
"""``DLE EOT 4``: real-time request of the paper roll sensor status."""
PAPER_NEAR_END_BITS = 0x0C  # bits 2-3
PAPER_OUT_BITS = 0x60  # bits 5-6
STATUS_FIXED_BITS = 0x12  # bits 1 and 4 are always set in a DLE EOT answer

COLUMNS = {58: 32, 80: 48}
DOTS = {58: 384, 80: 576}
MAX_QR_DATA = 7089


class Align(IntEnum):
    LEFT = 0
    CENTER = 1
    RIGHT = 2


class QrErrorLevel(IntEnum):
    L = 48
    M = 49
    Q = 50
    H = 51


class PaperStatus(Enum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"


def parse_paper_status(status: int) -> PaperStatus:
    """Interpret the byte a printer answers to ``DLE EOT 4``."""
    if status & PAPER_OUT_BITS:
        return PaperStatus.OUT
    if status & PAPER_NEAR_END_BITS:
        return PaperStatus.NEAR_END
    return PaperStatus.OK


def paper_status_byte(status: PaperStatus) -> int:
    """The byte a printer sends for ``status`` (used by the simulated printer)."""
    bits = {PaperStatus.OK: 0, PaperStatus.NEAR_END: PAPER_NEAR_END_BITS}
    return STATUS_FIXED_BITS | bits.get(status, PAPER_NEAR_END_BITS | PAPER_OUT_BITS)


class EscPos:
    """ESC/POS byte builder; every method appends and returns ``self`` for chaining."""

    def __init__(self, encoding: str = DEFAULT_ENCODING) -> None:
        self.encoding = encoding
        self._buf = bytearray()

    def to_bytes(self) -> bytes:
        return bytes(self._buf)

    def __len__(self) -> int:
        return len(self._buf)

    def raw(self, data: bytes) -> Self:
        self._buf += data
        return self

    def init(self) -> Self:
        """``ESC @``: reset the printer's modes."""
        return self.raw(bytes((ESC, 0x40)))

    def chinese(self, on: bool = True) -> Self:
        """``FS &`` enters Chinese (double-byte) mode, ``FS .`` leaves it."""
        return self.raw(bytes((FS, 0x26 if on else 0x2E)))

    def text(self, text: str) -> Self:
        return self.raw(text.encode(self.encoding, errors="replace"))

    def line(self, text: str = "") -> Self:
        return self.text(text).raw(bytes((LF,)))

    def align(self, align: Align) -> Self:
        """``ESC a n``."""
        return self.raw(bytes((ESC, 0x61, int(align))))

    def size(self, width: int = 1, height: int = 1) -> Self:
        """``GS ! n``: character width and height multipliers, 1-8."""
        if not (1 <= width <= 8 and 1 <= height <= 8):
            raise ValueError("size multipliers are 1..8")
        return self.raw(bytes((GS, 0x21, (width - 1) << 4 | (height - 1))))

    def bold(self, on: bool = True) -> Self:
        """``ESC E n``."""
        return self.raw(bytes((ESC, 0x45, 1 if on else 0)))

    def qr(
        self,
        data: str | bytes,
        module_size: int = 6,
        level: QrErrorLevel = QrErrorLevel.M,
    ) -> Self:
        """``GS ( k``: select model 2, module size, error level, store the data, print."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        if not payload or len(payload) > MAX_QR_DATA:
            raise ValueError(f"QR data must be 1..{MAX_QR_DATA} bytes")
        if not 1 <= module_size <= 16:
            raise ValueError("QR module size is 1..16")
        self._qr_function(0x41, bytes((0x32, 0x00)))  # model 2
        self._qr_function(0x43, bytes((module_size,)))
        self._qr_function(0x45, bytes((int(level),)))
        self._qr_function(0x50, b"\x30" + payload)  # store in the symbol storage area
        return self._qr_function(0x51, b"\x30")  # print the stored symbol

    def _qr_function(self, fn: int, params: bytes) -> Self:
        size = len(params) + 2  # cn and fn count in pL pH
        return self.raw(bytes((GS, 0x28, 0x6B, size & 0xFF, size >> 8, 0x31, fn)) + params)

    def feed(self, lines: int = 1) -> Self:
        """``ESC d n``: print and feed ``lines`` lines."""
        if not 0 <= lines <= 255:
            raise ValueError("feed is 0..255 lines")
        return self.raw(bytes((ESC, 0x64, lines)))

    def cut(self) -> Self:
        """``GS V 66 0``: feed to the cutter and cut."""
        return self.raw(bytes((GS, 0x56, 66, 0)))

    def status_request(self) -> Self:
        return self.raw(STATUS_REQUEST)


# --- layout ---------------------------------------------------------------------------


def text_width(text: str) -> int:
    """Printed width in columns: full-width (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Split ``text`` into lines of at most ``columns`` printed columns."""
    lines: list[str] = []
    current, width = "", 0
    for ch in text:
        w = text_width(ch)
        if width + w > columns and current:
            lines.append(current)
            current, width = "", 0
        current += ch
        width += w
    if current or not lines:
        lines.append(current)
    return lines


def two_columns(left: str, right: str, columns: int) -> str:
    """``left`` and ``right`` on one line of ``columns``, padded between (right may wrap)."""
    gap = columns - text_width(left) - text_width(right)
    if gap < 1:
        return f"{left} {right}"
    return left + " " * gap + right


def columns_for(width_mm: int) -> int:
    try:
        return COLUMNS[width_mm]
    except KeyError:
        raise ValueError(f"paper width {width_mm} mm; 58 or 80 supported") from None


@dataclass(frozen=True, slots=True)
class TicketPrint:
    """What a queue ticket shows."""

    hall_name: str
    service_name: str
    number: str
    ahead: int
    wait_min: int
    issued_at_text: str
    qr_text: str


@dataclass(frozen=True, slots=True)
class TicketLabels:
    """Fixed wording of the ticket (Chinese by default)."""

    ahead: str = "前面等候"
    ahead_value: str = "{n} 人"
    wait: str = "预计等待"
    wait_value: str = "约 {n} 分钟"
    issued: str = "取号时间"
    footer: str = "请留意叫号，过号请重新取号"


def ticket_bytes(
    ticket: TicketPrint,
    width_mm: int = 80,
    labels: TicketLabels | None = None,
    encoding: str = DEFAULT_ENCODING,
) -> bytes:
    """ESC/POS bytes of a queue ticket for 58 or 80 mm paper."""
    columns = columns_for(width_mm)
    labels = labels or TicketLabels()
    big = 4 if width_mm == 80 else 3
    p = EscPos(encoding).init().chinese().align(Align.CENTER)
    p.bold().size(1, 2)
    for part in wrap(ticket.hall_name, columns):
        p.line(part)
    p.size().bold(False)
    for part in wrap(ticket.service_name, columns // 2):
        p.size(2, 2).line(part)
    p.size().line("=" * columns)
    p.bold().size(big, big).line(ticket.number).size().bold(False)
    p.line("-" * columns).align(Align.LEFT)
    rows = (
        (labels.ahead, labels.ahead_value.format(n=max(ticket.ahead, 0))),
        (labels.wait, labels.wait_value.format(n=max(ticket.wait_min, 0))),
        (labels.issued, ticket.issued_at_text),
    )
    for left, right in rows:
        for part in wrap(two_columns(left, right, columns), columns):
            p.line(part)
    p.line("-" * columns).align(Align.CENTER)
    if ticket.qr_text:
        p.qr(ticket.qr_text, module_size=8 if width_mm == 80 else 6).line(ticket.qr_text)
    for part in wrap(labels.footer, columns):
        p.line(part)
    return p.feed(4).cut().to_bytes()


def receipt_bytes(
    lines: Sequence[str | tuple[str, str]],
    *,
    width_mm: int = 80,
    title: str | None = None,
    qr_text: str | None = None,
    cut: bool = True,
    encoding: str = DEFAULT_ENCODING,
) -> bytes:
    """A generic receipt: optional bold title, lines (a pair is label and right value)."""
    columns = columns_for(width_mm)
    p = EscPos(encoding).init().chinese()
    if title:
        p.align(Align.CENTER).bold().size(1, 2)
        for part in wrap(title, columns):
            p.line(part)
        p.size().bold(False)
    p.align(Align.LEFT)
    for item in lines:
        text = two_columns(item[0], item[1], columns) if isinstance(item, tuple) else item
        for part in wrap(text, columns):
            p.line(part)
    if qr_text:
        p.align(Align.CENTER).qr(qr_text).line(qr_text).align(Align.LEFT)
    if cut:
        p.feed(4).cut()
    return p.to_bytes()


__all__ = [
    "STATUS_REQUEST",
    "Align",
    "DecodedPrint",
    "EscPos",
    "EscPosParser",
    "PaperStatus",
    "PrintLine",
    "QrErrorLevel",
    "TicketLabels",
    "TicketPrint",
    "decode_print",
    "decode_to_text",
    "parse_paper_status",
    "receipt_bytes",
    "ticket_bytes",
]
