"""Pure ESC/POS encoder and ticket layout (PROTOCOL.md section 2).

:class:`EscPos` accumulates command bytes; :func:`ticket_bytes` and :func:`receipt_bytes`
lay out a queue ticket (Chinese, with English under each line where the hall has English)
or a generic receipt for 58 mm (32 columns) or 80 mm (48 columns) paper with GB18030
text.  :func:`parse_paper_status` reads the answer to ``DLE EOT 4``.  The reverse
direction (bytes back to text, for the simulated printer and the tests) is
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


def wrap_words(text: str, columns: int) -> list[str]:
    """Like :func:`wrap`, but break between words (for English); a word longer than a
    line is split as :func:`wrap` splits it."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate) <= columns:
            current = candidate
            continue
        if current:
            lines.append(current)
        *full, current = wrap(word, columns)
        lines.extend(full)
    if current or not lines:
        lines.append(current)
    return lines


@dataclass(frozen=True, slots=True)
class TicketPrint:
    """What a queue ticket shows.

    ``wait_min`` is the estimate in whole minutes, 0 meaning no wait (nobody is ahead):
    the caller's single definition (``IssuedTicket.estimated_wait_min``), not redone here.
    The English names are printed only on a ticket that has English.
    """

    hall_name: str
    service_name: str
    number: str
    ahead: int
    wait_min: int
    issued_at_text: str
    qr_text: str
    hall_name_en: str = ""
    service_name_en: str = ""


@dataclass(frozen=True, slots=True)
class TicketLabels:
    """Fixed wording of the ticket in one language (Chinese by default).

    Kept in step with the kiosk screen's texts (``app/ui/kiosk.py``): the screen and the
    ticket say the same thing.
    """

    ahead: str = "前面等候"
    ahead_value: str = "{n} 人"
    wait: str = "预计等候"
    wait_value: str = "约 {n} 分钟"
    no_wait: str = "无需等候"
    issued: str = "取号时间"
    footer: str = "请留意叫号，过号请重新取号"


ZH_LABELS = TicketLabels()
EN_LABELS = TicketLabels(
    ahead="People ahead",
    ahead_value="{n}",
    wait="Estimated wait",
    wait_value="about {n} min",
    no_wait="none",
    issued="Issued at",
    footer="Watch for your number. Missed it? Please take a new ticket.",
)


def has_english(languages: Sequence[str]) -> bool:
    """Whether ``languages`` ("zh_CN", "en_US", "en", ...) asks for English."""
    return any(language.lower().startswith("en") for language in languages)


def _ticket_rows(ticket: TicketPrint, labels: TicketLabels) -> tuple[tuple[str, str], ...]:
    n = ticket.wait_min
    wait = labels.wait_value.format(n=n) if n > 0 else labels.no_wait
    return (
        (labels.ahead, labels.ahead_value.format(n=max(ticket.ahead, 0))),
        (labels.wait, wait),
        (labels.issued, ticket.issued_at_text),
    )


def ticket_bytes(
    ticket: TicketPrint,
    width_mm: int = 80,
    labels: TicketLabels | None = None,
    encoding: str = DEFAULT_ENCODING,
    *,
    languages: Sequence[str] = ("zh_CN",),
) -> bytes:
    """ESC/POS bytes of a queue ticket for 58 or 80 mm paper.

    Always in Chinese (``labels``); when ``languages`` has English, every Chinese line is
    followed by its English line (names in normal size, words kept whole).
    """
    columns = columns_for(width_mm)
    zh = labels or ZH_LABELS
    en = EN_LABELS if has_english(languages) else None
    big = 4 if width_mm == 80 else 3
    p = EscPos(encoding).init().chinese().align(Align.CENTER)
    p.bold().size(1, 2)
    for part in wrap(ticket.hall_name, columns):
        p.line(part)
    p.size().bold(False)
    if en is not None and ticket.hall_name_en:
        for part in wrap_words(ticket.hall_name_en, columns):
            p.line(part)
    for part in wrap(ticket.service_name, columns // 2):
        p.size(2, 2).line(part)
    p.size()
    if en is not None and ticket.service_name_en:
        for part in wrap_words(ticket.service_name_en, columns):
            p.line(part)
    p.line("=" * columns)
    p.bold().size(big, big).line(ticket.number).size().bold(False)
    p.line("-" * columns).align(Align.LEFT)
    rows = list(_ticket_rows(ticket, zh))
    if en is not None:  # each Chinese row, then its English row
        rows = [row for pair in zip(rows, _ticket_rows(ticket, en), strict=True) for row in pair]
    for left, right in rows:
        for part in wrap(two_columns(left, right, columns), columns):
            p.line(part)
    p.line("-" * columns).align(Align.CENTER)
    if ticket.qr_text:
        p.qr(ticket.qr_text, module_size=8 if width_mm == 80 else 6).line(ticket.qr_text)
    for part in wrap(zh.footer, columns):
        p.line(part)
    if en is not None:
        for part in wrap_words(en.footer, columns):
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
    "EN_LABELS",
    "ZH_LABELS",
    "TicketLabels",
    "TicketPrint",
    "decode_print",
    "decode_to_text",
    "parse_paper_status",
    "receipt_bytes",
    "has_english",
    "ticket_bytes",
]
