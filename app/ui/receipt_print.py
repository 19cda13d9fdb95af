"""Receipts printed through Qt: a print dialog once, then straight to that printer.

Threads: the GUI thread does no printing work.  It shows the QPrintDialog, remembers the
choice and hands a frozen :class:`PrinterChoice` to the TaskManager's pool; the worker
builds its own QPrinter from it, paints (:func:`~app.ui.receipt_paint.paint_receipt`) and
ends the job, so each paint device is created, painted and dropped by one thread, which
Qt allows for QPrinter ("Painting in threads").  No QPrinter crosses threads.  Jobs run one
at a time, so receipts come out in the order they were asked for.

The printer chosen is kept in QSettings (a UI preference, like window geometry), under
``receipt_printer/``: later prints, also after a restart, go straight to it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QSizeF, Qt, Signal
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from app.services.billing.receipt_doc import ReceiptDoc
from app.ui.messages import fill
from app.ui.qtcompat import emit
from app.ui.receipt_paint import PrintFailed, cjk_family, paint_receipt
from app.ui.taskman import TaskManager

SETTINGS_GROUP = "receipt_printer"


def _mm(value: object) -> float:
    try:
        return float(str(value or 0))
    except ValueError:
        return 0.0


@dataclass(frozen=True, slots=True)
class PrinterChoice:
    """Where receipts go: a printer by name, or a PDF file; the page in millimetres
    (0 keeps the printer's own)."""

    name: str = ""
    pdf_file: str = ""
    page_mm: tuple[float, float] = (0.0, 0.0)

    def make_printer(self) -> QPrinter:
        """A new QPrinter for this choice (on the thread that will paint on it)."""
        if self.pdf_file:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(self.pdf_file)
        else:
            mode = QPrinter.PrinterMode.HighResolution
            printer = QPrinter(QPrinterInfo.printerInfo(self.name), mode)
        if self.page_mm[0] > 0 and self.page_mm[1] > 0:
            size = QPageSize(QSizeF(*self.page_mm), QPageSize.Unit.Millimeter, "receipt")
            printer.setPageSize(size)
        return printer


def _print_job(doc: ReceiptDoc, choice: PrinterChoice) -> str:
    """Worker thread: the whole job, from the printer's creation to the end."""
    paint_receipt(doc, choice.make_printer())
    return doc.number


class ReceiptPrinter(QObject):
    """Prints receipts: a print dialog once, then straight to the chosen printer.

    The first :meth:`print` opens a QPrintDialog, modal to ``window`` (non-blocking);
    the printer picked is remembered in ``settings`` and used without a dialog from then
    on, also by a new ReceiptPrinter.  :meth:`choose_printer` asks again.  Receipts asked
    for while the dialog is open print once it is accepted.  ``pdf_file`` presets the
    dialog to "print to file" (tests, or a hall without a printer); ``page_mm`` sets the
    paper of a PDF, e.g. ``(80, 200)`` for a roll.

    Signals:
        printed(str): the number of a receipt sent whole to the printer or the file.
        failed(str): a message for the clerk: a receipt was not printed.
    """

    printed = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        tasks: TaskManager,
        window: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        pdf_file: str | Path | None = None,
        page_mm: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(window)
        self._tasks, self._window = tasks, window
        self._settings = settings if settings is not None else QSettings()
        self._pdf_file = str(pdf_file) if pdf_file is not None else ""
        self._page_mm = page_mm or (0.0, 0.0)
        self._queue: deque[ReceiptDoc] = deque()
        self._busy = False
        self.dialog: QPrintDialog | None = None
        self._dialog_printer: QPrinter | None = None
        self._choice = self._remembered()
        cjk_family()  # load the font here, once, on the GUI thread

    @property
    def choice(self) -> PrinterChoice | None:
        return self._choice

    def print(self, doc: ReceiptDoc) -> None:
        """Print ``doc``: straight away, or after the dialog when no printer is chosen."""
        self._queue.append(doc)
        self._pump()

    def choose_printer(self) -> None:
        """Open the print dialog again; the printer picked replaces the remembered one."""
        if self.dialog is None:
            self._ask()

    # ------------------------------------------------------------------ internals
    def _remembered(self) -> PrinterChoice | None:
        s = self._settings
        name = str(s.value(f"{SETTINGS_GROUP}/name", "") or "")
        pdf_file = str(s.value(f"{SETTINGS_GROUP}/pdf_file", "") or "")
        page = (_mm(s.value(f"{SETTINGS_GROUP}/page_width_mm")),
                _mm(s.value(f"{SETTINGS_GROUP}/page_height_mm")))  # fmt: skip
        if pdf_file:
            return PrinterChoice(pdf_file=pdf_file, page_mm=page)
        if name and not QPrinterInfo.printerInfo(name).isNull():
            return PrinterChoice(name=name, page_mm=page)
        return None  # nothing chosen yet, or that printer is gone: ask

    def _remember(self, choice: PrinterChoice) -> None:
        s = self._settings
        s.setValue(f"{SETTINGS_GROUP}/name", choice.name)
        s.setValue(f"{SETTINGS_GROUP}/pdf_file", choice.pdf_file)
        s.setValue(f"{SETTINGS_GROUP}/page_width_mm", choice.page_mm[0])
        s.setValue(f"{SETTINGS_GROUP}/page_height_mm", choice.page_mm[1])
        s.sync()

    def _ask(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        previous = self._choice
        if previous is not None and previous.name:
            printer.setPrinterName(previous.name)
        pdf_file = self._pdf_file or (previous.pdf_file if previous else "")
        if pdf_file:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(pdf_file)
        dialog = QPrintDialog(printer, self._window)
        dialog.setWindowTitle(self.tr("Choose the receipt printer"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(self._chosen)
        dialog.rejected.connect(self._cancelled)
        self.dialog, self._dialog_printer = dialog, printer
        QDialog.open(dialog)

    def _close_dialog(self) -> QPrinter | None:
        dialog, printer = self.dialog, self._dialog_printer
        self.dialog = self._dialog_printer = None
        if dialog is not None:
            dialog.deleteLater()
        return printer

    def _chosen(self) -> None:
        printer = self._close_dialog()
        if printer is None:
            return
        pdf = printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
        page = self._page_mm
        if not pdf:  # the paper picked in the dialog
            size = printer.pageLayout().fullRect(QPageLayout.Unit.Millimeter).size()
            page = (size.width(), size.height())
        self._choice = PrinterChoice(
            name="" if pdf else printer.printerName(),
            pdf_file=printer.outputFileName() if pdf else "",
            page_mm=page,
        )
        self._remember(self._choice)
        self._pump()

    def _cancelled(self) -> None:
        self._close_dialog()
        while self._queue:
            doc = self._queue.popleft()
            text = self.tr("Receipt {number} was not printed: no printer was chosen.")
            emit(self.failed, fill(text, number=doc.number))

    def _pump(self) -> None:
        if self._busy or self.dialog is not None or not self._queue:
            return
        if self._choice is None:
            self._ask()
            return
        doc = self._queue.popleft()
        choice = self._choice
        self._busy = True
        started = self._tasks.run_in_background(
            lambda: _print_job(doc, choice),
            self._done,
            lambda exc: self._error(doc, exc),
            owner=self,
        )
        if started is None:  # shutting down
            self._busy = False
            self._queue.clear()

    def _done(self, number: str) -> None:
        self._busy = False
        emit(self.printed, number)
        self._pump()

    def _error(self, doc: ReceiptDoc, exc: BaseException) -> None:
        self._busy = False
        text = self.tr("Receipt {number} could not be printed: {error}")
        emit(self.failed, fill(text, number=doc.number, error=str(exc)))
        self._pump()


__all__ = ["PrintFailed", "PrinterChoice", "ReceiptPrinter", "paint_receipt"]
