"""A tap on the PostgreSQL wire: a TCP proxy (tests/fault_proxy.py) that reads the
frontend protocol the client sends and records its round trips, whatever the client
library (SQLAlchemy or the bare driver) and whether or not its statements are prepared.

A round trip ends where the client must wait for the server: a simple `Query` ('Q'), or
a `Sync` ('S') closing a batch of the extended protocol (Parse/Bind/Execute). Each round
trip is recorded as the statements it executes, their text normalised to single spaces
(a simple query split at its semicolons: none of the tests' literals holds one);
a statement prepared earlier is named by its Parse, so its text is known when it is only
bound and executed. `hold` runs a function before the message holding a chosen statement
is forwarded, while the client's transaction is open: what the server holds locked then
can be looked at.

Connect with `sslmode=disable` (`url`): the tap reads plain text only.
"""

from __future__ import annotations

import asyncio
import struct
import threading
from collections.abc import Callable
from contextlib import suppress

from tests.fault_proxy import FaultProxy

_STARTUP_CODES = {80877103, 80877104}  # SSLRequest, GSSENCRequest: answered by one byte


def _cstring(data: bytes, at: int) -> tuple[str, int]:
    end = data.index(b"\0", at)
    return data[at:end].decode(), end + 1


class WireTap(FaultProxy):
    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__(target_host, target_port)
        self._lock = threading.Lock()
        self._trips: list[list[str]] = []
        self._holds: list[tuple[Callable[[str], bool], Callable[[], None]]] = []

    def url(self, database_url: str) -> str:
        """`database_url` through this tap, unencrypted."""
        from sqlalchemy.engine import make_url

        u = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return u.update_query_dict(
            {"sslmode": "disable", "gssencmode": "disable"}
        ).render_as_string(hide_password=False)

    def trips(self) -> list[list[str]]:
        """The round trips recorded since the last `clear`."""
        with self._lock:
            return [list(t) for t in self._trips]

    def clear(self) -> None:
        with self._lock:
            self._trips.clear()

    def hold(self, when: Callable[[str], bool], run: Callable[[], None]) -> None:
        """Run `run` (in the tap's thread) before forwarding a statement `when` accepts."""
        self._holds.append((when, run))

    async def _upstream(self, reader: asyncio.StreamReader, up: asyncio.StreamWriter) -> None:
        """Forward the client's messages one by one, reading each."""
        named: dict[str, str] = {}  # prepared statement -> text
        unnamed = ""
        batch: list[str] = []
        started = False
        try:
            while self._up:
                if not started:
                    head = await reader.readexactly(8)
                    length, code = struct.unpack("!ii", head)
                    body = await reader.readexactly(length - 8)
                    started = code not in _STARTUP_CODES
                    up.write(head + body)
                    await up.drain()
                    continue
                kind = await reader.readexactly(1)
                (length,) = struct.unpack("!i", await reader.readexactly(4))
                body = await reader.readexactly(length - 4)
                statements: list[str] = []
                if kind == b"Q":
                    query = _cstring(body, 0)[0]
                    statements = [" ".join(p.split()) for p in query.split(";") if p.strip()]
                elif kind == b"P":
                    name, at = _cstring(body, 0)
                    text = " ".join(_cstring(body, at)[0].split())
                    if name:
                        named[name] = text
                    else:
                        unnamed = text
                elif kind == b"B":
                    _portal, at = _cstring(body, 0)
                    name, _ = _cstring(body, at)
                    statements = [named.get(name, "") if name else unnamed]
                statements = [st for st in statements if st]
                for statement in statements:
                    for when, run in self._holds:
                        if when(statement):
                            run()
                batch += statements
                if kind in (b"Q", b"S"):
                    with self._lock:
                        self._trips.append(batch)
                    batch = []
                up.write(kind + struct.pack("!i", length) + body)
                await up.drain()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(up)
            with suppress(Exception):
                up.close()
