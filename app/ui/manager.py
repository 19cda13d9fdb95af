"""The hall manager's live dashboard: wait times, counters, satisfaction, alerts.

A manager logs in (role manager or above). The window then reads the hall through its
desk whenever the hall changes (the shared watcher, within `refresh_ms`) and every second
besides (the elapsed times, and the limits that are passed by time alone); each read also
brings the threshold alerts up to date. A new alert is sounded once; the manager
acknowledges it with a note (Ctrl+K), opens what is behind it (Enter: ticket, rating,
clerk, events) and, for a dissatisfied customer, asks for a complaint work order. All desk
calls run on a worker; the reads never overlap.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPushButton, QWidget

from app.services.desks.manager import Dashboard, ManagerDesk
from app.services.monitoring.charts import DayCharts
from app.services.monitoring.limits import Limits
from app.services.security.actor import Actor
from app.ui.manager_dialogs import AlertDetailDialog, LimitsDialog, NoteDialog
from app.ui.manager_view import ManagerView, render, to_acknowledge
from app.ui.messages import error_text
from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager
from app.ui.widgets import DialogSlot, hall_zone, named

log = logging.getLogger(__name__)
TICK_MS = 1000


class ManagerWindow(QWidget):
    """Signals:
    refreshed(): the dashboard shows a new read.
    alert_sounded(str): a new alert was sounded (its id), once per alert.
    """

    refreshed = Signal()
    alert_sounded = Signal(str)
    charts_shown = Signal()

    def __init__(
        self, desk: ManagerDesk, tasks: TaskManager, language: str = "zh_CN",
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("ManagerWindow")
        self.setWindowTitle(self.tr("HallDesk - Hall manager"))
        self._desk, self._tasks, self._language = desk, tasks, language
        self.actor: Actor | None = None
        self.board: Dashboard | None = None
        self._reading = self._again = False
        self._sounded: set[uuid.UUID] = set()
        self._charts_day: date | None = None
        self.dialogs = DialogSlot(self)
        self.view = ManagerView(self)
        self.job_number = named(QLineEdit(), "ManagerJobNumber")
        self.job_number.setPlaceholderText(self.tr("Job number"))
        self.password = named(QLineEdit(), "ManagerPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.login_button = named(QPushButton(self.tr("Log in")), "ManagerLogin")
        for w in (self.job_number, self.password, self.login_button):
            self.view.login.addWidget(w)
        self.login_button.clicked.connect(self.log_in)
        self.password.returnPressed.connect(self.log_in)
        self.view.title.setText(self.tr("Hall manager: log in"))
        self.view.acknowledge.clicked.connect(self.acknowledge_selected)
        self.view.details.clicked.connect(self.open_selected)
        self.view.limits.clicked.connect(self.edit_limits)
        self.view.alerts.itemActivated.connect(lambda _i: self.open_selected())
        QShortcut(QKeySequence("Ctrl+K"), self, self.acknowledge_selected)
        self.view.tabs.currentChanged.connect(lambda _i: self.load_charts())
        self.view.charts.day.dateChanged.connect(lambda _d: self.load_charts())
        self.view.tabs.setEnabled(False)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self.resize(1280, 900)

    # ------------------------------------------------------------------ log-in
    def log_in(self) -> None:
        job, password, desk = self.job_number.text(), self.password.text(), self._desk
        self._tasks.run_in_background(
            lambda: desk.log_in(job, password), self._logged_in, self._login_failed, owner=self
        )

    def _login_failed(self, exc: BaseException) -> None:
        self.password.clear()
        self.show_message(error_text(exc))

    def _logged_in(self, actor: Actor) -> None:
        self.actor = actor
        self.password.clear()
        self.view.login_row.hide()
        self.view.tabs.setEnabled(True)
        self.show_message(self.tr("Logged in as {name}.").format(name=actor.staff.name))
        self._timer.start(TICK_MS)
        self.refresh()

    # ------------------------------------------------------------------ reading
    def on_hall_changed(self) -> None:
        """The shared watcher saw a change: read now."""
        if self.actor is not None:
            self.refresh()

    def refresh(self) -> None:
        if self._reading:
            self._again = True  # once this read is in, read again
            return
        self._reading, desk = True, self._desk
        # the read may raise or clear threshold alerts: the write lane
        self._tasks.run_in_background(
            desk.read, self._show, self._read_failed, owner=self, write=True
        )

    def _read_failed(self, exc: BaseException) -> None:
        self._reading = False
        self.show_message(error_text(exc))

    def _show(self, board: Dashboard) -> None:
        self._reading = False
        self.board = board
        render(self.view, board, self._language)
        for alert in to_acknowledge(board):
            if alert.id not in self._sounded:
                self._sounded.add(alert.id)
                QApplication.beep()
                emit(self.alert_sounded, str(alert.id))
        emit(self.refreshed)
        if self._again:
            self._again = False
            self.refresh()

    # ------------------------------------------------------------------ charts
    def load_charts(self) -> None:
        """The charts of the day chosen (the hall's today at first), when their tab shows."""
        if self.actor is None or self.view.tabs.currentWidget() is not self.view.charts:
            return
        desk, picked = self._desk, self.view.charts.day.date()
        first = self._charts_day is None

        def load() -> object:
            day = desk.today() if first else picked.toPython()
            return desk.charts(day)  # type: ignore[arg-type]

        self._tasks.run_in_background(
            load,
            self._show_charts,
            lambda exc: self.show_message(error_text(exc)),
            owner=self,
        )

    def _show_charts(self, data: DayCharts) -> None:
        self._charts_day = data.day
        self.view.charts.show_day(data, self._language)
        emit(self.charts_shown)

    # ------------------------------------------------------------------ alerts
    def selected_alert(self) -> uuid.UUID | None:
        row = self.view.alerts.currentRow()
        item = self.view.alerts.item(row, 0) if row >= 0 else None
        return uuid.UUID(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def acknowledge_selected(self) -> None:
        alert_id = self.selected_alert()
        if alert_id is None or self.actor is None:
            self.show_message(self.tr("Choose an alert first."))
            return
        dialog = NoteDialog(
            self.tr("Acknowledge the alert"), self.tr("What was done about it?"), self
        )
        actor, desk = self.actor, self._desk
        self._on_note(dialog, lambda note: desk.acknowledge(actor, alert_id, note),
                      self.tr("Alert acknowledged."))  # fmt: skip
        self.dialogs.open(dialog)

    def open_selected(self) -> None:
        alert_id = self.selected_alert()
        if alert_id is None or self.board is None:
            self.show_message(self.tr("Choose an alert first."))
            return
        zone = hall_zone(self.board.info.timezone)
        self._tasks.run_in_background(
            lambda: self._desk.detail(alert_id),
            lambda detail: self._show_detail(detail, zone),
            lambda exc: self.show_message(error_text(exc)),
            owner=self,
        )

    def _show_detail(self, detail, zone) -> None:  # type: ignore[no-untyped-def]
        dialog = AlertDetailDialog(detail, zone, self)
        dialog.complaint_requested.connect(lambda: self._ask_complaint(detail.alert.id, dialog))
        self.dialogs.open(dialog)

    def _ask_complaint(self, alert_id: uuid.UUID, parent: QWidget) -> None:
        if self.actor is None:
            return
        dialog = NoteDialog(
            self.tr("Complaint work order"),
            self.tr("What is the complaint about? (The work order follows from this request.)"),
            parent,
        )
        actor, desk = self.actor, self._desk
        self._on_note(dialog, lambda note: desk.request_complaint(actor, alert_id, note),
                      self.tr("Complaint work order requested."))  # fmt: skip
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # ------------------------------------------------------------------ limits
    def edit_limits(self) -> None:
        row = self.view.services.currentRow()
        item = self.view.services.item(row, 0) if row >= 0 else None
        if item is None or self.board is None or self.actor is None:
            self.show_message(self.tr("Choose a service first."))
            return
        code = str(item.data(Qt.ItemDataRole.UserRole))
        svc = self.board.hall.service(code)
        dialog = LimitsDialog(
            svc.name(self._language),
            svc.wait_limit_s // 60,
            svc.handling_limit_s // 60,
            svc.queue_limit,
            self,
        )
        actor, desk = self.actor, self._desk

        def save(wait: int, handling: int, queue: int) -> None:
            limits = Limits(wait, handling, queue)
            self._tasks.run_in_background(
                lambda: desk.set_limits(actor, code, limits),
                lambda _r: self._done(dialog, self.tr("The limits are saved.")),
                lambda exc: dialog.status.setText(error_text(exc)),
                owner=self,
                write=True,
            )

        dialog.chosen.connect(save)
        self.dialogs.open(dialog)

    def _on_note(self, dialog: NoteDialog, step: Callable[[str], object], message: str) -> None:
        """When the dialog's note is given: `step(note)` on the write lane, then `message`;
        a refusal is told in the dialog, which stays open."""

        def run(note: str) -> None:
            self._tasks.run_in_background(
                lambda: step(note),
                lambda _r: self._done(dialog, message),
                lambda exc: dialog.status.setText(error_text(exc)),
                owner=self,
                write=True,
            )

        dialog.noted.connect(run)

    def _done(self, dialog: QDialog, message: str) -> None:
        dialog.accept()
        self.show_message(message)
        self.refresh()

    # ------------------------------------------------------------------ misc
    def show_message(self, text: str) -> None:
        self.view.status.setText(text)

    def shutdown(self) -> None:
        self._timer.stop()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.shutdown()
        super().closeEvent(event)
