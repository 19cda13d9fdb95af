"""The counter window: log-in through the dialog, every key, refused steps change nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QSpinBox

from app.bootstrap import build_core
from app.services.clock import ManualClock
from tests.conftest import make_settings
from tests.ui.conftest import log_in

NO_MOD = Qt.KeyboardModifier.NoModifier


def _counter(qtbot, make_stations, core):
    stations = make_stations(core, ["counter"])
    return stations.counter


def press(qtbot, window, key, modifier=NO_MOD, *, expect: str = "done"):
    """Press a key; wait until the step was done or refused; return the signal's args."""
    signal = window.action_completed if expect == "done" else window.action_failed
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    with qtbot.waitSignal(signal, timeout=10_000) as blocker:
        qtbot.keyClick(window, key, modifier)
    return blocker.args


def test_login_through_the_dialog_refuses_a_wrong_password(qtbot, make_stations, core, english):
    window = _counter(qtbot, make_stations, core)
    qtbot.waitUntil(lambda: window.login_dialog is not None)
    dialog = window.login_dialog
    qtbot.keyClicks(dialog.job_number, "1001")
    qtbot.keyClicks(dialog.password, "wrong")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.status.text() == "Wrong job number or password.")
    assert window.staff is None
    assert core.queries.counter_state("DEMO", 1).session_open is False
    dialog.password.clear()
    log_in(qtbot, window)
    assert window.staff.name == "王芳"
    state = core.queries.counter_state("DEMO", 1)
    assert state.session_open and state.staff.job_number == "1001"
    assert window.view.clerk.text() == "王芳 (1001)"
    assert window.view.state_chip.text() == "Open"


def test_every_key_does_its_step(qtbot, make_stations, core, english):
    for service in ("PAY", "PAY", "PAY", "APPLY"):
        core.queue.issue_ticket("DEMO", service)
    window = _counter(qtbot, make_stations, core)
    log_in(qtbot, window)

    def current():
        return core.queries.counter_state("DEMO", 1).current

    assert press(qtbot, window, Qt.Key.Key_F1) == ["call_next"]
    assert current().display_number == "A001"
    assert window.view.current_number.text() == "A001"
    assert window.view.status.text() == "Called A001."

    assert press(qtbot, window, Qt.Key.Key_F2) == ["recall"]
    assert current().recall_count == 1
    assert window.view.recalls.text() == "Recalled 1 time"

    assert press(qtbot, window, Qt.Key.Key_F3) == ["start"]
    assert current().status == "serving"
    assert window.view.current_status.text() == "Serving"

    assert press(qtbot, window, Qt.Key.Key_F6) == ["hold"]
    assert current() is None
    assert window.view.held.count() == 1
    assert window.view.held.item(0).text().startswith("A001")

    assert press(qtbot, window, Qt.Key.Key_F1) == ["call_next"]
    a002 = current()
    assert a002.display_number == "A002"
    assert press(qtbot, window, Qt.Key.Key_F5) == ["no_show"]
    assert core.queries.ticket(a002.id).status == "no_show"

    assert press(qtbot, window, Qt.Key.Key_F7) == ["call_back"]
    assert current().display_number == "A001"
    assert window.view.held.count() == 0

    assert press(qtbot, window, Qt.Key.Key_F4) == ["finish"]
    assert current() is None

    # F9: call a number (指呼) typed into the dialog.
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.dialog is not None)
    qtbot.keyClicks(window.dialog.number, "b001")
    with qtbot.waitSignal(window.action_completed, timeout=10_000) as blocker:
        qtbot.keyClick(window.dialog.number, Qt.Key.Key_Return)
    assert blocker.args == ["call_number"]
    assert current().display_number == "B001"  # called out of order, ahead of A003

    # F8: transfer; the dialog proposes the counter's transfer service (not B001's own).
    assert press(qtbot, window, Qt.Key.Key_F4) == ["finish"]
    assert press(qtbot, window, Qt.Key.Key_F1) == ["call_next"]
    assert current().display_number == "A003"
    qtbot.keyClick(window, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: window.dialog is not None)
    assert window.dialog.service_code == "APPLY"  # counter 1 transfers to APPLY
    with qtbot.waitSignal(window.action_completed, timeout=10_000) as blocker:
        qtbot.keyClick(window.dialog.services, Qt.Key.Key_Return)
    assert blocker.args == ["transfer"]
    state = core.queries.counter_state("DEMO", 1)
    assert state.current is None
    assert dict(state.waiting)["APPLY"] == 1  # A003 waits again, now for Applications

    # F10: pause with a reason chosen by arrow key, then F10 resumes.
    qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: window.dialog is not None)
    qtbot.keyClick(window.dialog.reasons, Qt.Key.Key_Down)
    with qtbot.waitSignal(window.action_completed, timeout=10_000) as blocker:
        qtbot.keyClick(window.dialog.reasons, Qt.Key.Key_Return)
    assert blocker.args == ["pause"]
    state = core.queries.counter_state("DEMO", 1)
    assert state.paused and state.pause_reason == "meeting"
    assert window.view.state_chip.text() == "Paused: Meeting"
    assert window.view.buttons["pause"].text().startswith("Resume")
    assert press(qtbot, window, Qt.Key.Key_F10) == ["resume"]
    assert not core.queries.counter_state("DEMO", 1).paused

    # Ctrl+L: log out; the log-in dialog comes back.
    assert press(qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier) == ["logout"]
    assert not core.queries.counter_state("DEMO", 1).session_open
    assert window.staff is None
    qtbot.waitUntil(lambda: window.login_dialog is not None)


def test_wrong_steps_show_a_message_and_change_nothing(qtbot, make_stations, core, english):
    window = _counter(qtbot, make_stations, core)
    log_in(qtbot, window)
    status = window.view.status

    def refused(key, code, text, modifier=NO_MOD):
        before = core.queries.last_event_id("DEMO")
        _action, got = press(qtbot, window, key, modifier, expect="failed")
        assert got == code
        assert status.level == "error"
        assert status.text() == text
        assert core.queries.last_event_id("DEMO") == before  # nothing was written

    no_current = "There is no current customer. Call the next one first (F1)."
    for key in (Qt.Key.Key_F2, Qt.Key.Key_F3, Qt.Key.Key_F4, Qt.Key.Key_F5, Qt.Key.Key_F6):
        refused(key, "no_current_ticket", no_current)
    refused(Qt.Key.Key_F7, "no_held_ticket", "No ticket is on hold at this counter.")
    refused(Qt.Key.Key_F8, "no_current_ticket", no_current)
    assert window.dialog is None  # no transfer dialog without a customer

    before = core.queries.last_event_id("DEMO")
    assert press(qtbot, window, Qt.Key.Key_F1) == ["call_next"]
    assert status.text() == "Nobody is waiting."
    assert core.queries.last_event_id("DEMO") == before

    # A paused counter calls nobody.
    core.counters.pause("DEMO", 1, "lunch")  # e.g. from the caller keypad
    qtbot.waitUntil(lambda: window.state is not None and window.state.paused, timeout=2000)
    core.queue.issue_ticket("DEMO", "PAY")
    paused = "The counter is paused. Resume it first (F10)."
    refused(Qt.Key.Key_F1, "counter_paused", paused)
    refused(Qt.Key.Key_F9, "counter_paused", paused)
    assert press(qtbot, window, Qt.Key.Key_F10) == ["resume"]

    # Busy with a customer: no pause, no log-out, no no-show once served.
    assert press(qtbot, window, Qt.Key.Key_F1) == ["call_next"]
    busy = "Finish or hold the current customer first."
    refused(Qt.Key.Key_F10, "counter_busy", busy)
    refused(Qt.Key.Key_L, "counter_busy", busy, Qt.KeyboardModifier.ControlModifier)
    assert window.staff is not None
    assert press(qtbot, window, Qt.Key.Key_F3) == ["start"]
    assert not window.view.buttons["start"].isEnabled()
    served = "Not possible now: the customer is already being served."
    refused(Qt.Key.Key_F3, "not_serving", served)  # the key reaches the service anyway
    refused(Qt.Key.Key_F5, "not_serving", served)
    assert core.queries.counter_state("DEMO", 1).current.status == "serving"


def test_buttons_follow_the_state(qtbot, make_stations, sqlite_core, english):
    window = _counter(qtbot, make_stations, sqlite_core)
    buttons = window.view.buttons
    assert [n for n, b in buttons.items() if b.isEnabled()] == ["logout"]  # "Log in..."
    assert buttons["logout"].text().startswith("Log in...")
    log_in(qtbot, window)
    enabled = {n for n, b in buttons.items() if b.isEnabled()}
    # no customer: nobody to rate (F11 off), as the desk's rules say
    assert enabled == {"call_next", "call_number", "pause", "logout"}
    sqlite_core.queue.issue_ticket("DEMO", "PAY")
    press(qtbot, window, Qt.Key.Key_F1)
    enabled = {n for n, b in buttons.items() if b.isEnabled()}
    assert enabled == {
        "call_next",
        "call_number",
        "recall",
        "start",
        "finish",
        "no_show",
        "hold",
        "transfer",
        "rate",
    }
    assert buttons["call_next"].text() == "Call next\nF1"


def test_clicking_a_button_works_like_its_key(qtbot, make_stations, sqlite_core, english):
    sqlite_core.queue.issue_ticket("DEMO", "APPLY")
    window = _counter(qtbot, make_stations, sqlite_core)
    log_in(qtbot, window)
    with qtbot.waitSignal(window.action_completed, timeout=10_000):
        qtbot.mouseClick(window.view.buttons["call_next"], Qt.MouseButton.LeftButton)
    assert window.view.current_number.text() == "B001"


@pytest.fixture
def manual_core(sqlite_url, tmp_path):
    clock = ManualClock(datetime(2026, 3, 17, 2, 0, tzinfo=UTC))
    core = build_core(make_settings(sqlite_url), data_dir=tmp_path, clock=clock, demo=True)
    yield core, clock
    core.close()


def test_elapsed_time_ticks_from_the_call_then_from_the_start(
    qtbot, make_stations, manual_core, english
):
    core, clock = manual_core
    core.queue.issue_ticket("DEMO", "PAY")
    window = _counter(qtbot, make_stations, core)
    log_in(qtbot, window)
    press(qtbot, window, Qt.Key.Key_F1)
    assert window.view.elapsed.text() == "Since the call: 00:00"
    clock.advance(65)
    qtbot.waitUntil(lambda: window.view.elapsed.text() == "Since the call: 01:05", timeout=2000)
    press(qtbot, window, Qt.Key.Key_F3)
    clock.advance(3600 + 2)
    qtbot.waitUntil(lambda: window.view.elapsed.text() == "Serving for 1:00:02", timeout=2000)


def test_fixed_counter_hides_the_counter_field(qtbot, make_stations, sqlite_core):
    settings = sqlite_core.settings
    core = replace(
        sqlite_core, settings=replace(settings, station=replace(settings.station, counter=4))
    )
    window = _counter(qtbot, make_stations, core)
    qtbot.waitUntil(lambda: window.login_dialog is not None)
    assert window.login_dialog.fixed_counter
    assert not window.login_dialog.counter.isVisibleTo(window.login_dialog)
    log_in(qtbot, window, job="1004")
    assert window.counter_number == 4
    assert sqlite_core.queries.counter_state("DEMO", 4).session_open


def test_a_login_elsewhere_ends_this_session(qtbot, make_stations, sqlite_core, english):
    window = _counter(qtbot, make_stations, sqlite_core)
    log_in(qtbot, window)
    other = sqlite_core.auth.login("1002", "1234")
    sqlite_core.counters.open_session("DEMO", 1, other)  # someone took counter 1
    qtbot.waitUntil(lambda: window.staff is None, timeout=2000)
    qtbot.waitUntil(lambda: window.login_dialog is not None)
    assert window.login_dialog.status.text() == ""  # a fresh dialog
    assert window.view.status.text() == "You are no longer logged in at this counter."


def test_chinese_counter(qtbot, make_stations, sqlite_core, chinese):
    sqlite_core.queue.issue_ticket("DEMO", "PAY")
    window = _counter(qtbot, make_stations, sqlite_core)
    log_in(qtbot, window)
    press(qtbot, window, Qt.Key.Key_F1)
    assert window.view.counter_name.text() == "1号窗口"
    assert window.view.status.text() == "已呼叫 A001。"
    assert window.view.current_service.text() == "缴费业务"
    assert window.view.buttons["call_next"].text() == "叫下一位\nF1"
    # the status says 已叫号 once; the timer beside it says how long ago, in other words
    labels = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    assert sum(text.count("已叫号") for text in labels) == 1, labels
    assert window.view.elapsed.text().startswith("叫号至今")
    _a, code = press(qtbot, window, Qt.Key.Key_F7, expect="failed")
    assert code == "counter_busy"
    assert window.view.status.text() == "请先完成或挂起当前客户。"


def test_f2_goes_dark_after_the_fifth_recall_and_f11_needs_a_customer(
    qtbot, make_stations, sqlite_core, english
):
    sqlite_core.queue.issue_ticket("DEMO", "PAY")
    window = _counter(qtbot, make_stations, sqlite_core)
    log_in(qtbot, window)
    buttons = window.view.buttons
    assert not buttons["rate"].isEnabled()  # nobody at the counter
    press(qtbot, window, Qt.Key.Key_F1)
    assert buttons["rate"].isEnabled()
    for _ in range(5):
        assert buttons["recall"].isEnabled()
        press(qtbot, window, Qt.Key.Key_F2)
    assert not buttons["recall"].isEnabled()
    assert press(qtbot, window, Qt.Key.Key_F2, expect="refused") == ["recall", "recall_limit"]
    press(qtbot, window, Qt.Key.Key_F4)
    assert not buttons["rate"].isEnabled()
    # F11 with nobody at the counter asks nobody (it used to rate the finished customer)
    assert press(qtbot, window, Qt.Key.Key_F11, expect="refused") == ["rate", "no_current_ticket"]


def test_the_clerk_is_told_the_customers_rating(qtbot, make_stations, sqlite_core, english):
    sqlite_core.queue.issue_ticket("DEMO", "PAY")
    window = _counter(qtbot, make_stations, sqlite_core)
    log_in(qtbot, window)
    press(qtbot, window, Qt.Key.Key_F1)
    press(qtbot, window, Qt.Key.Key_F11)
    pending = sqlite_core.evaluations.pending("DEMO", 1)
    assert pending is not None
    with qtbot.waitSignal(window.rating_shown, timeout=5000):
        sqlite_core.evaluations.record_rating(pending.id, 1)  # the evaluator's "satisfied"
    assert window.view.status.text() == "A001 rated the service: satisfied."


def test_after_a_restart_the_window_shows_the_counter_as_it_is(
    qtbot, make_stations, sqlite_core, english
):
    """The display said counter 1 serves B001 while the restarted window said closed."""
    settings = sqlite_core.settings
    core = replace(
        sqlite_core, settings=replace(settings, station=replace(settings.station, counter=1))
    )
    sqlite_core.queue.issue_ticket("DEMO", "APPLY")
    clerk = sqlite_core.auth.login("1001", "1234")
    sqlite_core.counters.open_session("DEMO", 1, clerk)
    sqlite_core.queue.call_next("DEMO", 1)
    window = _counter(qtbot, make_stations, core)  # a fresh window: nobody logged in here
    qtbot.waitUntil(lambda: window.view.current_number.text() == "B001", timeout=5000)
    assert window.view.state_chip.text() == "Open"
    assert window.view.clerk.text() == "王芳 (1001) - log in to continue"
    assert window.staff is None
    assert [n for n, b in window.view.buttons.items() if b.isEnabled()] == ["logout"]
    log_in(qtbot, window)  # takes the session back with its customer
    assert window.view.current_number.text() == "B001"
    assert window.view.buttons["finish"].isEnabled()


def test_the_clock_shows_an_iso_date_in_english(qtbot, make_stations, sqlite_core, english):
    window = _counter(qtbot, make_stations, sqlite_core)
    text = window.view.clock.text()
    assert re.match(r"\d{4}-\d{2}-\d{2} [A-Z][a-z]{2}  \d{2}:\d{2}", text), text


def test_a_new_step_clears_the_last_steps_message(qtbot, make_stations, sqlite_core, english):
    sqlite_core.queue.issue_ticket("DEMO", "PAY")
    window = _counter(qtbot, make_stations, sqlite_core)
    log_in(qtbot, window)
    press(qtbot, window, Qt.Key.Key_F4, expect="failed")
    assert window.view.status.level == "error"
    press(qtbot, window, Qt.Key.Key_F1)
    assert window.view.status.text() == "Called A001."
    assert window.view.status.level == "info"


def test_the_login_counter_field_has_no_broken_arrows(qtbot, make_stations, sqlite_core):
    window = _counter(qtbot, make_stations, sqlite_core)
    qtbot.waitUntil(lambda: window.login_dialog is not None)
    field = window.login_dialog.counter
    assert field.buttonSymbols() == QSpinBox.ButtonSymbols.NoButtons
    qtbot.keyClick(field, Qt.Key.Key_Up)  # the keys still step it
    assert field.value() == 2


# A popup asks the window system to raise it and grab the keyboard; offscreen has neither.
@pytest.mark.qt_log_ignore(
    "does not support raise", "does not support grabbing the keyboard", "propagateSizeHints"
)
def test_the_transfer_lists_highlighted_row_is_visible(qtbot, qapp, sqlite_core):
    """The drop-down of the transfer dialog drew its highlighted row white on white."""
    from app.ui.counter_dialogs import TransferDialog
    from app.ui.theme import apply_theme

    previous = qapp.styleSheet()
    apply_theme(qapp)
    try:
        services = list(sqlite_core.queries.hall("DEMO").services)
        dialog = TransferDialog("A001", services, services[1].code, "en")
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.services.showPopup()
        view = dialog.services.view()
        qtbot.waitUntil(view.isVisible)
        rect = view.visualRect(view.currentIndex())
        image = view.viewport().grab().toImage()
        ratio = view.viewport().devicePixelRatioF()
        x, y = int((rect.left() + 3) * ratio), int(rect.center().y() * ratio)
        assert image.pixelColor(x, y).name() == "#1565c0"
        dialog.services.hidePopup()
    finally:
        qapp.setStyleSheet(previous)


def _type_login(qtbot, dialog, job: str, password: str) -> None:
    dialog.job_number.clear()
    dialog.password.clear()
    qtbot.keyClicks(dialog.job_number, job)
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_a_reset_password_is_changed_at_the_counters_log_in(
    qtbot, make_stations, sqlite_core, english
):
    admin = sqlite_core.auth.login("9001", "1234")
    sqlite_core.auth.reset_password(admin, "1001", "Temp#2026")
    window = _counter(qtbot, make_stations, sqlite_core)
    qtbot.waitUntil(lambda: window.login_dialog is not None)
    dialog = window.login_dialog
    _type_login(qtbot, dialog, "1001", "Temp#2026")
    qtbot.waitUntil(lambda: dialog.asking_new_password, timeout=10_000)
    assert dialog.new_password.isVisibleTo(dialog) and window.staff is None
    assert dialog.status.text() == "Your password was reset. Choose a new password to log in."
    qtbot.keyClicks(dialog.new_password, "Mine#2026")
    qtbot.keyClicks(dialog.repeat_password, "Mine#2027")
    qtbot.keyClick(dialog.repeat_password, Qt.Key.Key_Return)
    assert dialog.status.text() == "The two new passwords differ."
    dialog.repeat_password.clear()
    qtbot.keyClicks(dialog.repeat_password, "Mine#2026")
    qtbot.keyClick(dialog.repeat_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.staff is not None, timeout=10_000)
    assert sqlite_core.auth.login("1001", "Mine#2026").job_number == "1001"


def test_the_counter_says_how_long_an_account_is_locked(qtbot, make_stations, sqlite_core, english):
    window = _counter(qtbot, make_stations, sqlite_core)
    qtbot.waitUntil(lambda: window.login_dialog is not None)
    dialog = window.login_dialog
    for _ in range(5):
        _type_login(qtbot, dialog, "1002", "wrong")
        assert dialog.busy
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.status.level == "error"
    assert dialog.status.text() == (
        "Too many wrong passwords: the account is locked. Try again in 15 min "
        "or ask an administrator."
    )
    _type_login(qtbot, dialog, "1002", "1234")  # the right one, while locked
    assert dialog.busy
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert window.staff is None and "locked" in dialog.status.text()
