"""ESC/POS bytes back to printed text: the simulated printer's "paper".

:class:`EscPosParser` is incremental (feed chunks as they arrive, a command split across
chunks waits for its end).  It skips every command with the right number of parameter
bytes, including the variable-length ones (``GS ( k``, ``GS k``, ``GS v 0``, ``ESC *``,
``GS 8 L``), keeps track of alignment, size and bold per line, and reports printed lines,
printed QR codes, cuts and ``DLE EOT n`` status requests.  Text is decoded from GB18030.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC = 0x1B
GS = 0x1D
FS = 0x1C
DLE = 0x10
LF = 0x0A
HT = 0x09
FF = 0x0C
CAN = 0x18
EOT = 0x04
ENQ = 0x05
DC4 = 0x14
NUL = 0x00

# parameter bytes after the two-byte command, for fixed-length commands
_ESC_FIXED = {
    0x40: 0, 0x61: 1, 0x45: 1, 0x64: 1, 0x21: 1, 0x2D: 1, 0x4D: 1, 0x4A: 1, 0x74: 1,
    0x47: 1, 0x52: 1, 0x56: 1, 0x7B: 1, 0x65: 1, 0x32: 0, 0x33: 1, 0x20: 1, 0x72: 1,
    0x55: 1, 0x70: 3, 0x24: 2, 0x5C: 2, 0x63: 2, 0x4C: 0, 0x53: 0, 0x54: 1, 0x57: 8,
    0x69: 0, 0x6D: 0, 0x3D: 1, 0x3F: 1, 0x25: 1, 0x42: 2, 0x43: 1,
}  # fmt: skip
_GS_FIXED = {
    0x21: 1, 0x42: 1, 0x68: 1, 0x77: 1, 0x48: 1, 0x66: 1, 0x4C: 2, 0x57: 2, 0x24: 2,
    0x5C: 2, 0x72: 1, 0x61: 1, 0x62: 1, 0x50: 2, 0x49: 1, 0x45: 1, 0x3A: 0, 0x2F: 1,
    0x54: 1, 0x7C: 1,
}  # fmt: skip
_FS_FIXED = {0x26: 0, 0x2E: 0, 0x21: 1, 0x2D: 1, 0x57: 1, 0x53: 2, 0x43: 1, 0x70: 2}
_MAX_NUL_SEARCH = 256
QR_CN = 0x31
QR_STORE = 0x50
QR_PRINT = 0x51


@dataclass(frozen=True, slots=True)
class PrintLine:
    """One printed line; ``align`` is the ``ESC a`` value (0 left, 1 centre, 2 right)."""

    text: str
    align: int = 0
    width: int = 1
    height: int = 1
    bold: bool = False


@dataclass(frozen=True, slots=True)
class QrPrinted:
    payload: str


@dataclass(frozen=True, slots=True)
class Cut:
    pass


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """``DLE EOT n``: the printer must answer one status byte at once."""

    kind: int


ParserEvent = PrintLine | QrPrinted | Cut | StatusRequest


@dataclass(frozen=True, slots=True)
class DecodedPrint:
    lines: tuple[PrintLine, ...]
    qr_codes: tuple[str, ...]
    cuts: int
    status_requests: int

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


def _nul_terminated(buf: bytearray, start: int) -> int | None:
    """Length from ``start`` up to and including the NUL, ``None`` if not there yet."""
    end = buf.find(NUL, start, start + _MAX_NUL_SEARCH)
    if end >= 0:
        return end - start + 1
    return None if len(buf) - start < _MAX_NUL_SEARCH else 0


def command_length(buf: bytearray, i: int) -> int | None:
    """Total bytes of the command starting at ``buf[i]`` (a prefix byte), ``None`` if the
    bytes that tell its length have not arrived yet.  Unknown commands count two bytes."""
    avail = len(buf) - i
    prefix = buf[i]
    if prefix == DLE:
        if avail < 2:
            return None
        second = buf[i + 1]
        if second in (EOT, ENQ):
            return 3
        return 5 if second == DC4 else 1
    if avail < 2:
        return None
    cmd = buf[i + 1]
    if prefix == ESC:
        if cmd in _ESC_FIXED:
            return 2 + _ESC_FIXED[cmd]
        if cmd == 0x2A:  # ESC * m nL nH d...
            if avail < 5:
                return None
            k = buf[i + 3] + 256 * buf[i + 4]
            return 5 + (k * 3 if buf[i + 2] in (32, 33) else k)
        if cmd == 0x44:  # ESC D n1 ... NUL
            tail = _nul_terminated(buf, i + 2)
            return None if tail is None else 2 + tail
        return 2
    if prefix == GS:
        if cmd in _GS_FIXED:
            return 2 + _GS_FIXED[cmd]
        need = {0x56: 3, 0x28: 5, 0x6B: 3, 0x76: 8, 0x2A: 4, 0x38: 7}.get(cmd)
        if need is None:
            return 2
        if avail < need:
            return None
        if cmd == 0x56:  # GS V m [n]
            return 4 if buf[i + 2] in (65, 66, 97, 98, 103, 104) else 3
        if cmd == 0x28:  # GS ( fn pL pH ...
            return 5 + buf[i + 3] + 256 * buf[i + 4]
        if cmd == 0x6B:  # GS k m ...
            m = buf[i + 2]
            if m <= 6:
                tail = _nul_terminated(buf, i + 3)
                return None if tail is None else 3 + tail
            if avail < 4:
                return None
            return 4 + buf[i + 3]
        if cmd == 0x76:  # GS v 0 m xL xH yL yH d...
            return 8 + (buf[i + 4] + 256 * buf[i + 5]) * (buf[i + 6] + 256 * buf[i + 7])
        if cmd == 0x2A:  # GS * x y d...
            return 4 + buf[i + 2] * buf[i + 3] * 8
        p = buf[i + 3] | buf[i + 4] << 8 | buf[i + 5] << 16 | buf[i + 6] << 24
        return 7 + p  # GS 8 L p1..p4 ...
    if prefix == FS:
        return 2 + _FS_FIXED.get(cmd, 0)
    return 1


class EscPosParser:
    """Incremental ESC/POS interpreter that prints to a list of events."""

    def __init__(self, encoding: str = "gb18030") -> None:
        self.encoding = encoding
        self._pending = bytearray()
        self._text = bytearray()
        self._line_style: tuple[int, int, int, bool] | None = None
        self._reset_modes()
        self._qr_data = b""

    def _reset_modes(self) -> None:
        self._align, self._width, self._height, self._bold = 0, 1, 1, False

    def feed(self, data: bytes) -> list[ParserEvent]:
        """Interpret ``data``; a trailing incomplete command waits for the next call."""
        self._pending += data
        buf = self._pending
        events: list[ParserEvent] = []
        i, size = 0, len(buf)
        while i < size:
            byte = buf[i]
            if byte >= 0x20:
                if not self._text:
                    self._line_style = (self._align, self._width, self._height, self._bold)
                self._text.append(byte)
                i += 1
            elif byte in (ESC, GS, FS, DLE):
                length = command_length(buf, i)
                if length is None or i + length > size:
                    break
                self._command(bytes(buf[i : i + length]), events)
                i += length
            else:
                if byte in (LF, FF):
                    events.append(self._take_line())
                elif byte == HT:
                    self._text += b"    "
                elif byte == CAN:
                    self._text.clear()
                i += 1
        del buf[:i]
        return events

    def finish(self) -> list[ParserEvent]:
        """End of data: print a partial line, forget an incomplete command."""
        self._pending.clear()
        return [self._take_line()] if self._text else []

    def _take_line(self) -> PrintLine:
        align, width, height, bold = self._line_style or (
            self._align,
            self._width,
            self._height,
            self._bold,
        )
        text = bytes(self._text).decode(self.encoding, errors="replace")
        self._text.clear()
        self._line_style = None
        return PrintLine(text, align, width, height, bold)

    def _flush(self, events: list[ParserEvent]) -> None:
        if self._text:
            events.append(self._take_line())

    def _command(self, cmd: bytes, events: list[ParserEvent]) -> None:
        prefix, code = cmd[0], cmd[1] if len(cmd) > 1 else -1
        if prefix == DLE:
            if code == EOT:
                events.append(StatusRequest(cmd[2]))
        elif prefix == ESC:
            self._esc(code, cmd, events)
        elif prefix == GS:
            if code == 0x21:
                self._width, self._height = (cmd[2] >> 4 & 7) + 1, (cmd[2] & 7) + 1
            elif code == 0x56:
                self._flush(events)
                events.append(Cut())
            elif code == 0x28 and len(cmd) >= 7 and cmd[2] == 0x6B and cmd[5] == QR_CN:
                self._qr(cmd[6], cmd[7:], events)

    def _esc(self, code: int, cmd: bytes, events: list[ParserEvent]) -> None:
        if code == 0x40:  # ESC @ clears the print buffer and the modes
            self._text.clear()
            self._line_style = None
            self._reset_modes()
        elif code == 0x61:
            self._align = cmd[2] - 48 if cmd[2] >= 48 else cmd[2] & 3
        elif code == 0x45:
            self._bold = bool(cmd[2] & 1)
        elif code == 0x21:
            mode = cmd[2]
            self._bold = bool(mode & 0x08)
            self._height = 2 if mode & 0x10 else 1
            self._width = 2 if mode & 0x20 else 1
        elif code in (0x64, 0x4A):  # print and feed
            self._flush(events)

    def _qr(self, fn: int, params: bytes, events: list[ParserEvent]) -> None:
        if fn == QR_STORE and params:
            self._qr_data = params[1:]
        elif fn == QR_PRINT:
            self._flush(events)
            try:
                payload = self._qr_data.decode("utf-8")
            except UnicodeDecodeError:
                payload = self._qr_data.decode(self.encoding, errors="replace")
            events.append(QrPrinted(payload))


def decode_print(data: bytes, encoding: str = "gb18030") -> DecodedPrint:
    """Everything ``data`` prints: lines with their style, QR payloads, cuts."""
    parser = EscPosParser(encoding)
    events = parser.feed(data) + parser.finish()
    return DecodedPrint(
        lines=tuple(e for e in events if isinstance(e, PrintLine)),
        qr_codes=tuple(e.payload for e in events if isinstance(e, QrPrinted)),
        cuts=sum(1 for e in events if isinstance(e, Cut)),
        status_requests=sum(1 for e in events if isinstance(e, StatusRequest)),
    )


def decode_to_text(data: bytes, encoding: str = "gb18030") -> list[str]:
    """The printed text lines of ``data`` (see :func:`decode_print` for QR codes and cuts)."""
    return decode_print(data, encoding).texts
