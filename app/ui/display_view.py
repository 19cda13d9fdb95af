"""Layout of the hall display (叫号大屏): dark, high contrast, text scaled to the screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.clock import Clock
from app.ui.theme import set_pixel_size
from app.ui.widgets import ClockLabel, StatusLine, clear_layout

# Text sizes in pixels on a 1080-line screen; scaled with the window height.
SIZES = {
    "hall": 46,
    "clock": 34,
    "caption": 30,
    "latest": 150,
    "latest_sub": 54,
    "recent": 46,
    "tile_name": 28,
    "tile_number": 52,
    "waiting": 32,
    "status": 24,
    "mute": 22,
}


def label(name: str, parent: QWidget | None = None) -> QLabel:
    widget = QLabel(parent)
    widget.setObjectName(name)
    return widget


class DisplayView:
    """The widgets of the display window; `DisplayWindow` fills them."""

    def __init__(self, root: QWidget, clock: Clock) -> None:
        self.scale = 1.0
        outer = QVBoxLayout(root)
        outer.setContentsMargins(28, 16, 28, 12)
        outer.setSpacing(14)

        head = QHBoxLayout()
        self.hall_name = label("DisplayHall")
        self.clock = ClockLabel(clock, seconds=False)
        self.clock.setObjectName("DisplayClock")
        self.mute = QPushButton()
        self.mute.setObjectName("MuteButton")
        self.mute.setCheckable(True)
        self.mute.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        head.addWidget(self.hall_name, 1)
        head.addWidget(self.clock)
        head.addSpacing(20)
        head.addWidget(self.mute)
        outer.addLayout(head)

        middle = QHBoxLayout()
        middle.setSpacing(18)
        self.latest_panel = QFrame()
        self.latest_panel.setObjectName("LatestPanel")
        self.latest_panel.setProperty("flash", False)
        lp = QVBoxLayout(self.latest_panel)
        lp.setContentsMargins(24, 16, 24, 16)
        self.latest_caption = label("LatestCaption")
        self.latest_call = label("LatestCall")
        self.latest_call.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.latest_sub = label("LatestSub")
        self.latest_sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lp.addWidget(self.latest_caption)
        lp.addStretch(1)
        lp.addWidget(self.latest_call)
        lp.addWidget(self.latest_sub)
        lp.addStretch(1)
        middle.addWidget(self.latest_panel, 3)

        recent_panel = QFrame()
        recent_panel.setObjectName("RecentPanel")
        rp = QVBoxLayout(recent_panel)
        rp.setContentsMargins(20, 16, 20, 16)
        self.recent_caption = label("RecentCaption")
        rp.addWidget(self.recent_caption)
        self.recent_grid = QGridLayout()
        self.recent_grid.setVerticalSpacing(6)
        self.recent_grid.setHorizontalSpacing(36)
        self.recent_grid.setColumnStretch(2, 1)
        rp.addLayout(self.recent_grid)
        rp.addStretch(1)
        middle.addWidget(recent_panel, 2)
        outer.addLayout(middle, 5)

        self.counters_caption = label("SectionCaption")
        outer.addWidget(self.counters_caption)
        self.counter_grid = QGridLayout()
        self.counter_grid.setSpacing(12)
        outer.addLayout(self.counter_grid, 2)

        foot = QHBoxLayout()
        self.waiting_caption = label("SectionCaption")
        foot.addWidget(self.waiting_caption)
        self.waiting_row = QHBoxLayout()
        self.waiting_row.setSpacing(28)
        foot.addLayout(self.waiting_row, 1)
        outer.addLayout(foot)
        self.status = StatusLine(clear_after_ms=15000)
        self.status.setObjectName("DisplayStatus")
        outer.addWidget(self.status)

    def px(self, key: str) -> int:
        return max(10, int(SIZES[key] * self.scale))

    def apply_scale(self, height: int) -> None:
        """Size the fixed texts for a window `height` pixels high."""
        self.scale = max(0.45, height / 1080)
        set_pixel_size(self.hall_name, self.px("hall"), bold=True)
        set_pixel_size(self.clock, self.px("clock"))
        set_pixel_size(self.mute, self.px("mute"))
        for caption in (self.latest_caption, self.recent_caption):
            set_pixel_size(caption, self.px("caption"), bold=True)
        for caption in (self.counters_caption, self.waiting_caption):
            set_pixel_size(caption, self.px("waiting"), bold=True)
        set_pixel_size(self.latest_call, self.px("latest"), bold=True)
        set_pixel_size(self.latest_sub, self.px("latest_sub"))
        set_pixel_size(self.status, self.px("status"))

    @staticmethod
    def clear(layout: QGridLayout | QHBoxLayout) -> None:
        clear_layout(layout)
