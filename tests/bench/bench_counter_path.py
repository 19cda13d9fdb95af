"""A clerk's keyboard path from the account number to the printed receipt (issue 8).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_counter_path.py [--json]
                                                      [--customers N] [--postgres]

The counter window with its payment panel, on the demo hall with a book of accounts
(SQLite file; `--postgres` a throw-away PostgreSQL cluster), offscreen. For each of N
customers (default 60; a third pay by card, the rest cash with change) the keys a clerk
presses are sent to the widget that has the focus, as a keyboard or a barcode scanner
would:

    cash:  digits of the account number, Enter, F12, digits of the cash, Enter
    card:  digits of the account number, Enter, F12, Ctrl+2, the slip's reference, Enter

and counted apart from the digits (goal: at most 8 besides the digits of the number and
the amount). Timed from the last Enter: until the clerk is told "paid" (the payment
committed and read back), and until the receipt is whole in the printer's file (QPrinter
to PDF: the "print to file" printer a clerk can choose; no paper printer here). And the
look-up, from the Enter after the number until the account's bills are on screen.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
from keyring.backends.null import Keyring as NullKeyring  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.bootstrap import build_core, build_station  # noqa: E402
from app.services.simulation.demo_accounts import account_number  # noqa: E402
from app.settings import DatabaseSettings, Settings  # noqa: E402
from app.ui.counter import CounterWindow  # noqa: E402
from app.ui.receipt_print import ReceiptPrinter  # noqa: E402
from app.ui.taskman import TaskManager  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402

BOOK = 2000  # accounts in the demo book (DEMO_ACCOUNTS)
TIMEOUT_S = 30.0


def wait(app: QApplication, done: Callable[[], bool], what: str) -> float:
    start = time.perf_counter()
    while not done():
        app.processEvents()
        if time.perf_counter() - start > TIMEOUT_S:
            raise SystemExit(f"bench_counter_path: no {what} in {TIMEOUT_S} s")
        time.sleep(0.0005)
    return time.perf_counter() - start


class Keyboard:
    """Keys sent where the focus is; the ones that are not digits counted."""

    def __init__(self) -> None:
        self.others = 0

    def focus(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "no widget has the keyboard focus"
        return widget

    def digits(self, text: str) -> None:
        for char in text:
            QTest.keyClicks(self.focus(), char)

    def scan(self, text: str) -> None:
        """A slip's reference read by the scanner: its characters, not the clerk's keys."""
        for char in text:
            QTest.keyClicks(self.focus(), char)

    def key(self, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
        QTest.keyClick(self.focus(), key, modifier)
        self.others += 1


def run(url: str, customers: int, out_dir: Path) -> dict[str, object]:
    settings = replace(Settings(database=DatabaseSettings(url=url)))
    settings = replace(settings, station=replace(settings.station, counter=1))
    core = build_core(settings, demo=True, demo_book=True, receipt_key=b"bench" * 8)
    app = QApplication.instance() or QApplication(sys.argv)
    tasks = TaskManager()
    station = build_station(core)
    window = CounterWindow(station.counter, tasks, cashier=station.cashier)
    panel = window.payments
    assert panel is not None
    qs = QSettings(str(out_dir / "ui.ini"), QSettings.Format.IniFormat)
    pdf = out_dir / "receipt.pdf"
    qs.setValue("receipt_printer/pdf_file", str(pdf))
    panel.printer = ReceiptPrinter(tasks, window, settings=qs, page_mm=(80, 200))
    printed: list[str] = []
    paid: list[object] = []
    panel.receipt_printed.connect(printed.append)
    panel.paid.connect(paid.append)
    window.show()
    wait(app, lambda: window.login_dialog is not None, "log-in dialog")
    dialog = window.login_dialog
    assert dialog is not None
    dialog.job_number.setText("1001")
    dialog.password.setText("1234")
    dialog.ok_button.click()
    wait(app, lambda: window.staff is not None, "log-in")
    wait(app, panel.view.search.hasFocus, "search focus")

    def shown(number: str) -> bool:
        account = panel.account
        return account is not None and account.account.account_number == number and not panel.busy

    keys_cash: list[int] = []
    keys_card: list[int] = []
    lookup_s: list[float] = []
    paid_s: list[float] = []
    printed_s: list[float] = []
    start_all = time.perf_counter()
    n = 0
    for i in range(1, BOOK + 1):
        if n == customers:
            break
        number = account_number(i)
        owed = core.billing.owed("DEMO", number, station.cashier.today())
        if not owed.bills:
            continue
        n += 1
        card = n % 3 == 0
        kb = Keyboard()
        kb.digits(number)
        t0 = time.perf_counter()
        kb.key(Qt.Key.Key_Return)
        wait(app, lambda number=number: shown(number), "account")  # type: ignore[misc]
        lookup_s.append(time.perf_counter() - t0)
        kb.key(Qt.Key.Key_F12)
        wait(app, lambda: panel.dialog is not None and panel.dialog.isActiveWindow(), "dialog")
        if card:
            kb.key(Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
            kb.scan(f"POS{n:06d}")
        else:
            due = owed.total_due
            kb.digits(str(int(due // 100 + 1) * 100))  # the next hundred: change is given
        before_paid, before_printed = len(paid), len(printed)
        t0 = time.perf_counter()
        kb.key(Qt.Key.Key_Return)
        wait(app, lambda b=before_paid: len(paid) > b, "payment")  # type: ignore[misc]
        paid_s.append(time.perf_counter() - t0)
        wait(app, lambda b=before_printed: len(printed) > b, "receipt")  # type: ignore[misc]
        printed_s.append(time.perf_counter() - t0)
        (keys_card if card else keys_cash).append(kb.others)
        wait(app, panel.view.search.hasFocus, "search focus")
    wall = time.perf_counter() - start_all
    window.close()
    tasks.shutdown()
    window.deleteLater()
    app.processEvents()
    core.close()
    return {
        "customers": n,
        "keys_besides_digits": {
            "cash_with_change": max(keys_cash, default=0),
            "card_with_reference": max(keys_card, default=0),
            "goal_at_most": 8,
        },
        "lookup": asdict(lib.Latency.of(lookup_s, wall)),
        "enter_to_paid": asdict(lib.Latency.of(paid_s, wall)),
        "enter_to_receipt_printed": asdict(lib.Latency.of(printed_s, wall)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    keyring.set_keyring(NullKeyring())
    results: dict[str, object] = {"machine": lib.machine()}
    with tempfile.TemporaryDirectory(prefix="halldesk-path-") as tmp:
        if args.postgres:
            with lib.postgres_admin_url() as admin, lib.fresh_postgres_database(admin) as url:
                results["postgresql"] = run(url, args.customers, Path(tmp))
        else:
            url = f"sqlite:///{Path(tmp) / 'central.sqlite3'}"
            results["sqlite"] = run(url, args.customers, Path(tmp))
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for db, r in results.items():
            if db == "machine":
                continue
            assert isinstance(r, dict)
            print(
                f"{db}: {r['customers']} customers; keys besides digits {r['keys_besides_digits']}"
            )
            for name in ("lookup", "enter_to_paid", "enter_to_receipt_printed"):
                lat = r[name]
                p50, p95, top = lat["p50_ms"], lat["p95_ms"], lat["max_ms"]
                print(f"  {name:26s} p50 {p50:7.1f} ms  p95 {p95:7.1f}  max {top:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
