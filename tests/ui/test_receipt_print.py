"""Receipts printed through Qt: read back with pdftotext, the QR decoded with zbarimg,
the print dialog shown once and the printer remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSizeF
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QWidget

from app.services.billing.receipt_check import qr_payload
from app.services.billing.receipt_doc import ReceiptDoc
from app.ui.receipt_paint import qr_matrix
from app.ui.receipt_print import ReceiptPrinter, paint_receipt
from app.ui.taskman import TaskManager
from tests.unit.services.billing.receipt_helpers import make_doc, need, run

ROLL = QPageSize(QSizeF(80, 220), QPageSize.Unit.Millimeter, "roll")
A4 = QPageSize(QPageSize.PageSizeId.A4)


def pdf_printer(path: Path, page: QPageSize) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(page)
    return printer


def text_of(pdf: Path) -> str:
    return run(need("pdftotext"), "-layout", pdf, "-")


def decoded_qr(pdf: Path, tmp_path: Path) -> str:
    run(need("pdftoppm"), "-r", "200", "-png", "-f", "1", "-l", "1", pdf, tmp_path / "page")
    (png,) = tmp_path.glob("page*.png")
    return run(need("zbarimg"), "--raw", "-q", png).strip()


def paint(doc: ReceiptDoc, page: QPageSize, tmp_path: Path) -> Path:
    pdf = tmp_path / "receipt.pdf"
    paint_receipt(doc, pdf_printer(pdf, page))
    assert pdf.stat().st_size > 1000
    return pdf


@pytest.mark.parametrize("page", [ROLL, A4], ids=["roll80", "a4"])
def test_painted_receipt_reads_back(qapp: QApplication, tmp_path: Path, page: QPageSize):
    doc = make_doc()
    pdf = paint(doc, page, tmp_path)
    text = text_of(pdf)
    assert "收费收据" in text
    assert "城东供电营业厅" in text
    assert "PC1-00000042" in text
    assert "人民币大写 壹仟肆佰元整" in text
    assert "¥1,400.00" in text
    assert "¥1,048.75" in text
    assert "上海市浦东新区" in text
    assert "补打" not in text
    assert "COPY" not in text
    assert decoded_qr(pdf, tmp_path) == qr_payload(doc)


@pytest.mark.parametrize("page", [ROLL, A4], ids=["roll80", "a4"])
def test_copy_is_marked(qapp: QApplication, tmp_path: Path, page: QPageSize):
    doc = make_doc(copy=True)
    pdf = paint(doc, page, tmp_path)
    text = text_of(pdf)
    assert "补打" in text
    assert "COPY" in text
    assert decoded_qr(pdf, tmp_path) == qr_payload(doc)  # the watermark spares the QR


def test_page_is_a_roll_or_a4(qapp: QApplication, tmp_path: Path):
    for page, size_mm in ((ROLL, (80, 220)), (A4, (210, 297))):
        pdf = paint(make_doc(), page, tmp_path)
        expected = tuple(mm * 72 / 25.4 for mm in size_mm)
        assert pdf_printer_size(pdf) == pytest.approx(expected, abs=1)


def test_qr_matrix_is_a_square_of_modules():
    matrix = qr_matrix(qr_payload(make_doc()))
    assert len(matrix) >= 21
    assert all(len(row) == len(matrix) for row in matrix)
    assert matrix[0][:7] == [True] * 7  # a finder pattern


def print_dialogs() -> list[QPrintDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QPrintDialog) and w.isVisible()
    ]


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_dialog_once_then_straight_to_the_printer(
    qtbot, tasks: TaskManager, window: QWidget, settings: QSettings, tmp_path: Path
):
    out = tmp_path / "out.pdf"
    printer = ReceiptPrinter(tasks, window, settings=settings, pdf_file=out, page_mm=(80, 220))
    printed: list[str] = []
    printer.printed.connect(printed.append)
    printer.failed.connect(pytest.fail)

    printer.print(make_doc())
    qtbot.waitUntil(lambda: len(print_dialogs()) == 1)
    (dialog,) = print_dialogs()
    assert dialog.parentWidget() is window
    assert dialog.isModal()
    assert printed == []
    dialog.accept()
    qtbot.waitUntil(lambda: printed == ["PC1-00000042"], timeout=20_000)
    assert "PC1-00000042" in text_of(out)
    assert settings.value("receipt_printer/pdf_file") == str(out)

    out.unlink()
    printer.print(make_doc(number="PC1-00000043"))
    qtbot.waitUntil(lambda: printed == ["PC1-00000042", "PC1-00000043"], timeout=20_000)
    assert print_dialogs() == []
    assert "PC1-00000043" in text_of(out)
    size = pdf_printer_size(out)
    assert size == pytest.approx((80 * 72 / 25.4, 220 * 72 / 25.4), abs=1)


def pdf_printer_size(pdf: Path) -> tuple[float, float]:
    info = run(need("pdfinfo"), pdf)
    line = next(line for line in info.splitlines() if line.startswith("Page size"))
    words = line.split()
    return float(words[2]), float(words[4])


def test_remembered_printer_survives_a_new_receipt_printer(
    qtbot, tasks: TaskManager, window: QWidget, settings: QSettings, tmp_path: Path
):
    out = tmp_path / "out.pdf"
    first = ReceiptPrinter(tasks, window, settings=settings, pdf_file=out)
    first.choose_printer()
    qtbot.waitUntil(lambda: len(print_dialogs()) == 1)
    print_dialogs()[0].accept()
    qtbot.waitUntil(lambda: first.dialog is None)
    assert not out.exists()  # choosing prints nothing

    again = ReceiptPrinter(
        tasks, window, settings=QSettings(settings.fileName(), QSettings.Format.IniFormat)
    )
    assert again.choice is not None and again.choice.pdf_file == str(out)
    printed: list[str] = []
    again.printed.connect(printed.append)
    again.print(make_doc(copy=True))
    qtbot.waitUntil(lambda: printed == ["PC1-00000042"], timeout=20_000)
    assert print_dialogs() == []
    assert "补打" in text_of(out)


def test_cancelled_dialog_fails_the_waiting_receipts(
    qtbot, tasks: TaskManager, window: QWidget, settings: QSettings, tmp_path: Path
):
    printer = ReceiptPrinter(tasks, window, settings=settings, pdf_file=tmp_path / "x.pdf")
    failed: list[str] = []
    printer.failed.connect(failed.append)
    printer.print(make_doc())
    printer.print(make_doc(number="PC1-00000043"))
    qtbot.waitUntil(lambda: len(print_dialogs()) == 1)
    assert len(print_dialogs()) == 1  # one dialog for both
    print_dialogs()[0].reject()
    qtbot.waitUntil(lambda: len(failed) == 2)
    assert "PC1-00000043" in failed[1]
    assert printer.choice is None
    assert not settings.contains("receipt_printer/pdf_file")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.qt_log_ignore("QPainter::begin")  # Qt says so before we do
def test_unwritable_file_fails(
    qtbot, tasks: TaskManager, window: QWidget, settings: QSettings, tmp_path: Path
):
    settings.setValue("receipt_printer/pdf_file", str(tmp_path / "missing" / "dir" / "r.pdf"))
    printer = ReceiptPrinter(tasks, window, settings=settings)
    failed: list[str] = []
    printer.failed.connect(failed.append)
    printer.print(make_doc())
    qtbot.waitUntil(lambda: len(failed) == 1, timeout=20_000)
    assert "PC1-00000042" in failed[0]
    assert print_dialogs() == []
