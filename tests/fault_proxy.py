"""A TCP proxy the tests control, in the manner of Toxiproxy: it forwards a local port to
a server and can cut the link (every open connection dropped at once, new ones closed as
they come) and heal it again. Runs an asyncio loop in a thread of its own.

Used between station processes and the central PostgreSQL to make a flaky WAN link: the
stations see real connection resets in the middle of their transactions and COMMITs.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from contextlib import suppress


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.cuts = 0
        self._up = True
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)
        self._server: asyncio.base_events.Server | None = None

    # ------------------------------------------------------------------ control
    def start(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def cut(self) -> None:
        """Drop every connection now and refuse new ones until `heal`."""
        asyncio.run_coroutine_threadsafe(self._cut(), self._loop).result(10)

    def heal(self) -> None:
        self._up = True

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # ------------------------------------------------------------------ the loop
    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self._ready.set()
        self._loop.run_forever()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._up:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._upstream(reader, up_writer), self._pipe(up_reader, writer))

    async def _upstream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """What the client sends, on to the server (tests/pg_wire.py reads it on the way)."""
        await self._pipe(reader, writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while self._up:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            with suppress(Exception):
                writer.close()

    async def _cut(self) -> None:
        self._up = False
        self.cuts += 1
        for writer in list(self._writers):
            with suppress(Exception):
                sock = writer.get_extra_info("socket")
                if sock is not None:  # a reset, as a dropped link shows itself
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.close()
        self._writers.clear()

    async def _close(self) -> None:
        await self._cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
