"""Tell the windows when the hall's queue changed, also when another PC changed it.

Every station of a hall shares the central database, so a ticket issued at the kiosk PC
must reach the counter PC and the hall display within a second. `HallWatcher` asks for the
hall's last event id (one indexed lookup) every `refresh_ms` on a background lane and
emits `changed` when it moved; the windows then re-read their own state in the
background. One poll runs at a time; the next is scheduled when it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.errors import DomainError
from app.ui.qtcompat import emit
from app.ui.taskman import TaskManager

log = logging.getLogger(__name__)


class HallWatcher(QObject):
    """Polls `last_event_id(hall)` and reports when it moves.

    Signals:
        changed(int): the hall's last event id moved (also once after the first poll).
        failed(str): a poll failed; the DomainError code (e.g. database_unavailable).
        recovered(): a poll succeeded again after failures.
    """

    changed = Signal(object)
    failed = Signal(str)
    recovered = Signal()

    def __init__(
        self,
        last_event_id: Callable[[], int],
        tasks: TaskManager,
        interval_ms: int = 500,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._poll_op = last_event_id
        self._tasks = tasks
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)
        self._last_id: int | None = None
        self._busy = False
        self._poke_pending = False
        self._running = False
        self._failing = False
        self._generation = 0  # polls started before the last stop() are ignored

    @property
    def last_id(self) -> int | None:
        return self._last_id

    @property
    def running(self) -> bool:
        return self._running

    @property
    def failing(self) -> bool:
        return self._failing

    def start(self) -> None:
        if self._running or self._tasks.closed:
            return
        self._running = True
        self._poll()

    def stop(self) -> None:
        self._running = False
        self._busy = False
        self._poke_pending = False
        self._generation += 1
        self._timer.stop()

    def poke(self) -> None:
        """Poll now (after a local action) instead of at the next tick."""
        if not self._running:
            return
        if self._busy:
            self._poke_pending = True
            return
        self._timer.stop()
        self._poll()

    # ------------------------------------------------------------------ internals
    def _poll(self) -> None:
        if not self._running or self._busy:
            return
        self._busy = True
        self._poke_pending = False
        generation = self._generation
        started = self._tasks.run_in_background(
            self._poll_op,
            lambda last_id: self._on_polled(last_id, generation),
            lambda exc: self._on_failed(exc, generation),
            owner=self,
        )
        if started is None:  # the task manager is shutting down
            self._busy = False
            self._running = False

    def _on_polled(self, last_id: int, generation: int) -> None:
        if generation != self._generation:
            return
        self._busy = False
        if self._failing:
            self._failing = False
            log.info("central database reachable again")
            emit(self.recovered)
        if last_id != self._last_id:
            self._last_id = last_id
            emit(self.changed, last_id)
        self._schedule()

    def _on_failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self._busy = False
        code = exc.code if isinstance(exc, DomainError) else "internal"
        if not self._failing:
            log.warning("hall watcher poll failed: %s", exc)
        self._failing = True
        emit(self.failed, code)
        self._schedule()

    def _schedule(self) -> None:
        if not self._running:
            return
        if self._poke_pending:
            self._poll()
        else:
            self._timer.start()
