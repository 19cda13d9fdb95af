"""Layout of the counter (窗口营业员) window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.services.clock import Clock
from app.ui.widgets import ClockLabel, StatusLine

# Action name and its key, in the order of the buttons.
ACTIONS: tuple[tuple[str, str], ...] = (
    ("call_next", "F1"),
    ("recall", "F2"),
    ("start", "F3"),
    ("finish", "F4"),
    ("no_show", "F5"),
    ("hold", "F6"),
    ("call_back", "F7"),
    ("transfer", "F8"),
    ("call_number", "F9"),
    ("pause", "F10"),
    ("rate", "F11"),
    ("logout", "Ctrl+L"),
)
BUTTON_COLUMNS = 6


def _label(name: str, *, wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class CounterView:
    """The widgets of the counter window; `CounterWindow` fills and drives them."""

    def __init__(self, root: QWidget, clock: Clock, business: QWidget | None = None) -> None:
        """`business`: the counter's business panel (payments), put beside a narrower
        column of the current customer and the queue; None: the queue alone."""
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        header = QFrame()
        header.setObjectName("Header")
        head = QHBoxLayout(header)
        head.setContentsMargins(24, 12, 24, 12)
        head.setSpacing(24)
        self.counter_name = _label("CounterName")
        self.clerk = _label("Clerk")
        self.state_chip = _label("StateChip")
        self.state_chip.setProperty("state", "closed")
        self.clock = ClockLabel(clock)
        head.addWidget(self.counter_name)
        head.addWidget(self.clerk)
        head.addWidget(self.state_chip)
        head.addStretch(1)
        # a cached station's link to the centre (shown by the payment panel when it matters)
        self.sync_badge = _label("SyncBadge")
        self.sync_badge.hide()
        head.addWidget(self.sync_badge)
        head.addWidget(self.clock)
        outer.addWidget(header)

        body = QHBoxLayout()
        body.setContentsMargins(24, 20, 24, 12)
        body.setSpacing(20)

        current = QFrame()
        current.setObjectName("CurrentPanel")
        current.setProperty("compact", business is not None)
        cl = QVBoxLayout(current)
        cl.setContentsMargins(28, 20, 28, 20)
        cl.setSpacing(6)
        self.current_caption = _label("PanelCaption")
        self.current_number = _label("CurrentNumber")
        self.current_number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.current_service = _label("CurrentService")
        self.current_service.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.current_status = _label("CurrentStatus")
        self.current_status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.elapsed = _label("Elapsed")
        self.elapsed.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recalls = _label("Recalls")
        self.recalls.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = _label("Hint", wrap=True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cl.addWidget(self.current_caption)
        cl.addStretch(1)
        for w in (
            self.current_number,
            self.current_service,
            self.current_status,
            self.elapsed,
            self.recalls,
            self.hint,
        ):
            cl.addWidget(w)
        cl.addStretch(1)
        side = QVBoxLayout()
        if business is None:
            body.addWidget(current, 3)
        else:
            side.addWidget(current, 2)
        side.setSpacing(12)
        waiting_box = QFrame()
        waiting_box.setObjectName("SidePanel")
        wl = QVBoxLayout(waiting_box)
        self.waiting_caption = _label("PanelCaption")
        wl.addWidget(self.waiting_caption)
        self.waiting_grid = QGridLayout()
        self.waiting_grid.setHorizontalSpacing(16)
        wl.addLayout(self.waiting_grid)
        wl.addStretch(1)
        side.addWidget(waiting_box, 1)
        held_box = QFrame()
        held_box.setObjectName("SidePanel")
        hl = QVBoxLayout(held_box)
        self.held_caption = _label("PanelCaption")
        hl.addWidget(self.held_caption)
        self.held = QListWidget()
        self.held.setObjectName("HeldList")
        hl.addWidget(self.held)
        side.addWidget(held_box, 1)
        body.addLayout(side, 2)
        if business is not None:
            frame = QFrame()
            frame.setObjectName("SidePanel")
            inner = QVBoxLayout(frame)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.addWidget(business)
            body.addWidget(frame, 5)
        outer.addLayout(body, 1)

        buttons = QGridLayout()
        buttons.setContentsMargins(24, 0, 24, 8)
        buttons.setSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        for i, (name, _key) in enumerate(ACTIONS):
            button = QPushButton()
            button.setObjectName("ActionButton")
            button.setProperty("action", name)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the shortcuts
            button.setMinimumHeight(64)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button, i // BUTTON_COLUMNS, i % BUTTON_COLUMNS)
            self.buttons[name] = button
        outer.addLayout(buttons)

        self.status = StatusLine()
        self.status.setContentsMargins(24, 4, 24, 10)
        self.status.setMinimumHeight(36)
        outer.addWidget(self.status)
