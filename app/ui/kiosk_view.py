"""Layout of the kiosk (取号机) screen: the service buttons page and the ticket page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.clock import Clock
from app.services.dto import ServiceInfo
from app.ui.widgets import ClockLabel, StatusLine


def _label(name: str, parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class ServiceButton(QPushButton):
    """A big touch button: the service in Chinese and English and how many wait."""

    def __init__(self, service: ServiceInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setObjectName("ServiceButton")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(130)
        self.setAccessibleName(f"{service.name_zh} {service.name_en}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(28, 14, 28, 14)
        self.prefix_label = _label("ServicePrefix")
        self.prefix_label.setText(service.prefix)
        self.prefix_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        names = QVBoxLayout()
        names.setSpacing(2)
        self.name_zh_label = _label("ServiceNameZh")
        self.name_zh_label.setText(service.name_zh)
        self.name_en_label = _label("ServiceNameEn")
        self.name_en_label.setText(service.name_en)
        names.addStretch(1)
        names.addWidget(self.name_zh_label)
        names.addWidget(self.name_en_label)
        names.addStretch(1)
        self.waiting_label = _label("ServiceWaiting")
        self.waiting_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.prefix_label)
        layout.addSpacing(18)
        layout.addLayout(names, 1)
        layout.addWidget(self.waiting_label)
        for label in (
            self.prefix_label,
            self.name_zh_label,
            self.name_en_label,
            self.waiting_label,
        ):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


class KioskView:
    """The widgets of the kiosk window; `KioskWindow` fills and drives them."""

    def __init__(self, root: QWidget, clock: Clock) -> None:
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        header = QFrame(root)
        header.setObjectName("Header")
        head = QHBoxLayout(header)
        head.setContentsMargins(32, 18, 32, 18)
        titles = QVBoxLayout()
        self.hall_zh = _label("HallNameZh")
        self.hall_en = _label("HallNameEn")
        titles.addWidget(self.hall_zh)
        titles.addWidget(self.hall_en)
        head.addLayout(titles, 1)
        self.clock = ClockLabel(clock, seconds=False)
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.clock)
        outer.addWidget(header)

        self.pages = QStackedWidget(root)
        outer.addWidget(self.pages, 1)

        # Page 0: choose a service.
        choose = QWidget()
        body = QVBoxLayout(choose)
        body.setContentsMargins(40, 24, 40, 16)
        body.setSpacing(16)
        self.prompt = _label("Prompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.addWidget(self.prompt)
        self.grid = QGridLayout()
        self.grid.setSpacing(20)
        body.addLayout(self.grid, 1)
        self.status = StatusLine(clear_after_ms=10000)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setMinimumHeight(40)
        body.addWidget(self.status)
        self.pages.addWidget(choose)

        # Page 1: the ticket just issued.
        ticket_page = QWidget()
        tp = QVBoxLayout(ticket_page)
        tp.setContentsMargins(80, 24, 80, 24)
        panel = QFrame()
        panel.setObjectName("TicketPanel")
        pl = QVBoxLayout(panel)
        pl.setContentsMargins(40, 28, 40, 28)
        pl.setSpacing(8)
        self.ticket_caption = _label("TicketCaption")
        self.ticket_number = _label("TicketNumber")
        self.ticket_service = _label("TicketService", wrap=True)
        self.ticket_ahead = _label("TicketAhead", wrap=True)
        self.ticket_wait = _label("TicketWait", wrap=True)
        self.ticket_time = _label("TicketTime")
        self.ticket_hint = _label("TicketHint", wrap=True)
        for w in (
            self.ticket_caption,
            self.ticket_number,
            self.ticket_service,
            self.ticket_ahead,
            self.ticket_wait,
            self.ticket_time,
            self.ticket_hint,
        ):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            pl.addWidget(w)
        tp.addWidget(panel, 1)
        self.done_button = QPushButton()
        self.done_button.setObjectName("DoneButton")
        self.done_button.setMinimumHeight(72)
        tp.addWidget(self.done_button)
        self.pages.addWidget(ticket_page)
