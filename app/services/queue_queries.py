"""Read models of the queue: a counter's state, the hall snapshot, the event feed.

Read-only units of work: on SQLite they take a deferred BEGIN and never block writers.
Windows poll `last_event_id` (one indexed lookup) and re-read only when it moved.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.models import Counter, CounterPause, CounterSession, Staff, Ticket, TicketEvent
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock, SystemClock
from app.services.dto import (
    CounterBoard,
    CounterState,
    HallInfo,
    HallSnapshot,
    QueueEvent,
    ServiceLoad,
    StaffInfo,
    TicketInfo,
)
from app.services.hall_ref import HallDirectory, business_date, ticket_info

CALL_KINDS = ("called", "recalled", "called_back")


class QueueQueries:
    def __init__(self, db: Database, halls: HallDirectory, clock: Clock | None = None) -> None:
        self._db = db
        self._halls = halls
        self._clock = clock or SystemClock()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with self._db.read() as session:
                yield session
        except OperationalError as exc:
            raise errors.DatabaseUnavailable(f"central database unreachable: {exc.orig}") from exc

    def hall(self, hall_code: str) -> HallInfo:
        return self._halls.get(hall_code)

    def last_event_id(self, hall_code: str) -> int:
        hall = self._halls.get(hall_code)
        with self._read() as s:
            return self._last_event_id(s, hall)

    def _last_event_id(self, s: Session, hall: HallInfo) -> int:
        return int(
            s.scalar(select(func.max(TicketEvent.id)).where(TicketEvent.hall_id == hall.id)) or 0
        )

    def events_after(self, hall_code: str, after_id: int, limit: int = 200) -> list[QueueEvent]:
        hall = self._halls.get(hall_code)
        with self._read() as s:
            rows = s.scalars(
                select(TicketEvent)
                .where(TicketEvent.hall_id == hall.id, TicketEvent.id > after_id)
                .order_by(TicketEvent.id)
                .limit(limit)
            ).all()
            return [_event(e) for e in rows]

    def counter_state(self, hall_code: str, counter_number: int) -> CounterState:
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        day = business_date(hall, self._clock.now())
        with self._read() as s:
            last_id = self._last_event_id(s, hall)
            cs = s.scalars(
                select(CounterSession).where(
                    CounterSession.counter_id == counter.id, CounterSession.ended_at.is_(None)
                )
            ).first()
            staff = None
            reason = ""
            if cs is not None:
                row = s.get(Staff, cs.staff_id)
                if row is not None:
                    staff = StaffInfo(row.id, row.job_number, row.name, row.role)
                if cs.paused:
                    reason = (
                        s.scalar(
                            select(CounterPause.reason).where(
                                CounterPause.session_id == cs.id, CounterPause.ended_at.is_(None)
                            )
                        )
                        or ""
                    )
            tickets = s.scalars(
                select(Ticket)
                .where(
                    Ticket.counter_id == counter.id,
                    Ticket.status.in_(("called", "serving", "held")),
                )
                .order_by(Ticket.called_at)
            ).all()
            current = next((t for t in tickets if t.status != "held"), None)
            held = tuple(ticket_info(t, counter_number) for t in tickets if t.status == "held")
            counts = dict(
                s.execute(
                    select(Ticket.service_id, func.count())
                    .where(
                        Ticket.hall_id == hall.id,
                        Ticket.status == "waiting",
                        Ticket.business_date == day,
                        Ticket.service_id.in_(counter.service_ids),
                    )
                    .group_by(Ticket.service_id)
                ).all()
            )
            waiting = tuple(
                (svc.code, int(counts.get(svc.id, 0)))
                for sid in counter.service_ids
                if (svc := hall.service_by_id(sid)) is not None
            )
            return CounterState(
                counter_number=counter_number,
                session_open=cs is not None,
                staff=staff,
                paused=bool(cs and cs.paused),
                pause_reason=reason,
                current=ticket_info(current, counter_number) if current else None,
                held=held,
                waiting=waiting,
                last_event_id=last_id,
            )

    def snapshot(self, hall_code: str, recent: int = 8) -> HallSnapshot:
        hall = self._halls.get(hall_code)
        now = self._clock.now()
        day = business_date(hall, now)
        with self._read() as s:
            last_id = self._last_event_id(s, hall)
            waiting_rows = s.execute(
                select(Ticket.service_id, func.count(), func.min(Ticket.queue_at))
                .where(
                    Ticket.hall_id == hall.id,
                    Ticket.status == "waiting",
                    Ticket.business_date == day,
                )
                .group_by(Ticket.service_id)
            ).all()
            by_service = {sid: (int(n), oldest) for sid, n, oldest in waiting_rows}
            loads = []
            for svc in hall.services:
                n, oldest = by_service.get(svc.id, (0, None))
                longest = _seconds_since(oldest, now)
                over = 0
                if n and longest > svc.wait_threshold_min * 60:
                    limit = now.timestamp() - svc.wait_threshold_min * 60
                    over = int(
                        s.scalar(
                            select(func.count()).where(
                                Ticket.hall_id == hall.id,
                                Ticket.service_id == svc.id,
                                Ticket.status == "waiting",
                                Ticket.business_date == day,
                                Ticket.queue_at < datetime.fromtimestamp(limit, tz=now.tzinfo),
                            )
                        )
                        or 0
                    )
                loads.append(ServiceLoad(svc.code, n, longest, over))
            open_sessions = {
                cid: paused
                for cid, paused in s.execute(
                    select(CounterSession.counter_id, CounterSession.paused).where(
                        CounterSession.ended_at.is_(None)
                    )
                ).all()
            }
            numbers = {
                t.counter_id: t.display_number
                for t in s.scalars(
                    select(Ticket).where(
                        Ticket.hall_id == hall.id, Ticket.status.in_(("called", "serving"))
                    )
                )
            }
            boards = tuple(
                CounterBoard(
                    counter_number=c.number,
                    current_number=numbers.get(c.id, ""),
                    open=c.id in open_sessions,
                    paused=bool(open_sessions.get(c.id, False)),
                )
                for c in hall.counters
            )
            calls = s.scalars(
                select(TicketEvent)
                .where(TicketEvent.hall_id == hall.id, TicketEvent.kind.in_(CALL_KINDS))
                .order_by(TicketEvent.id.desc())
                .limit(recent)
            ).all()
            return HallSnapshot(
                last_event_id=last_id,
                taken_at=now,
                loads=tuple(loads),
                counters=boards,
                recent_calls=tuple(_event(e) for e in calls),
            )

    def ticket(self, ticket_id: uuid.UUID) -> TicketInfo | None:
        with self._read() as s:
            row = s.execute(
                select(Ticket, Counter.number)
                .outerjoin(Counter, Counter.id == Ticket.counter_id)
                .where(Ticket.id == ticket_id)
            ).first()
            if row is None:
                return None
            return ticket_info(row[0], row[1])


def _event(e: TicketEvent) -> QueueEvent:
    return QueueEvent(
        id=e.id,
        kind=e.kind,
        display_number=e.display_number,
        service_id=e.service_id,
        counter_number=e.counter_number,
        at=e.at,
    )


def _seconds_since(when: datetime | None, now: datetime) -> int:
    if when is None:
        return 0
    return max(0, int((now - when).total_seconds()))
