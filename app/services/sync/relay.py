"""One listener per hall: the hall's wake-ups passed on to its stations over the hall's LAN.

A PostgreSQL LISTEN holds a backend process at the centre for as long as it waits, and
every NOTIFY of every hall wakes every listening backend: with 1,000 halls of 30 stations
that would be 30,000 processes doing nothing but wait. So one station of each hall
(`[sync] wake = "relay"`) holds the hall's one listener (app.services.sync.listen, for
its hall only) and passes each wake-up on, over TCP on the hall's LAN, to the hall's
other stations (`[sync] wake = "tcp://pc1:7655"`), which then hold no connection at the
centre while they wait.

The protocol is one byte a message: 0x01 "pull now", 0x00 "still here" (every
`HEARTBEAT_S`). A wake-up carries no data (what changed is read from the change log), so
a lost one costs time only: the stations still poll every `interval_s`. A station that
hears nothing from the relay for three heartbeats (a relay PC switched off without a
word) or loses the connection reconnects with a growing delay (0.5 s doubling to 10 s)
and wakes its worker once reconnected (it may have missed some). The relay never waits
for a station: one that does not read misses wake-ups, one that is gone is forgotten.
Anyone on the LAN may connect and learn when the hall changed, nothing more.
"""

from __future__ import annotations

import contextlib
import logging
import re
import selectors
import socket
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

WAKE = b"\x01"
HEARTBEAT = b"\x00"
HEARTBEAT_S = 10.0
DEFAULT_PORT = 7655
_URL = re.compile(r"tcp://(?P<host>\[[^\]]+\]|[^:/\s]+):(?P<port>\d{1,5})")


def relay_address(url: str) -> tuple[str, int]:
    """(host, port) of a relay URL `tcp://host:port`; ValueError for anything else."""
    m = _URL.fullmatch(url.strip())
    if m is None or not 0 < int(m["port"]) < 65536:
        raise ValueError(f"'{url}' is not tcp://host:port (port 1..65535)")
    return m["host"].strip("[]"), int(m["port"])


class WakeRelay:
    """The hall's side: accepts the stations and sends each wake-up to all of them.
    `wake()` is called from the listener's thread; `local` is woken too (the relay PC's
    own sync worker)."""

    def __init__(self, host: str, port: int, *, local: Callable[[], None] | None = None) -> None:
        self._host, self._port = host, port
        self._local = local
        self._lock = threading.Lock()
        self._clients: list[socket.socket] = []
        self._server: socket.socket | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_beat = 0.0
        self.wakes = 0

    @property
    def port(self) -> int:
        """The port listened on (the one the OS chose for a port 0)."""
        return self._server.getsockname()[1] if self._server is not None else self._port

    @property
    def stations(self) -> int:
        with self._lock:
            return len(self._clients)

    def start(self) -> None:
        """Bind and accept in a thread; OSError when the port is taken."""
        if self._thread is not None:
            return
        server = socket.create_server((self._host, self._port), reuse_port=False)
        server.setblocking(False)
        self._server = server
        self._thread = threading.Thread(target=self._run, name="halldesk-relay", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            for client in self._clients:
                client.close()
            self._clients.clear()
        if self._server is not None:
            self._server.close()
            self._server = None

    def wake(self) -> None:
        """Pass a wake-up on to every station (and the local worker)."""
        self.wakes += 1
        if self._local is not None:
            self._local()
        self._send(WAKE)

    def _send(self, message: bytes) -> None:
        with self._lock:
            for client in list(self._clients):
                try:
                    client.send(message)
                except BlockingIOError:
                    pass  # bytes waiting to be read already wake it
                except OSError:  # gone: the relay's thread sees it closed and forgets it
                    with contextlib.suppress(OSError):
                        client.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        assert self._server is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self._server, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.5):
                    if key.fileobj is self._server:
                        self._accept(sel)
                    else:
                        self._read(sel, key.fileobj)  # type: ignore[arg-type]
                if time.monotonic() - self._last_beat >= HEARTBEAT_S:
                    self._last_beat = time.monotonic()
                    self._send(HEARTBEAT)

    def _accept(self, sel: selectors.BaseSelector) -> None:
        assert self._server is not None
        try:
            client, _addr = self._server.accept()
        except OSError:
            return
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sel.register(client, selectors.EVENT_READ)
        with self._lock:
            self._clients.append(client)

    def _read(self, sel: selectors.BaseSelector, client: socket.socket) -> None:
        try:
            data = client.recv(64)  # stations send nothing; empty: the station went
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            sel.unregister(client)
            with self._lock:
                self._clients.remove(client)
            client.close()


class WakeClient:
    """A station's side: connects to its hall's relay and calls `on_wake` for each
    wake-up, and once on every (re)connection."""

    def __init__(self, url: str, on_wake: Callable[[], None]) -> None:
        self._address = relay_address(url)
        self._on_wake = on_wake
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.connected = threading.Event()
        self.wakes = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="halldesk-wake", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                with socket.create_connection(self._address, timeout=5) as sock:
                    sock.settimeout(3 * HEARTBEAT_S)
                    self._sock = sock
                    self.connected.set()
                    delay = 0.5
                    self._on_wake()  # whatever happened while we were not connected
                    while not self._stop.is_set():
                        data = sock.recv(64)
                        if not data:
                            raise ConnectionError("the relay closed the connection")
                        if WAKE in data:
                            self.wakes += 1
                            self._on_wake()
            except OSError as exc:  # refused, reset, silent for three heartbeats
                self.connected.clear()
                self._sock = None
                if self._stop.is_set():
                    break
                log.info("wake relay %s:%s: %s; again in %.1f s", *self._address, exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
        self.connected.clear()
