"""A fee receipt as ESC/POS bytes for a 58 or 80 mm thermal printer (GB18030 text).

Built with the encoder of :mod:`app.devices.escpos` from the same rows as the PDF
(:mod:`receipt_doc`): hall, title, the 补打/COPY marking on a reprint, who/when/whom,
the charges, the total in figures and in capitals, the payment, the QR code carrying
:func:`receipt_check.qr_payload` (its text printed under it), then feed and cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.devices.escpos import (
    DEFAULT_ENCODING,
    Align,
    EscPos,
    columns_for,
    text_width,
    two_columns,
    wrap,
    wrap_words,
)
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


def _rows(p: EscPos, rows: Sequence[Row], columns: int) -> None:
    """Label and value on one line; when they do not fit, the label (wrapped) and then
    the value on the right of its own line, so an amount is never split."""
    for left, right in rows:
        if text_width(left) + 1 + text_width(right) <= columns:
            p.line(two_columns(left, right, columns))
            continue
        for part in wrap(left, columns):
            p.line(part)
        for part in wrap(right, columns):
            p.line(" " * (columns - text_width(part)) + part)


def render_escpos(
    doc: ReceiptDoc, paper_mm: int = 80, *, encoding: str = DEFAULT_ENCODING
) -> bytes:
    """ESC/POS bytes of the receipt for ``paper_mm`` (58 or 80) paper, ending with a cut."""
    columns = columns_for(paper_mm)
    rule = "-" * columns
    p = EscPos(encoding).init().chinese().align(Align.CENTER)
    p.bold().size(1, 2)
    for part in wrap(doc.hall_name, columns):
        p.line(part)
    p.size().bold(False)
    if doc.hall_name_en:
        for part in wrap_words(doc.hall_name_en, columns):
            p.line(part)
    p.bold()
    for part in wrap(title_text(doc), columns):
        p.line(part)
    if doc.copy:
        p.size(2, 2).line(COPY_MARK).size()
    p.bold(False).line(rule).align(Align.LEFT)
    _rows(p, header_rows(doc), columns)
    p.line(rule)
    _rows(p, charge_rows(doc), columns)
    p.line(rule).bold()
    _rows(p, [total_row(doc)], columns)
    p.bold(False)
    for part in wrap(capitals_text(doc), columns):
        p.line(part)
    p.line(rule)
    _rows(p, payment_rows(doc), columns)
    p.line(rule).align(Align.CENTER)
    payload = qr_payload(doc)
    p.qr(payload, module_size=6 if paper_mm == 80 else 4)
    for part in wrap(payload, columns):
        p.line(part)
    if doc.copy:
        p.line(f"*** {COPY_MARK} ***")
    return p.feed(4).cut().to_bytes()


__all__ = ["render_escpos"]
