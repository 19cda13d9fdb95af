"""Counter sessions: a clerk logs in at a counter, pauses with a reason, resumes, logs out.

Idle and paused time are measured from these rows, never lost: a session runs from login
to logout, and every pause is its own row with its reason.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import CounterPause, CounterSession, Staff, Ticket
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory
from app.services.queue.common import SESSIONS, QueueBase
from app.services.security.auth import Actor, AuthService


class CounterService(QueueBase):
    def __init__(
        self, db: Database, halls: HallDirectory, clock: Clock | None = None, *, auth: AuthService
    ) -> None:
        super().__init__(db, halls, clock)
        self._auth = auth

    def open_session(self, hall_code: str, counter_number: int, actor: Actor) -> None:
        """A clerk takes the counter; an earlier session there, or of the clerk elsewhere, is
        closed. The clerk logging in again where their session is open keeps it as it is
        (its current ticket, holds and pause), so restarting a workstation loses nothing.
        `actor` is who logged in (a proven identity, not a bare staff id): the counter's
        steps are recorded under this clerk's name."""
        staff_id = self._auth.check(actor, "clerk").id
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            staff = s.get(Staff, staff_id)
            if staff is None or not staff.active:
                raise DomainError(errors.BAD_INPUT, f"no active staff member {staff_id}")
            open_rows = s.scalars(
                select(CounterSession)
                .where(
                    CounterSession.ended_at.is_(None),
                    (CounterSession.counter_id == counter.id)
                    | (CounterSession.staff_id == staff_id),
                )
                .with_for_update()
            ).all()
            if any(r.counter_id == counter.id and r.staff_id == staff_id for r in open_rows):
                return
            for row in open_rows:
                if row.counter_id != counter.id:
                    other = self._current(s, row.counter_id)
                    if other is not None:
                        raise DomainError(
                            errors.COUNTER_BUSY,
                            "this clerk is still serving a customer at another counter",
                        )
                self._end_session(s, row.id, row.counter_id, row.paused, now)
            s.flush()
            s.add(
                CounterSession(
                    id=uuid.uuid4(), counter_id=counter.id, staff_id=staff_id, started_at=now
                )
            )
            try:
                s.flush()
            except IntegrityError as exc:  # one open session per counter and per clerk
                raise DomainError(
                    errors.COUNTER_BUSY, "someone logged in at this counter at the same moment"
                ) from exc
            self._event(s, hall, None, "opened", counter_number, now, staff_id=staff_id)

    def close_session(self, hall_code: str, counter_number: int) -> None:
        with self._step(self._place(hall_code, counter_number)) as st:
            if st.current() is not None:
                raise DomainError(errors.COUNTER_BUSY, "finish the current customer first")
            self._end_session(st.s, st.cs.id, st.counter.id, st.cs.paused, st.now)
            st.event(None, "closed", staff_id=st.cs.staff_id)

    def _end_session(
        self,
        s: Session,
        session_id: uuid.UUID,
        counter_id: uuid.UUID,
        paused: bool,
        now: datetime,
    ) -> None:
        s.execute(update(SESSIONS).where(SESSIONS.c.id == session_id).values(ended_at=now))
        if paused:
            self._end_pause(s, session_id, now)
        # Held tickets go back to the queue at their original place.
        s.execute(
            update(Ticket)
            .where(Ticket.counter_id == counter_id, Ticket.status == "held")
            .values(status="waiting", counter_id=None, staff_id=None)
        )

    def pause(self, hall_code: str, counter_number: int, reason: str) -> None:
        reason = reason.strip()
        if not reason:
            raise DomainError(errors.BAD_INPUT, "a pause needs a reason")
        with self._step(self._place(hall_code, counter_number)) as st:
            if st.cs.paused:
                raise DomainError(errors.COUNTER_PAUSED, "the counter is already paused")
            if st.current() is not None:
                raise DomainError(errors.COUNTER_BUSY, "finish the current customer first")
            st.s.execute(update(SESSIONS).where(SESSIONS.c.id == st.cs.id).values(paused=True))
            st.s.add(
                CounterPause(
                    id=uuid.uuid4(), session_id=st.cs.id, reason=reason[:64], started_at=st.now
                )
            )
            st.event(None, "paused", detail=reason[:200])

    def resume(self, hall_code: str, counter_number: int) -> None:
        with self._step(self._place(hall_code, counter_number)) as st:
            if not st.cs.paused:
                raise DomainError(errors.NOT_PAUSED, "the counter is not paused")
            self._end_pause(st.s, st.cs.id, st.now)
            st.event(None, "resumed")

    def _end_pause(self, s: Session, session_id: uuid.UUID, now: datetime) -> None:
        s.execute(update(SESSIONS).where(SESSIONS.c.id == session_id).values(paused=False))
        s.execute(
            update(CounterPause)
            .where(CounterPause.session_id == session_id, CounterPause.ended_at.is_(None))
            .values(ended_at=now)
        )
