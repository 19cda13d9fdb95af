"""The counter window's payment panel (收费): from the account number to the printed receipt.

The panel is handed its `CashierDesk`; every desk call runs in the background (reads on
the read pool, payments and corrections on the write lane) and the panel shows the result
when it returns: "paid" is shown only after `pay` committed. The keyboard path, also for a
barcode scanner typing into the search field (a keyboard wedge):

    digits of the account number, Enter   → the account, its bills (all ticked), history
    F12                                    → the pay dialog, the amount due selected
    (digits of another amount), Enter      → paid, receipt printed, search field ready

Space ticks a bill in or out, Ctrl+P reprints the chosen payment (补打), Ctrl+D voids it,
Ctrl+R refunds credit (both with a manager's job number and password), Ctrl+E closes the
clerk's day, Ctrl+F or Esc goes back to the search. Digits typed while a table has the
focus go to the search field, so a scan is never lost to a list.

Signals:
    account_shown(AccountView): an account (re)read and shown.
    paid(PaymentResult): a payment was committed.
    receipt_printed(str): a receipt (its number) went whole to the printer.
    corrected(str, str): a correction succeeded (action, receipt or account number).
    step_failed(str, str): a step was refused (action, error code).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from app.services.billing.dto import FeeInfo
from app.services.billing.receipt_doc import ReceiptDoc
from app.services.desks.cashier import AccountView, CashierDesk, Paid, PayRequest
from app.services.errors import DomainError
from app.services.security.actor import Actor
from app.ui.messages import error_text, fill
from app.ui.pay_corrections import PaymentCorrections
from app.ui.pay_dialogs import PayDialog
from app.ui.pay_render import (
    ID_ROLE,
    chosen_bills,
    method_name,
    render_account,
    render_history,
    render_labels,
    render_sync,
    render_total,
    toggle_bill,
    yuan,
)
from app.ui.pay_view import PAY_ACTIONS, SEARCH_KEY, PaymentView
from app.ui.qtcompat import emit
from app.ui.receipt_print import ReceiptPrinter
from app.ui.taskman import TaskManager
from app.ui.widgets import DialogSlot, StatusLine

log = logging.getLogger(__name__)

PAGE_MM = {"roll80": (80.0, 200.0), "a4": (210.0, 297.0)}
# Steps that show an account: a newer one makes an older one's answer stale (a reload after
# a void still running when the clerk looks up the next customer must not show the last).
_LOOK_UPS = frozenset({"open", "find"})


class PaymentPanel(PaymentCorrections, QWidget):
    account_shown = Signal(object)
    paid = Signal(object)
    receipt_printed = Signal(str)
    corrected = Signal(str, str)
    step_failed = Signal(str, str)

    def __init__(
        self,
        desk: CashierDesk,
        tasks: TaskManager,
        *,
        paper: str = "roll80",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PaymentPanel")
        self._desk = desk
        self._tasks = tasks
        self.status = StatusLine(self)  # replaced by the counter window's own status line
        self.status.hide()
        self._paper = paper
        self._printer: ReceiptPrinter | None = None
        self._actor: Actor | None = None
        self._counter = 0
        self._ticket: uuid.UUID | None = None
        self._view_data: AccountView | None = None
        self._fees: list[FeeInfo] = []  # business fees added to the coming payment
        self._timezone = "UTC"
        self.busy = False  # a step is running
        self._running = 0  # steps in flight (a reload may still run when a look-up starts)
        self._asked = 0  # the latest look-up asked for: only its answer is shown
        self.dialogs = DialogSlot(self)
        self.view = PaymentView(self)
        render_labels(self.view)
        render_account(self.view, None, None)
        self.shortcuts: dict[str, QShortcut] = {}
        for name, key in (*PAY_ACTIONS, ("search", SEARCH_KEY)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda name=name: self.trigger(name))
            self.shortcuts[name] = shortcut
        for name, button in self.view.buttons.items():
            button.clicked.connect(lambda _=False, name=name: self.trigger(name))
        self.view.search.returnPressed.connect(self._look_up)
        self.view.search_button.clicked.connect(self._look_up)
        self.view.results.itemActivated.connect(
            lambda item: self.open_account(str(item.data(ID_ROLE)))
        )
        self.view.bills.itemChanged.connect(lambda _item: self._show_total())
        for widget in (self.view.search, self.view.bills, self.view.history, self.view.results):
            widget.installEventFilter(self)
        self._enable()

    # ------------------------------------------------------------------ public
    @property
    def account(self) -> AccountView | None:
        return self._view_data

    @property
    def printer(self) -> ReceiptPrinter:
        """The system printer for receipts (a print dialog once, then remembered)."""
        if self._printer is None:
            self._printer = ReceiptPrinter(
                self._tasks, self.window(), page_mm=PAGE_MM.get(self._paper)
            )
            self._connect_printer(self._printer)
        return self._printer

    @printer.setter
    def printer(self, printer: ReceiptPrinter) -> None:
        self._printer = printer
        self._connect_printer(printer)

    def set_clerk(self, actor: Actor | None, counter_number: int, timezone: str) -> None:
        """The clerk logged in at this counter (None: nobody; the panel is cleared)."""
        self._timezone = timezone
        if actor is None or actor != self._actor:
            self._show(None)
            self.view.search.clear()
        self._actor, self._counter = actor, counter_number
        self._enable()

    def set_ticket(self, ticket_id: uuid.UUID | None) -> None:
        """The ticket being served: what is paid now belongs to its visit."""
        self._ticket = ticket_id

    def show_sync(self, badge: QLabel) -> None:
        """How the link to the centre stands, on `badge` (hidden when all is well)."""
        render_sync(badge, self._desk.sync_status(), self._timezone)

    def focus_search(self) -> None:
        self.view.search.setFocus()
        self.view.search.selectAll()

    def trigger(self, action: str) -> None:
        """What a button or its key does."""
        if action == "search":
            self.focus_search()
            return
        if self._actor is None:
            self.status.show_error(self.tr("Please log in first (Ctrl+L)."))
            return
        if self.busy or self.dialog is not None:
            return
        getattr(self, f"_act_{action}")()

    def open_account(self, number: str) -> None:
        desk, actor = self._desk, self._actor
        if actor is None:
            return
        self.view.results.hide()
        self._run("open", lambda: desk.open_account(actor, number), self._opened, write=False)

    # ------------------------------------------------------------------ look-up
    def _look_up(self) -> None:
        query = self.view.search.text().strip()
        if not query or self._actor is None:
            return
        desk = self._desk
        self._run("find", lambda: desk.find(query), lambda found: self._found(query, found),
                  write=False)  # fmt: skip

    def _found(self, query: str, found: list[Any]) -> None:
        results = self.view.results
        results.clear()
        if not found:
            results.hide()
            self.status.show_error(fill(self.tr("No account found for {query}."), query=query))
            self.focus_search()
            return
        if len(found) == 1:
            self.open_account(found[0].account_number)
            return
        for a in found:
            results.addItem(f"{a.account_number}  {a.name}  {a.address}")
            results.item(results.count() - 1).setData(ID_ROLE, a.account_number)
        results.show()
        results.setCurrentRow(0)
        results.setFocus()
        self.status.show_info(
            fill(self.tr("{count} accounts found: choose one and press Enter."), count=len(found))
        )

    def _opened(self, account: AccountView) -> None:
        self._show(account)
        self.view.bills.setFocus()
        emit(self.account_shown, account)

    def _show(self, account: AccountView | None) -> None:
        if (
            account is None
            or self._view_data is None
            or (account.account.id != self._view_data.account.id)
        ):
            self._fees = []  # another customer: the fees chosen were not theirs
        self._view_data = account
        self.view.bills.blockSignals(True)
        render_account(self.view, account.account if account else None,
                       account.owed if account else None)  # fmt: skip
        self.view.bills.blockSignals(False)
        render_history(self.view, account.history if account else (), self._timezone)
        self._show_total()
        self._enable()

    def _show_total(self) -> None:
        owed = self._view_data.owed if self._view_data else None
        render_total(self.view, owed, chosen_bills(self.view.bills), self._fees)

    # ------------------------------------------------------------------ steps
    def _act_pay(self) -> None:
        account = self._view_data
        if account is None:
            self.status.show_error(
                self.tr("Look up the account first ({key}).").format(key=SEARCH_KEY)
            )
            self.focus_search()
            return
        chosen = chosen_bills(self.view.bills)
        due = render_total(self.view, account.owed, chosen, self._fees)
        every = len(chosen) == len(account.owed.bills)
        bill_ids = None if every else tuple(chosen)
        label = f"{account.account.account_number}  {account.account.name}"
        dialog = PayDialog(label, due, self)

        def accepted() -> None:
            if dialog.value is None:
                return
            amount, method, tendered, reference = dialog.value
            request = PayRequest(
                account.account.account_number,
                amount,
                method,
                bill_ids=bill_ids,
                tendered=tendered,
                reference=reference,
                ticket_id=self._ticket,
                fee_codes=tuple(f.code for f in self._fees),
            )
            desk, actor, counter = self._desk, self._actor, self._counter
            assert actor is not None
            self._run("pay", lambda: desk.pay(actor, counter, request), self._paid)

        self._open(dialog, accepted)

    def _paid(self, paid: Paid) -> None:
        r = paid.result
        self._fees = []
        text = self.tr("Paid {amount} ({method}), receipt {number}.")
        method = method_name(r.method)
        message = fill(text, amount=yuan(r.amount), method=method, number=r.receipt_number)
        if r.change:
            message += " " + fill(self.tr("Change: {change}."), change=yuan(r.change))
        self.status.show_info(message)
        if paid.account is not None:
            self._show(paid.account)
        elif self._view_data is not None:
            self.open_account(r.account_number)
        self._print(paid.receipt)
        self.focus_search()
        emit(self.paid, r)

    # ------------------------------------------------------------------ plumbing
    def _reload(self) -> None:
        if self._view_data is not None:
            self.open_account(self._view_data.account.account_number)

    def _print(self, doc: ReceiptDoc) -> None:
        if self._desk.prints_escpos:
            desk = self._desk
            self._tasks.run_in_background(
                lambda: desk.print_escpos(doc),
                lambda number: emit(self.receipt_printed, number),
                lambda exc: self.status.show_error(error_text(exc), sticky=True),
                owner=self,
            )
        else:
            self.printer.print(doc)

    def _connect_printer(self, printer: ReceiptPrinter) -> None:
        printer.printed.connect(lambda number: emit(self.receipt_printed, number))
        printer.failed.connect(lambda text: self.status.show_error(text, sticky=True))

    def _run(
        self,
        action: str,
        op: Callable[[], Any],
        on_done: Callable[[Any], None],
        *,
        write: bool = True,
    ) -> None:
        self._running += 1
        self.busy = True
        self._enable()
        asked = 0
        if action in _LOOK_UPS:
            self._asked += 1
            asked = self._asked

        def settle() -> bool:
            """The step is over; False if a newer look-up was asked for since this one."""
            self._running -= 1
            self.busy = self._running > 0
            self._enable()
            return asked in (0, self._asked)

        def done(value: Any) -> None:
            if settle():
                on_done(value)

        def failed(exc: BaseException) -> None:
            if not settle():
                return
            self.status.show_error(error_text(exc), sticky=True)
            code = exc.code if isinstance(exc, DomainError) else "internal"
            log.info("payment panel: %s refused: %s", action, code)
            emit(self.step_failed, action, code)
            if action in {"pay", "find"}:
                self.view.search.setFocus()

        self._tasks.run_in_background(op, done, failed, owner=self, write=write)

    @property
    def dialog(self) -> QDialog | None:
        return self.dialogs.dialog

    def _open(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        self.dialogs.open(dialog, on_accept)

    def close_dialog(self) -> None:
        self.dialogs.close()

    def _enable(self) -> None:
        on = self._actor is not None and not self.busy
        has_account = self._view_data is not None
        self.view.search.setEnabled(self._actor is not None)
        self.view.search_button.setEnabled(on)
        for name, button in self.view.buttons.items():
            needs_account = name in ("pay", "fees", "reprint", "void", "refund")
            button.setEnabled(on and (has_account or not needs_account))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key, text = event.key(), event.text()
        if watched is self.view.search:
            if key == Qt.Key.Key_Escape and (self._view_data or self.view.search.text()):
                self._show(None)
                self.view.search.clear()
                return True
            if key == Qt.Key.Key_Down and self.view.results.isVisible():
                self.view.results.setFocus()
                return True
            return False
        if watched is self.view.bills and key == Qt.Key.Key_Space:
            toggle_bill(self.view.bills, self.view.bills.currentRow())
            return True
        if text and text.isprintable() and not text.isspace() and self.view.search.isEnabled():
            # a digit or letter typed (or scanned) while a list has the focus: a new search
            self.view.search.setFocus()
            self.view.search.setText(text)
            return True
        if key == Qt.Key.Key_Escape:
            self.focus_search()
            return True
        return False
