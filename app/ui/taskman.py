"""Run service calls off the GUI thread and hand their results back on it.

The GUI thread never touches the database: a window gives `run_in_background` an `op`
(a plain callable that calls a service) and the callbacks that take its result. The op
runs on a worker thread; its result (a frozen dataclass, a tuple of them, an int or None)
or its exception comes back through a queued Qt signal, so `on_done` and `on_error` always
run on the GUI thread, after the current event has been handled (never inside the call).

Two lanes, as in Anki's `aqt/taskman.py`: `write=True` ops go through one worker, so the
writes of this station keep the order the clerk pressed the keys in and never compete
for SQLite's write lock among themselves; reads share a small pool.

`shutdown()` is called on quit before the windows die: it refuses new work, cancels what
has not started, joins the workers (a running op finishes its unit of work) and drops the
callbacks still queued, so no callback ever reaches a deleted widget.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from app.services.errors import DomainError
from app.ui.qtcompat import emit

log = logging.getLogger(__name__)

Closure = Callable[[], None]


def _log_error(exc: BaseException) -> None:
    log.warning("background task failed: %r", exc)


@dataclass(frozen=True)
class _Job:
    op: Callable[[], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    owner: QObject | None


class TaskManager(QObject):
    """Background lanes for service calls, with results marshalled to the GUI thread.

    Signals:
        closures_queued(): private; a worker queued callbacks for the GUI thread.
    """

    closures_queued = Signal()

    def __init__(self, read_workers: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._read = ThreadPoolExecutor(read_workers, thread_name_prefix="halldesk-read")
        self._write = ThreadPoolExecutor(1, thread_name_prefix="halldesk-write")
        self._lock = threading.Lock()
        self._closures: list[Closure] = []
        self._in_flight = 0
        self._closed = False
        self._jobs: dict[int, _Job] = {}
        self._job_ids = itertools.count()
        # Queued even when emitted on the GUI thread: callbacks never run re-entrantly.
        self.closures_queued.connect(self._run_closures, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------------ public
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def idle(self) -> bool:
        """No op running or queued and no callback waiting (tests wait on this)."""
        with self._lock:
            return self._in_flight == 0 and not self._closures

    def run_in_background(
        self,
        op: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        owner: QObject | None = None,
        write: bool = False,
    ) -> Future[Any] | None:
        """Run `op` on a worker; `on_done(result)` or `on_error(exc)` on the GUI thread.

        With `owner`, the callbacks are dropped if that widget was deleted meanwhile.
        Returns None once the manager is shut down (the op is not run).
        """
        with self._lock:
            if self._closed:
                log.debug("task manager closed; dropping %r", op)
                return None
            self._in_flight += 1
            job_id = next(self._job_ids)
            self._jobs[job_id] = _Job(op, on_done, on_error, owner)
        executor = self._write if write else self._read
        try:
            future = executor.submit(self._work, job_id)
        except RuntimeError:  # the executor shut down between the check and the submit
            with self._lock:
                self._in_flight -= 1
                self._jobs.pop(job_id, None)
            return None
        future.add_done_callback(functools.partial(self._deliver, job_id))
        return future

    def run_on_main(self, closure: Closure) -> None:
        """Run `closure` on the GUI thread soon; callable from any thread."""
        self._queue(closure)

    def shutdown(self, timeout_warning_s: float = 5.0) -> None:
        """Stop taking work, cancel queued ops, join the workers, drop pending callbacks."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        timer = threading.Timer(
            timeout_warning_s, lambda: log.warning("still waiting for background work to end")
        )
        timer.start()
        try:
            self._write.shutdown(wait=True, cancel_futures=True)
            self._read.shutdown(wait=True, cancel_futures=True)
        finally:
            timer.cancel()
        with self._lock:
            dropped = len(self._closures)
            self._closures.clear()
            self._in_flight = 0
            jobs, self._jobs = self._jobs, {}
        jobs.clear()  # released here, on the GUI thread
        if dropped:
            log.debug("dropped %d callbacks at shutdown", dropped)

    # ------------------------------------------------------------------ internals
    def _queue(self, closure: Closure) -> None:
        with self._lock:
            if self._closed:
                return
            self._closures.append(closure)
        if shiboken6.isValid(self):
            emit(self.closures_queued)

    def _run_closures(self) -> None:
        with self._lock:
            closures, self._closures = self._closures, []
        for closure in closures:
            if self._closed:
                return
            closure()

    def _work(self, job_id: int) -> Any:
        """Worker thread: run the op. The job (and whatever widget the op is bound to)
        stays referenced by `_jobs` until `_finish` on the GUI thread, so a widget is never
        destroyed on a worker thread by dropping its last reference there."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            return None
        op = job.op
        del job
        try:
            return op()
        except Exception as exc:
            if not isinstance(exc, DomainError):
                log.error("background task failed", exc_info=exc)
            del op
            # The traceback's frames hold the op's `self`; the GUI thread gets the error only.
            raise exc.with_traceback(None) from None

    def _deliver(self, job_id: int, fut: Future[Any]) -> None:
        # Worker thread (or the caller's, for a cancelled op): queue the callback.
        self._queue(lambda: self._finish(job_id, fut))

    def _finish(self, job_id: int, fut: Future[Any]) -> None:
        with self._lock:
            self._in_flight -= 1
            job = self._jobs.pop(job_id, None)
        if job is None:
            return
        if job.owner is not None and not shiboken6.isValid(job.owner):
            return
        try:
            result = fut.result()
        except CancelledError:
            return
        except Exception as exc:
            (job.on_error or _log_error)(exc)
            return
        if job.on_done is not None:
            job.on_done(result)
