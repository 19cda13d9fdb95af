"""The admin screen: the hall's serial devices — ports, configuration, status, tests.

An admin logs in (job number and password, role admin). The screen then lists the serial
ports of this PC, edits the station's buses and devices (saved to the settings file,
validated exactly as at start), shows each configured device live (online, offline
since, last event, and its port: open, or not available and why) and offers the field
engineer's test buttons: beep a keypad, show 888, start a rating, light an LED display,
print a test ticket.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.desks.admin import BUS_FIELDS, DEVICE_FIELDS, StationAdmin, applies
from app.services.devices.setup import DeviceStatus
from app.services.security.actor import Actor
from app.ui.messages import device_kind_text, error_text, fill
from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager
from app.ui.widgets import named

log = logging.getLogger(__name__)


class AdminWindow(QWidget):
    """Device administration for field engineers.

    Signals:
        logged_in(str): an admin logged in (job number).
        saved(str): the settings file was written (its path).
        message_shown(str): the status line changed.
    """

    logged_in = Signal(str)
    saved = Signal(str)
    message_shown = Signal(str)

    def __init__(
        self, admin: StationAdmin, tasks: TaskManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AdminWindow")
        self.setWindowTitle(self.tr("HallDesk - Devices"))
        self._admin = admin
        self._actor: Actor | None = None  # the administrator logged in here
        self._tasks = tasks
        root = QVBoxLayout(self)
        login = QHBoxLayout()
        self.job_number = named(QLineEdit(), "AdminJobNumber")
        self.job_number.setPlaceholderText(self.tr("Job number"))
        self.password = named(QLineEdit(), "AdminPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.login_button = named(QPushButton(self.tr("Log in")), "AdminLogin")
        self.login_button.clicked.connect(self.log_in)
        self.password.returnPressed.connect(self.log_in)
        for w in (self.job_number, self.password, self.login_button):
            login.addWidget(w)
        root.addLayout(login)

        self.body = named(QWidget(), "AdminBody")
        body = QVBoxLayout(self.body)
        body.addWidget(QLabel(self.tr("Serial ports on this PC")))
        self.ports = named(QLabel(), "SerialPorts")
        self.ports.setWordWrap(True)
        body.addWidget(self.ports)
        body.addWidget(QLabel(self.tr("Device status")))
        self.status_table = _table(
            [
                self.tr("Kind"),
                self.tr("Bus"),
                self.tr("Address"),
                self.tr("Counter"),
                self.tr("State"),
                self.tr("Last event"),
                self.tr("Port"),
            ]
        )
        self.status_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.status_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        body.addWidget(self.status_table)
        tests = QHBoxLayout()
        self.test_buttons: dict[str, QPushButton] = {}
        for key, text in (
            ("beep", self.tr("Beep keypad")),
            ("show", self.tr("Show 888")),
            ("rating", self.tr("Start a rating")),
            ("led", self.tr("LED 888")),
            ("print", self.tr("Print a test ticket")),
        ):
            button = named(QPushButton(text), f"Test_{key}")
            button.clicked.connect(lambda _=False, k=key: self.run_test(k))
            self.test_buttons[key] = button
            tests.addWidget(button)
        body.addLayout(tests)
        body.addWidget(QLabel(self.tr("Buses (serial ports)")))
        self.bus_table = _table([self._field_text(f) for f in BUS_FIELDS])
        self.bus_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        body.addWidget(self.bus_table)
        body.addWidget(QLabel(self.tr("Devices")))
        self.device_table = _table([self._field_text(f) for f in DEVICE_FIELDS])
        self.device_table.itemChanged.connect(self._on_device_edited)
        body.addWidget(self.device_table)
        edit = QHBoxLayout()
        for text, slot in (
            (self.tr("Add bus"), lambda: _add_row(self.bus_table)),
            (self.tr("Add device"), lambda: _add_row(self.device_table)),
            (self.tr("Remove selected"), self.remove_selected),
            (self.tr("Save settings"), self.save),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            edit.addWidget(button)
        body.addLayout(edit)
        root.addWidget(self.body)
        self.status_line = named(QLabel(), "AdminStatus")
        root.addWidget(self.status_line)
        self.body.setEnabled(False)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh_status)
        self.resize(980, 760)

    # ------------------------------------------------------------------ log-in
    def log_in(self) -> None:
        job, password = self.job_number.text(), self.password.text()
        admin = self._admin
        self._tasks.run_in_background(
            lambda: admin.log_in(job, password), self._on_login, self._on_login_failed, owner=self
        )

    def _on_login_failed(self, exc: BaseException) -> None:
        self.password.clear()
        self._on_error(exc)

    def _on_login(self, actor: Actor) -> None:
        self._actor = actor
        staff = actor.staff
        self.password.clear()
        self.body.setEnabled(True)
        self.load_settings()
        self.refresh_ports()
        self.refresh_status()
        self._timer.start(1000)
        self.show_message(self.tr("Logged in as {name}.").format(name=staff.name))
        emit(self.logged_in, staff.job_number)

    # ------------------------------------------------------------------ ports, status
    def refresh_ports(self) -> None:
        self._tasks.run_in_background(
            self._admin.serial_ports, self._on_ports, self._on_error, owner=self
        )

    def _on_ports(self, ports: list[Any]) -> None:
        text = ", ".join(f"{p.device} ({p.description})" for p in ports)
        self.ports.setText(text or self.tr("No serial port found."))

    def refresh_status(self) -> None:
        rows = self._admin.statuses()
        self.status_table.setRowCount(len(rows))
        for r, st in enumerate(rows):
            values = (
                device_kind_text(st.kind),
                st.bus,
                str(st.address),
                str(st.counter or st.dispenser or ""),
                self._state_text(st),
                _time(st.last_event_at),
                port_text(st.port_state, st.port_detail),
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)  # a port's reason can be longer than its column
                self.status_table.setItem(r, c, item)
        self._statuses = rows

    def _field_text(self, name: str) -> str:
        texts = {
            "name": self.tr("Name"),
            "url": self.tr("Port (URL)"),
            "baud": self.tr("Baud"),
            "kind": self.tr("Kind"),
            "bus": self.tr("Bus"),
            "address": self.tr("Address"),
            "counter": self.tr("Counter"),
            "dispenser": self.tr("Dispenser"),
            "buttons": self.tr("Buttons"),
            "scale": self.tr("Keys"),
            "paper_mm": self.tr("Paper (mm)"),
            "layout": self.tr("Layout"),
        }
        return texts.get(name, name)

    def _state_text(self, st: DeviceStatus) -> str:
        if st.online is None:
            text = self.tr("not heard yet")
        elif st.online:
            text = self.tr("online")
        else:
            text = self.tr("offline since {time}").format(time=_time(st.since))
        return f"{text} {st.detail}".strip()

    def selected_status(self) -> DeviceStatus | None:
        rows = (
            self.status_table.selectionModel().selectedRows() if self.status_table.model() else []
        )
        statuses: list[DeviceStatus] = getattr(self, "_statuses", [])
        if not rows or rows[0].row() >= len(statuses):
            return None
        return statuses[rows[0].row()]

    def run_test(self, key: str) -> None:
        st = self.selected_status()
        if not self._admin.has_devices or st is None:
            self.show_message(self.tr("Select a device first (the bus station must run here)."))
            return
        admin, actor = self._admin, self._actor
        if actor is None:  # the body is disabled until an administrator logged in
            return
        self._tasks.run_in_background(
            lambda: admin.test(actor, key, st),
            lambda _r: self.show_message(self.tr("Test sent.")),
            self._on_error,
            owner=self,
        )

    # ------------------------------------------------------------------ settings
    def load_settings(self) -> None:
        self.bus_table.setRowCount(0)
        for row in self._admin.bus_rows():
            _add_row(self.bus_table, [row[f] for f in BUS_FIELDS])
        self.device_table.setRowCount(0)
        for row in self._admin.device_rows():
            _add_row(self.device_table, [row[f] for f in DEVICE_FIELDS])
        self._grey_fields()

    def _on_device_edited(self, item: QTableWidgetItem) -> None:
        if item.column() == DEVICE_FIELDS.index("kind"):
            self._grey_fields()

    def _grey_fields(self) -> None:
        """Only the fields of a row's device kind can be edited; the others are greyed."""
        table = self.device_table
        kind_column = DEVICE_FIELDS.index("kind")
        table.blockSignals(True)
        try:
            for r in range(table.rowCount()):
                kind = _cell(table, r, kind_column)
                for c, name in enumerate(DEVICE_FIELDS):
                    item = table.item(r, c)
                    if item is None:
                        item = QTableWidgetItem("")
                        table.setItem(r, c, item)
                    editable = not kind or applies(kind, name)
                    flags = item.flags()
                    if editable:
                        item.setFlags(flags | Qt.ItemFlag.ItemIsEditable)
                        item.setBackground(QBrush())
                    else:
                        item.setText("")
                        item.setFlags(flags & ~Qt.ItemFlag.ItemIsEditable)
                        item.setBackground(self.palette().color(QPalette.ColorRole.Window))
                        item.setToolTip(self.tr("Not a field of this kind of device"))
        finally:
            table.blockSignals(False)

    def remove_selected(self) -> None:
        for table in (self.bus_table, self.device_table):
            for index in sorted(table.selectionModel().selectedRows(), reverse=True):
                table.removeRow(index.row())

    def _edited_rows(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        buses = [dict(zip(BUS_FIELDS, r, strict=True)) for r in _rows(self.bus_table)]
        devices = [dict(zip(DEVICE_FIELDS, r, strict=True)) for r in _rows(self.device_table)]
        return buses, devices

    def save(self) -> None:
        buses, devices = self._edited_rows()
        admin, actor = self._admin, self._actor
        if actor is None:  # the body is disabled until an administrator logged in
            return
        self._tasks.run_in_background(
            lambda: admin.save(actor, buses, devices),
            self._on_saved,
            self._on_error,
            owner=self,
            write=True,
        )

    def _on_saved(self, path: Any) -> None:
        self.show_message(
            self.tr("Saved to {path}. Restart the bus station to use it.").format(path=path)
        )
        emit(self.saved, str(path))

    # ------------------------------------------------------------------ misc
    def _on_error(self, exc: BaseException) -> None:
        self.show_message(error_text(exc))

    def show_message(self, text: str) -> None:
        self.status_line.setText(text)
        emit(self.message_shown, text)

    def closeEvent(self, event: Any) -> None:
        self._timer.stop()
        super().closeEvent(event)


def port_text(state: str, reason: str = "") -> str:
    """A port's state (`DeviceStatus.port_state`) in words, and the reason it gives (the
    OS's own words: "No such file or directory") when there is one."""
    translate = QCoreApplication.translate
    words = {
        "open": translate("AdminWindow", "open"),
        "opening": translate("AdminWindow", "opening"),
        "failed": translate("AdminWindow", "not available"),
        "closed": translate("AdminWindow", "closed"),
    }.get(state, state)
    if not reason:
        return words
    return fill(translate("AdminWindow", "{state}: {reason}"), state=words, reason=reason)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    return table


def _add_row(table: QTableWidget, values: list[str] | None = None) -> None:
    row = table.rowCount()
    table.insertRow(row)
    for c in range(table.columnCount()):
        table.setItem(row, c, QTableWidgetItem(values[c] if values else ""))


def _rows(table: QTableWidget) -> list[list[str]]:
    out = []
    for r in range(table.rowCount()):
        cells = [_cell(table, r, c) for c in range(table.columnCount())]
        if any(cells):
            out.append(cells)
    return out


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def _time(when: Any) -> str:
    if when is None:
        return ""
    return str(when.astimezone().strftime("%H:%M:%S"))
