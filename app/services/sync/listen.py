"""Wake-ups from the centre: `LISTEN halldesk_changes` on the central PostgreSQL.

The change-log trigger (migration 0007) sends a NOTIFY on every committed change of a
pulled table; the listener calls `on_change` (the sync worker's `wake`), so a change made
at one station reaches the others in the time of a pull, not of a polling interval. A
NOTIFY only says "pull now": what changed is read from the change log, so a notification
lost while the link was down costs nothing but time (the worker still polls).

One connection of its own, in autocommit, in a thread of its own; when it breaks, the
listener reconnects with a growing delay (0.5 s doubling to 10 s) and wakes the worker
once reconnected (changes may have been missed meanwhile).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

CHANNEL = "halldesk_changes"


def conninfo(url: URL) -> str:
    """A libpq connection string of a SQLAlchemy PostgreSQL URL (the password kept)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener:
    def __init__(self, url: URL, on_change: Callable[[], None], *, poll_s: float = 1.0) -> None:
        self._conninfo = conninfo(url)
        self._on_change = on_change
        self._poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()
        self.notifications = 0

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
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    delay = 0.5
                    self._on_change()  # whatever happened while we were not listening
                    while not self._stop.is_set():
                        for _note in conn.notifies(timeout=self._poll_s, stop_after=1):
                            self.notifications += 1
                            self._on_change()
            except psycopg.Error as exc:
                self.connected.clear()
                log.info("change listener: %s; again in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
        self.connected.clear()
