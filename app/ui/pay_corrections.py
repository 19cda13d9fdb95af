"""The payment panel's other steps: business fees (收费定义) added to a payment, reprint
(补打), void (作废) and refund (退费) with a manager's approval, and the clerk's day
closing (日结). A mixin of `PaymentPanel`, which
provides the desk, the actor, the status line, `_run`, `_open`, `_print` and `_reload`;
its texts are in the `PaymentPanel` translation context."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from app.services.billing.dto import ClosingResult, FeeInfo, RefundResult, VoidResult
from app.services.billing.history import DaySummary
from app.services.billing.receipt_doc import ReceiptDoc
from app.services.desks.cashier import AccountView, CashierDesk
from app.services.security.actor import Actor
from app.ui.messages import fill
from app.ui.pay_dialogs import ClosingDialog, FeeDialog, RefundDialog, VoidDialog
from app.ui.pay_render import translate, yuan
from app.ui.pay_view import SEARCH_KEY
from app.ui.qtcompat import emit

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QDialog, QWidget

    from app.ui.pay_view import PaymentView
    from app.ui.widgets import StatusLine


class PaymentCorrections:
    """Reprint, void, refund and the day closing of `PaymentPanel`."""

    if TYPE_CHECKING:
        _desk: CashierDesk
        _actor: Actor | None
        _view_data: AccountView | None
        _fees: list[FeeInfo]
        status: StatusLine
        view: PaymentView
        corrected: SignalInstance

        def _run(
            self,
            action: str,
            op: Callable[[], Any],
            on_done: Callable[[Any], None],
            *,
            write: bool = True,
        ) -> None: ...
        def _open(self, dialog: QDialog, on_accept: Callable[[], None]) -> None: ...
        def _print(self, doc: ReceiptDoc) -> None: ...
        def _reload(self) -> None: ...
        def _show_total(self) -> None: ...

    def _act_fees(self) -> None:
        if self._view_data is None:
            self.status.show_error(
                translate("PaymentPanel", "Look up the account first ({key}).").format(
                    key=SEARCH_KEY
                )
            )
            return
        desk = self._desk
        self._run("fees", desk.fees, self._ask_fees, write=False)

    def _ask_fees(self, fees: list[FeeInfo]) -> None:
        if not fees:
            self.status.show_error(translate("PaymentPanel", "This hall has no business fees."))
            return
        dialog = FeeDialog(fees, [f.code for f in self._fees], cast("QWidget", self))
        by_code = {f.code: f for f in fees}

        def accepted() -> None:
            self._fees = [by_code[code] for code in dialog.codes]
            self._show_total()

        self._open(dialog, accepted)

    def _chosen_payment(self) -> tuple[uuid.UUID, str, Any] | None:
        table = self.view.history
        row = table.currentRow()
        rows = self._view_data.history if self._view_data else ()
        if row < 0 or row >= len(rows):
            self.status.show_error(translate("PaymentPanel", "Choose a payment in the list first."))
            return None
        chosen = rows[row]
        return chosen.payment_id, chosen.receipt_number, chosen

    def _act_reprint(self) -> None:
        chosen = self._chosen_payment()
        if chosen is None:
            return
        payment_id, number, _row = chosen
        desk, actor = self._desk, self._actor
        assert actor is not None

        def done(doc: ReceiptDoc) -> None:
            self.status.show_info(
                fill(translate("PaymentPanel", "Copy of receipt {number} printing."), number=number)
            )
            self._print(doc)
            emit(self.corrected, "reprint", number)

        self._run("reprint", lambda: desk.reprint(actor, payment_id), done)

    def _act_void(self) -> None:
        chosen = self._chosen_payment()
        if chosen is None:
            return
        payment_id, number, row = chosen
        if row.voided:
            self.status.show_error(
                fill(translate("PaymentPanel", "Receipt {number} is void already."), number=number)
            )
            return
        dialog = VoidDialog(number, row.amount, cast("QWidget", self))
        desk, actor = self._desk, self._actor
        assert actor is not None

        def accepted() -> None:
            approval, reason = dialog.approval.value, dialog.reason_text
            self._run("void", lambda: desk.void(actor, payment_id, approval, reason), self._voided)

        self._open(dialog, accepted)

    def _voided(self, result: VoidResult) -> None:
        text = translate("PaymentPanel", "Receipt {number} is void; {amount} to give back.")
        self.status.show_info(fill(text, number=result.receipt_number, amount=yuan(result.amount)))
        self._reload()
        emit(self.corrected, "void", result.receipt_number)

    def _act_refund(self) -> None:
        account = self._view_data
        if account is None or account.owed.credit <= 0:
            self.status.show_error(
                translate("PaymentPanel", "This account has no credit to refund.")
            )
            return
        label = f"{account.account.account_number}  {account.account.name}"
        dialog = RefundDialog(label, account.owed.credit, cast("QWidget", self))
        desk, actor = self._desk, self._actor
        assert actor is not None
        number = account.account.account_number

        def accepted() -> None:
            if dialog.value is None:
                return
            amount, approval = dialog.value, dialog.approval.value
            method = str(dialog.method.currentData())
            reason, reference = dialog.reason.text().strip(), dialog.reference.text().strip()
            self._run(
                "refund",
                lambda: desk.refund(
                    actor, number, amount, approval, reason, method=method, reference=reference
                ),  # fmt: skip
                self._refunded,
            )

        self._open(dialog, accepted)

    def _refunded(self, result: RefundResult) -> None:
        text = translate("PaymentPanel", "{amount} of credit refunded; {left} left.")
        self.status.show_info(fill(text, amount=yuan(result.amount), left=yuan(result.credit_left)))
        self._reload()
        emit(self.corrected, "refund", result.account_number)

    def _act_closing(self) -> None:
        desk, actor = self._desk, self._actor
        assert actor is not None
        self._run("closing", lambda: desk.day(actor), self._ask_closing, write=False)

    def _ask_closing(self, day: DaySummary) -> None:
        dialog = ClosingDialog(day, cast("QWidget", self))
        desk, actor = self._desk, self._actor
        assert actor is not None

        def accepted() -> None:
            if dialog.value is None:
                return
            counted, note = dialog.value, dialog.note.text().strip()
            self._run("closing", lambda: desk.close_day(actor, counted, note), self._closed)

        self._open(dialog, accepted)

    def _closed(self, result: ClosingResult) -> None:
        text = translate(
            "PaymentPanel",
            "Day {day} closed: cash expected {expected}, counted {counted}, difference {difference}.",  # noqa: E501
        )
        self.status.show_info(
            fill(
                text,
                day=result.business_date.isoformat(),
                expected=yuan(result.expected_cash),
                counted=yuan(result.counted_cash),
                difference=yuan(result.difference),
            )
        )
        emit(self.corrected, "closing", result.business_date.isoformat())
