"""The demo's simulated devices, as a window: press keypad keys, rate, take tickets.

Shown only when `scripts/run` plays the hall's devices with the device simulator. Every
press travels the real way — simulator → pty → bus master → device hub → services — and
the window shows what the devices show back: each keypad's waiting count and ticket (and
"---" while its counter is closed), a key the hub refused (the keypad beeped), the
evaluators lit for a rating, the LED displays, and the printer's paper; and, when it is
handed the hub's device statuses, the state of each port (open, or not available and why).

The paper is laid out on the printer's grid of columns, as it comes out of the printer:
a full-width (CJK) character takes two columns, a double-width line twice as many, and
centred lines are centred; each character gets the letter spacing that makes it exactly
that wide, whichever font draws it, so the columns of a ticket line up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QTextCharFormat, QTextCursor
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

from app.devices.escpos import text_width
from app.devices.escpos_decode import Cut, PrintLine, QrPrinted
from app.devices.frame68 import Key
from app.services.devices.setup import DeviceStatus
from app.services.simulation.demo_devices import (
    DemoDevices,
    DemoSnapshot,
    KeypadShown,
    PaperItem,
)
from app.ui.admin import port_text
from app.ui.messages import error_text, ui_language
from app.ui.taskman import TaskManager
from app.ui.theme import repolish
from app.ui.widgets import named

REFUSED_FLASH_S = 2.0
MAX_PAPER_ROWS = 2000
STYLE = (
    'QLabel[refused="true"] { color: #b03a2e; font-weight: bold; }'
    'QLabel[lit="true"] { background: #f7dc6f; color: #000; }'
)

Segment = tuple[str, int, bool]
"""Text, its width multiplier (ESC/POS `GS !`), bold."""


def paper_rows(item: PaperItem, columns: int) -> list[list[Segment]]:
    """The rows `item` takes on paper `columns` wide, blank-padded as the printer aligns."""
    if isinstance(item, Cut):
        return [[("✂" + "-" * (columns - 1), 1, False)], []]
    line = PrintLine("[QR]", align=1) if isinstance(item, QrPrinted) else item
    used = text_width(line.text) * line.width
    pad = {1: (columns - used) // 2, 2: columns - used}.get(line.align, 0)
    text = (line.text, line.width, line.bold)
    return [[(" " * pad, 1, False), text] if pad > 0 else [text]]


class PaperView(QPlainTextEdit):
    """The printer's output on a grid of paper columns; follows the newest line."""

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setMaximumBlockCount(MAX_PAPER_ROWS)
        self.columns = columns
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self._base = font
        self.cell = QFontMetricsF(font).horizontalAdvance("M")
        self._formats: dict[tuple[str, int, bool], QTextCharFormat] = {}

    def add(self, items: Iterable[PaperItem]) -> None:
        rows = [row for item in items for row in paper_rows(item, self.columns)]
        if not rows:
            return
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        for row in rows:
            if not self.document().isEmpty():
                cursor.insertBlock()
            for text, width, bold in row:
                for ch in text:
                    cursor.insertText(ch, self._format(ch, width, bold))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _format(self, ch: str, width: int, bold: bool) -> QTextCharFormat:
        key = (ch, width, bold)
        found = self._formats.get(key)
        if found is None:
            font = QFont(self._base)
            font.setBold(bold)
            target = self.cell * text_width(ch) * width
            extra = target - QFontMetricsF(font).horizontalAdvance(ch)
            if abs(extra) > 0.01:
                font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, extra)
            found = QTextCharFormat()
            found.setFont(font)
            self._formats[key] = found
        return found


class DevicePanel(QWidget):
    """Simulated keypads, evaluators, the dispenser panel, its printer and LED displays."""

    def __init__(
        self,
        demo: DemoDevices,
        tasks: TaskManager,
        parent: QWidget | None = None,
        *,
        ports: Callable[[], list[DeviceStatus]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DevicePanel")
        self._ports = ports  # the hub's statuses (in memory: read on the GUI thread)
        self.setWindowTitle(self.tr("HallDesk - Simulated devices"))
        self.setStyleSheet(STYLE)
        self._demo = demo
        self._tasks = tasks
        self._beeps: dict[int, int] = {}
        self._refused_until: dict[int, float] = {}
        self._paper_total = 0
        self._reading = False
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
        self._refused_text = self.tr("Key refused (beep)")
        self._closed_text = self.tr("Closed (no clerk)")
        self._lit_text = self.tr("Waiting for a rating")
        grid_box = QGroupBox(self.tr("Caller keypads and evaluators"))
        grid = QGridLayout(grid_box)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.keypad_labels: dict[int, QLabel] = {}
        self.keypad_states: dict[int, QLabel] = {}
        self.led_labels: dict[int, QLabel] = {}
        self.evaluator_labels: dict[int, QLabel] = {}
        for row, counter in enumerate(c.number for c in demo.hall.counters):
            grid.addWidget(QLabel(self.tr("Counter {n}").format(n=counter)), row, 0)
            shown = named(QLabel(""), f"Keypad{counter}")
            shown.setFont(fixed)
            self.keypad_labels[counter] = shown
            grid.addWidget(shown, row, 1)
            state = named(QLabel(""), f"KeypadState{counter}")
            _fit(state, self._refused_text, self._closed_text)
            self.keypad_states[counter] = state
            grid.addWidget(state, row, 2)
            led = named(QLabel(""), f"Led{counter}")
            led.setFont(fixed)
            self.led_labels[counter] = led
            grid.addWidget(led, row, 3)
            for col, (key, text) in enumerate(keys, start=4):
                button = named(QPushButton(text), f"Key{counter}_{key.name}")
                button.clicked.connect(lambda _=False, c=counter, k=key: self.press(c, k))
                grid.addWidget(button, row, col)
            evaluator = named(QLabel(""), f"Evaluator{counter}")
            _fit(evaluator, self._lit_text)
            self.evaluator_labels[counter] = evaluator
            grid.addWidget(evaluator, row, 4 + len(keys))
            for col, (rating, text) in enumerate(ratings, start=5 + len(keys)):
                button = named(QPushButton(text), f"Rate{counter}_{rating}")
                button.clicked.connect(lambda _=False, c=counter, r=rating: self.rate(c, r))
                grid.addWidget(button, row, col)
        root.addWidget(grid_box)
        panel_box = QGroupBox(self.tr("Dispenser panel"))
        panel = QHBoxLayout(panel_box)
        language = ui_language()
        for number, code in demo.buttons().items():
            service = demo.hall.service(code)
            name = service.name(language) if service else code
            text = f"{number}: {name}".replace("&", "&&")  # "&" is no shortcut here
            button = named(QPushButton(text), f"Button{number}")
            button.clicked.connect(lambda _=False, n=int(number): self.press_button(n))
            panel.addWidget(button)
        root.addWidget(panel_box)
        root.addWidget(QLabel(self.tr("Ticket printer")))
        self.printer = named(PaperView(demo.paper_columns), "PrinterOutput")
        root.addWidget(self.printer)
        self.port_states = named(QLabel(), "PortStates")
        self.port_states.setWordWrap(True)
        root.addWidget(self.port_states)
        self.status = named(QLabel(), "DevicePanelStatus")
        root.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(500)
        self.resize(1200, 680)

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
        self._show_ports()
        if self._reading:  # the last read is still under way
            return
        self._reading = True
        demo, start = self._demo, self._paper_total
        self._tasks.run_in_background(
            lambda: demo.snapshot(start), self._show, self._read_failed, owner=self
        )

    def _show_ports(self) -> None:
        if self._ports is None:
            return
        ports = {s.bus: port_text(s.port_state, s.port_detail) for s in self._ports()}
        self.port_states.setText(
            "\n".join(
                self.tr("Port {bus}: {state}").format(bus=bus, state=text)
                for bus, text in ports.items()
            )
        )

    def _read_failed(self, exc: BaseException) -> None:
        self._reading = False
        self._on_error(exc)

    def _show(self, shown: DemoSnapshot) -> None:
        self._reading = False
        now = time.monotonic()
        for c, keypad in shown.keypads.items():
            if keypad.beeps > self._beeps.get(c, 0):  # the hub refused a key: it beeped
                self._refused_until[c] = now + REFUSED_FLASH_S
            self._beeps[c] = keypad.beeps
            self._show_keypad(c, keypad, now < self._refused_until.get(c, 0.0))
        for c, text in shown.leds.items():
            self.led_labels[c].setText(self.tr("LED {value}").format(value=text))
        for c, label in self.evaluator_labels.items():
            lit = c in shown.evaluators_lit
            label.setText(self._lit_text if lit else "")
            _flag(label, "lit", lit)
        if shown.paper_total > self._paper_total:
            self._paper_total = shown.paper_total
            self.printer.add(shown.paper)

    def _show_keypad(self, counter: int, keypad: KeypadShown, refused: bool) -> None:
        self.keypad_labels[counter].setText(
            self.tr("Waiting [{waiting}]  Ticket [{ticket}]").format(
                waiting=keypad.waiting, ticket=keypad.ticket
            )
        )
        state = self.keypad_states[counter]
        if refused:
            state.setText(self._refused_text)
        elif keypad.closed:
            state.setText(self._closed_text)
        else:
            state.setText("")
        _flag(state, "refused", refused)

    def closeEvent(self, event: Any) -> None:
        self._timer.stop()
        super().closeEvent(event)


def _flag(widget: QWidget, name: str, on: bool) -> None:
    """Set a style property (see STYLE) and restyle the widget if it changed."""
    if bool(widget.property(name)) != on:
        widget.setProperty(name, on)
        repolish(widget)


def _fit(label: QLabel, *texts: str) -> None:
    """Wide enough for the longest of `texts`, so the grid does not cut them."""
    metrics = label.fontMetrics()
    label.setMinimumWidth(max(metrics.horizontalAdvance(t) for t in texts) + 8)
