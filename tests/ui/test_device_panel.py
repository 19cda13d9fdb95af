"""The demo's simulated devices window, on real ptys, the device simulator and the hub."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPushButton

from app.bootstrap import Core
from app.devices.escpos import text_width
from app.devices.frame68 import Command
from app.ui.device_panel import DevicePanel
from app.ui.taskman import TaskManager


@pytest.fixture
def panel(qtbot, demo_core: Core, tasks: TaskManager) -> DevicePanel:
    window = DevicePanel(demo_core.demo_devices, tasks)
    qtbot.addWidget(window)
    window.show()
    return window


def _click(qtbot, panel: DevicePanel, name: str) -> None:
    button = panel.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _log_in(core: Core, counter: int) -> None:
    clerk = core.auth.login(f"100{counter}", "1234")
    core.counters.open_session("DEMO", counter, clerk)


def test_keypad_shows_waiting_and_ticket_apart_and_the_led_the_letter(
    qtbot, english, demo_core: Core, panel: DevicePanel
) -> None:
    _log_in(demo_core, 3)
    sim = demo_core.demo_devices
    assert sim is not None
    for number in ("B001", "B002"):  # a second press within 1 s would be a retransmission
        _click(qtbot, panel, "Button2")
        qtbot.waitUntil(lambda n=number: any(n in t for t in sim.printer_lines()), timeout=5000)
        qtbot.wait(1000)
    qtbot.waitUntil(
        lambda: panel.keypad_labels[3].text() == "Waiting [  2]  Ticket [   ]", timeout=5000
    )
    _click(qtbot, panel, "Key3_CALL_NEXT")
    qtbot.waitUntil(
        lambda: panel.keypad_labels[3].text() == "Waiting [  1]  Ticket [001]", timeout=5000
    )
    # the demo's LED displays show the letter: B001, not 1
    qtbot.waitUntil(lambda: panel.led_labels[3].text() == "LED B001", timeout=3000)
    assert panel.keypad_states[3].text() == ""


def test_refused_key_at_a_closed_counter_is_shown(
    qtbot, english, demo_core: Core, panel: DevicePanel
) -> None:
    sim = demo_core.demo_devices
    assert sim is not None
    # nobody is logged in at counter 2: its keypad shows "---" for the ticket
    qtbot.waitUntil(lambda: panel.keypad_labels[2].text().endswith("Ticket [---]"), timeout=5000)
    assert panel.keypad_states[2].text() == "Closed (no clerk)"
    _click(qtbot, panel, "Key2_CALL_NEXT")
    qtbot.waitUntil(lambda: bool(sim.sim.frames_received(2, Command.BEEP)), timeout=3000)
    qtbot.waitUntil(lambda: panel.keypad_states[2].text() == "Key refused (beep)", timeout=3000)
    assert panel.keypad_states[2].property("refused") is True
    assert panel.keypad_states[1].text() == "Closed (no clerk)"  # only counter 2
    # the flash passes; the state stays
    qtbot.waitUntil(lambda: panel.keypad_states[2].text() == "Closed (no clerk)", timeout=5000)
    assert panel.keypad_states[2].property("refused") is False


def test_lit_evaluator_is_shown_until_rated(
    qtbot, english, demo_core: Core, panel: DevicePanel
) -> None:
    _log_in(demo_core, 1)
    demo_core.queue.issue_ticket("DEMO", "PAY")
    demo_core.queue.call_next("DEMO", 1)
    assert panel.evaluator_labels[1].text() == ""
    _click(qtbot, panel, "Key1_ASK_RATING")
    qtbot.waitUntil(
        lambda: panel.evaluator_labels[1].text() == "Waiting for a rating", timeout=5000
    )
    assert panel.evaluator_labels[1].property("lit") is True
    assert panel.evaluator_labels[2].text() == ""
    _click(qtbot, panel, "Rate1_1")
    qtbot.waitUntil(lambda: panel.evaluator_labels[1].text() == "", timeout=5000)


def _row_ends(panel: DevicePanel) -> dict[str, int]:
    """Printed row text -> x of its end, for every row on the paper pane."""
    doc = panel.printer.document()
    ends = {}
    for n in range(doc.blockCount()):
        block = doc.findBlockByNumber(n)
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        ends[block.text()] = panel.printer.cursorRect(cursor).x()
    return ends


def test_printer_pane_follows_the_newest_ticket_in_aligned_columns(
    qtbot, english, demo_core: Core, panel: DevicePanel
) -> None:
    for button in ("Button1", "Button2", "Button3"):  # A001, B001, C001
        _click(qtbot, panel, button)
    text = panel.printer.toPlainText
    qtbot.waitUntil(lambda: "C001" in text() and text().count("✂") == 3, timeout=8000)
    bar = panel.printer.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()  # the newest ticket in view
    columns = demo_core.demo_devices.paper_columns
    ends = _row_ends(panel)
    full = {row: x for row, x in ends.items() if text_width(row) == columns}
    # the rules and the Chinese two-column rows ("前面等候 … 2 人") all end at the same x
    assert any("前面等候" in row for row in full) and any(set(row) == {"-"} for row in full)
    assert len(set(full.values())) == 1, full
    # centred lines are centred on the paper: the hall's name sits in the middle
    hall = next(row for row in ends if "示范营业厅" in row)
    assert text_width(hall) == (columns + text_width(hall.strip())) // 2


def test_dispenser_buttons_speak_the_ui_language(qtbot, english, panel: DevicePanel) -> None:
    assert panel.findChild(QPushButton, "Button1").text() == "1: Bill payment"
    # "&&" is how a button shows "&" (a single one would make a keyboard shortcut)
    assert panel.findChild(QPushButton, "Button3").text() == "3: Enquiries && complaints"


def test_dispenser_buttons_in_chinese(qtbot, chinese, panel: DevicePanel) -> None:
    assert panel.findChild(QPushButton, "Button1").text() == "1: 缴费业务"


def test_the_ports_of_the_devices_are_shown(
    qtbot, english, demo_core: Core, tasks: TaskManager
) -> None:
    window = DevicePanel(demo_core.demo_devices, tasks, ports=demo_core.station.admin.statuses)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: (
            window.port_states.text().split("\n")
            == ["Port hallbus: open", "Port led: open", "Port printer: open"]
        ),
        timeout=5000,
    )
