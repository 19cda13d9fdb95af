"""The demo's simulated devices, as a window: press keypad keys, rate, take tickets.

Shown only when `scripts/run` plays the hall's devices with the device simulator. Every
press travels the real way — simulator → pty → bus master → device hub → services — and
the window shows what the devices show back: keypad digits, LED numbers, printed lines.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.devices.frame68 import Key
from app.services.simulation.demo_devices import DemoDevices
from app.ui.messages import error_text
from app.ui.taskman import TaskManager
from app.ui.widgets import named


class DevicePanel(QWidget):
    """Simulated keypads, evaluators, the dispenser panel, its printer and LED displays."""

    def __init__(
        self, demo: DemoDevices, tasks: TaskManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DevicePanel")
        self.setWindowTitle(self.tr("HallDesk - Simulated devices"))
        self._demo = demo
        self._tasks = tasks
        root = QVBoxLayout(self)
        keys = (
            (Key.CALL_NEXT, self.tr("Next")),
            (Key.RECALL, self.tr("Recall")),
            (Key.FINISH, self.tr("Finish")),
            (Key.NO_SHOW, self.tr("No-show")),
            (Key.ASK_RATING, self.tr("Rate")),
            (Key.PAUSE, self.tr("Pause")),
        )
        ratings = (
            (0, self.tr("Very satisfied")),
            (1, self.tr("Satisfied")),
            (2, self.tr("Fair")),
            (3, self.tr("Dissatisfied")),
        )
        grid_box = QGroupBox(self.tr("Caller keypads and evaluators"))
        grid = QGridLayout(grid_box)
        self.keypad_labels: dict[int, QLabel] = {}
        self.led_labels: dict[int, QLabel] = {}
        for row, counter in enumerate(c.number for c in demo.hall.counters):
            grid.addWidget(QLabel(self.tr("Counter {n}").format(n=counter)), row, 0)
            shown = named(QLabel(""), f"Keypad{counter}")
            shown.setMinimumWidth(90)
            self.keypad_labels[counter] = shown
            grid.addWidget(shown, row, 1)
            led = named(QLabel(""), f"Led{counter}")
            self.led_labels[counter] = led
            grid.addWidget(led, row, 2)
            for col, (key, text) in enumerate(keys, start=3):
                button = named(QPushButton(text), f"Key{counter}_{key.name}")
                button.clicked.connect(lambda _=False, c=counter, k=key: self.press(c, k))
                grid.addWidget(button, row, col)
            for col, (rating, text) in enumerate(ratings, start=3 + len(keys)):
                button = named(QPushButton(text), f"Rate{counter}_{rating}")
                button.clicked.connect(lambda _=False, c=counter, r=rating: self.rate(c, r))
                grid.addWidget(button, row, col)
        root.addWidget(grid_box)
        panel_box = QGroupBox(self.tr("Dispenser panel"))
        panel = QHBoxLayout(panel_box)
        for number, code in demo.buttons().items():
            service = demo.hall.service(code)
            text = f"{number}: {service.name_zh if service else code}"
            button = named(QPushButton(text), f"Button{number}")
            button.clicked.connect(lambda _=False, n=int(number): self.press_button(n))
            panel.addWidget(button)
        root.addWidget(panel_box)
        root.addWidget(QLabel(self.tr("Ticket printer")))
        self.printer = named(QPlainTextEdit(), "PrinterOutput")
        self.printer.setReadOnly(True)
        root.addWidget(self.printer)
        self.status = named(QLabel(), "DevicePanelStatus")
        root.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(500)
        self.resize(1100, 640)

    def press(self, counter: int, key: Key) -> None:
        self._run(lambda: self._demo.press_key(counter, key))

    def rate(self, counter: int, rating: int) -> None:
        self._run(lambda: self._demo.rate(counter, rating))

    def press_button(self, number: int) -> None:
        self._run(lambda: self._demo.press_button(number))

    def _run(self, op: Any) -> None:
        self._tasks.run_in_background(op, None, self._on_error, owner=self)

    def _on_error(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc))

    def refresh(self) -> None:
        """Read what the simulated devices show (off the GUI thread: it waits on ports)."""
        demo = self._demo
        counters = list(self.keypad_labels)

        def read() -> tuple[dict[int, str], dict[int, int], list[str]]:
            return (
                {c: demo.keypad_text(c) for c in counters},
                {c: demo.led_value(c) for c in counters},
                demo.printer_lines()[-40:],
            )

        self._tasks.run_in_background(read, self._show, None, owner=self)

    def _show(self, shown: tuple[dict[int, str], dict[int, int], list[str]]) -> None:
        keypads, leds, lines = shown
        for c, text in keypads.items():
            self.keypad_labels[c].setText(f"[{text}]")
        for c, value in leds.items():
            self.led_labels[c].setText(self.tr("LED {value}").format(value=value))
        text = "\n".join(lines)
        if self.printer.toPlainText() != text:
            self.printer.setPlainText(text)

    def closeEvent(self, event: Any) -> None:
        self._timer.stop()
        super().closeEvent(event)
