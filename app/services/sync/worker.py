"""The sync worker: one thread of the station that pushes its outbox and pulls the
centre's changes, and knows whether the centre is there.

It loops: push until the outbox is empty (batches), then pull (when a pull is given),
then waits `interval` seconds or until `wake()` (a business step committed, or the
centre's NOTIFY). When the centre cannot be reached it says so in its status (offline
since when, how deep the outbox is, the last error), waits with a growing delay (0.5 s
doubling to 10 s) and tries again; nothing a clerk did is refused for it, since every
step is committed in the cache first. It never touches the GUI: the windows ask
`status()` (a frozen dataclass) when they refresh.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from app.models.db import Database
from app.models.migrate import current_revision
from app.services import errors
from app.services.clock import Clock, SystemClock
from app.services.errors import DatabaseUnavailable, DomainError
from app.services.sync.push import DEFAULT_BATCH, outbox_depth, push

log = logging.getLogger(__name__)

BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 10.0


@dataclass(frozen=True, slots=True)
class SyncStatus:
    online: bool = False
    offline_since: datetime | None = None
    outbox: int = 0
    last_sync_at: datetime | None = None
    last_error: str = ""
    started: bool = False


def check_schema(central: Database, cache: Database) -> None:
    """`schema_mismatch` when the centre and the station are at different schema versions
    (one was upgraded, the other not): rows of one schema must not go into the other."""
    try:
        theirs = current_revision(central.engine)
    except DBAPIError as exc:
        raise DatabaseUnavailable(f"central database unreachable: {exc.orig}") from exc
    ours = current_revision(cache.engine)
    if theirs != ours:
        raise DomainError(
            errors.SCHEMA_MISMATCH,
            f"the central database is at schema {theirs}, this station at {ours}: upgrade "
            "both to the same HallDesk version (python main.py init-db) before they sync",
            central=str(theirs),
            station=str(ours),
        )


class SyncWorker:
    """Push (and pull) in a thread of its own; see the module docstring."""

    def __init__(
        self,
        cache: Database,
        central: Database,
        *,
        pull: Callable[[], object] | None = None,
        interval: float = 1.0,
        batch: int = DEFAULT_BATCH,
        clock: Clock | None = None,
    ) -> None:
        self._cache = cache
        self._central = central
        self._pull = pull
        self._interval = interval
        self._batch = batch
        self._clock = clock or SystemClock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._status = SyncStatus()
        self._thread: threading.Thread | None = None
        self._schema_checked = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._set(started=True, outbox=outbox_depth(self._cache))
        self._thread = threading.Thread(target=self._run, name="halldesk-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current step (a push under way finishes or fails whole)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning(
                    "sync worker still busy after %.0f s; left to end with the process", timeout
                )
            self._thread = None

    def wake(self) -> None:
        """Sync now (a step was committed, or the centre said there are changes)."""
        self._wake.set()

    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def sync_once(self) -> None:
        """One round, in the caller's thread: push everything, then pull. Refused
        (`schema_mismatch`) while the centre's schema is not the station's."""
        if not self._schema_checked:
            check_schema(self._central, self._cache)
            self._schema_checked = True
        while True:
            result = push(self._cache, self._central, batch=self._batch)
            self._set(outbox=result.left)
            if result.left == 0:
                break
        if self._pull is not None:
            self._pull()

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        delay = BACKOFF_FIRST_S
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.sync_once()
            except (DomainError, DBAPIError, OSError) as exc:
                self._schema_checked = False  # a server that comes back may be another one
                self._offline(exc)
                self._stop.wait(delay)
                delay = min(delay * 2, BACKOFF_MAX_S)
                continue
            except Exception:  # a bug: keep the station going, say it loudly
                log.exception("sync round failed")
                self._offline(RuntimeError("internal error; see the log"))
                self._stop.wait(BACKOFF_MAX_S)
                continue
            delay = BACKOFF_FIRST_S
            self._set(
                online=True, offline_since=None, last_sync_at=self._clock.now(), last_error=""
            )
            self._wake.wait(self._interval)

    def _offline(self, exc: BaseException) -> None:
        """Offline, with the outbox counted first: whoever sees the station offline sees
        what it holds for the centre, never the depth of the last good round."""
        text = exc.message if isinstance(exc, DomainError) else str(exc)
        changes: dict[str, object] = {"online": False, "last_error": text[:300]}
        try:
            changes["outbox"] = outbox_depth(self._cache)
        except DBAPIError:  # pragma: no cover - the local file itself failing
            log.exception("cannot read the outbox depth")
        with self._lock:
            was_online = self._status.online or self._status.offline_since is None
            changes["offline_since"] = self._status.offline_since or self._clock.now()
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
        if was_online:
            log.warning("central database unreachable, working from the cache: %s", text)

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
