"""The hall relay over real loopback TCP: a wake-up reaches every connected station and
the relay PC's own worker; a station that goes is forgotten; a station whose relay went
away comes back to it, and wakes once on coming back (it may have missed some)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from app.services.sync.relay import WakeClient, WakeRelay, relay_address


def _until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


class Counter:
    """A station's worker as the relay sees it: how often it was woken."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def wake(self) -> None:
        with self._lock:
            self.n += 1


def test_relay_urls():
    assert relay_address("tcp://pc1.east.hall:7655") == ("pc1.east.hall", 7655)
    assert relay_address(" tcp://10.0.3.11:1 ") == ("10.0.3.11", 1)
    assert relay_address("tcp://[fe80::1]:7655") == ("fe80::1", 7655)
    for bad in ("pc1:7655", "tcp://pc1", "tcp://pc1:0", "tcp://pc1:70000", "udp://pc1:7655"):
        with pytest.raises(ValueError):
            relay_address(bad)


def test_a_wake_reaches_every_station_and_the_relay_pc_itself():
    own = Counter()
    relay = WakeRelay("127.0.0.1", 0, local=own.wake)
    relay.start()
    stations = [Counter() for _ in range(5)]
    clients = [WakeClient(f"tcp://127.0.0.1:{relay.port}", c.wake) for c in stations]
    try:
        for client in clients:
            client.start()
        assert all(c.connected.wait(5) for c in clients)
        assert _until(lambda: relay.stations == 5)
        assert _until(lambda: all(c.n == 1 for c in stations))  # woken once on connecting
        relay.wake()
        assert _until(lambda: all(c.n == 2 for c in stations))
        assert own.n == 1 and relay.wakes == 1
        for _ in range(3):
            relay.wake()
        assert _until(lambda: all(c.n >= 3 for c in stations))

        clients[0].stop()  # a station switched off: forgotten, the others still woken
        assert _until(lambda: relay.stations == 4)
        before = [c.n for c in stations]
        relay.wake()
        assert _until(lambda: all(c.n > b for c, b in zip(stations[1:], before[1:], strict=True)))
        assert stations[0].n == before[0]
    finally:
        for client in clients:
            client.stop()
        relay.stop()


def test_a_station_comes_back_to_a_relay_that_was_away():
    first = WakeRelay("127.0.0.1", 0)
    first.start()
    port = first.port
    station = Counter()
    client = WakeClient(f"tcp://127.0.0.1:{port}", station.wake)
    second = WakeRelay("127.0.0.1", port)
    try:
        client.start()
        assert client.connected.wait(5) and _until(lambda: station.n == 1)
        first.stop()  # the relay PC restarts
        assert _until(lambda: not client.connected.is_set())
        second.start()
        assert _until(lambda: second.stations == 1, timeout=15)
        assert _until(lambda: station.n == 2)  # woken on coming back
        second.wake()
        assert _until(lambda: station.n == 3)
    finally:
        client.stop()
        first.stop()
        second.stop()
