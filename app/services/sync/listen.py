"""Wake-ups from the centre: `LISTEN halldesk_changes` on the central PostgreSQL.

The change-log trigger (migrations 0007, 0013) sends a NOTIFY on every committed change
of a pulled table, its payload the changed row's hall id ('' for rows every hall reads);
the listener calls `on_change` (the sync worker's `wake`, or a hall relay's), so a change
made at one station reaches the others in the time of a pull, not of a polling interval.
Given a hall, it wakes only for that hall's changes and the every-hall ones. A NOTIFY
only says "pull now": what changed is read from the change log, so a notification lost
while the link was down costs nothing but time (the worker still polls).

Each listener is a PostgreSQL backend of its own, woken on every notification of every
hall: one per hall (the hall's relay, app.services.sync.relay), not one per station. It
needs a session of its own, so it connects to PostgreSQL itself, never through a PgBouncer
in transaction mode.

One connection of its own, in autocommit, in a thread of its own; when it breaks, the
listener reconnects with a growing delay (0.5 s doubling to 10 s) and wakes the worker
once reconnected (changes may have been missed meanwhile).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

CHANNEL = "halldesk_changes"


def conninfo(url: URL) -> str:
    """A libpq connection string of a SQLAlchemy PostgreSQL URL (the password kept)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def concerns(payload: str, hall_id: str | None) -> bool:
    """Whether a NOTIFY payload concerns the hall `hall_id` (None: every hall does)."""
    if hall_id is None or not payload:
        return True
    try:
        return str(uuid.UUID(payload)) == hall_id
    except ValueError:  # not a hall id (a trigger before migration 0013): wake, to be safe
        return True


class ChangeListener:
    def __init__(
        self,
        url: URL,
        on_change: Callable[[], None],
        *,
        hall: str | None = None,
        poll_s: float = 1.0,
    ) -> None:
        """`hall`: a hall code, to be woken for that hall's changes only."""
        self._conninfo = conninfo(url)
        self._on_change = on_change
        self._hall = hall
        self._poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()
        self.notifications = 0  # every NOTIFY received
        self.wakes = 0  # those that concerned the hall

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="halldesk-listen", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    hall_id = self._hall_id(conn)
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    delay = 0.5
                    self._on_change()  # whatever happened while we were not listening
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=self._poll_s, stop_after=1):
                            self.notifications += 1
                            if concerns(note.payload, hall_id):
                                self.wakes += 1
                                self._on_change()
            except psycopg.Error as exc:
                self.connected.clear()
                log.info("change listener: %s; again in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
        self.connected.clear()

    def _hall_id(self, conn: psycopg.Connection[tuple[object, ...]]) -> str | None:
        if self._hall is None:
            return None
        row = conn.execute("SELECT id FROM halls WHERE code = %s", (self._hall,)).fetchone()
        if row is None:
            log.warning("change listener: no hall %s at the centre; woken for all", self._hall)
            return None
        return str(row[0])
