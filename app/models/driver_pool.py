"""The connections of driver units (`Database.driver_write`): psycopg's own, pooled here.

Call next on PostgreSQL is one round trip on a bare psycopg connection (`DriverUnit`).
SQLAlchemy's pool around that connection (its check-out and check-in, their events, the
proxy object) cost about a quarter of the client's CPU a call (docs/PERFORMANCE.md), so
these connections have a pool of their own: a stack of idle connections, the most
recently returned handed out first.

Each connection is in autocommit, so that psycopg sends no BEGIN of its own (the unit
sends BEGIN with its first statement), and has psycopg's own preparing off, so that
nothing deallocates the statements the unit prepares (psycopg sends `DEALLOCATE ALL` after
a rollback when it has prepared statements itself). What belongs to a connection stays
with it (`Link`): the names of the statements prepared on it, psycopg's loaders and
quoting (`Transformer`), its encoding, its BEGIN.

As for the main pool (app/models/idle_ping.py), a connection idle for longer than
`IDLE_PING_S` (`PGBOUNCER_IDLE_PING_S` through PgBouncer) is pinged before it is handed
out, and a dead one is replaced. A connection that comes back from a failed unit, or in
a transaction, is closed: what it prepared is not known. One that comes back broken
(the server or the network lost) takes the idle ones with it, as SQLAlchemy invalidates
its pool on a disconnect: they were most likely cut too. The pool keeps at most `size`
idle connections; more may be open at once, one for each unit running.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

import psycopg
from psycopg.adapt import Transformer

from app.models.idle_ping import IDLE_PING_S, PGBOUNCER_IDLE_PING_S


class Link:
    """One connection and what belongs to it: the statements prepared on it (None
    through PgBouncer: nothing is prepared), its loaders and quoting, its encoding, the
    BEGIN of its isolation level, and when it was last returned to the pool."""

    __slots__ = ("begin", "conn", "encoding", "prepared", "returned", "tx")

    def __init__(self, conn: psycopg.Connection[Any], *, prepare: bool) -> None:
        self.conn = conn
        self.prepared: set[str] | None = set() if prepare else None
        self.tx = Transformer(conn)
        self.encoding = conn.info.encoding
        level = conn.isolation_level
        begin = "BEGIN" if level is None else f"BEGIN ISOLATION LEVEL {level.name}"
        self.begin = begin.replace("_", " ").encode()
        self.returned = time.monotonic()


class DriverPool:
    """Driver units' connections to one server. `pings` counts the pings sent."""

    def __init__(self, connect: Mapping[str, Any], *, size: int, pgbouncer: bool) -> None:
        self._connect_args = {
            "connect_timeout": 5,
            "application_name": "halldesk",
            **connect,
            "autocommit": True,
            "prepare_threshold": None,
        }
        self._size = max(1, size)
        self._prepare = not pgbouncer
        self.idle_s = PGBOUNCER_IDLE_PING_S if pgbouncer else IDLE_PING_S
        self.pings = 0
        self._idle: list[Link] = []
        self._lock = threading.Lock()

    def get(self) -> Link:
        """An idle connection (pinged if it sat idle for long), else a new one. Raises
        psycopg's error for a server that cannot be reached."""
        while True:
            with self._lock:
                link = self._idle.pop() if self._idle else None
            if link is None:
                conn = psycopg.connect(**self._connect_args)
                return Link(conn, prepare=self._prepare)
            if time.monotonic() - link.returned <= self.idle_s:
                return link  # in use moments ago
            self.pings += 1
            try:
                link.conn.execute("SELECT 1")
                return link
            except psycopg.Error:  # gone while idle: the next one, or a new one
                _close(link)

    def put(self, link: Link, *, fit: bool) -> None:
        """Return a connection: kept if `fit` (idle, after a unit that did not fail) and
        fewer than `size` are idle, else closed; a broken one drops the idle ones."""
        if fit:
            link.returned = time.monotonic()
            with self._lock:
                if len(self._idle) < self._size:
                    self._idle.append(link)
                    return
        broken = link.conn.broken
        _close(link)
        if broken:
            self.dispose()

    def dispose(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for link in idle:
            _close(link)


def _close(link: Link) -> None:
    with suppress(psycopg.Error):
        link.conn.close()
