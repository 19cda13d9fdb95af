"""Ping a pooled PostgreSQL connection before use only when it sat idle for a while.

SQLAlchemy's `pool_pre_ping` sends a `SELECT 1` at every check-out: one more round trip
for every unit of work, a fifth of a busy counter's call-next. A connection returned to
the pool moments ago is as alive as it was then; one that sat idle may have been cut by
a server restart or a firewall. So a connection idle for more than `IDLE_PING_S` is
pinged at check-out, and a dead one is replaced (the pool's pessimistic disconnect
handling: `DisconnectionError` makes it retry with a new connection). A connection that
dies while in busy use fails its unit of work once — the services report that as the
database being unreachable and the next unit gets a new connection, since SQLAlchemy
invalidates the pool when it sees a disconnect.

Through a PgBouncer (`PGBOUNCER_IDLE_PING_S`) the connection is to PgBouncer, which
outlives a PostgreSQL restart (it connects to the server again itself), and each ping is
a server transaction of its own: a station syncing every 30 s would ping before nearly
every sync, a third of what it sends. A minute still finds what a firewall cuts (idle
TCP is cut after minutes) and a PgBouncer restarted.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from sqlalchemy import Engine, event, exc

IDLE_PING_S = 5.0
PGBOUNCER_IDLE_PING_S = 60.0
_RETURNED = "halldesk_returned_at"
_OF: weakref.WeakKeyDictionary[Engine, IdlePing] = weakref.WeakKeyDictionary()


class IdlePing:
    """The pool events of one engine; `pings` counts the pings sent (for tests)."""

    def __init__(self, engine: Engine, idle_s: float = IDLE_PING_S) -> None:
        self.idle_s = idle_s
        self.pings = 0
        event.listen(engine.pool, "checkin", self._checkin)
        event.listen(engine.pool, "checkout", self._checkout)
        _OF[engine] = self

    @staticmethod
    def of(engine: Engine) -> IdlePing | None:
        return _OF.get(engine)

    def _checkin(self, _dbapi: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED] = time.monotonic()

    def _checkout(self, dbapi: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned <= self.idle_s:
            return  # new, or in use moments ago
        self.pings += 1
        try:
            cursor = dbapi.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi.rollback()  # hand the connection over idle, not inside the ping's transaction
        except Exception as error:  # the driver's own errors: the connection is gone
            raise exc.DisconnectionError(f"idle connection lost: {error}") from error
