"""The alerts of a hall: raised where something happens (a dissatisfied rating, paper
out, a device offline, a threshold passed), resolved by the system when the condition ends
(`acknowledged_by` NULL), acknowledged by a manager with a note, kept.

`AlertBook` is a part of `EvaluationService` (its units of work, clock and authority).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models import Alert
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory
from app.services.queue.common import QueueBase
from app.services.security import audit
from app.services.security.auth import Actor, AuthService


@dataclass(frozen=True)
class AlertInfo:
    id: uuid.UUID
    kind: str
    severity: str
    counter_number: int | None
    ticket_id: uuid.UUID | None
    message: str
    created_at: datetime
    acknowledged: bool
    source: str = ""
    acknowledged_at: datetime | None = None
    acknowledged_by: uuid.UUID | None = None
    """None with `acknowledged_at` set: resolved by the system (the condition ended)."""


def device_source(bus: str, address: int) -> str:
    """The `source` of a device's alerts: "hallbus/11"."""
    return f"{bus}/{address}"


class AlertBook(QueueBase):
    def __init__(
        self,
        db: Database,
        halls: HallDirectory,
        clock: Clock | None = None,
        *,
        auth: AuthService | None = None,
    ) -> None:
        super().__init__(db, halls, clock)
        self._auth = auth

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A read-only unit of work (no write lock), as `QueueQueries` reads."""
        with errors.read_unit(self._db) as session:
            yield session

    def raise_alert(
        self,
        hall_code: str,
        kind: str,
        message: str,
        *,
        severity: str = "warning",
        counter_number: int | None = None,
        source: str = "",
        at: datetime | None = None,
        once: bool = False,
        resolved_at: datetime | None = None,
        ticket_id: uuid.UUID | None = None,
        value: int | None = None,
        threshold: int | None = None,
    ) -> AlertInfo:
        """An alert from elsewhere (paper out, device offline) for the manager, raised `at`
        (default now: an alert kept while the database was unreachable has its own time).
        `once`: an open alert of the same kind and source is returned, not raised again;
        `resolved_at`: a record of something already over, resolved by the system then."""
        hall = self._halls.get(hall_code)
        now = self._clock.now()
        when = at or now
        with self._unit() as s:
            if once:
                found = s.scalars(_open_alerts(hall.id, kind, source).limit(1)).first()
                if found is not None:
                    return _alert_info(found)
            alert = Alert(
                id=uuid.uuid4(),
                hall_id=hall.id,
                kind=kind[:24],
                severity=severity[:8],
                counter_number=counter_number,
                ticket_id=ticket_id,
                value=value,
                threshold=threshold,
                source=source[:64],
                message=message[:200],
                created_at=when,
                acknowledged_at=resolved_at,
            )
            s.add(alert)
            self._event(s, hall, None, "alert", counter_number, now, detail=kind[:200])
            return _alert_info(alert)

    def resolve_alerts(
        self,
        hall_code: str,
        kinds: str | tuple[str, ...],
        source: str,
        *,
        at: datetime | None = None,
    ) -> list[AlertInfo]:
        """The condition ended: the open alerts of `kinds` from `source` are acknowledged by
        the system (`acknowledged_by` NULL) `at` (default now); the ones closed."""
        hall = self._halls.get(hall_code)
        now = self._clock.now()
        with self._unit() as s:
            rows = s.scalars(_open_alerts(hall.id, kinds, source).with_for_update()).all()
            for alert in rows:
                alert.acknowledged_at = at or now
            if rows:
                counter = rows[0].counter_number
                kind = rows[0].kind
                self._event(s, hall, None, "alert", counter, now, detail=f"{kind} resolved")
            return [_alert_info(a) for a in rows]

    def alert_history(self, hall_code: str, source: str, *, limit: int = 100) -> list[AlertInfo]:
        """Every alert of `source`, oldest first (the latest `limit`)."""
        hall = self._halls.get(hall_code)
        with self._read() as s:
            stmt = select(Alert).where(Alert.hall_id == hall.id, Alert.source == source[:64])
            rows = s.scalars(stmt.order_by(Alert.created_at.desc()).limit(limit)).all()
            return [_alert_info(a) for a in reversed(rows)]

    def device_history(
        self, hall_code: str, bus: str, address: int, *, limit: int = 100
    ) -> list[AlertInfo]:
        """A device's history, oldest first: `device_offline` (created: offline since;
        acknowledged: back at), `device_online` (back at), `device_fault` (and cleared)."""
        return self.alert_history(hall_code, device_source(bus, address), limit=limit)

    def alerts(self, hall_code: str, *, open_only: bool = True, limit: int = 50) -> list[AlertInfo]:
        hall = self._halls.get(hall_code)
        with self._read() as s:
            stmt = select(Alert).where(Alert.hall_id == hall.id)
            if open_only:
                stmt = stmt.where(Alert.acknowledged_at.is_(None))
            rows = s.scalars(stmt.order_by(Alert.created_at.desc()).limit(limit)).all()
            return [_alert_info(a) for a in rows]

    @contextmanager
    def _manager_step(
        self, alert_id: uuid.UUID, actor: Actor
    ) -> Iterator[tuple[Session, Alert, Actor, datetime]]:
        """A manager's step on one alert: the proven manager, the alert locked, now."""
        if self._auth is None:
            raise DomainError(errors.NOT_AUTHENTICATED, "no authority to check who acts")
        actor = self._auth.check(actor, "manager")
        now = self._clock.now()
        with self._unit() as s:
            alert = s.get(Alert, alert_id, with_for_update=True)
            if alert is None:
                raise DomainError(errors.BAD_INPUT, "no such alert")
            yield s, alert, actor, now

    def acknowledge(self, alert_id: uuid.UUID, actor: Actor, note: str = "") -> None:
        """A manager has seen the alert (and says what was done): audited."""
        with self._manager_step(alert_id, actor) as (s, alert, manager, now):
            if alert.acknowledged_at is None or alert.acknowledged_by is None:
                # open, or cleared by the system and not yet seen by a manager
                _seen(alert, manager, now, note)
                audit.record(s, now, audit.ALERT_ACKNOWLEDGED, actor=manager,
                             record_type="alert", record_id=alert_id, note=note[:200])  # fmt: skip

    def request_complaint(self, alert_id: uuid.UUID, actor: Actor, note: str = "") -> None:
        """A manager asks for a complaint work order from an alert (a dissatisfied
        customer): recorded in the audit log with the ticket and the rating, and the alert
        acknowledged with the note. The work orders themselves come with their own issue."""
        with self._manager_step(alert_id, actor) as (s, alert, manager, now):
            audit.record(
                s,
                now,
                audit.COMPLAINT_REQUESTED,
                actor=manager,
                record_type="alert",
                record_id=alert_id,
                note=note[:200],
                ticket=str(alert.ticket_id or ""),
                evaluation=str(alert.evaluation_id or ""),
            )
            if alert.acknowledged_by is None:
                _seen(alert, manager, now, f"complaint requested: {note}")


def _seen(alert: Alert, actor: Actor, now: datetime, note: str) -> None:
    alert.acknowledged_at = alert.acknowledged_at or now
    alert.acknowledged_by = actor.id
    alert.note = note[:200]


def _alert_info(a: Alert) -> AlertInfo:
    return AlertInfo(
        id=a.id,
        kind=a.kind,
        severity=a.severity,
        counter_number=a.counter_number,
        ticket_id=a.ticket_id,
        message=a.message,
        created_at=a.created_at,
        acknowledged=a.acknowledged_at is not None,
        source=a.source,
        acknowledged_at=a.acknowledged_at,
        acknowledged_by=a.acknowledged_by,
    )


def _open_alerts(hall_id: uuid.UUID, kinds: str | tuple[str, ...], source: str) -> Select[Alert]:
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    return select(Alert).where(
        Alert.hall_id == hall_id,
        Alert.kind.in_([k[:24] for k in kinds]),
        Alert.source == source[:64],
        Alert.acknowledged_at.is_(None),
    )
