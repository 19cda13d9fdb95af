"""What the queue's writing services share: the unit of work, the counter's open session
(locked, so one counter's steps never interleave), its current ticket, the event log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.models import CounterSession, Ticket, TicketEvent
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock, SystemClock
from app.services.dto import CounterInfo, HallInfo
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory


class QueueBase:
    def __init__(self, db: Database, halls: HallDirectory, clock: Clock | None = None) -> None:
        self._db = db
        self._halls = halls
        self._clock = clock or SystemClock()

    @property
    def clock(self) -> Clock:
        return self._clock

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        try:
            with self._db.write() as session:
                yield session
        except OperationalError as exc:
            raise errors.DatabaseUnavailable(f"central database unreachable: {exc.orig}") from exc

    # ------------------------------------------------------------------ helpers
    def _session(self, s: Session, counter: CounterInfo) -> CounterSession:
        """The open session at the counter, locked so one counter's steps never interleave."""
        cs = s.scalars(
            select(CounterSession)
            .where(CounterSession.counter_id == counter.id, CounterSession.ended_at.is_(None))
            .with_for_update()
        ).first()
        if cs is None:
            raise DomainError(
                errors.COUNTER_CLOSED, f"nobody is logged in at counter {counter.number}"
            )
        return cs

    def _current(self, s: Session, counter_id: uuid.UUID) -> Ticket | None:
        return s.scalars(
            select(Ticket).where(
                Ticket.counter_id == counter_id, Ticket.status.in_(("called", "serving"))
            )
        ).first()

    def _require_current(self, s: Session, counter_id: uuid.UUID) -> Ticket:
        t = self._current(s, counter_id)
        if t is None:
            raise DomainError(errors.NO_CURRENT_TICKET, "this counter has no current ticket")
        return t

    def _event(
        self,
        s: Session,
        hall: HallInfo,
        t: Ticket | None,
        kind: str,
        counter_number: int | None,
        now: datetime,
        *,
        staff_id: uuid.UUID | None = None,
        detail: str = "",
    ) -> None:
        s.add(
            TicketEvent(
                hall_id=hall.id,
                ticket_id=t.id if t else None,
                kind=kind,
                display_number=t.display_number if t else "",
                service_id=t.service_id if t else None,
                counter_number=counter_number,
                staff_id=staff_id,
                detail=detail,
                at=now,
            )
        )
