"""What the device hub tells the manager, even while the central database is unreachable.

The hub raises alerts about devices, ports and the database, and resolves them itself
when the condition ends (acknowledged by the system: `acknowledged_by` NULL). Writing an
alert needs the database, so :class:`AlertLane` keeps every alert operation, in order and
with the time it happened, and writes it as soon as it can:

- while the database answers, at once;
- while it does not, nothing is tried: the operations wait in memory, and the hub probes
  the database with back-off (0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s, ...) instead of at once;
- when a probe succeeds, the waiting operations are written, then one
  `database_unreachable` alert that is already resolved: raised at the outage's start,
  acknowledged by the system at its end. It cannot be written while the outage lasts, so
  the outage shows in the log at once (one line at its start, one at its end) and in the
  alerts afterwards. Operations still waiting when the hub stops are logged, one line each.

Only the hub's thread calls it.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime

from app.devices.transport import Backoff
from app.services.clock import Clock
from app.services.errors import DatabaseUnavailable, DomainError
from app.services.evaluation.service import EvaluationService

log = logging.getLogger(__name__)

DATABASE_UNREACHABLE = "database_unreachable"
RETRY_INITIAL = 0.5
RETRY_MAX = 5.0


@dataclass(frozen=True)
class AlertOp:
    """One alert operation: `raise` (`once`: not if an open one of kind and source exists),
    `record` (something already over, resolved at `ended`), or `resolve` (the open alerts
    of `kinds` from `source`; then `then` is written if one of `kinds[0]` was closed)."""

    action: str
    kinds: tuple[str, ...]
    source: str
    at: datetime  # when it happened, not when it could be written
    message: str = ""
    counter: int | None = None
    severity: str = "warning"
    once: bool = True
    ended: datetime | None = None
    then: AlertOp | None = None


class AlertLane:
    def __init__(self, evaluations: EvaluationService, hall: str, clock: Clock, station: str):
        self._evaluations = evaluations
        self._hall = hall
        self._clock = clock
        self.database_source = f"database/{station}"
        self._pending: deque[AlertOp] = deque()
        self._down_since: datetime | None = None
        self._backoff = Backoff(RETRY_INITIAL, RETRY_MAX)

    # ------------------------------------------------------------------ alerts
    def raise_alert(
        self,
        kind: str,
        source: str,
        message: str,
        *,
        counter: int | None = None,
        severity: str = "warning",
        once: bool = True,
        at: datetime | None = None,
    ) -> None:
        when = at or self._clock.now()
        self.add(AlertOp("raise", (kind,), source, when, message, counter, severity, once))

    def resolve(self, kinds: tuple[str, ...], source: str, then: AlertOp | None = None) -> None:
        self.add(AlertOp("resolve", kinds, source, self._clock.now(), then=then))

    def add(self, op: AlertOp) -> None:
        self._pending.append(op)
        if self._down_since is None:
            try:
                self._flush()
            except DatabaseUnavailable as exc:
                self.unreachable(exc)

    @property
    def pending(self) -> int:
        return len(self._pending)

    # ------------------------------------------------------------------ the database
    @property
    def database_down(self) -> bool:
        return self._down_since is not None

    def unreachable(self, exc: DatabaseUnavailable) -> None:
        """A database call failed: the outage starts (logged once) or goes on."""
        if self._down_since is None:
            self._down_since = self._clock.now()
            log.warning(
                "%s; the devices keep running, their alerts wait, retrying every %.1f-%.0f s",
                exc.message,
                RETRY_INITIAL,
                RETRY_MAX,
            )

    def retry_delay(self) -> float:
        """Seconds until the next probe of an unreachable database (doubling, capped)."""
        return self._backoff.next_delay()

    def reachable(self) -> bool:
        """A database call succeeded: True when that ends an outage, after its alerts are
        written (DatabaseUnavailable if they cannot be: the outage goes on)."""
        since = self._down_since
        if since is None:
            return False
        ended = self._clock.now()
        self._flush()
        lasted = (ended - since).total_seconds()
        message = f"central database unreachable for {lasted:.0f} s"
        op = AlertOp("record", (DATABASE_UNREACHABLE,), self.database_source, since, message)
        self._write(replace(op, severity="high", ended=ended))
        self._down_since = None
        self._backoff.reset()
        log.warning("central database reachable again after %.1f s", lasted)
        return True

    def close(self) -> None:
        """The hub stops: say what could not be written (the database is unreachable)."""
        while self._pending:
            op = self._pending.popleft()
            log.warning(
                "alert not written, database unreachable: %s %s from %s %s",
                op.action,
                "/".join(op.kinds),
                op.source,
                op.message,
            )

    # ------------------------------------------------------------------ writing
    def _flush(self) -> None:
        while self._pending:
            op = self._pending[0]
            try:
                self._write(op)
            except DatabaseUnavailable:
                raise
            except DomainError as exc:  # not the database's absence: it will not get better
                log.warning("alert %s from %s dropped: %s", op.kinds[0], op.source, exc.message)
            self._pending.popleft()

    def _write(self, op: AlertOp) -> None:
        ev, hall, at = self._evaluations, self._hall, op.at
        if op.action == "resolve":
            closed = ev.resolve_alerts(hall, op.kinds, op.source, at=at)
            if op.then is not None and any(a.kind == op.kinds[0] for a in closed):
                self._write(replace(op.then, at=at))
            return
        ended = op.ended or (at if op.action == "record" else None)
        ev.raise_alert(
            hall,
            op.kinds[0],
            op.message,
            severity=op.severity,
            counter_number=op.counter,
            source=op.source,
            at=at,
            once=op.once and op.action == "raise",
            resolved_at=ended,
        )
