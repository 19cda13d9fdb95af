"""Screenshots of the kiosk, counter and display windows for the README.

Run under a virtual X server:

    xvfb-run -a python scripts/screenshots.py [--language zh_CN|en] [--out docs/screenshots]

A demo hall is built in a temporary SQLite database on a manual clock (a Tuesday morning),
a few customers are issued tickets and served, and each window is grabbed with
`QWidget.grab()` once it shows the demo state: kiosk.png, kiosk_ticket.png, counter.png,
display.png, and devices.png (the demo's simulated devices, played on pty pairs by the
device simulator as `scripts/run` plays them). The script drives the windows through
their own signals (no sleeps, no processEvents loops) and exits non-zero if a window does
not reach its state in time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.bootstrap import Core, build_core, build_station, start_devices  # noqa: E402
from app.services.clock import ManualClock  # noqa: E402
from app.services.simulation.demo_accounts import account_number  # noqa: E402
from app.settings import DatabaseSettings, Settings  # noqa: E402
from app.ui.application import Stations, build_windows  # noqa: E402
from app.ui.i18n import install_translations  # noqa: E402
from app.ui.taskman import TaskManager  # noqa: E402
from app.ui.theme import apply_theme  # noqa: E402

HALL = "DEMO"
# 09:40 in Shanghai on the last Tuesday: the demo book's bills are dated from today, so
# some are overdue on the counter's screen.
_TODAY = date.today()
START = datetime.combine(_TODAY - timedelta(days=(_TODAY.weekday() - 1) % 7), time(1, 40), UTC)


def seed(core: Core, clock: ManualClock) -> None:
    """A morning in the demo hall: tickets issued, counters open, some customers served."""
    q, c, auth = core.queue, core.counters, core.auth
    staff = {n: auth.login(str(1000 + n), "1234") for n in (2, 3, 4, 5, 6)}
    for n, s in staff.items():
        c.open_session(HALL, n, s)
    plan = ["PAY"] * 9 + ["APPLY"] * 6 + ["ENQ"] * 4 + ["GREEN"] * 2
    for i, service in enumerate(plan):
        clock.advance(37 + 11 * (i % 4))
        q.issue_ticket(HALL, service)
    for n in (2, 3, 4, 6, 2, 3):
        clock.advance(95)
        q.call_next(HALL, n)
        q.start_serving(HALL, n)
    clock.advance(40)
    q.call_next(HALL, 4)
    q.call_next(HALL, 6)
    clock.advance(30)
    q.finish(HALL, 6)
    c.pause(HALL, 5, "lunch")
    clock.advance(20)
    q.call_next(HALL, 2)
    q.recall(HALL, 2)
    rating = core.evaluations.request_rating(HALL, 3)  # a customer not pleased at counter 3
    clock.advance(15)
    core.evaluations.record_rating(rating.id, 3)


class Script:
    """Steps run one after another from the event loop; each waits for a condition."""

    def __init__(self, app: QApplication, timeout_ms: int = 15000) -> None:
        self.app = app
        self.timeout_ms = timeout_ms
        self.steps: list[tuple[str, Callable[[], None], Callable[[], bool]]] = []
        self.failed = ""

    def step(self, name: str, action: Callable[[], None], until: Callable[[], bool]) -> None:
        self.steps.append((name, action, until))

    def run(self) -> None:
        QTimer.singleShot(0, self._next)

    def _next(self) -> None:
        if not self.steps:
            self.app.quit()
            return
        name, action, until = self.steps.pop(0)
        action()
        self._wait(name, until, self.timeout_ms)

    def _wait(self, name: str, until: Callable[[], bool], left: int) -> None:
        if until():
            QTimer.singleShot(300, self._next)  # let the last repaint settle
            return
        if left <= 0:
            self.failed = name
            self.app.quit()
            return
        QTimer.singleShot(100, lambda: self._wait(name, until, left - 100))


def grab(widget: QWidget, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path)):
        raise SystemExit(f"cannot write {path}")
    print(f"wrote {path}")


def overdue_account(core: Core) -> str:
    """A demo account with several bills owed and a late fee: every case on one screen."""
    today = START.date()
    for n in range(1, 300):
        owed = core.billing.owed("DEMO", account_number(n), today)
        if owed.late_fees > 0 and owed.account_type == "residential":
            return owed.account_number
    raise SystemExit("screenshots: no demo account with overdue bills")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="zh_CN")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="halldesk-shots-"))
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp / 'central.sqlite3'}"))
    settings = replace(
        settings,
        station=replace(settings.station, counter=1),
        ui=replace(settings.ui, language=args.language, voice=False),
    )
    clock = ManualClock(START)
    core = build_core(settings, data_dir=tmp, clock=clock, demo=True, demo_book=True)
    seed(core, clock)
    devices = start_devices(core, demo=True)

    app = QApplication(sys.argv)
    translations = install_translations(app, args.language)
    apply_theme(app)
    tasks = TaskManager()
    stations: Stations = build_windows(
        build_station(core, devices), ["kiosk", "counter", "display", "manager"], tasks, voice=None
    )
    kiosk, counter, display = stations.kiosk, stations.counter, stations.display
    manager = stations.manager
    assert manager is not None
    manager.resize(1440, 900)
    panel = stations.device_panel
    assert kiosk and counter and display and panel
    panel.resize(1100, 640)
    kiosk.ticket_hold_ms = 600_000
    kiosk.resize(1024, 768)
    counter.resize(1440, 860)
    display.resize(1280, 720)
    stations.show()

    def login() -> None:
        dialog = counter.login_dialog
        assert dialog is not None
        dialog.job_number.setText("1001")
        dialog.password.setText("1234")
        dialog.ok_button.click()

    done: list[str] = []
    counter.action_completed.connect(done.append)
    script = Script(app)
    script.step("kiosk loaded", lambda: None, lambda: len(kiosk.buttons) == 4)
    script.step("grab kiosk", lambda: grab(kiosk, args.out / "kiosk.png"), lambda: True)
    script.step("login dialog", lambda: None, lambda: counter.login_dialog is not None)
    script.step("log in", login, lambda: counter.staff is not None)
    script.step("call", lambda: counter.trigger("call_next"), lambda: "call_next" in done)
    script.step("start", lambda: counter.trigger("start"), lambda: "start" in done)
    script.step("later", lambda: clock.advance(204), lambda: "03:24" in counter.view.elapsed.text())
    pay = counter.payments
    assert pay is not None
    number = overdue_account(core)

    def look_up() -> None:
        pay.view.search.setText(number)
        pay.view.search_button.click()

    script.step("account", look_up, lambda: pay.account is not None and not pay.busy)
    script.step("grab counter", lambda: grab(counter, args.out / "counter.png"), lambda: True)
    script.step("pay dialog", lambda: pay.trigger("pay"), lambda: pay.dialog is not None)

    def cash() -> None:  # the next hundred yuan: the dialog shows the change
        assert pay.dialog is not None
        due = Decimal(pay.dialog.amount.text())  # type: ignore[attr-defined]
        pay.dialog.tendered.setText(str((due // 100 + 1) * 100))  # type: ignore[attr-defined]

    script.step("cash", cash, lambda: True)
    script.step("grab pay", lambda: grab(pay.dialog, args.out / "counter_pay.png"), lambda: True)
    script.step("close pay", pay.close_dialog, lambda: pay.dialog is None)
    script.step(
        "display",
        lambda: None,
        lambda: display.latest_call_text.startswith("A004") and not display.flashing,
    )
    script.step("grab display", lambda: grab(display, args.out / "display.png"), lambda: True)
    script.step("issue", lambda: kiosk.issue("APPLY"), lambda: kiosk.showing_ticket)
    script.step("grab ticket", lambda: grab(kiosk, args.out / "kiosk_ticket.png"), lambda: True)
    script.step(
        "printed", lambda: None, lambda: "B" in panel.printer.toPlainText() and panel.isVisible()
    )
    script.step("grab devices", lambda: grab(panel, args.out / "devices.png"), lambda: True)

    def manager_login() -> None:
        manager.job_number.setText("8001")
        manager.password.setText("1234")
        manager.login_button.click()

    script.step(
        "manager",
        manager_login,
        lambda: manager.board is not None and manager.view.alerts.rowCount() > 0,
    )
    script.step("grab manager", lambda: grab(manager, args.out / "manager.png"), lambda: True)
    shown: list[bool] = []
    manager.charts_shown.connect(lambda: shown.append(True))
    script.step(
        "charts",
        lambda: manager.view.tabs.setCurrentWidget(manager.view.charts),
        lambda: bool(shown),
    )
    script.step("grab charts", lambda: grab(manager, args.out / "manager_charts.png"), lambda: True)
    script.run()
    app.exec()
    stations.shutdown()
    devices.stop()
    translations.remove()
    core.close()
    if script.failed:
        print(f"screenshots: step '{script.failed}' did not finish in time", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
