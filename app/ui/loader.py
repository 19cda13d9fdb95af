"""Re-read a window's state in the background, one read at a time, the newest last."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager


class StateLoader(QObject):
    """Runs `op` on the read lane when asked; asks made meanwhile fold into one more read.

    Signals:
        loaded(object): the state `op` returned (a frozen dataclass).
        failed(object): the exception `op` raised.
    """

    loaded = Signal(object)
    failed = Signal(object)

    def __init__(self, tasks: TaskManager, op: Callable[[], Any], parent: QObject) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._op = op
        self._busy = False
        self._again = False

    @property
    def busy(self) -> bool:
        return self._busy

    def request(self) -> None:
        if self._busy:
            self._again = True
            return
        self._busy = True
        self._again = False
        if (
            self._tasks.run_in_background(self._op, self._on_done, self._on_error, owner=self)
            is None
        ):
            self._busy = False

    def _on_done(self, state: Any) -> None:
        self._busy = False
        emit(self.loaded, state)
        if self._again:  # something changed while reading: read once more
            self.request()

    def _on_error(self, exc: BaseException) -> None:
        self._busy = False
        emit(self.failed, exc)
        if self._again:
            self.request()
