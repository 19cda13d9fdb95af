"""The counter's payment panel, driven by the keyboard alone as a clerk would: account
number, Enter, F12, the cash, Enter; the receipt printed to a PDF and read back; reprint,
void with a manager's password, the day closing; bad input shown and nothing changed.

Real services on SQLite files and PostgreSQL, real Qt widgets offscreen, the receipt
printed through QPrinter to a PDF (the "print to file" printer a clerk can pick in the
print dialog; no paper printer exists here) and read back with pdftotext."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel
from sqlalchemy import func, select

from app.bootstrap import Core, build_core, build_station
from app.models import DayClosing, Payment, PaymentFee, PaymentVoid, ReceiptPrint
from app.services.simulation.demo_accounts import account_number
from app.ui.counter import CounterWindow
from app.ui.pay_dialogs import ClosingDialog, FeeDialog, PayDialog, VoidDialog
from app.ui.pay_panel import PaymentPanel
from app.ui.receipt_print import ReceiptPrinter
from app.ui.taskman import TaskManager
from tests.conftest import make_settings
from tests.ui.conftest import log_in
from tests.unit.services.billing.payment_helpers import add_account, add_bill, add_fee, dump
from tests.unit.services.billing.receipt_helpers import need, run

# Fixed far in the past, so the bills are due and the late fee rule (none here) is quiet.
DUE = date(2026, 1, 20)
ACCOUNT = "3300012345"


class Keys:
    """Keys pressed, counted apart from digits (the goal: at most 8 besides the digits
    of the account number and the amount)."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.others: list[str] = []

    def digits(self, widget, text: str) -> None:
        assert text.replace(".", "").isdigit()
        self.qtbot.keyClicks(widget, text)
        self.others.extend("." for c in text if c == ".")  # a point is a key too

    def key(self, widget, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(widget, key, modifier)
        self.others.append(f"{modifier.name}+{key.name}")


def pdf_text(path: Path) -> str:
    return run(need("pdftotext"), "-layout", path, "-")


@pytest.fixture
def counter(qtbot, core: Core, tmp_path: Path):
    """A logged-in counter window with the payment panel, printing to receipt.pdf."""
    account = add_account(core, ACCOUNT)
    add_bill(core, account, "2025-11", "86.40", DUE, usage_milli=160_000)
    add_bill(core, account, "2025-12", "113.60", DUE, usage_milli=210_000)
    tasks = TaskManager()
    station = build_station(core)
    window = CounterWindow(station.counter, tasks, cashier=station.cashier)
    qtbot.addWidget(window)
    panel = window.payments
    assert isinstance(panel, PaymentPanel)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    out = tmp_path / "receipt.pdf"
    settings.setValue("receipt_printer/pdf_file", str(out))  # chosen once before
    panel.printer = ReceiptPrinter(tasks, window, settings=settings, page_mm=(80, 200))
    window.show()
    log_in(qtbot, window)
    qtbot.waitUntil(panel.view.search.hasFocus)
    yield window, panel, out
    window.close()
    tasks.shutdown()


def open_account(qtbot, keys: Keys, panel: PaymentPanel, number: str = ACCOUNT) -> None:
    keys.digits(panel.view.search, number)
    keys.key(panel.view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.account is not None and not panel.busy, timeout=10_000)


def test_keyboard_only_payment_from_number_to_printed_receipt(qtbot, counter, core: Core):
    window, panel, out = counter
    core.queue.issue_ticket("DEMO", "PAY")
    keys = Keys(qtbot)
    keys.key(window, Qt.Key.Key_F1)  # call the customer: what is paid belongs to the visit
    qtbot.waitUntil(lambda: window.state is not None and window.state.current is not None)
    ticket = window.state.current
    panel.focus_search()
    keys.others.clear()  # counted from the account number on

    open_account(qtbot, keys, panel)
    assert panel.view.bills.rowCount() == 2
    assert "¥200.00" in panel.view.total.text()
    keys.key(QApplication.focusWidget(), Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, PayDialog))
    dialog = panel.dialog
    assert dialog.amount.text() == "200.00"
    qtbot.waitUntil(dialog.tendered.hasFocus)  # the cash handed over is what the clerk types
    keys.digits(dialog.tendered, "300")
    assert dialog.change.text() == "¥100.00"
    with qtbot.waitSignal(panel.receipt_printed, timeout=20_000) as printed:
        keys.key(dialog.tendered, Qt.Key.Key_Return)
    assert keys.others == ["NoModifier+Key_Return", "NoModifier+Key_F12", "NoModifier+Key_Return"]
    assert len(keys.others) <= 8

    number = printed.args[0]
    assert number.startswith("PC1-")
    text = pdf_text(out)
    for shown in (number, ACCOUNT, "¥200.00", "贰佰元整", "¥300.00", "¥100.00", "2025-11"):
        assert shown in text
    with core.db.read() as s:
        p = s.scalars(select(Payment)).one()
        assert (p.amount_fen, p.tendered_fen, p.change_fen) == (20000, 30000, 10000)
        assert p.ticket_id == ticket.id
        assert p.counter_number == window.counter_number
    assert "100.00" in window.view.status.text()  # the change is told
    assert panel.view.bills.rowCount() == 0  # both bills settled, re-read after the commit
    assert panel.view.history.rowCount() == 1
    assert panel.view.search.hasFocus()  # ready for the next customer


def test_card_payment_of_one_bill_needs_its_reference(qtbot, counter, core: Core):
    window, panel, out = counter
    keys = Keys(qtbot)
    open_account(qtbot, keys, panel)
    panel.view.bills.setFocus()
    panel.view.bills.setCurrentCell(1, 1)
    keys.key(panel.view.bills, Qt.Key.Key_Space)  # leave December out
    assert "¥86.40" in panel.view.total.text()
    keys.key(panel.view.bills, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, PayDialog))
    dialog = panel.dialog
    qtbot.waitUntil(dialog.tendered.hasFocus)
    keys.key(dialog.tendered, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert dialog.method_code == "card"
    qtbot.waitUntil(dialog.reference.hasFocus)
    before = dump(core)
    keys.key(dialog.reference, Qt.Key.Key_Return)  # no reference: refused in the dialog
    assert panel.dialog is dialog and dialog.isVisible()
    assert "reference" in dialog.status.text()
    assert dump(core) == before
    qtbot.keyClicks(dialog.reference, "POS-778812")
    with qtbot.waitSignal(panel.paid, timeout=20_000) as paid:
        keys.key(dialog.reference, Qt.Key.Key_Return)
    result = paid.args[0]
    assert (result.method, str(result.amount), result.reference) == ("card", "86.40", "POS-778812")
    assert [a.period for a in result.allocations] == ["2025-11"]
    qtbot.waitUntil(lambda: panel.view.bills.rowCount() == 1)


def test_reprint_void_and_closing_of_the_day(qtbot, counter, core: Core):
    window, panel, out = counter
    keys = Keys(qtbot)
    open_account(qtbot, keys, panel)
    keys.key(panel.view.bills, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, PayDialog))
    with qtbot.waitSignal(panel.receipt_printed, timeout=20_000) as first:
        keys.key(panel.dialog.tendered, Qt.Key.Key_Return)
    number = first.args[0]
    open_account(qtbot, keys, panel)
    qtbot.waitUntil(lambda: panel.view.history.rowCount() == 1)

    # reprint: a copy marked 补打 / COPY, recorded
    with qtbot.waitSignal(panel.receipt_printed, timeout=20_000):
        keys.key(panel.view.history, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    text = pdf_text(out)
    assert "补打" in text and number in text
    with core.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ReceiptPrint)) == 2

    # void: a wrong manager password changes nothing, the right one voids
    panel.view.history.setFocus()
    keys.key(panel.view.history, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, VoidDialog))
    dialog = panel.dialog
    dialog.reason.setEditText("收错金额")  # typed through an input method
    qtbot.keyClicks(dialog.approval.job, "8001")
    qtbot.keyClicks(dialog.approval.password, "wrong")
    before = dump(core)
    with qtbot.waitSignal(panel.step_failed, timeout=20_000) as refused:
        qtbot.keyClick(dialog.approval.password, Qt.Key.Key_Return)
    assert refused.args == ["void", "invalid_credentials"]
    after = dump(core)
    assert after["payment_voids"] == before["payment_voids"] == []
    keys.key(panel.view.history, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, VoidDialog))
    dialog = panel.dialog
    dialog.reason.setEditText("收错金额")  # typed through an input method
    qtbot.keyClicks(dialog.approval.job, "8001")
    qtbot.keyClicks(dialog.approval.password, "1234")
    with qtbot.waitSignal(panel.corrected, timeout=20_000) as voided:
        qtbot.keyClick(dialog.approval.password, Qt.Key.Key_Return)
    assert voided.args == ["void", number]
    qtbot.waitUntil(lambda: panel.view.bills.rowCount() == 2)  # the bills are owed again
    with core.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PaymentVoid)) == 1

    # a second payment, then the closing: the figures shown are the drawer's
    keys.key(panel.view.bills, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, PayDialog))
    qtbot.keyClicks(panel.dialog.tendered, "200")
    with qtbot.waitSignal(panel.paid, timeout=20_000):
        qtbot.keyClick(panel.dialog.tendered, Qt.Key.Key_Return)
    keys.key(panel.view.search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, ClosingDialog))
    dialog = panel.dialog
    figures = [w.text() for w in dialog.findChildren(QLabel, "ClosingFigure")]
    assert "¥200.00" in figures  # cash expected: one payment kept, one voided
    qtbot.keyClicks(dialog.counted, "195")
    with qtbot.waitSignal(panel.corrected, timeout=20_000):
        qtbot.keyClick(dialog.counted, Qt.Key.Key_Return)
    assert "-5.00" in window.view.status.text()  # the difference is told
    with core.db.read() as s:
        closing = s.scalars(select(DayClosing)).one()
    assert (closing.expected_cash_fen, closing.counted_cash_fen, closing.difference_fen) == (
        20000,
        19500,
        -500,
    )

    # after the closing the clerk's payments of the day are refused, nothing written
    open_account(qtbot, keys, panel, "3300012345")
    keys.key(panel.view.bills, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, PayDialog))
    before = dump(core)
    panel.dialog.amount.setText("10")
    with qtbot.waitSignal(panel.step_failed, timeout=20_000) as refused:
        qtbot.keyClick(panel.dialog.tendered, Qt.Key.Key_Return)
    assert refused.args == ["pay", "day_closed"]
    assert dump(core) == before


def test_bad_input_is_told_and_changes_nothing(qtbot, counter, core: Core):
    window, panel, out = counter
    keys = Keys(qtbot)
    before = dump(core)
    with qtbot.waitSignal(window.view.status.shown, timeout=10_000):
        keys.digits(panel.view.search, "999999")
        keys.key(panel.view.search, Qt.Key.Key_Return)
    assert "No account found" in window.view.status.text()
    assert panel.account is None
    open_account(qtbot, keys, panel)
    keys.key(panel.view.bills, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, PayDialog))
    dialog = panel.dialog
    qtbot.waitUntil(dialog.tendered.hasFocus)
    for amount, tendered, field, said in (
        ("12.345", "", dialog.amount, "decimals"),
        ("0", "", dialog.amount, "above zero"),
        ("abc", "", dialog.amount, "not an amount"),
        ("200", "150", dialog.tendered, "less than"),
    ):
        dialog.amount.setText(amount)
        dialog.tendered.setText(tendered)
        qtbot.keyClick(dialog.tendered, Qt.Key.Key_Return)
        assert panel.dialog is dialog and dialog.isVisible(), amount
        assert said in dialog.status.text(), (amount, dialog.status.text())
        qtbot.waitUntil(field.hasFocus)  # where the slip is
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.dialog is None)
    assert dump(core) == before


def test_a_scan_into_a_list_starts_a_new_search(qtbot, counter, core: Core):
    window, panel, out = counter
    other = add_account(core, "3300099999")
    add_bill(core, other, "2025-12", "50.00", DUE)
    keys = Keys(qtbot)
    open_account(qtbot, keys, panel)
    panel.view.bills.setFocus()
    # a barcode scanner types the digits and Enter wherever the focus is
    for char in "3300099999":  # each key goes where the focus is now, as a scanner's do
        qtbot.keyClicks(QApplication.focusWidget(), char)
    assert panel.view.search.text() == "3300099999"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: panel.account is not None and panel.account.account.account_number == "3300099999",
        timeout=10_000,
    )
    assert panel.view.bills.rowCount() == 1
    # a name prefix with several accounts: a list, Enter on the chosen one
    panel.focus_search()
    panel.view.search.setText("户主330")  # typed through an input method
    qtbot.keyClick(panel.view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.view.results.isVisible() and panel.view.results.count() == 2)
    qtbot.keyClick(panel.view.results, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: panel.account is not None and panel.account.account.account_number == ACCOUNT,
        timeout=10_000,
    )


def test_a_business_fee_is_paid_with_the_bills(qtbot, counter, core: Core):
    window, panel, out = counter
    add_fee(core, "RECONNECT", "50.00", "复电")
    add_fee(core, "METER_TEST", "100.00", "表计校验")
    keys = Keys(qtbot)
    open_account(qtbot, keys, panel)
    keys.key(panel.view.bills, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, FeeDialog))
    dialog = panel.dialog
    qtbot.waitUntil(dialog.list.hasFocus)
    codes = [dialog.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)]
    assert codes == ["METER_TEST", "RECONNECT"]
    dialog.list.setCurrentRow(1)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)  # tick 复电
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.dialog is None)
    assert "¥50.00" in panel.view.total.text()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    keys.key(panel.view.bills, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, PayDialog))
    assert panel.dialog.amount.text() == "250.00"  # two bills and the fee
    qtbot.waitUntil(panel.dialog.tendered.hasFocus)
    with qtbot.waitSignal(panel.receipt_printed, timeout=20_000):
        qtbot.keyClick(panel.dialog.tendered, Qt.Key.Key_Return)
    text = pdf_text(out)
    assert "复电" in text and "¥250.00" in text and "贰佰伍拾元整" in text
    with core.db.read() as s:
        (fee,) = s.scalars(select(PaymentFee)).all()
    assert (fee.code, fee.amount_fen) == ("RECONNECT", 5000)
    assert "¥50.00" not in panel.view.total.text()  # the next payment starts without it


def test_a_reload_still_running_never_shows_the_customer_before(qtbot, counter, core: Core):
    """A void reloads the account shown; the clerk types the next customer's number before
    that reload answers. The late answer is stale: the next customer stays on the screen
    (a fresh clone's CI saw the last customer come back). The reload is held by the test
    (an Event around the real desk's look-up) to make the late answer certain."""
    window, panel, _out = counter
    other = add_account(core, "1000000002")
    add_bill(core, other, "2025-12", "42.00", DUE)
    keys = Keys(qtbot)
    open_account(qtbot, keys, panel)
    desk = panel._desk
    real = desk.open_account
    held = threading.Event()

    def slow(actor, number):
        if number == ACCOUNT:
            held.wait(10)
        return real(actor, number)

    desk.open_account = slow
    try:
        panel.open_account(ACCOUNT)  # what a void's reload does
        panel.focus_search()
        keys.digits(panel.view.search, "1000000002")
        keys.key(panel.view.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: panel.account.account.account_number == "1000000002")
        assert panel.busy  # the reload is still out
    finally:
        held.set()
    qtbot.waitUntil(lambda: not panel.busy)
    qtbot.wait(50)
    assert panel.account.account.account_number == "1000000002"
    assert "42.00" in panel.view.total.text()


def test_a_clerks_whole_day_on_the_demo_book(qtbot, tmp_path: Path):
    """What `scripts/run` offers: the demo hall with its book (accounts with a paid past),
    three customers paid, one voided, one reprinted, the day closed; all by keyboard."""
    core = build_core(
        make_settings(f"sqlite:///{tmp_path / 'central.sqlite3'}"),
        data_dir=tmp_path,
        demo=True,
        demo_book=True,
        receipt_key=b"k" * 32,
    )
    tasks = TaskManager()
    station = build_station(core)
    window = CounterWindow(station.counter, tasks, cashier=station.cashier)
    qtbot.addWidget(window)
    panel = window.payments
    assert panel is not None
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    settings.setValue("receipt_printer/pdf_file", str(tmp_path / "receipt.pdf"))
    panel.printer = ReceiptPrinter(tasks, window, settings=settings, page_mm=(80, 200))
    try:
        window.show()
        log_in(qtbot, window)
        today = station.cashier.today()
        owing = [
            n
            for n in (account_number(i) for i in range(1, 60))
            if core.billing.owed("DEMO", n, today).bills
        ][:3]
        assert len(owing) == 3
        keys = Keys(qtbot)
        receipts = []
        for number in owing:
            panel.focus_search()
            open_account(qtbot, keys, panel, number)
            qtbot.waitUntil(lambda n=number: panel.account.account.account_number == n)
            assert panel.view.history.rowCount() > 0  # the account's paid past
            keys.key(QApplication.focusWidget(), Qt.Key.Key_F12)
            qtbot.waitUntil(lambda: isinstance(panel.dialog, PayDialog))
            qtbot.waitUntil(panel.dialog.tendered.hasFocus)
            with qtbot.waitSignal(panel.receipt_printed, timeout=20_000) as printed:
                keys.key(panel.dialog.tendered, Qt.Key.Key_Return)
            receipts.append(printed.args[0])
            qtbot.waitUntil(lambda: panel.view.bills.rowCount() == 0)
        # the last customer's payment is voided, the one before it reprinted
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        keys.key(panel.view.history, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: isinstance(panel.dialog, VoidDialog))
        panel.dialog.reason.setCurrentIndex(0)
        qtbot.keyClicks(panel.dialog.approval.job, "8001")
        qtbot.keyClicks(panel.dialog.approval.password, "1234")
        with qtbot.waitSignal(panel.corrected, timeout=20_000) as voided:
            qtbot.keyClick(panel.dialog.approval.password, Qt.Key.Key_Return)
        assert voided.args == ["void", receipts[-1]]
        open_account(qtbot, keys, panel, owing[1])
        qtbot.waitUntil(lambda: panel.account.account.account_number == owing[1])
        with qtbot.waitSignal(panel.receipt_printed, timeout=20_000) as copy:
            keys.key(panel.view.history, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        assert copy.args == [receipts[1]]
        assert "补打" in pdf_text(tmp_path / "receipt.pdf")
        # the day: two payments kept, one voided; the drawer counted as expected
        day = core.history.day(core.auth.login("1001", "1234"), "DEMO")
        assert day.payment_count == 2 and len(day.payments) == 3
        keys.key(panel.view.search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: isinstance(panel.dialog, ClosingDialog))
        qtbot.keyClicks(panel.dialog.counted, str(day.expected_cash))
        with qtbot.waitSignal(panel.corrected, timeout=20_000):
            qtbot.keyClick(panel.dialog.counted, Qt.Key.Key_Return)
        with core.db.read() as s:
            closing = s.scalars(select(DayClosing)).one()
        assert closing.difference_fen == 0 and closing.payment_count == 2
    finally:
        window.close()
        tasks.shutdown()
        core.close()
