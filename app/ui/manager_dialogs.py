"""The manager's dialogs: a note for an acknowledgement or a complaint request, and what
is behind an alert (ticket, rating, clerk, events)."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services.monitoring.drill import AlertDetail
from app.ui.manager_view import kind_text, rating_text, what_text
from app.ui.qtcompat import emit
from app.ui.widgets import named


class NoteDialog(QDialog):
    """A required note: what the manager did about the alert.

    Signals:
        noted(str): OK with a note (the dialog stays open until the caller closes it).
    """

    noted = Signal(str)

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoteDialog")
        self.setWindowTitle(title)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(prompt))
        self.note = named(QLineEdit(), "Note")
        self.note.setMaxLength(200)
        box.addWidget(self.note)
        self.status = named(QLabel(), "NoteStatus")
        box.addWidget(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.note.setFocus()

    def _ok(self) -> None:
        text = self.note.text().strip()
        if not text:
            self.status.setText(self.tr("Say in a few words what was done."))
            self.note.setFocus()
            return
        emit(self.noted, text)


class AlertDetailDialog(QDialog):
    """Behind an alert. Signals:
    complaint_requested(): the manager asks for a complaint work order (dissatisfied)."""

    complaint_requested = Signal()

    def __init__(self, detail: AlertDetail, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AlertDetailDialog")
        alert = detail.alert
        self.setWindowTitle(kind_text(alert.kind))
        box = QVBoxLayout(self)
        when = alert.created_at.astimezone(zone).strftime("%H:%M:%S")
        lines = [f"{when}  {what_text(alert)}"]
        t = detail.ticket
        if t is not None:
            called = t.called_at.astimezone(zone).strftime("%H:%M:%S") if t.called_at else "—"
            lines.append(
                self.tr(
                    "{number} ({service}): taken {issued}, called {called}, counter {counter}"
                ).format(
                    number=t.display_number,
                    service=t.service_zh or t.service_en,
                    issued=t.issued_at.astimezone(zone).strftime("%H:%M:%S"),
                    called=called,
                    counter=t.counter_number or "—",
                )
            )
        if detail.clerk_job:
            lines.append(
                self.tr("Clerk: {name} ({job})").format(
                    name=detail.clerk_name, job=detail.clerk_job
                )
            )
        if detail.rating is not None:
            lines.append(self.tr("Rating: {rating}").format(rating=rating_text(detail.rating)))
        if alert.note:
            lines.append(self.tr("Note: {note}").format(note=alert.note))
        self.summary = named(QLabel("\n".join(lines)), "AlertSummary")
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.events = named(QListWidget(), "AlertEvents")
        for at, kind, counter, text in detail.events:
            where = f" · {counter}" if counter is not None else ""
            self.events.addItem(f"{at.astimezone(zone):%H:%M:%S}  {kind}{where}  {text}".rstrip())
        box.addWidget(self.events)
        self.complaint = named(QPushButton(self.tr("Ask for a complaint work order…")), "Complaint")
        self.complaint.setVisible(alert.kind == "dissatisfied")
        self.complaint.clicked.connect(lambda: emit(self.complaint_requested))
        box.addWidget(self.complaint)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        box.addWidget(close)
        self.resize(560, 420)


class LimitsDialog(QDialog):
    """A service's alert thresholds. Signals: chosen(int, int, int): wait minutes, handling
    minutes, queue limit (0: none); the dialog stays open until the caller closes it."""

    chosen = Signal(int, int, int)

    def __init__(
        self, service: str, wait_min: int, handling_min: int, queue_limit: int,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("LimitsDialog")
        self.setWindowTitle(self.tr("Limits of {service}").format(service=service))
        form = QFormLayout(self)
        self.wait = named(_spin(1, 240, wait_min, self.tr(" min")), "LimitWait")
        self.handling = named(_spin(1, 240, handling_min, self.tr(" min")), "LimitHandling")
        self.queue = named(_spin(0, 999, queue_limit, ""), "LimitQueue")
        self.queue.setSpecialValueText(self.tr("no alert"))
        form.addRow(self.tr("Alert when someone has waited longer than"), self.wait)
        form.addRow(self.tr("Alert when a customer is at the counter longer than"), self.handling)
        form.addRow(self.tr("Alert when more are waiting than"), self.queue)
        self.status = named(QLabel(), "LimitsStatus")
        form.addRow(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(
            lambda: emit(self.chosen, self.wait.value(), self.handling.value(), self.queue.value())
        )
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def _spin(low: int, high: int, value: int, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    return box
