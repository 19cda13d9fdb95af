"""A fee receipt drawn with QPainter on a QPrinter: a receipt printer, or a PDF file.

The PySide6 wheel has QtPrintSupport but not QtPdf, so the reportlab PDF
(:mod:`app.services.billing.receipt_pdf`) cannot be handed to a printer through Qt.
:func:`paint_receipt` draws the same receipt (the same rows, from the layout helpers of
:mod:`receipt_doc`, the same sizes as the PDF's layouts) in the CJK font the PDF uses,
with the QR code drawn module by module from reportlab's QR encoder.

Call it on the thread that owns the printer, never the GUI thread: Qt allows QPainter on
a QPrinter in any thread ("Painting in threads"), one thread per device at a time;
:mod:`app.ui.receipt_print` builds, paints and drops each QPrinter on one pool worker.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPageLayout, QPainter, QPen
from PySide6.QtPrintSupport import QPrinter
from reportlab.graphics.barcode import qrencoder

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
from app.services.billing.receipt_pdf import LAYOUTS, Layout, font_candidates

ROLL_MAX_MM = 100  # a page narrower than this is a receipt roll
QR_BORDER = 4  # modules of quiet zone
WATERMARK = QColor(140, 140, 140, 90)

_font_lock = threading.Lock()
_font_family: list[str] = []


def cjk_family() -> str:
    """The family of the receipt's CJK font: the bundled or Debian font loaded into Qt
    (once), else the first installed family that writes Simplified Chinese."""
    with _font_lock:
        if _font_family:
            return _font_family[0]
        family = ""
        for path in font_candidates():
            if path.is_file():
                font_id = QFontDatabase.addApplicationFont(str(path))
                families = QFontDatabase.applicationFontFamilies(font_id)
                if families:
                    family = families[0]
                    break
        if not family:
            chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
            family = chinese[0] if chinese else QFont().defaultFamily()
        _font_family.append(family)
        return family


class _Pen:
    """Draws the receipt top-down in device pixels; with ``painter=None`` it measures."""

    def __init__(self, printer: QPrinter, painter: QPainter | None, lay: Layout) -> None:
        self.printer, self.painter, self.lay = printer, painter, lay
        page = printer.pageLayout()
        self.px = printer.resolution() / 72  # device pixels per point
        paint = page.paintRectPixels(printer.resolution())
        self.width, self.height = float(paint.width()), float(paint.height())
        margins = page.marginsPoints()
        self.left = max(0.0, lay.margin - margins.left()) * self.px
        self.right = self.width - max(0.0, lay.margin - margins.right()) * self.px
        self.family = cjk_family()
        self.y = 0.0

    def font(self, size: float) -> QFont:
        font = QFont(self.family)
        font.setPointSizeF(size)
        return font

    def advance(self, dy: float) -> None:
        """Move down ``dy`` pixels, to a new page when this one is full."""
        if self.y + dy > self.height and self.y > 0:
            if self.painter is not None:
                self.printer.newPage()
            self.y = 0.0
        self.y += dy

    def line(self, text: str, size: float, align: Qt.AlignmentFlag) -> None:
        font = self.font(size)
        height = QFontMetricsF(font, self.printer).height()
        self.advance(height)
        if self.painter is not None:
            self.painter.setFont(font)
            box = QRectF(self.left, self.y - height, self.right - self.left, height)
            self.painter.drawText(box, int(align | Qt.AlignmentFlag.AlignVCenter), text)

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        """Lines no wider than ``width``, broken anywhere (CJK has no spaces), moved
        back to a space when there is one (as the PDF does)."""
        metrics = QFontMetricsF(self.font(size), self.printer)
        lines: list[str] = []
        current = ""
        for ch in text:
            if current and metrics.horizontalAdvance(current + ch) > width:
                cut = current.rfind(" ")
                lines.append(current[:cut] if cut > 0 else current)
                current = current[cut + 1 :] if cut > 0 else ""
            current += ch
        return [*lines, current]

    def text(self, text: str, size: float, align: Qt.AlignmentFlag) -> None:
        for part in self.wrap(text, size, self.right - self.left):
            self.line(part, size, align)

    def row(self, row: Row, size: float) -> None:
        left, right = row
        metrics = QFontMetricsF(self.font(size), self.printer)
        inner = self.right - self.left
        gap = size * self.px
        if metrics.horizontalAdvance(left) + metrics.horizontalAdvance(right) + gap <= inner:
            font = self.font(size)
            height = metrics.height()
            self.advance(height)
            if self.painter is not None:
                self.painter.setFont(font)
                box = QRectF(self.left, self.y - height, inner, height)
                middle = Qt.AlignmentFlag.AlignVCenter
                self.painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | middle), left)
                self.painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | middle), right)
            return
        self.text(left, size, Qt.AlignmentFlag.AlignLeft)  # label above, value under it
        for part in self.wrap(right, size, inner - gap):
            self.line(part, size, Qt.AlignmentFlag.AlignRight)

    def rule(self) -> None:
        self.advance(self.lay.body / 2 * self.px)
        if self.painter is not None:
            pen = QPen(QColor("black"), self.px / 2, Qt.PenStyle.DashLine)
            self.painter.setPen(pen)
            self.painter.drawLine(QPointF(self.left, self.y), QPointF(self.right, self.y))
            self.painter.setPen(QColor("black"))
        self.advance(self.lay.body * 7 / 10 * self.px)

    def qr(self, payload: str) -> None:
        side = self.lay.qr * self.px
        self.advance(side)
        if self.painter is not None:
            x = (self.left + self.right - side) / 2
            draw_qr(self.painter, payload, QRectF(x, self.y - side, side, side))


def qr_matrix(payload: str) -> list[list[bool]]:
    """The dark modules of ``payload``'s QR code (level M), row by row."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    count = code.getModuleCount()
    return [[bool(code.isDark(r, c)) for c in range(count)] for r in range(count)]


def draw_qr(painter: QPainter, payload: str, box: QRectF) -> None:
    """The QR code in ``box`` (quiet zone included, painted white over any watermark);
    each run of dark modules in a row is one rectangle, so no seams show between them."""
    matrix = qr_matrix(payload)
    module = box.width() / (len(matrix) + 2 * QR_BORDER)
    painter.fillRect(box, QColor("white"))
    black = QColor("black")
    for r, cells in enumerate(matrix):
        y = box.top() + (r + QR_BORDER) * module
        c = 0
        while c < len(cells):
            if not cells[c]:
                c += 1
                continue
            start = c
            while c < len(cells) and cells[c]:
                c += 1
            x = box.left() + (start + QR_BORDER) * module
            painter.fillRect(QRectF(x, y, (c - start) * module, module), black)


def _draw_all(pen: _Pen, doc: ReceiptDoc) -> None:
    lay, center, left = pen.lay, Qt.AlignmentFlag.AlignHCenter, Qt.AlignmentFlag.AlignLeft
    pen.text(doc.hall_name, lay.big, center)
    if doc.hall_name_en:
        pen.text(doc.hall_name_en, lay.body, center)
    pen.advance(lay.body * 3 / 5 * pen.px)
    pen.text(title_text(doc), lay.big, center)
    if doc.copy:
        pen.text(f"*** {COPY_MARK} ***", lay.big, center)
    sections: Sequence[tuple[list[Row], float]] = (
        (header_rows(doc), lay.body),
        (charge_rows(doc), lay.body),
        ([total_row(doc)], lay.big),
    )
    for rows, size in sections:
        pen.rule()
        for row in rows:
            pen.row(row, size)
    pen.text(capitals_text(doc), lay.body, left)
    pen.rule()
    for row in payment_rows(doc):
        pen.row(row, lay.body)
    pen.rule()
    pen.qr(qr_payload(doc))
    pen.text(doc.number, lay.body, center)


def _watermark(painter: QPainter, pen: _Pen, middle: float) -> None:
    """补打 COPY across the receipt, diagonally, light and see-through."""
    painter.save()
    size = pen.width / pen.px / 7
    painter.setFont(pen.font(size))
    painter.setPen(WATERMARK)
    painter.translate(pen.width / 2, middle)
    painter.rotate(-35)
    box = QRectF(-pen.width, -size * pen.px, 2 * pen.width, 2 * size * pen.px)
    painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), COPY_MARK)
    painter.restore()


class PrintFailed(RuntimeError):
    """The printer could not be opened for painting."""


def paint_receipt(doc: ReceiptDoc, printer: QPrinter) -> None:
    """Draw ``doc`` on ``printer``'s pages, fitted to the page width: the 80 mm roll
    layout on a page narrower than 100 mm, the A4 layout otherwise.  Call it on the
    thread that owns ``printer`` (see the module docstring)."""
    width_mm = printer.pageLayout().fullRect(QPageLayout.Unit.Millimeter).width()
    lay = LAYOUTS["roll80" if width_mm < ROLL_MAX_MM else "a4"]
    probe = _Pen(printer, None, lay)
    _draw_all(probe, doc)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(f"cannot print to {printer.printerName() or printer.outputFileName()}")
    try:
        pen = _Pen(printer, painter, lay)
        painter.setPen(QColor("black"))
        if doc.copy:
            _watermark(painter, pen, min(probe.y, pen.height) / 2)
            painter.setPen(QColor("black"))
        _draw_all(pen, doc)
    finally:
        painter.end()


__all__ = ["PrintFailed", "cjk_family", "draw_qr", "paint_receipt", "qr_matrix"]
