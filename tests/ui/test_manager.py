"""The manager's dashboard (issue 10), on real services and a real database.

- only a manager may log in;
- a call made by another process (a counter PC) shows within 1 s;
- a dissatisfied customer: the alert is sounded once, opened (ticket, rating, clerk),
  a complaint work order asked for, acknowledged with a note that is required;
- a wait over the service's limit turns red and raises an alert at that moment
  (a clock that moves when told);
- a bill paid at two counters cut off from each other is listed with what the centre
  credited and the receipts that met on it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.bootstrap import build_core
from app.models import AuditEntry
from app.services.billing.payments import PaymentService
from app.services.clock import ManualClock
from app.services.hall_ref import HallDirectory
from app.services.monitoring.conflicts import CREDIT_OVERDRAWN, SURPLUS_TAKEN_BACK, ConflictSeen
from app.services.security.auth import AuthService
from app.services.sync.push import drain
from app.ui.manager_conflicts import conflicts_text
from app.ui.manager_dialogs import AlertDetailDialog, LimitsDialog, NoteDialog
from app.ui.manager_view import RED
from app.ui.pay_render import yuan
from tests.conftest import make_settings
from tests.unit.services.queue_helpers import HALL, local
from tests.unit.services.sync.sync_helpers import (
    BOOK_DAY,
    BOOK_START,
    KEY,
    StepClock,
    central_with_book,
    make_station,
)
from tests.unit.services.sync.sync_helpers import HALL as SYNC_HALL

ROOT = Path(__file__).resolve().parents[2]
LATE = "3300000003"  # a household of the sync tests' book whose oldest bill is owed


def log_in_manager(qtbot, window, job: str = "8001") -> None:
    window.job_number.setText(job)
    window.password.setText("1234")
    qtbot.keyClick(window.password, Qt.Key.Key_Return)


def cell(table, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def counter_row(window, number: int) -> int:
    table = window.view.counters
    return next(r for r in range(table.rowCount()) if cell(table, r, 0) == str(number))


@pytest.fixture
def dashboard(qtbot, make_stations, sqlite_core, english):
    stations = make_stations(sqlite_core, ["manager"])
    window = stations.manager
    log_in_manager(qtbot, window, "1001")  # a clerk
    qtbot.waitUntil(lambda: "may not" in window.view.status.text(), timeout=10_000)
    assert window.actor is None and not window.view.tabs.isEnabled()
    log_in_manager(qtbot, window)
    qtbot.waitUntil(lambda: window.board is not None, timeout=10_000)
    return window


def test_a_call_made_on_another_pc_shows_within_a_second(qtbot, dashboard, sqlite_url):
    window = dashboard
    row = counter_row(window, 1)
    assert cell(window.view.counters, row, 1) == "closed"
    script = textwrap.dedent(
        f"""
        import time
        from app.bootstrap import build_core
        from tests.conftest import make_settings
        core = build_core(make_settings({sqlite_url!r}))
        core.queue.issue_ticket("DEMO", "PAY")
        core.counters.open_session("DEMO", 1, core.auth.login("1001", "1234"))
        core.queue.call_next("DEMO", 1)
        print(time.time(), flush=True)
        core.close()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    called_at = float(done.stdout.split()[-1])
    qtbot.waitUntil(lambda: cell(window.view.counters, row, 3) == "A001", timeout=2000)
    assert time.time() - called_at < 1.0
    assert cell(window.view.counters, row, 1) == "calling"
    assert "王芳" in cell(window.view.counters, row, 2)


def test_a_dissatisfied_customer_from_alert_to_complaint(qtbot, dashboard, sqlite_core):
    window, core = dashboard, sqlite_core
    sounded: list[str] = []
    window.alert_sounded.connect(sounded.append)
    core.counters.open_session(HALL, 2, core.auth.login("1002", "1234"))
    core.queue.issue_ticket(HALL, "PAY")
    ticket = core.queue.call_next(HALL, 2)
    request = core.evaluations.request_rating(HALL, 2, scale=5)
    core.evaluations.record_rating(request.id, 4)  # very dissatisfied
    qtbot.waitUntil(lambda: len(sounded) == 1, timeout=3000)
    for _ in range(3):  # later reads do not sound it again
        with qtbot.waitSignal(window.refreshed, timeout=3000):
            window.refresh()
    assert len(sounded) == 1
    assert window.view.cards["alerts"].text() == "1"
    assert window.view.cards["satisfaction"].text() == "0.0 % (1 rated)"
    assert cell(window.view.alerts, 0, 1) == "Dissatisfied customer"
    # behind the alert: the ticket, the rating, the clerk
    window.view.alerts.selectRow(0)
    window.view.alerts.setFocus()
    qtbot.keyClick(window.view.alerts, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(window.dialogs.dialog, AlertDetailDialog), timeout=3000)
    detail = window.dialogs.dialog
    text = detail.summary.text()
    assert ticket.display_number in text and "very dissatisfied" in text and "李娜" in text
    assert detail.events.count() >= 2  # issued, called, rated…
    assert detail.complaint.isVisible()
    qtbot.mouseClick(detail.complaint, Qt.MouseButton.LeftButton)
    note = detail.findChild(NoteDialog)
    assert note is not None
    qtbot.keyClick(note.note, Qt.Key.Key_Return)  # empty: refused, nothing recorded
    assert "few words" in note.status.text()
    note.note.setText("rude at counter 2")
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        qtbot.keyClick(note.note, Qt.Key.Key_Return)
    with core.db.read() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "complaint_requested"))
        assert json.loads(entry.detail)["note"] == "rude at counter 2"
    qtbot.waitUntil(lambda: window.view.cards["alerts"].text() == "0", timeout=3000)
    assert "complaint requested: rude at counter 2" in cell(window.view.alerts, 0, 4)


def test_acknowledging_needs_a_note(qtbot, dashboard, sqlite_core):
    window, core = dashboard, sqlite_core
    core.evaluations.raise_alert(HALL, "paper_out", "printer D1 out of paper", source="hall/9")
    qtbot.waitUntil(lambda: window.view.cards["alerts"].text() == "1", timeout=3000)
    window.view.alerts.selectRow(0)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(window.dialogs.dialog, NoteDialog), timeout=3000)
    dialog = window.dialogs.dialog
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.isVisible() and "few words" in dialog.status.text()
    dialog.note.setText("paper roll changed")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.view.cards["alerts"].text() == "0", timeout=3000)
    assert cell(window.view.alerts, 0, 4) == "acknowledged: paper roll changed"


def test_a_wait_over_the_limit_turns_red_and_raises_an_alert(
    qtbot, make_stations, sqlite_url, tmp_path, english
):
    clock = ManualClock(local(23, 9))
    core = build_core(make_settings(sqlite_url), data_dir=tmp_path, demo=True, clock=clock)
    try:
        window = make_stations(core, ["manager"]).manager
        log_in_manager(qtbot, window)
        qtbot.waitUntil(lambda: window.board is not None, timeout=10_000)
        core.queue.issue_ticket(HALL, "PAY")  # PAY's wait limit: 15 minutes
        clock.set(local(23, 9, 14, 50))
        with qtbot.waitSignal(window.refreshed, timeout=3000):
            window.refresh()
        services = window.view.services
        assert services.item(0, 2).foreground().color() != RED
        assert window.board.hall.open_alerts == ()
        clock.set(local(23, 9, 15, 10))
        qtbot.waitUntil(lambda: window.board.hall.open_alerts != (), timeout=3000)
        assert services.item(0, 2).text() == "15:10"
        assert services.item(0, 2).foreground().color() == RED
        assert cell(window.view.alerts, 0, 1) == "Wait over the limit"
    finally:
        core.close()


def test_the_day_charts_with_the_same_weekday_before(
    qtbot, make_stations, sqlite_url, tmp_path, english
):
    clock = ManualClock(local(9, 9, 10))  # two weeks before the 23rd, the same weekday
    core = build_core(make_settings(sqlite_url), data_dir=tmp_path, demo=True, clock=clock)
    try:
        for day, count in ((9, 4), (16, 2), (23, 3)):  # 4 and 2 before: usual is 3 at 09:00
            clock.set(local(day, 9, 10))
            for _ in range(count):
                core.queue.issue_ticket(HALL, "PAY")
        core.counters.open_session(HALL, 1, core.auth.login("1001", "1234"))
        core.queue.call_next(HALL, 1)
        clock.set(local(23, 10, 5))
        core.queue.finish(HALL, 1)
        window = make_stations(core, ["manager"]).manager
        log_in_manager(qtbot, window)
        qtbot.waitUntil(lambda: window.board is not None, timeout=10_000)
        with qtbot.waitSignal(window.charts_shown, timeout=10_000):
            window.view.tabs.setCurrentWidget(window.view.charts)
        charts = window.view.charts
        assert charts.day.date().toPython() == local(23, 0).date()
        assert charts.summary.text() == "3 issued, 1 served, 0 no-shows"
        hours = charts.hours.chart().series()[0]
        labels = charts.hours.chart().axes(Qt.Orientation.Horizontal)[0].categories()
        arrivals, served = hours.barSets()
        assert dict(
            zip(labels, [arrivals.at(i) for i in range(arrivals.count())], strict=True)
        ) == {
            "09": 3.0,
            "10": 0.0,
        }
        assert served.at(labels.index("10")) == 1.0  # finished at 10:05
        this_day, usual = charts.usual.chart().series()
        assert usual.at(labels.index("09")).y() == 3.0  # (4 + 2) / 2 weeks
        assert "2 weeks" in charts.usual.chart().title()
        # another day: the 16th, two tickets
        with qtbot.waitSignal(window.charts_shown, timeout=10_000):
            charts.day.setDate(charts.day.date().addDays(-7))
        assert charts.summary.text() == "2 issued, 0 served, 0 no-shows"
    finally:
        core.close()


def test_a_manager_changes_a_services_limits(qtbot, dashboard, sqlite_core):
    window = dashboard
    window.edit_limits()  # nothing chosen yet
    assert "Choose a service" in window.view.status.text()
    window.view.services.selectRow(0)  # Bill payment
    window.view.limits.click()
    qtbot.waitUntil(lambda: isinstance(window.dialogs.dialog, LimitsDialog), timeout=3000)
    dialog = window.dialogs.dialog
    assert (dialog.wait.value(), dialog.handling.value(), dialog.queue.value()) == (15, 10, 15)
    dialog.wait.setValue(30)
    dialog.queue.setValue(0)  # no queue alert
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        qtbot.keyClick(dialog.wait, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cell(window.view.services, 0, 6) == "30 / 10 min / —", timeout=3000)
    assert window.view.status.text() == "The limits are saved."


def test_a_bill_paid_twice_offline_is_listed_for_the_manager(
    qtbot, dashboard, sqlite_url, tmp_path
):
    # two counters cut off from each other take the same bill; both push to this centre
    central = central_with_book(sqlite_url, accounts=4, book_day=BOOK_DAY)
    clock = StepClock(BOOK_START)
    stations = [make_station(central, tmp_path / f"pc{n}.sqlite3", clock) for n in (1, 2)]
    try:
        billing = PaymentService(central, HallDirectory(central), AuthService(central), clock,
                                 receipt_key=KEY)  # fmt: skip
        oldest = billing.owed(SYNC_HALL, LATE, BOOK_DAY).bills[0]
        label = dashboard.view.conflicts
        assert not label.isVisible()
        paid = [
            st.pay(st.clerk(), LATE, str(oldest.due), prefix=f"PC{n}", bill_ids=[oldest.bill_id])
            for n, st in enumerate(stations, start=1)
        ]
        for st in stations:
            drain(st.cache, central)
        qtbot.waitUntil(lambda: LATE in label.text(), timeout=10_000)
        assert label.isVisible()
        heading, line = label.text().splitlines()
        assert heading.startswith("Paid twice while counters were offline")
        assert f"account {LATE}, bill {oldest.period}: {yuan(oldest.due)}" in line
        assert all(p.receipt_number in line for p in paid)
    finally:
        for st in stations:
            st.cache.dispose()
        central.dispose()


def test_each_kind_of_conflict_reads_as_what_happened(english):
    at = datetime(2026, 12, 4, 2, 5, tzinfo=UTC)  # 10:05 in the hall
    text = conflicts_text(
        (
            ConflictSeen(at, CREDIT_OVERDRAWN, LATE, "", Decimal("-100.00"), ("pc1", "pc2")),
            ConflictSeen(at, SURPLUS_TAKEN_BACK, LATE, "2025-12", Decimal("-148.04"), ("PC1-7",)),
        ),
        ZoneInfo("Asia/Shanghai"),
    )
    _heading, overdrawn, taken = text.splitlines()
    assert overdrawn == (
        f"12-04 10:05  account {LATE}: prepaid credit paid out twice, ¥100.00 overdrawn "
        "(refunds at pc1, pc2)"
    )
    assert taken.endswith("bill 2025-12: ¥148.04 taken back, a payment was voided (receipt PC1-7)")
    assert conflicts_text((), ZoneInfo("Asia/Shanghai")) == ""
