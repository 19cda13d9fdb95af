"""The first start of a cached station: its hall copied from the centre, with progress.

A new station copies its hall (hundreds of thousands of accounts and bills) once before it
can start. This window shows that copy while it runs on a worker thread: the table in
hand with its rows done, one bar over the whole copy (every table weighted by its rows,
so it never falls back when the next table starts), the rows done of all, and the time
left at the recent pace. Cancel stops the copy after the batch being written; what is
copied stays, and the next start goes on from there (the window says so).

The copy is handed in as a `CopyJob` (built by the bootstrap, passed in by the CLI); its
progress reaches this window through the `batch_copied` signal, queued to the GUI thread,
and the window closes itself when the copy is whole or stopped. If the copy fails (the
centre gone), the window says why and closes when the user closes it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import DatabaseUnavailable
from app.services.sync.copy_progress import CopyProgress, TimeLeft, hours_minutes
from app.services.sync.initial import InitialResult, Progress, StopCheck
from app.ui.messages import error_text, fill
from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager
from app.ui.widgets import StatusLine, named

BAR_STEPS = 1000  # the bar's range: tenths of a per cent


class CopyJob(Protocol):
    """The first copy as the window needs it (app.station_cache.FirstCopy)."""

    @property
    def hall(self) -> str: ...

    def run(self, progress: Progress, should_stop: StopCheck) -> InitialResult: ...


class Outcome(StrEnum):
    DONE = "done"  # the copy is whole: the station starts
    STOPPED = "stopped"  # cancelled between two batches: the next start goes on
    FAILED = "failed"  # an error stopped it (`error`): the next start goes on too


@dataclass(frozen=True)
class CopyEnded:
    """How the first copy's window ended."""

    outcome: Outcome
    result: InitialResult | None  # None if it failed
    error: BaseException | None  # what stopped it, if it failed


class FirstCopyWindow(QWidget):
    """The progress of a new station's first copy of its hall, with a Cancel button.

    Signals:
        batch_copied(object): a batch of the copy was committed (a CopyProgress); emitted
            on the copy's worker thread, handled on the GUI thread.
        copy_ended(str): the copy ended (an `Outcome`) and the window closed.
    """

    batch_copied = Signal(object)
    copy_ended = Signal(str)

    def __init__(self, job: CopyJob, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FirstCopyWindow")
        self.setWindowTitle(self.tr("HallDesk - First copy of the hall"))
        self._job = job
        self._tasks = tasks
        self._stop = threading.Event()
        self._pace = TimeLeft()
        self._ended = False
        self.outcome: Outcome | None = None
        self.result: InitialResult | None = None
        self.error: BaseException | None = None
        self._table_names = {
            "halls": self.tr("Hall"),
            "services": self.tr("Services"),
            "counters": self.tr("Counters"),
            "counter_services": self.tr("Services of the counters"),
            "staff": self.tr("Staff"),
            "customer_accounts": self.tr("Customer accounts"),
            "bills": self.tr("Bills"),
            "fee_items": self.tr("Fee items"),
            "late_fee_rules": self.tr("Late fee rules"),
            "payments": self.tr("Payments"),
            "payment_allocations": self.tr("Bills of the payments"),
            "payment_fees": self.tr("Fees of the payments"),
            "credit_entries": self.tr("Account credit"),
            "payment_voids": self.tr("Voided payments"),
            "refunds": self.tr("Refunds"),
            "receipt_prints": self.tr("Receipt prints"),
            "day_closings": self.tr("Day closings"),
        }

        root = QVBoxLayout(self)
        root.setContentsMargins(28, 24, 28, 20)
        root.setSpacing(10)
        title = fill(self.tr("Copying hall {hall} from the central database"), hall=job.hall)
        root.addWidget(named(QLabel(title), "DialogTitle"))
        why = named(
            QLabel(
                self.tr(
                    "This station is new. It keeps its own copy of the hall, so that its "
                    "counter goes on working when the central database cannot be reached. "
                    "The copy is made once, now."
                )
            ),
            "FirstCopyText",
        )
        why.setWordWrap(True)
        root.addWidget(why)
        self.table_line = named(QLabel(self.tr("Counting the rows to copy…")), "FirstCopyTable")
        root.addWidget(self.table_line)
        self.bar = named(QProgressBar(), "FirstCopyBar")
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setValue(0)
        root.addWidget(self.bar)
        self.rows_line = named(QLabel(""), "FirstCopyRows")
        root.addWidget(self.rows_line)
        self.time_line = named(QLabel(self.tr("Estimating the time left…")), "FirstCopyTime")
        root.addWidget(self.time_line)
        note = named(
            QLabel(
                self.tr(
                    "Cancel stops the copy after the batch being written. Nothing copied "
                    "is lost: the next start of HallDesk goes on from there."
                )
            ),
            "FirstCopyNote",
        )
        note.setWordWrap(True)
        root.addWidget(note)
        self.status = StatusLine()
        root.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.button = named(QPushButton(self.tr("Cancel")), "FirstCopyCancel")
        self.button.clicked.connect(self._button_clicked)
        buttons.addWidget(self.button)
        root.addLayout(buttons)
        self.resize(640, 400)
        self.batch_copied.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------------ public
    def start(self) -> None:
        """Start the copy on the write lane; the window follows it from here."""
        self._tasks.run_in_background(
            self._copy, self._copied, self._failed, owner=self, write=True
        )

    def cancel(self) -> None:
        """Stop the copy after the batch being written (nothing is lost)."""
        if self.outcome is not None or self._stop.is_set():
            return
        self._stop.set()
        self.button.setEnabled(False)
        self.time_line.setText(self.tr("Stopping after the batch being written…"))

    # ------------------------------------------------------------------ Qt overrides
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.outcome is None:  # still copying: stop first, the window closes then
            event.ignore()
            self.cancel()
            return
        super().closeEvent(event)
        if not self._ended:
            self._ended = True
            emit(self.copy_ended, str(self.outcome))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ the copy
    def _copy(self) -> InitialResult:
        """Worker thread: the copy; its progress goes out as a signal, nothing else."""
        return self._job.run(self._batch_done, self._stop.is_set)

    def _batch_done(self, progress: CopyProgress) -> None:
        emit(self.batch_copied, progress)  # worker thread: queued to the GUI thread

    def _show_progress(self, progress: CopyProgress) -> None:
        locale = QLocale()
        name = self._table_names.get(progress.table, progress.table)
        self.table_line.setText(
            fill(
                self.tr("{table}: {done} of {total} rows"),
                table=name,
                done=locale.toString(progress.table_done),
                total=locale.toString(progress.table_total),
            )
        )
        self.rows_line.setText(
            fill(
                self.tr("{done} of {total} rows in all"),
                done=locale.toString(progress.done),
                total=locale.toString(progress.total),
            )
        )
        if not self._stop.is_set():
            left = self._pace.add(time.monotonic(), progress.done, progress.total)
            self.time_line.setText(self._time_left_text(left))
        # never backwards, even if a table turned out bigger than counted
        self.bar.setValue(max(self.bar.value(), int(progress.fraction * BAR_STEPS)))

    def _time_left_text(self, seconds: float | None) -> str:
        if seconds is None:
            return self.tr("Estimating the time left…")
        parts = hours_minutes(seconds)
        if parts is None:
            return self.tr("Less than a minute left")
        hours, minutes = parts
        if hours:
            return fill(self.tr("About {hours} h {minutes} min left"), hours=hours, minutes=minutes)
        return fill(self.tr("About {minutes} min left"), minutes=minutes)

    def _copied(self, result: InitialResult) -> None:
        self.result = result
        if result.stopped:
            self.outcome = Outcome.STOPPED
        else:
            self.outcome = Outcome.DONE
            self.bar.setValue(BAR_STEPS)
        self.close()

    def _failed(self, exc: BaseException) -> None:
        self.error = exc
        self.outcome = Outcome.FAILED
        if isinstance(exc, DatabaseUnavailable):
            reason = self.tr("The central database cannot be reached.")
        else:
            reason = error_text(exc)
        text = self.tr(
            "The copy stopped: {reason} The next start of HallDesk goes on from where it stopped."
        )
        self.status.show_error(fill(text, reason=reason), sticky=True)
        self.time_line.setText("")
        self.button.setText(self.tr("Close"))
        self.button.setEnabled(True)

    def _button_clicked(self) -> None:
        if self.outcome is None:
            self.cancel()
        else:
            self.close()
