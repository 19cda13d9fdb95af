"""A fee receipt as PDF with reportlab: an 80 mm roll (height fitted) or an A4 page.

Chinese text is set in an embedded TrueType CJK font: ``font_path`` when the caller gives
one, else the first ``*.ttf``/``*.ttc`` under ``resources/fonts`` (bundled with the
installer), else a system font (Debian's WenQuanYi Zen Hei, Windows' YaHei/SimSun).
:class:`CjkFontMissing` says what was looked for.  CPU only: no Qt, no I/O besides
reading the font; meant for the PDF/printing pool, never the GUI thread.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Literal

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from app.services.billing.receipt_check import qr_payload
from app.services.billing.receipt_doc import (
    COPY_MARK,
    ReceiptDoc,
    Row,
    capitals_text,
    charge_rows,
    header_rows,
    payment_rows,
    title_text,
    total_row,
)

PaperSize = Literal["roll80", "a4"]

RESOURCES_FONTS = Path(__file__).resolve().parents[3] / "resources" / "fonts"
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
    Path("C:/Windows/Fonts/simsun.ttc"),
)
FONT_NAME = "WQY"
QR_BORDER = 4  # modules of quiet zone, as the QR standard asks
WATERMARK = Color(55 / 100, 55 / 100, 55 / 100, alpha=35 / 100)  # light grey, see-through


class CjkFontMissing(RuntimeError):
    """No TrueType font with Chinese glyphs was found for the receipt."""


def font_candidates(font_path: Path | None = None) -> list[Path]:
    """Where a CJK font is looked for, in order."""
    found: list[Path] = [font_path] if font_path is not None else []
    if RESOURCES_FONTS.is_dir():
        found += sorted(
            p for p in RESOURCES_FONTS.iterdir() if p.suffix.lower() in (".ttf", ".ttc")
        )
    return found + list(SYSTEM_FONTS)


_registered: dict[Path, str] = {}
_register_lock = threading.Lock()


def cjk_font(font_path: Path | None = None) -> str:
    """Register (once) and return the reportlab name of the receipt's CJK font."""
    candidates = font_candidates(font_path)
    if font_path is not None and not font_path.is_file():
        raise CjkFontMissing(f"the receipt font {font_path} does not exist")
    with _register_lock:
        for path in candidates:
            if path in _registered:
                return _registered[path]
            if not path.is_file():
                continue
            name = FONT_NAME if not _registered else f"{FONT_NAME}{len(_registered)}"
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
            _registered[path] = name
            return name
    looked = ", ".join(str(p) for p in candidates)
    raise CjkFontMissing(
        "no Chinese (CJK) TrueType font for receipts; install fonts-wqy-zenhei or put a "
        f".ttf/.ttc in {RESOURCES_FONTS} (looked at: {looked})"
    )


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    margin: float
    body: float  # body font size, points
    big: float
    qr: float  # QR side


LAYOUTS: dict[str, Layout] = {
    "roll80": Layout(80 * mm, 4 * mm, 8, 11, 32 * mm),
    "a4": Layout(A4[0], 20 * mm, 11, 16, 45 * mm),
}


@dataclass(frozen=True, slots=True)
class Item:
    """One thing on the receipt, top to bottom."""

    kind: Literal["center", "row", "text", "rule", "qr", "gap"]
    left: str = ""
    right: str = ""
    size: float = 0


def _items(doc: ReceiptDoc, lay: Layout) -> list[Item]:
    items: list[Item] = [Item("center", doc.hall_name, size=lay.big)]
    if doc.hall_name_en:
        items.append(Item("center", doc.hall_name_en, size=lay.body))
    items += [Item("gap"), Item("center", title_text(doc), size=lay.big)]
    if doc.copy:
        items.append(Item("center", f"*** {COPY_MARK} ***", size=lay.big))
    items.append(Item("rule"))

    def rows(rows: Sequence[Row], size: float) -> None:
        items.extend(Item("row", left, right, size) for left, right in rows)

    rows(header_rows(doc), lay.body)
    items.append(Item("rule"))
    rows(charge_rows(doc), lay.body)
    items.append(Item("rule"))
    rows([total_row(doc)], lay.big)
    items.append(Item("text", capitals_text(doc), size=lay.body))
    items.append(Item("rule"))
    rows(payment_rows(doc), lay.body)
    items += [Item("rule"), Item("qr"), Item("center", doc.number, size=lay.body)]
    return items


def _leading(size: float) -> float:
    """Line height for a font ``size``."""
    return size * 27 / 20


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` (character by character, as CJK
    text has no spaces; a break is moved back to a space when there is one)."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and pdfmetrics.stringWidth(current + ch, font, size) > width:
            cut = current.rfind(" ")
            if cut > 0:
                lines.append(current[:cut])
                current = current[cut + 1 :]
            else:
                lines.append(current)
                current = ""
        current += ch
    lines.append(current)
    return lines


class _Painter:
    """Draws the items top-down; with ``canvas=None`` it only measures the height."""

    def __init__(self, canvas: Canvas | None, lay: Layout, font: str, top: float) -> None:
        self.c, self.lay, self.font, self.y = canvas, lay, font, top
        self.inner = lay.width - 2 * lay.margin

    def text(self, x: float, text: str, size: float, how: str = "left") -> None:
        if self.c is None:
            return
        self.c.setFont(self.font, size)
        if how == "center":
            self.c.drawCentredString(x, self.y, text)
        elif how == "right":
            self.c.drawRightString(x, self.y, text)
        else:
            self.c.drawString(x, self.y, text)

    def item(self, item: Item, payload: str) -> None:
        lay, size = self.lay, item.size
        if item.kind == "gap":
            self.y -= lay.body * 3 / 5
        elif item.kind == "rule":
            self.y -= lay.body / 2
            if self.c is not None:
                self.c.setLineWidth(1 / 2)
                self.c.setDash(2, 2)
                self.c.line(lay.margin, self.y, lay.width - lay.margin, self.y)
                self.c.setDash()
            self.y -= lay.body * 7 / 10
        elif item.kind == "qr":
            self.y -= lay.qr
            if self.c is not None:
                self._qr(payload)
        elif item.kind in ("center", "text"):
            for part in _wrap(item.left, self.font, size, self.inner):
                self.y -= _leading(size)
                if item.kind == "center":
                    self.text(lay.width / 2, part, size, "center")
                else:
                    self.text(lay.margin, part, size)
        else:
            self._row(item)

    def _row(self, item: Item) -> None:
        lay, size = self.lay, item.size
        right_w = pdfmetrics.stringWidth(item.right, self.font, size)
        left_w = pdfmetrics.stringWidth(item.left, self.font, size)
        if left_w + right_w + size <= self.inner:
            self.y -= _leading(size)
            self.text(lay.margin, item.left, size)
            self.text(lay.width - lay.margin, item.right, size, "right")
            return
        for part in _wrap(item.left, self.font, size, self.inner):  # label above, value under
            self.y -= _leading(size)
            self.text(lay.margin, part, size)
        for part in _wrap(item.right, self.font, size, self.inner - size):
            self.y -= _leading(size)
            self.text(lay.width - lay.margin, part, size, "right")

    def _qr(self, payload: str) -> None:
        assert self.c is not None
        side = self.lay.qr
        x = (self.lay.width - side) / 2
        self.c.setFillColor(white)
        self.c.rect(x, self.y, side, side, stroke=0, fill=1)  # quiet zone over the watermark
        self.c.setFillColor(black)
        self.c.drawPath(_qr_path(self.c, payload, x, self.y, side), stroke=0, fill=1)


def _qr_path(c: Canvas, payload: str, x: float, y: float, side: float) -> PDFPathObject:
    """The QR code of ``payload`` (level M, a quiet zone of 4 modules inside ``side``) as
    one path of the dark runs of each row, lower left corner at (x, y).

    The same modules as reportlab's ``QrCodeWidget`` draws, at half a receipt's cost: the
    widget encodes the payload twice (once for its bounds, once to draw) and makes a
    validated ``Rect`` shape of every run (see "Payment commit and receipt PDF" in
    docs/PERFORMANCE.md)."""
    qr = QRCode(None, QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.make()
    count = qr.getModuleCount()
    box = side / (count + 2 * QR_BORDER)
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        top = y + side - (r + QR_BORDER + 1) * box
        col = 0
        for dark, run in groupby(bool(m) for m in row):
            n = len(list(run))
            if dark:
                path.rect(x + (col + QR_BORDER) * box, top, n * box, box)
            col += n
    return path


def _watermark(c: Canvas, font: str, width: float, middle: float) -> None:
    """补打 COPY across the receipt, diagonally, centred at height ``middle``."""
    c.saveState()
    c.setFillColor(WATERMARK)
    size = width / 7
    c.setFont(font, size)
    c.translate(width / 2, middle)
    c.rotate(35)
    c.drawCentredString(0, -size / 3, COPY_MARK)
    c.restoreState()


def render_pdf(doc: ReceiptDoc, size: PaperSize, *, font_path: Path | None = None) -> bytes:
    """The receipt as PDF bytes on an 80 mm roll (``"roll80"``) or an A4 page."""
    if size not in LAYOUTS:
        raise ValueError(f"receipt paper {size!r}; one of {sorted(LAYOUTS)}")
    lay = LAYOUTS[size]
    font = cjk_font(font_path)
    payload = qr_payload(doc)
    items = _items(doc, lay)
    probe = _Painter(None, lay, font, 0)  # measure first: the roll is as long as the receipt
    for item in items:
        probe.item(item, payload)
    content = -probe.y
    height = A4[1] if size == "a4" else content + 2 * lay.margin
    out = io.BytesIO()
    c = Canvas(out, pagesize=(lay.width, height), pageCompression=1, invariant=1)
    c.setTitle(f"{title_text(doc)} {doc.number}")
    c.setAuthor(doc.hall_name)
    if doc.copy:
        _watermark(c, font, lay.width, height - lay.margin - content / 2)
    painter = _Painter(c, lay, font, height - lay.margin)
    for item in items:
        painter.item(item, payload)
    c.showPage()
    c.save()
    return out.getvalue()


__all__ = ["CjkFontMissing", "PaperSize", "cjk_font", "font_candidates", "render_pdf"]
