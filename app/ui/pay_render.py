"""Filling the payment panel: the account card, the bills with their check boxes, the
history, the total of what is chosen. Texts belong to the `PaymentPanel` translation
context (explicit, so lupdate and the runtime agree on it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem

from app.services.billing.accounts import AccountInfo
from app.services.billing.dto import FeeInfo, Owed, OwedBill
from app.services.billing.history import PaymentRow
from app.services.billing.money import format_yuan
from app.services.sync.worker import SyncStatus
from app.ui.messages import ui_language
from app.ui.pay_view import PAY_ACTIONS, SEARCH_KEY, PaymentView
from app.ui.theme import repolish
from app.ui.widgets import hall_zone, local_time

translate = QCoreApplication.translate
ID_ROLE = Qt.ItemDataRole.UserRole


def yuan(amount: Decimal) -> str:
    return f"¥{format_yuan(amount)}"


def method_name(method: str) -> str:
    names = {
        "cash": translate("PaymentPanel", "Cash"),
        "card": translate("PaymentPanel", "Bank card"),
        "qr": translate("PaymentPanel", "QR pay"),
    }
    return names.get(method, method)


def account_type_name(kind: str) -> str:
    names = {
        "residential": translate("PaymentPanel", "Residential"),
        "commercial": translate("PaymentPanel", "Commercial"),
        "low_income": translate("PaymentPanel", "Low-income (late fees waived)"),
    }
    return names.get(kind, kind)


def render_labels(view: PaymentView) -> None:
    """The texts that do not depend on the account."""
    view.caption.setText(translate("PaymentPanel", "Fee payment"))
    view.search.setPlaceholderText(
        translate(
            "PaymentPanel", "Account number, phone, name or address ({key}), then Enter"
        ).format(key=SEARCH_KEY)
    )
    view.search_button.setText(translate("PaymentPanel", "Look up"))
    view.bills_caption.setText(
        translate("PaymentPanel", "Unpaid bills (Space: include or leave out)")
    )
    view.history_caption.setText(translate("PaymentPanel", "Payments of this account"))
    names = {
        "pay": translate("PaymentPanel", "Pay"),
        "fees": translate("PaymentPanel", "Business fees..."),
        "reprint": translate("PaymentPanel", "Reprint"),
        "void": translate("PaymentPanel", "Void..."),
        "refund": translate("PaymentPanel", "Refund credit..."),
        "closing": translate("PaymentPanel", "Day closing..."),
    }
    for name, key in PAY_ACTIONS:
        view.buttons[name].setText(f"{names[name]}\n{key}")
    view.bills.setHorizontalHeaderLabels(
        [
            "",
            translate("PaymentPanel", "Period"),
            translate("PaymentPanel", "Usage"),
            translate("PaymentPanel", "Amount"),
            translate("PaymentPanel", "Paid"),
            translate("PaymentPanel", "Late fee"),
            translate("PaymentPanel", "Due now"),
            translate("PaymentPanel", "Due date"),
        ]
    )
    view.history.setHorizontalHeaderLabels(
        [
            translate("PaymentPanel", "Time"),
            translate("PaymentPanel", "Receipt"),
            translate("PaymentPanel", "Method"),
            translate("PaymentPanel", "Amount"),
            translate("PaymentPanel", "Clerk"),
            translate("PaymentPanel", "State"),
        ]
    )


def render_account(view: PaymentView, account: AccountInfo | None, owed: Owed | None) -> None:
    if account is None:
        for label in (view.holder, view.account_type, view.address, view.phone, view.credit):
            label.clear()
        view.holder.setText(translate("PaymentPanel", "No account chosen"))
        view.bills.setRowCount(0)
        view.history.setRowCount(0)
        view.total.clear()
        return
    view.holder.setText(f"{account.account_number}  {account.name}")
    view.account_type.setText(account_type_name(account.account_type))
    view.address.setText(account.address)
    view.phone.setText(account.phone)
    credit = owed.credit if owed is not None else Decimal("0.00")
    view.credit.setText(translate("PaymentPanel", "Credit {amount}").format(amount=yuan(credit)))
    _render_bills(view.bills, owed.bills if owed is not None else ())


def _cell(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    align = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
    item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return item


def _render_bills(table: QTableWidget, bills: tuple[OwedBill, ...]) -> None:
    table.setRowCount(len(bills))
    for row, b in enumerate(bills):
        check = QTableWidgetItem()
        check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        check.setCheckState(Qt.CheckState.Checked)
        check.setData(ID_ROLE, str(b.bill_id))
        table.setItem(row, 0, check)
        usage = f"{b.usage.normalize():f} {b.unit}".strip()
        cells = (
            _cell(b.period),
            _cell(usage, right=True),
            _cell(format_yuan(b.amount), right=True),
            _cell(format_yuan(b.paid), right=True),
            _cell(format_yuan(b.late_fee), right=True),
            _cell(format_yuan(b.due), right=True),
            _cell(b.due_date.isoformat()),
        )
        for column, item in enumerate(cells, start=1):
            table.setItem(row, column, item)
    table.resizeColumnToContents(0)
    if bills:
        table.setCurrentCell(0, 1)


def chosen_bills(table: QTableWidget) -> list[uuid.UUID]:
    """The bills whose box is ticked, in the table's (oldest first) order."""
    out = []
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and item.checkState() == Qt.CheckState.Checked:
            out.append(uuid.UUID(str(item.data(ID_ROLE))))
    return out


def toggle_bill(table: QTableWidget, row: int) -> None:
    item = table.item(row, 0)
    if item is not None:
        ticked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)


def render_total(
    view: PaymentView, owed: Owed | None, chosen: list[uuid.UUID], fees: list[FeeInfo]
) -> Decimal:
    """Show (and return) what the chosen bills and business fees come to now."""
    if owed is None:
        view.total.clear()
        return Decimal("0.00")
    picked = [b for b in owed.bills if b.bill_id in set(chosen)]
    due = sum((b.due for b in picked), Decimal("0.00"))
    late = sum((b.late_fee for b in picked), Decimal("0.00"))
    fee_total = sum((f.amount for f in fees), Decimal("0.00"))
    if not owed.bills:
        text = translate("PaymentPanel", "Nothing owed. A payment goes to credit.")
    else:
        text = translate(
            "PaymentPanel", "{count} of {total} bills chosen: {due} due (late fees {late})"
        ).format(count=len(picked), total=len(owed.bills), due=yuan(due), late=yuan(late))
    if fees:
        names = "、".join(f.name_zh if ui_language() == "zh_CN" else f.name_en for f in fees)
        text += "\n" + translate("PaymentPanel", "Business fees {names}: {amount}").format(
            names=names, amount=yuan(fee_total)
        )
    view.total.setText(text)
    return due + fee_total


def render_history(view: PaymentView, rows: tuple[PaymentRow, ...], timezone: str) -> None:
    zone = hall_zone(timezone)
    table = view.history
    table.setRowCount(len(rows))
    for n, r in enumerate(rows):
        when: datetime = local_time(r.created_at, zone)
        state = translate("PaymentPanel", "Void") if r.voided else translate("PaymentPanel", "Paid")
        cells = (
            _cell(when.strftime("%Y-%m-%d %H:%M")),
            _cell(r.receipt_number),
            _cell(method_name(r.method)),
            _cell(format_yuan(r.amount), right=True),
            _cell(r.clerk_no),
            _cell(state),
        )
        for column, item in enumerate(cells):
            item.setData(ID_ROLE, str(r.payment_id))
            table.setItem(n, column, item)
    if rows:
        table.setCurrentCell(0, 0)


def render_sync(badge: QLabel, status: SyncStatus | None, timezone: str) -> None:
    """Hidden while the centre is there (or the station has no cache); else since when it
    is away and how many records wait to be sent. The counter works on either way."""
    if status is None or not status.started or (status.online and status.outbox < 50):
        badge.hide()
        return
    if status.online:
        text = translate("PaymentPanel", "Sending to the centre: {count} waiting").format(
            count=status.outbox
        )
        level = "info"
    else:
        since = status.offline_since
        when = local_time(since, hall_zone(timezone)).strftime("%H:%M") if since else "--:--"
        text = translate(
            "PaymentPanel", "Centre offline since {time}, {count} waiting to be sent"
        ).format(time=when, count=status.outbox)
        level = "error"
    badge.setText(text)
    badge.setToolTip(status.last_error)
    if badge.property("level") != level:
        badge.setProperty("level", level)
        repolish(badge)
    badge.show()
