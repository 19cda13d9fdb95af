"""The payment panel's dialogs: pay, void, refund (both with a manager's approval), and
the day closing.

Keyboard first, like the counter's dialogs: the field to type in has the focus, Enter
accepts, Esc cancels; opened with `open()` (window-modal, no nested event loop). They check
what can be checked without the database (an amount's form, cash short of the amount, a
missing reference or reason) and say so in their own status line, keeping the dialog open;
the panel runs the step when they are accepted, and the services check everything again.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.billing.dto import FeeInfo
from app.services.billing.history import DaySummary
from app.services.billing.money import parse_amount
from app.services.desks.cashier import Approval
from app.services.errors import DomainError
from app.ui.messages import error_text, ui_language
from app.ui.pay_render import method_name, yuan
from app.ui.widgets import StatusLine, named

METHODS = ("cash", "card", "qr")
translate = QCoreApplication.translate


class _Dialog(QDialog):
    """Title, a form, a status line and OK/Cancel; `_check` decides whether OK accepts."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(460)
        self.layout_ = QVBoxLayout(self)
        heading = named(QLabel(title), "DialogTitle")
        self.layout_.addWidget(heading)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.status = StatusLine(clear_after_ms=15000)
        self.status.setWordWrap(True)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setDefault(True)
        box.accepted.connect(self._submit)
        box.rejected.connect(self.reject)
        self._box = box

    def _finish_layout(self) -> None:
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self._box)

    def _submit(self) -> None:
        try:
            if self._check():
                self.accept()
        except DomainError as exc:
            self.status.show_error(error_text(exc), sticky=True)

    def _check(self) -> bool:
        return True

    def _fail(self, text: str, field: QLineEdit) -> bool:
        self.status.show_error(text, sticky=True)
        field.selectAll()
        field.setFocus()
        return False


def _method_box(parent: QDialog) -> QComboBox:
    box = named(QComboBox(), "PayMethod")
    for n, method in enumerate(METHODS, start=1):
        box.addItem(f"{method_name(method)} (Ctrl+{n})", method)
        shortcut = QShortcut(QKeySequence(f"Ctrl+{n}"), parent)
        shortcut.activated.connect(lambda n=n: box.setCurrentIndex(n - 1))
    return box


class ApprovalFields:
    """A manager's job number and password, typed at the counter."""

    def __init__(self, dialog: _Dialog) -> None:
        self.job = named(QLineEdit(), "ManagerJob")
        self.job.setMaxLength(20)
        self.password = named(QLineEdit(), "ManagerPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        dialog.form.addRow(translate("ApprovalFields", "Manager's job number"), self.job)
        dialog.form.addRow(translate("ApprovalFields", "Manager's password"), self.password)
        self._dialog = dialog

    def check(self) -> bool:
        if not self.job.text().strip():
            return self._dialog._fail(
                translate("ApprovalFields", "A manager must approve."), self.job
            )
        if not self.password.text():
            return self._dialog._fail(
                translate("ApprovalFields", "The manager's password is needed."), self.password
            )
        return True

    @property
    def value(self) -> Approval:
        return Approval(self.job.text().strip(), self.password.text())


class PayDialog(_Dialog):
    """Amount (what the chosen bills come to: Shift+Tab and type over it to pay part or
    more), cash received (focused; empty: the exact amount) or, for card and QR pay
    (Ctrl+2, Ctrl+3), the slip's reference."""

    def __init__(self, account_text: str, due: Decimal, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Take a payment"), self.tr("Pay and print"), parent)
        self.setObjectName("PayDialog")
        self.form.addRow(self.tr("Account"), QLabel(account_text))
        self.amount = named(QLineEdit(str(due) if due > 0 else ""), "PayAmount")
        self.method = _method_box(self)
        self.tendered = named(QLineEdit(), "PayTendered")
        self.tendered.setPlaceholderText(self.tr("empty: exactly the amount"))
        self.reference = named(QLineEdit(), "PayReference")
        self.reference.setMaxLength(64)
        self.change = named(QLabel(), "PayChange")
        # Cash received right after the amount: Shift+Tab from it reaches the amount.
        self.form.addRow(self.tr("Amount"), self.amount)
        self.form.addRow(self.tr("Cash received"), self.tendered)
        self.form.addRow(self.tr("Change"), self.change)
        self.form.addRow(self.tr("Method"), self.method)
        self.form.addRow(self.tr("Reference"), self.reference)
        self._finish_layout()
        self.method.currentIndexChanged.connect(self._method_changed)
        self.amount.textChanged.connect(self._show_change)
        self.tendered.textChanged.connect(self._show_change)
        self._method_changed()
        self.value: tuple[Decimal, str, Decimal | None, str] | None = None

    @property
    def method_code(self) -> str:
        return str(self.method.currentData())

    def _method_changed(self) -> None:
        cash = self.method_code == "cash"
        self.form.setRowVisible(self.tendered, cash)
        self.form.setRowVisible(self.change, cash)
        self.form.setRowVisible(self.reference, not cash)
        # the field the clerk types next: the cash handed over, or the slip's reference
        (self.tendered if cash else self.reference).setFocus()
        self._show_change()

    def _show_change(self) -> None:
        try:
            amount = parse_amount(self.amount.text())
            tendered = parse_amount(self.tendered.text()) if self.tendered.text() else amount
        except DomainError:
            self.change.clear()
            return
        self.change.setText(yuan(tendered - amount) if tendered >= amount else "")

    def _check(self) -> bool:
        try:
            amount = parse_amount(self.amount.text())
        except DomainError as exc:
            return self._fail(error_text(exc), self.amount)
        tendered: Decimal | None = None
        reference = ""
        if self.method_code == "cash":
            try:
                tendered = parse_amount(self.tendered.text()) if self.tendered.text() else amount
            except DomainError as exc:
                return self._fail(error_text(exc), self.tendered)
            if tendered < amount:
                text = self.tr("Cash received is less than the amount ({amount}).")
                return self._fail(text.format(amount=yuan(amount)), self.tendered)
        else:
            reference = self.reference.text().strip()
            if not reference:
                return self._fail(
                    self.tr("Type or scan the card slip's or the QR payment's reference."),
                    self.reference,
                )
        self.value = (amount, self.method_code, tendered, reference)
        return True


class FeeDialog(_Dialog):
    """The hall's business fees (收费定义) to add to this payment: Space ticks one, Enter
    takes the ticked ones (a fee wanted twice: add it again after paying)."""

    def __init__(
        self, fees: list[FeeInfo], chosen: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(self.tr("Business fees"), self.tr("Add to the payment"), parent)
        self.setObjectName("FeeDialog")
        self.list = named(QListWidget(), "FeeList")
        for fee in fees:
            name = fee.name_zh if ui_language() == "zh_CN" else fee.name_en
            item = QListWidgetItem(f"{name}    {yuan(fee.amount)}")
            item.setData(Qt.ItemDataRole.UserRole, fee.code)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                          | Qt.ItemFlag.ItemIsSelectable)  # fmt: skip
            ticked = fee.code in chosen
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.setMinimumHeight(220)
        self.layout_.insertWidget(1, self.list)
        self._finish_layout()
        self.list.installEventFilter(self)
        self.list.setCurrentRow(0)
        self.list.setFocus()

    @property
    def codes(self) -> list[str]:
        return [
            str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.list
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Space
        ):
            item = self.list.currentItem()
            if item is not None:
                ticked = item.checkState() == Qt.CheckState.Checked
                item.setCheckState(Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)
            return True
        return False


class VoidDialog(_Dialog):
    """Why the payment is void, and the manager who approves it."""

    def __init__(self, receipt: str, amount: Decimal, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Void a payment"), self.tr("Void"), parent)
        self.setObjectName("VoidDialog")
        self.form.addRow(self.tr("Receipt"), QLabel(f"{receipt}  {yuan(amount)}"))
        self.reason = named(QComboBox(), "VoidReason")
        self.reason.setEditable(True)
        self.reason.addItems(
            [self.tr("Wrong amount"), self.tr("Wrong account"), self.tr("Customer cancelled")]
        )
        self.reason.setCurrentIndex(-1)
        self.form.addRow(self.tr("Reason"), self.reason)
        self.approval = ApprovalFields(self)
        self._finish_layout()
        self.reason.setFocus()

    @property
    def reason_text(self) -> str:
        return self.reason.currentText().strip()

    def _check(self) -> bool:
        if not self.reason_text:
            self.status.show_error(self.tr("Give the reason."), sticky=True)
            self.reason.setFocus()
            return False
        return self.approval.check()


class RefundDialog(_Dialog):
    """How much of the credit is paid back, how, why, and the manager who approves it."""

    def __init__(self, account_text: str, credit: Decimal, parent: QWidget | None = None):
        super().__init__(self.tr("Refund credit"), self.tr("Refund"), parent)
        self.setObjectName("RefundDialog")
        self.form.addRow(self.tr("Account"), QLabel(account_text))
        self.form.addRow(self.tr("Credit"), QLabel(yuan(credit)))
        self.amount = named(QLineEdit(str(credit)), "RefundAmount")
        self.method = _method_box(self)
        self.reference = named(QLineEdit(), "RefundReference")
        self.reference.setMaxLength(64)
        self.reason = named(QLineEdit(), "RefundReason")
        self.reason.setMaxLength(200)
        self.form.addRow(self.tr("Amount"), self.amount)
        self.form.addRow(self.tr("Method"), self.method)
        self.form.addRow(self.tr("Reference"), self.reference)
        self.form.addRow(self.tr("Reason"), self.reason)
        self.approval = ApprovalFields(self)
        self._finish_layout()
        self.amount.selectAll()
        self.amount.setFocus()
        self.value: Decimal | None = None

    def _check(self) -> bool:
        try:
            self.value = parse_amount(self.amount.text())
        except DomainError as exc:
            return self._fail(error_text(exc), self.amount)
        if self.method.currentData() != "cash" and not self.reference.text().strip():
            return self._fail(self.tr("A card or QR refund needs its reference."), self.reference)
        if not self.reason.text().strip():
            return self._fail(self.tr("Give the reason."), self.reason)
        return self.approval.check()


def _counted(text: str) -> Decimal:
    """Cash counted: an amount, or nothing at all in the drawer."""
    if text.strip() in ("0", "0.0", "0.00", "０"):
        return Decimal("0.00")
    return parse_amount(text)


class ClosingDialog(_Dialog):
    """The clerk's day as the closing will record it, and the cash counted in the drawer."""

    def __init__(self, day: DaySummary, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Day closing"), self.tr("Close the day"), parent)
        self.setObjectName("ClosingDialog")
        rows = [
            (self.tr("Business day"), day.business_date.isoformat()),
            (self.tr("Payments"), str(day.payment_count)),
            *((method_name(m), yuan(v)) for m, v in day.by_method.items()),
            (self.tr("Voided"), yuan(day.voids)),
            (self.tr("Refunds paid"), yuan(day.refunds)),
            (self.tr("Cash expected in the drawer"), yuan(day.expected_cash)),
        ]
        for label, value in rows:
            shown = named(QLabel(value), "ClosingFigure")
            shown.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.form.addRow(label, shown)
        self.counted = named(QLineEdit(), "CountedCash")
        self.note = named(QLineEdit(), "ClosingNote")
        self.note.setMaxLength(200)
        self.form.addRow(self.tr("Cash counted"), self.counted)
        self.form.addRow(self.tr("Note"), self.note)
        self._finish_layout()
        self.value: Decimal | None = None
        if day.closed:
            self.status.show_info(self.tr("This day is closed already."))
            self.ok_button.setEnabled(False)
            self.counted.setEnabled(False)
            self.note.setEnabled(False)
        else:
            self.counted.setFocus()

    def _check(self) -> bool:
        try:
            self.value = _counted(self.counted.text())
        except DomainError as exc:
            return self._fail(error_text(exc), self.counted)
        return True
