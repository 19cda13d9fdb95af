"""The counter's dialogs: log in, transfer, call a number (指呼), pause with a reason.

Every dialog works from the keyboard alone: the first field has the focus, Enter accepts,
Esc cancels. They are opened with `open()` (window-modal, never a nested event loop) and
do no database work: the counter window runs the step when they are accepted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from app.services.dto import ServiceInfo
from app.ui.messages import PAUSE_REASONS, pause_reason_text
from app.ui.qtcompat import emit
from app.ui.widgets import StatusLine


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setDefault(True)
    box.rejected.connect(dialog.reject)
    return box


class LoginDialog(QDialog):
    """Job number, password and (when the PC serves no fixed counter) the counter number.

    Signals:
        login_requested(str, str, int): job number, password, counter number.
    """

    login_requested = Signal(str, str, int)

    def __init__(self, counter: int, max_counter: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LoginDialog")
        self.setWindowTitle(self.tr("Counter log-in"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Please log in with your job number"))
        title.setObjectName("DialogTitle")
        layout.addWidget(title)
        form = QFormLayout()
        self.job_number = QLineEdit()
        self.job_number.setObjectName("JobNumber")
        self.job_number.setMaxLength(20)
        self.password = QLineEdit()
        self.password.setObjectName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.counter = QSpinBox()
        self.counter.setObjectName("CounterNumber")
        self.counter.setRange(1, max(1, max_counter))
        # A number typed (or Up/Down keys): the stylesheet's padded frame leaves the tiny
        # arrow buttons drawn as broken lines, so the field shows none.
        self.counter.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.counter.setValue(max(1, counter))
        # After an administrator's reset: the new password, twice (hidden until asked).
        self.new_password = QLineEdit()
        self.new_password.setObjectName("NewPassword")
        self.repeat_password = QLineEdit()
        self.repeat_password.setObjectName("RepeatPassword")
        for field in (self.new_password, self.repeat_password):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Job number"), self.job_number)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("New password"), self.new_password)
        form.addRow(self.tr("Repeat the new password"), self.repeat_password)
        form.addRow(self.tr("Counter"), self.counter)
        self._form = form
        self.fixed_counter = counter > 0
        if self.fixed_counter:
            form.setRowVisible(self.counter, False)
        self.asking_new_password = False
        form.setRowVisible(self.new_password, False)
        form.setRowVisible(self.repeat_password, False)
        layout.addLayout(form)
        self.status = StatusLine(clear_after_ms=15000)
        layout.addWidget(self.status)
        box = _buttons(self, self.tr("Log in"))
        self.ok_button: QPushButton = box.button(QDialogButtonBox.StandardButton.Ok)
        box.accepted.connect(self._submit)
        layout.addWidget(box)
        self.job_number.setFocus()
        self.busy = False

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.ok_button.setEnabled(not busy)
        if busy:
            self.status.show_info(self.tr("Logging in..."))

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.status.show_error(text, sticky=True)
        if self.asking_new_password and self.password.text():
            self.new_password.selectAll()
            self.new_password.setFocus()
        else:
            self.password.selectAll()
            self.password.setFocus()

    def ask_new_password(self, text: str) -> None:
        """The password was reset by an administrator: a new one must be chosen now."""
        self.asking_new_password = True
        self._form.setRowVisible(self.new_password, True)
        self._form.setRowVisible(self.repeat_password, True)
        self.set_busy(False)
        self.status.show_error(text, sticky=True)
        self.new_password.setFocus()

    @property
    def chosen_password(self) -> str | None:
        return self.new_password.text() if self.asking_new_password else None

    def _submit(self) -> None:
        if self.busy:
            return
        job = self.job_number.text().strip()
        if not job or not self.password.text():
            self.status.show_error(self.tr("Enter your job number and password."))
            (self.password if job else self.job_number).setFocus()
            return
        if self.asking_new_password and self.new_password.text() != self.repeat_password.text():
            self.status.show_error(self.tr("The two new passwords differ."))
            self.repeat_password.setFocus()
            return
        self.set_busy(True)
        emit(self.login_requested, job, self.password.text(), self.counter.value())


class TransferDialog(QDialog):
    """Choose the service the current customer goes to next."""

    def __init__(
        self,
        number: str,
        services: list[ServiceInfo],
        default_code: str | None,
        language: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TransferDialog")
        self.setWindowTitle(self.tr("Transfer"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        label = QLabel(self.tr("Transfer {number} to:").format(number=number))
        label.setObjectName("DialogTitle")
        layout.addWidget(label)
        self.services = QComboBox()
        self.services.setObjectName("TransferService")
        # The style's menu-like delegate ignores the stylesheet's selection colours and
        # drew the highlighted row white on white; a plain delegate follows them.
        self.services.setItemDelegate(QStyledItemDelegate(self.services))
        for service in services:
            self.services.addItem(f"{service.prefix}  {service.name(language)}", service.code)
        index = self.services.findData(default_code) if default_code else -1
        self.services.setCurrentIndex(max(0, index))
        layout.addWidget(self.services)
        box = _buttons(self, self.tr("Transfer"))
        box.accepted.connect(self.accept)
        layout.addWidget(box)
        self.services.setFocus()

    @property
    def service_code(self) -> str:
        return str(self.services.currentData())


class CallNumberDialog(QDialog):
    """指呼: type a number like A012, or scan the code printed on the ticket."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CallNumberDialog")
        self.setWindowTitle(self.tr("Call a number"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        label = QLabel(self.tr("Ticket number (e.g. A012) or scanned ticket code:"))
        label.setObjectName("DialogTitle")
        layout.addWidget(label)
        self.number = QLineEdit()
        self.number.setObjectName("TicketNumberInput")
        self.number.setMaxLength(64)
        layout.addWidget(self.number)
        self.status = StatusLine()
        layout.addWidget(self.status)
        box = _buttons(self, self.tr("Call"))
        box.accepted.connect(self._submit)
        layout.addWidget(box)
        self.number.setFocus()

    @property
    def value(self) -> str:
        return self.number.text().strip()

    def _submit(self) -> None:
        if not self.value:
            self.status.show_error(self.tr("Enter a ticket number."))
            return
        self.accept()


class PauseDialog(QDialog):
    """Pause the counter: choose a reason (arrow keys and Enter)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PauseDialog")
        self.setWindowTitle(self.tr("Pause the counter"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        label = QLabel(self.tr("Why is the counter pausing?"))
        label.setObjectName("DialogTitle")
        layout.addWidget(label)
        self.reasons = QListWidget()
        self.reasons.setObjectName("PauseReasons")
        for code in PAUSE_REASONS:
            item = QListWidgetItem(pause_reason_text(code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.reasons.addItem(item)
        self.reasons.setCurrentRow(0)
        self.reasons.itemActivated.connect(lambda _item: self.accept())
        layout.addWidget(self.reasons)
        box = _buttons(self, self.tr("Pause"))
        box.accepted.connect(self.accept)
        layout.addWidget(box)
        self.reasons.setFocus()

    @property
    def reason_code(self) -> str:
        item = self.reasons.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else PAUSE_REASONS[-1]
