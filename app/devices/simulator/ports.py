"""One simulated port: a thread that plays the devices behind an endpoint.

The thread waits on the endpoint and a wake-up pipe, hands received bytes to the port's
:class:`PortHandler`, runs timers (retransmissions, slow answers, replugging) and calls
queued from other threads.  Everything a handler does runs in this thread with
:attr:`SimPort.lock` held, so the simulator's readers take the lock to see a consistent
state.  With ``pace=True`` the port keeps 8N1 wire timing: a byte it sends reaches the host
one character time after the previous one, and bytes the host sends are handed to the
devices only when they would have finished arriving.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import queue
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.devices.simulator.endpoints import Endpoint
from app.devices.transport import wire_time

log = logging.getLogger(__name__)

_IDLE_WAIT = 0.05


@dataclass
class Faults:
    """Faults armed on a port: counts of frames to spoil, seconds of delay."""

    noise: int = 0  # junk before the next N frames the devices send
    bad_checksum: int = 0  # wrong checksum / CRC on the next N frames
    no_ack: int = 0  # the next N answers are lost
    slow: float = 0.0  # answers this many seconds late

    def clear(self) -> None:
        self.noise = self.bad_checksum = self.no_ack = 0
        self.slow = 0.0


class PortHandler:
    """The devices on one port; subclasses play a protocol."""

    port: SimPort
    faults: Faults

    def attach(self, port: SimPort) -> None:
        self.port = port

    def on_bytes(self, data: bytes, now: float) -> None:
        raise NotImplementedError

    def on_plug(self) -> None:
        """A new connection: forget partial input."""


class SimPort:
    def __init__(
        self,
        endpoint: Endpoint,
        handler: PortHandler,
        *,
        baudrate: int = 9600,
        pace: bool = False,
        name: str = "sim",
    ) -> None:
        self.endpoint = endpoint
        self.handler = handler
        self.baudrate = baudrate
        self.pace = pace
        self.name = name
        self.lock = threading.RLock()
        self.plugged_event = threading.Event()
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._sequence = itertools.count()
        self._calls: queue.Queue[Callable[[], None]] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake_r: socket.socket | None = None  # a socket pair: select() works on
        self._wake_w: socket.socket | None = None  # sockets everywhere, pipes not on Windows
        self._rx_clock = 0.0
        self._tx_clock = 0.0
        handler.attach(self)

    @property
    def url(self) -> str:
        return self.endpoint.url

    # --- any thread ---------------------------------------------------------------

    def start(self) -> None:
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.endpoint.plug()
        self.plugged_event.set()
        self._thread = threading.Thread(target=self._run, name=f"sim-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        self.endpoint.unplug()
        self.plugged_event.clear()
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._wake_r = self._wake_w = None

    def call(self, fn: Callable[[], None], wait: bool = True, timeout: float = 5.0) -> None:
        """Run ``fn`` on the port thread (with the lock held); by default return once done."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            raise RuntimeError(f"simulated port {self.name} is not running")
        if threading.current_thread() is thread:
            fn()
            return
        done = threading.Event()

        def run() -> None:
            try:
                fn()
            finally:
                done.set()

        self._calls.put(run)
        self._wake()
        if wait and not done.wait(timeout):
            raise TimeoutError(f"simulated port {self.name} did not run the action")

    def unplug(self, seconds: float) -> None:
        """Pull the cable now (done when this returns), put it back after ``seconds``."""
        self.plugged_event.clear()
        self.call(lambda: self._unplug(seconds))

    def _wake(self) -> None:
        if self._wake_w is not None:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"x")

    # --- port thread --------------------------------------------------------------

    def schedule(self, delay: float, fn: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._sequence), fn))

    def write(self, data: bytes) -> None:
        """Send ``data`` to the host (paced at the baud rate if asked)."""
        if not data or not self.endpoint.plugged:
            return
        if not self.pace:
            self.endpoint.write(data)
            return
        char = wire_time(1, self.baudrate)
        start = max(time.monotonic(), self._tx_clock)
        for index in range(len(data)):
            due = start + (index + 1) * char  # the byte has fully arrived at this time
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.endpoint.write(data[index : index + 1])
        self._tx_clock = start + len(data) * char

    def _unplug(self, seconds: float) -> None:
        log.info("%s: unplugged for %.2f s", self.name, seconds)
        self.endpoint.unplug()
        self.schedule(seconds, self._replug)

    def _replug(self) -> None:
        self.endpoint.plug()
        self.handler.on_plug()
        self.plugged_event.set()
        log.info("%s: plugged in again at %s", self.name, self.endpoint.url)

    def _receive(self, data: bytes) -> None:
        now = time.monotonic()
        if not self.pace:
            self.handler.on_bytes(data, now)
            return
        ready = max(now, self._rx_clock) + wire_time(len(data), self.baudrate)
        self._rx_clock = ready
        self.schedule(ready - now, lambda: self.handler.on_bytes(data, time.monotonic()))

    def _run(self) -> None:
        assert self._wake_r is not None
        wake = self._wake_r.fileno()
        while not self._stop.is_set():
            timeout = _IDLE_WAIT
            if self._timers:
                timeout = min(timeout, max(self._timers[0][0] - time.monotonic(), 0.0))
            fds = [wake, *self.endpoint.readable_fds()]
            try:
                ready, _, _ = select.select(fds, [], [], timeout)
            except (OSError, ValueError):  # an fd closed under us by unplug; look again
                continue
            with self.lock:
                for fd in ready:
                    if fd == wake:
                        with contextlib.suppress(OSError):
                            while self._wake_r.recv(512):
                                pass
                    elif fd in self.endpoint.readable_fds():
                        data = self.endpoint.read(fd)
                        if data:
                            self._receive(data)
                self._run_calls()
                self._run_timers()

    def _run_calls(self) -> None:
        while True:
            try:
                fn = self._calls.get_nowait()
            except queue.Empty:
                return
            self._guarded(fn)

    def _run_timers(self) -> None:
        while self._timers and self._timers[0][0] <= time.monotonic():
            _, _, fn = heapq.heappop(self._timers)
            self._guarded(fn)

    def _guarded(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:  # a simulator bug must not silence the port
            log.exception("%s: simulated device failed", self.name)
