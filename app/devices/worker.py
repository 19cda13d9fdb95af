"""The owner thread of one port, shared by the bus master, the printer and the displays.

One thread per port owns its :class:`~app.devices.transport.Port`; other threads only put
commands on a thread-safe queue and get events back through a callback or
:attr:`PortWorker.events`.  The thread reads with a short timeout, so a queued command
waits at most ``read_timeout``; when the port fails it is closed and reopened with
back-off, commands arriving meanwhile are rejected at once, and every state change is
reported as :class:`~app.devices.events.PortStateChanged` and logged with its reason —
once, not once per retry: a port that cannot be opened for an hour logs one line (and
another only if the reason changes, e.g. "no such file" becomes "permission denied").
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import Any, TypeVar

from app.devices.events import DeviceEvent, PortStateChanged
from app.devices.transport import Backoff, ConnectionState, Port, PortError

log = logging.getLogger(__name__)

EventSink = Callable[[DeviceEvent], None]
T = TypeVar("T")

_REJECT_POLL = 0.05


def resolve(future: Future[T], value: T) -> None:
    """Set a future's result unless it was cancelled meanwhile."""
    with contextlib.suppress(InvalidStateError):
        future.set_result(value)


def reject(future: Future[Any], exc: BaseException) -> None:
    with contextlib.suppress(InvalidStateError):
        future.set_exception(exc)


class PortWorker:
    """Base of the port owners; subclasses implement the ``_on_*`` hooks.

    All hooks run in the owner thread.  ``on_event`` is called from that thread and must
    not block (the UI posts a Qt signal); without one, events go to :attr:`events`.
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        on_event: EventSink | None = None,
        read_timeout: float = 0.02,
        write_timeout: float = 2.0,
        backoff: Backoff | None = None,
        name: str = "port",
    ) -> None:
        self.url = url
        self.events: queue.Queue[DeviceEvent] = queue.Queue()
        self._sink: EventSink = on_event or self.events.put
        self._commands: queue.Queue[object] = queue.Queue()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._port = Port(url, baudrate, timeout=read_timeout, write_timeout=write_timeout)
        self._backoff = backoff or Backoff()
        self._name = name
        self._state = ConnectionState.CLOSED
        self._detail = ""
        self.baudrate = baudrate

    # --- any thread ---------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def detail(self) -> str:
        """Why the port is in its state (the OS error of a failed port), "" if nothing."""
        return self._detail

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the owner thread (it opens the port); returns at once."""
        if self.running:
            raise RuntimeError(f"{self._name} on {self.url} already started")
        self._stop_event.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"{self._name}:{self.url}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread, close the port, join; safe to call twice."""
        self._stop_event.set()
        thread, self._thread = self._thread, None
        if thread is threading.current_thread():
            return  # called from an event callback: the thread ends after it returns
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():  # pragma: no cover - only with a wedged driver
                log.error("%s on %s did not stop within %.1f s", self._name, self.url, timeout)

    def _submit(self, command: object) -> None:
        self._commands.put(command)

    # --- owner thread -------------------------------------------------------------

    def _emit(self, event: DeviceEvent) -> None:
        try:
            self._sink(event)
        except Exception:  # a broken listener must not kill the port thread
            log.exception("event listener failed on %r", event)

    def _set_state(self, state: ConnectionState, detail: str = "") -> None:
        if state is self._state and detail == self._detail:
            return
        self._state, self._detail = state, detail
        if state is ConnectionState.FAILED:
            log.warning("%s on %s failed: %s", self._name, self.url, detail or "no reason given")
        elif state is ConnectionState.OPEN:
            log.info("%s on %s open", self._name, self.url)
        else:
            log.debug("%s on %s %s", self._name, self.url, state.value)
        self._emit(PortStateChanged(self.url, state, detail))

    def _write(self, data: bytes) -> None:
        self._port.write(data)

    def _run(self) -> None:
        try:
            while not self._stop_event.is_set():
                if not self._port.is_open and not self._connect():
                    continue
                try:
                    self._cycle()
                except PortError:
                    reason = self._port.last_error
                    self._port.close()
                    self._set_state(ConnectionState.FAILED, f"lost: {reason}")
                    self._on_lost()
                except Exception:  # a bug in a hook: log it, keep the port served
                    log.exception("%s on %s: unexpected error", self._name, self.url)
                    self._stop_event.wait(0.1)
        finally:
            self._port.close()
            self._on_stopped()
            self._drain_rejecting("stopped")
            self._set_state(ConnectionState.CLOSED)

    def _connect(self) -> bool:
        if self._state is not ConnectionState.FAILED:
            self._set_state(ConnectionState.OPENING)
        try:
            self._port.open()
        except PortError:
            self._set_state(ConnectionState.FAILED, f"cannot open: {self._port.last_error}")
            self._wait_disconnected(self._backoff.next_delay())
            return False
        self._backoff.reset()
        self._set_state(ConnectionState.OPEN)
        self._on_open(time.monotonic())
        return True

    def _wait_disconnected(self, delay: float) -> None:
        """Sleep ``delay`` (until stop), rejecting commands as they come."""
        deadline = time.monotonic() + delay
        while not self._stop_event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                command = self._commands.get(timeout=min(remaining, _REJECT_POLL))
            except queue.Empty:
                continue
            self._on_reject(command, f"port {self.url} is {self._state.value}")

    def _drain_rejecting(self, reason: str) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            self._on_reject(command, reason)

    def _cycle(self) -> None:
        data = self._port.read(256)
        now = time.monotonic()
        if data:
            self._on_bytes(data, now)
        while self._port.is_open and self._ready_for_command(now):
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                break
            self._on_command(command, now)
            now = time.monotonic()
        self._on_tick(time.monotonic())

    # --- hooks --------------------------------------------------------------------

    def _on_open(self, now: float) -> None:
        """The port (re)opened."""

    def _on_lost(self) -> None:
        """The port failed and was closed; it will be reopened with back-off."""

    def _on_stopped(self) -> None:
        """The thread is ending; fail whatever is pending."""

    def _on_bytes(self, data: bytes, now: float) -> None:
        raise NotImplementedError

    def _ready_for_command(self, now: float) -> bool:
        return True

    def _on_command(self, command: object, now: float) -> None:
        raise NotImplementedError

    def _on_reject(self, command: object, reason: str) -> None:
        log.info("%s on %s dropped %r: %s", self._name, self.url, command, reason)

    def _on_tick(self, now: float) -> None:
        """Called after every read (at least every ``read_timeout``)."""
