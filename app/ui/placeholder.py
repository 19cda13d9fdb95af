"""A window for roles that come in a later version (manager, admin, bus)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderWindow(QWidget):
    """Says that `role` is not part of this version yet."""

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PlaceholderWindow")
        self.role = role
        names = {
            "manager": self.tr("Hall manager dashboard"),
            "admin": self.tr("Administration"),
            "bus": self.tr("Device bus station"),
        }
        title = names.get(role, role)
        self.setWindowTitle(self.tr("HallDesk - {role}").format(role=title))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        heading = QLabel(title)
        heading.setObjectName("PlaceholderTitle")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel(self.tr("This role comes in a later version of HallDesk."))
        self.message.setObjectName("PlaceholderText")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.resize(560, 300)
