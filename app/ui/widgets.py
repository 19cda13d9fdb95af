"""Small widgets the windows share: the hall clock, the status line, the dialog slot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QLocale, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QLayout, QWidget

from app.services.clock import Clock
from app.ui.qtcompat import emit
from app.ui.theme import repolish


def hall_zone(timezone: str) -> tzinfo:
    try:
        return ZoneInfo(timezone)
    except (KeyError, ValueError):  # unknown zone name: show UTC rather than fail
        return ZoneInfo("UTC")


def clear_layout(layout: QLayout) -> None:
    """Take every item out of `layout`; its widgets are deleted on the GUI thread."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def local_time(when: datetime, zone: tzinfo) -> datetime:
    return when.astimezone(zone)


class ClockLabel(QLabel):
    """The hall's local date and time, updated every second (no database work)."""

    def __init__(self, clock: Clock, parent: QWidget | None = None, *, seconds: bool = True):
        super().__init__(parent)
        self._clock = clock
        self._zone: tzinfo = ZoneInfo("UTC")
        self._seconds = seconds
        self.setObjectName("Clock")
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    def set_timezone(self, timezone: str) -> None:
        self._zone = hall_zone(timezone)
        self.tick()

    def tick(self) -> None:
        now = local_time(self._clock.now(), self._zone)
        # ISO dates read the same in every language (en_US's short format gave "12/3/26");
        # the weekday in the UI language.
        weekday = QLocale().dayName(now.isoweekday(), QLocale.FormatType.ShortFormat)
        time = now.strftime("%H:%M:%S" if self._seconds else "%H:%M")
        self.setText(f"{now:%Y-%m-%d} {weekday}  {time}")


class StatusLine(QLabel):
    """One line for what just happened: info in the normal colour, errors in red.

    Signals:
        shown(str, str): a message was shown (level, text); tests and logs follow it.
    """

    shown = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, *, clear_after_ms: int = 8000) -> None:
        super().__init__(parent)
        self.setObjectName("StatusLine")
        self.setWordWrap(True)
        self.setProperty("level", "info")
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.setInterval(clear_after_ms)
        self._clear.timeout.connect(self.clear_message)

    @property
    def level(self) -> str:
        return str(self.property("level"))

    def show_info(self, text: str) -> None:
        self._show("info", text)

    def show_error(self, text: str, *, sticky: bool = False) -> None:
        self._show("error", text, sticky=sticky)

    def clear_message(self) -> None:
        self._clear.stop()
        self.setText("")
        self._set_level("info")

    def _show(self, level: str, text: str, *, sticky: bool = False) -> None:
        self._set_level(level)
        self.setText(text)
        if sticky:
            self._clear.stop()
        else:
            self._clear.start()
        emit(self.shown, level, text)

    def _set_level(self, level: str) -> None:
        if self.property("level") != level:
            self.setProperty("level", level)
            repolish(self)


class DialogSlot:
    """The one dialog a window has open at a time: opened with `open()` (window-modal,
    never a nested event loop), deleted when it finishes, after which the window is
    activated again so that its shortcuts get the keys."""

    def __init__(self, owner: QWidget) -> None:
        self._owner = owner
        self.dialog: QDialog | None = None

    def open(self, dialog: QDialog, on_accept: Callable[[], None] | None = None) -> None:
        self.close()
        self.dialog = dialog
        if on_accept is not None:
            dialog.accepted.connect(on_accept)
        dialog.finished.connect(lambda _r, d=dialog: self._finished(d))
        dialog.open()

    def close(self) -> None:
        """Reject the open dialog, if any."""
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.done(QDialog.DialogCode.Rejected)

    def _finished(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        if self._owner.isVisible():
            self._owner.window().activateWindow()


W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """`widget` with its object name set (for the stylesheet and the tests)."""
    widget.setObjectName(name)
    return widget
