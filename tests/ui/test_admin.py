"""The admin screen and the demo's device panel, on real ptys and the device simulator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QTableWidgetItem

from app.bootstrap import Core, build_core, build_station, start_devices
from app.devices.frame68 import Command
from app.settings import BusSettings, DeviceSettings, load_settings, save_settings
from app.ui.admin import AdminWindow
from app.ui.device_panel import DevicePanel
from app.ui.taskman import TaskManager
from tests.conftest import make_settings
from tests.ui.conftest import DEMO_TIMING


@pytest.fixture
def admin(qtbot, demo_core: Core, tasks: TaskManager) -> AdminWindow:
    window = AdminWindow(demo_core.station.admin, tasks)
    qtbot.addWidget(window)
    window.show()
    return window


def _log_in(qtbot, window: AdminWindow, job: str) -> None:
    window.job_number.setText(job)
    window.password.setText("1234")
    with qtbot.waitSignal(window.message_shown, timeout=5000):
        qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)


def test_clerk_may_not_administer_devices(qtbot, admin: AdminWindow) -> None:
    _log_in(qtbot, admin, "1001")
    assert not admin.body.isEnabled()
    assert admin.status_line.text()


def test_admin_sees_live_status_and_tests_a_keypad(
    qtbot, admin: AdminWindow, demo_core: Core, english
) -> None:
    _log_in(qtbot, admin, "9001")
    assert admin.body.isEnabled()
    sim = demo_core.demo_devices
    assert sim is not None
    kinds = {admin.status_table.item(r, 0).text() for r in range(admin.status_table.rowCount())}
    # the kinds in the UI language, not the settings' keys
    assert {"Caller keypad", "Evaluator", "LED display", "Dispenser panel"} <= kinds
    assert "Ticket printer" in kinds
    # devices answer polls: the status column turns to online within a few seconds
    qtbot.waitUntil(
        lambda: any(
            "online"
            in (admin.status_table.item(r, 4).text() if admin.status_table.item(r, 4) else "")
            for r in range(admin.status_table.rowCount())
        ),
        timeout=5000,
    )
    row = next(
        r
        for r in range(admin.status_table.rowCount())
        if admin.status_table.item(r, 0).text() == "Caller keypad"
        and admin.status_table.item(r, 2).text() == "2"
    )
    admin.status_table.selectRow(row)
    before = len(sim.sim.frames_received(2, Command.BEEP))
    qtbot.mouseClick(admin.test_buttons["beep"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(sim.sim.frames_received(2, Command.BEEP)) > before, timeout=3000)


def test_bad_device_row_is_refused_and_file_unchanged(
    qtbot, admin: AdminWindow, demo_core: Core
) -> None:
    _log_in(qtbot, admin, "9001")
    path = demo_core.settings.path
    assert path is not None
    before = path.read_text(encoding="utf-8")
    row = admin.device_table.rowCount()
    admin.device_table.insertRow(row)
    for c, value in enumerate(["caller", "nosuchbus", "3", "3", "", "", "4", "80"]):
        admin.device_table.setItem(row, c, QTableWidgetItem(value))
    admin.save()  # checked off the GUI thread, as at start
    qtbot.waitUntil(lambda: "nosuchbus" in admin.status_line.text(), timeout=5000)
    assert admin.status_line.text().startswith("Not saved:")
    assert path.read_text(encoding="utf-8") == before


def test_saved_devices_load_back(qtbot, admin: AdminWindow, demo_core: Core) -> None:
    _log_in(qtbot, admin, "9001")
    with qtbot.waitSignal(admin.saved, timeout=5000):
        admin.save()
    saved = load_settings(demo_core.settings.path)
    assert len(saved.devices) == len(demo_core.settings.devices)
    panel = next(d for d in saved.devices if d.kind == "dispenser_panel")
    assert panel.buttons["1"] == "PAY"


def test_device_panel_drives_the_hall(qtbot, demo_core: Core, tasks: TaskManager) -> None:
    panel = DevicePanel(demo_core.demo_devices, tasks)
    qtbot.addWidget(panel)
    panel.show()
    clerk = demo_core.auth.login("1003", "1234")
    demo_core.counters.open_session("DEMO", 3, clerk)
    # the customer takes a ticket at the dispenser panel: it is printed
    qtbot.mouseClick(panel.findChild(QPushButton, "Button2"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "B001" in panel.printer.toPlainText(), timeout=5000)
    # the clerk presses Next on counter 3's keypad: the ticket is called, the keypad shows it
    qtbot.mouseClick(panel.findChild(QPushButton, "Key3_CALL_NEXT"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            (s := demo_core.queries.counter_state("DEMO", 3)).current is not None
            and s.current.display_number == "B001"
        ),
        timeout=5000,
    )
    qtbot.waitUntil(lambda: panel.keypad_labels[3].text().endswith("001]"), timeout=3000)
    qtbot.waitUntil(lambda: panel.led_labels[3].text().endswith("1"), timeout=3000)


def test_kiosk_prints_its_ticket_and_refuses_without_paper(
    qtbot, make_stations, demo_core: Core, english
) -> None:
    stations = make_stations(demo_core, ["kiosk"])
    kiosk = stations.kiosk
    qtbot.waitUntil(lambda: len(kiosk.buttons) == 4)
    sim = demo_core.demo_devices
    assert sim is not None
    with qtbot.waitSignal(kiosk.ticket_issued, timeout=10_000):
        qtbot.mouseClick(kiosk.buttons["ENQ"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any("C001" in line for line in sim.printer_lines()), timeout=5000)
    assert any("咨询投诉" in line for line in sim.printer_lines())
    kiosk.show_services()
    sim.sim.set_paper("out")
    before = demo_core.queries.last_event_id("DEMO")
    qtbot.mouseClick(kiosk.buttons["ENQ"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "out of paper" in kiosk.view.status.text(), timeout=5000)
    # no ticket issued (only the alert's event was written)
    kinds = [e.kind for e in demo_core.queries.events_after("DEMO", before)]
    assert "issued" not in kinds and "alert" in kinds


def test_counter_asks_for_rating_and_shows_dissatisfied(
    qtbot, make_stations, demo_core: Core, english
) -> None:
    from tests.ui.conftest import log_in

    demo_core.queue.issue_ticket("DEMO", "PAY")
    stations = make_stations(demo_core, ["counter"])
    window = stations.counter
    log_in(qtbot, window)
    with qtbot.waitSignal(window.action_completed, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_F1)
    with qtbot.waitSignal(window.action_completed, timeout=10_000) as done:
        qtbot.keyClick(window, Qt.Key.Key_F11)
    assert done.args == ["rate"]
    sim = demo_core.demo_devices
    assert sim is not None
    # the evaluator of counter 1 lights up; the customer presses "dissatisfied"
    qtbot.waitUntil(
        lambda: any(f.data == b"\x0b" for f in sim.sim.frames_received(101, Command.EVALUATOR)),
        timeout=5000,
    )
    with qtbot.waitSignal(window.alert_shown, timeout=10_000) as shown:
        sim.rate(1, 3)
    assert shown.args[0].kind == "dissatisfied"
    assert "dissatisfied" in window.view.status.text()


def test_tables_speak_the_ui_language_and_grey_what_is_not_a_kinds(
    qtbot, admin: AdminWindow, english
) -> None:
    _log_in(qtbot, admin, "9001")
    table = admin.device_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[:4] == ["Kind", "Bus", "Address", "Counter"]
    assert "paper_mm" not in headers and "Paper (mm)" in headers
    bus_headers = [admin.bus_table.horizontalHeaderItem(c).text() for c in range(3)]
    assert bus_headers == ["Name", "Port (URL)", "Baud"]
    columns = {h: c for c, h in enumerate(headers)}
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    caller, led, printer = rows["caller"], rows["led"], rows["printer"]
    editable = Qt.ItemFlag.ItemIsEditable
    for row, field in (
        (caller, "Keys"),
        (caller, "Paper (mm)"),
        (led, "Keys"),
        (printer, "Counter"),
    ):
        item = table.item(row, columns[field])
        assert item.text() == "" and not item.flags() & editable, (row, field)
    assert table.item(caller, columns["Counter"]).flags() & editable
    # the port URL is shown whole, not cut to "/tmp/…"
    admin.resize(1200, 760)
    url_item = admin.bus_table.item(0, 1)
    width = admin.bus_table.columnWidth(1)
    assert admin.bus_table.fontMetrics().horizontalAdvance(url_item.text()) < width


def test_admin_sees_why_a_port_does_not_open(
    qtbot, sqlite_url: str, tmp_path: Path, tasks: TaskManager, english
) -> None:
    """An adapter that is not there: the status table says so, with the system's reason."""
    settings = replace(
        make_settings(sqlite_url),
        buses=(BusSettings("hallbus", "/dev/ttyNOPE9"),),
        devices=(DeviceSettings("caller", "hallbus", 1, counter=1),),
    )
    path = tmp_path / "halldesk.toml"
    save_settings(settings, path)
    core = build_core(load_settings(path), data_dir=tmp_path, demo=True)
    devices = start_devices(core, bus_timing=DEMO_TIMING)
    try:
        window = AdminWindow(build_station(core, devices).admin, tasks)
        qtbot.addWidget(window)
        window.show()
        _log_in(qtbot, window, "9001")
        port = window.status_table.columnCount() - 1
        assert window.status_table.horizontalHeaderItem(port).text() == "Port"

        def shown() -> str:
            item = window.status_table.item(0, port)
            return item.text() if item is not None else ""

        qtbot.waitUntil(lambda: shown().startswith("not available: cannot open: "), timeout=5000)
        assert "No such file" in shown()
        assert window.status_table.item(0, 4).text() == "not heard yet"
    finally:
        devices.stop()
        core.close()
