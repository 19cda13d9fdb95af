"""Read models of the queue: a counter's state, the hall snapshot, the event feed.

Read-only units of work: on SQLite they take a deferred BEGIN and never block writers.
Windows poll `last_event_id` (one indexed lookup) and re-read only when it moved.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, case, func, literal, select
from sqlalchemy.orm import Session

from app.models import Counter, CounterPause, CounterSession, Evaluation, Staff, Ticket, TicketEvent
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock, SystemClock
from app.services.dto import (
    CounterBoard,
    CounterState,
    HallInfo,
    HallSnapshot,
    QueueEvent,
    RatingState,
    ServiceLoad,
    StaffInfo,
    TicketInfo,
)
from app.services.hall_ref import (
    OPEN_STATUSES,
    TICKET_COLUMNS,
    TICKETS,
    WAITING,
    HallDirectory,
    TicketRow,
    business_date,
    status_literal,
    ticket_info,
)

CALL_KINDS = ("called", "recalled", "called_back")
# The events that (re)start a counter's timer for its current customer: a recall does not.
TIMER_KINDS = ("called", "called_back", "serving")

_EVENTS = cast(Table, TicketEvent.__table__)
_SESSIONS = cast(Table, CounterSession.__table__)
_STAFF = cast(Table, Staff.__table__)
_PAUSES = cast(Table, CounterPause.__table__)
# The hall's last event id, and the counter's open session with its clerk and the reason
# of its open pause, in one statement: no row when nobody is logged in.
_STATE_HEAD = (
    select(
        select(func.max(_EVENTS.c.id))
        .where(_EVENTS.c.hall_id == bindparam("hall_id"))
        .scalar_subquery()
        .label("last_id"),
        _SESSIONS.c.paused,
        _STAFF.c.id.label("staff_id"),
        _STAFF.c.job_number,
        _STAFF.c.name,
        _STAFF.c.role,
        select(_PAUSES.c.reason)
        .where(_PAUSES.c.session_id == _SESSIONS.c.id, _PAUSES.c.ended_at.is_(None))
        .limit(1)
        .scalar_subquery()
        .label("reason"),
    )
    .select_from(_SESSIONS.outerjoin(_STAFF, _STAFF.c.id == _SESSIONS.c.staff_id))
    .where(_SESSIONS.c.counter_id == bindparam("counter_id"), _SESSIONS.c.ended_at.is_(None))
    .limit(1)
)
_LAST_EVENT_ID = select(func.max(_EVENTS.c.id)).where(_EVENTS.c.hall_id == bindparam("hall_id"))
_EVENTS_AFTER = (
    select(
        _EVENTS.c.id,
        _EVENTS.c.kind,
        _EVENTS.c.display_number,
        _EVENTS.c.service_id,
        _EVENTS.c.counter_number,
        _EVENTS.c.at,
    )
    .where(_EVENTS.c.hall_id == bindparam("hall_id"), _EVENTS.c.id > bindparam("after_id"))
    .order_by(_EVENTS.c.id)
    .limit(bindparam("limit"))
)
# The number at each counter of the hall (its called or served ticket), by the index of
# the counters' tickets rather than through the hall's whole history.
_CURRENT_NUMBERS = select(
    TICKETS.c.counter_id, TICKETS.c.prefix, TICKETS.c.number, TICKETS.c.id
).where(
    TICKETS.c.counter_id.in_(bindparam("counter_ids", expanding=True)),
    TICKETS.c.status.in_(OPEN_STATUSES),
)
_RECENT_CALLS = (
    select(
        _EVENTS.c.id,
        _EVENTS.c.kind,
        _EVENTS.c.display_number,
        _EVENTS.c.service_id,
        _EVENTS.c.counter_number,
        _EVENTS.c.at,
    )
    .where(_EVENTS.c.hall_id == bindparam("hall_id"), _EVENTS.c.kind.in_(CALL_KINDS))
    .order_by(_EVENTS.c.id.desc())
    .limit(bindparam("limit"))
)
_COUNTER_TICKETS = (
    select(*TICKET_COLUMNS)
    .where(
        TICKETS.c.counter_id == bindparam("counter_id"),
        TICKETS.c.status.in_((*OPEN_STATUSES, status_literal("held"))),
    )
    .order_by(TICKETS.c.called_at)
)
# The newest event of each of the given tickets among `kinds` (by the ticket index).
_LAST_EVENT_OF = (
    select(_EVENTS.c.ticket_id, func.max(_EVENTS.c.id))
    .where(
        _EVENTS.c.ticket_id.in_(bindparam("ticket_ids", expanding=True)),
        _EVENTS.c.kind.in_(bindparam("kinds", expanding=True)),
    )
    .group_by(_EVENTS.c.ticket_id)
)
_EVENTS_BY_ID = select(
    _EVENTS.c.id,
    _EVENTS.c.kind,
    _EVENTS.c.display_number,
    _EVENTS.c.service_id,
    _EVENTS.c.counter_number,
    _EVENTS.c.at,
).where(_EVENTS.c.id.in_(bindparam("ids", expanding=True)))
_EVALUATIONS = cast(Table, Evaluation.__table__)
_LATEST_RATING = (
    select(
        _EVALUATIONS.c.id,
        TICKETS.c.prefix,
        TICKETS.c.number,
        _EVALUATIONS.c.status,
        _EVALUATIONS.c.rating,
        _EVALUATIONS.c.closed_at,
    )
    .select_from(_EVALUATIONS.outerjoin(TICKETS, TICKETS.c.id == _EVALUATIONS.c.ticket_id))
    .where(_EVALUATIONS.c.counter_id == bindparam("counter_id"))
    .order_by(_EVALUATIONS.c.requested_at.desc())
    .limit(1)
)
_WAITING_COUNTS = (
    select(TICKETS.c.service_id, func.count())
    .where(
        TICKETS.c.hall_id == bindparam("hall_id"),
        TICKETS.c.status == WAITING,
        TICKETS.c.business_date == bindparam("day"),
        TICKETS.c.service_id.in_(bindparam("service_ids", expanding=True)),
    )
    .group_by(TICKETS.c.service_id)
)


class QueueQueries:
    def __init__(self, db: Database, halls: HallDirectory, clock: Clock | None = None) -> None:
        self._db = db
        self._halls = halls
        self._clock = clock or SystemClock()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with errors.read_unit(self._db) as session:
            yield session

    def hall(self, hall_code: str) -> HallInfo:
        return self._halls.get(hall_code)

    def last_event_id(self, hall_code: str) -> int:
        hall = self._halls.get(hall_code)
        with self._read() as s:
            return self._last_event_id(s, hall)

    def _last_event_id(self, s: Session, hall: HallInfo) -> int:
        return int(s.connection().execute(_LAST_EVENT_ID, {"hall_id": hall.id}).scalar() or 0)

    def events_after(self, hall_code: str, after_id: int, limit: int = 200) -> list[QueueEvent]:
        hall = self._halls.get(hall_code)
        with self._read() as s:
            rows = s.connection().execute(
                _EVENTS_AFTER, {"hall_id": hall.id, "after_id": after_id, "limit": limit}
            )
            return [QueueEvent(*r) for r in rows]

    def counter_state(self, hall_code: str, counter_number: int) -> CounterState:
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        day = business_date(hall, self._clock.now())
        with self._read() as s:
            c = s.connection()
            head = c.execute(_STATE_HEAD, {"hall_id": hall.id, "counter_id": counter.id}).first()
            if head is None:  # nobody logged in
                last_id = self._last_event_id(s, hall)
                staff, paused, reason = None, False, ""
            else:
                last_id = int(head.last_id or 0)
                staff = (
                    StaffInfo(head.staff_id, head.job_number, head.name, head.role)
                    if head.staff_id is not None
                    else None
                )
                paused = bool(head.paused)
                reason = (head.reason or "") if paused else ""
            tickets = [
                TicketRow._make(r) for r in c.execute(_COUNTER_TICKETS, {"counter_id": counter.id})
            ]
            current = next((t for t in tickets if t.status != "held"), None)
            held = tuple(ticket_info(t, counter_number) for t in tickets if t.status == "held")
            counts: dict[uuid.UUID, int] = dict(
                c.execute(
                    _WAITING_COUNTS,
                    {"hall_id": hall.id, "day": day, "service_ids": list(counter.service_ids)},
                ).all()
            )
            waiting = tuple(
                (svc.code, int(counts.get(svc.id, 0)))
                for sid in counter.service_ids
                if (svc := hall.service_by_id(sid)) is not None
            )
            since = None
            if current is not None:
                since = self._last_events(c, [current.id], TIMER_KINDS).get(current.id)
            return CounterState(
                counter_number=counter_number,
                session_open=head is not None,
                staff=staff,
                paused=paused,
                pause_reason=reason,
                current=ticket_info(current, counter_number) if current else None,
                held=held,
                waiting=waiting,
                last_event_id=last_id,
                current_since=since.at
                if since is not None
                else current.called_at
                if current is not None
                else None,
            )

    def snapshot(self, hall_code: str, recent: int = 8) -> HallSnapshot:
        hall = self._halls.get(hall_code)
        now = self._clock.now()
        day = business_date(hall, now)
        # Waiting since before this moment: over the service's threshold.
        limits = {
            svc.id: datetime.fromtimestamp(
                now.timestamp() - svc.wait_threshold_min * 60, tz=now.tzinfo
            )
            for svc in hall.services
        }
        with self._read() as s:
            c = s.connection()
            last_id = self._last_event_id(s, hall)
            over_limit = TICKETS.c.queue_at < case(
                {sid: literal(at, TICKETS.c.queue_at.type) for sid, at in limits.items()},
                value=TICKETS.c.service_id,
                else_=None,
            )
            waiting_rows = c.execute(
                select(
                    TICKETS.c.service_id,
                    func.count(),
                    func.min(TICKETS.c.queue_at),
                    func.sum(case((over_limit, 1), else_=0)),
                )
                .where(
                    TICKETS.c.hall_id == hall.id,
                    TICKETS.c.status == WAITING,
                    TICKETS.c.business_date == day,
                )
                .group_by(TICKETS.c.service_id)
            ).all()
            by_service = {sid: (int(n), oldest, int(o or 0)) for sid, n, oldest, o in waiting_rows}
            loads = []
            for svc in hall.services:
                n, oldest, over = by_service.get(svc.id, (0, None, 0))
                longest = _seconds_since(oldest, now)
                if not (n and longest > svc.wait_threshold_min * 60):
                    over = 0
                loads.append(ServiceLoad(svc.code, n, longest, over))
            open_sessions = {
                cid: paused
                for cid, paused in c.execute(
                    select(_SESSIONS.c.counter_id, _SESSIONS.c.paused).where(
                        _SESSIONS.c.ended_at.is_(None)
                    )
                ).all()
            }
            current_rows = c.execute(
                _CURRENT_NUMBERS, {"counter_ids": [x.id for x in hall.counters]}
            ).all()
            numbers = {cid: f"{prefix}{number:03d}" for cid, prefix, number, _ in current_rows}
            # A call is current while its ticket is called or served at an open counter.
            calling = [
                row.id
                for row in current_rows
                if row.counter_id in open_sessions and not open_sessions[row.counter_id]
            ]
            now_calling = sorted(
                self._last_events(c, calling, CALL_KINDS).values(),
                key=lambda e: e.id,
                reverse=True,
            )
            boards = tuple(
                CounterBoard(
                    counter_number=x.number,
                    current_number=numbers.get(x.id, ""),
                    open=x.id in open_sessions,
                    paused=bool(open_sessions.get(x.id, False)),
                )
                for x in hall.counters
            )
            calls = c.execute(_RECENT_CALLS, {"hall_id": hall.id, "limit": recent})
            return HallSnapshot(
                last_event_id=last_id,
                taken_at=now,
                loads=tuple(loads),
                counters=boards,
                recent_calls=tuple(QueueEvent(*r) for r in calls),
                now_calling=tuple(now_calling),
            )

    def latest_rating(self, hall_code: str, counter_number: int) -> RatingState | None:
        """The counter's newest rating request and its outcome, if it ever asked for one."""
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        with self._read() as s:
            row = s.connection().execute(_LATEST_RATING, {"counter_id": counter.id}).first()
        if row is None:
            return None
        number = f"{row.prefix}{row.number:03d}" if row.prefix else ""
        return RatingState(row.id, number, row.status, row.rating, row.closed_at)

    @staticmethod
    def _last_events(
        c: Connection, ticket_ids: list[uuid.UUID], kinds: tuple[str, ...]
    ) -> dict[uuid.UUID, QueueEvent]:
        """The newest event among `kinds` of each ticket, by ticket id."""
        if not ticket_ids:
            return {}
        last = dict(
            c.execute(_LAST_EVENT_OF, {"ticket_ids": ticket_ids, "kinds": list(kinds)}).all()
        )
        if not last:
            return {}
        by_id = {
            r.id: QueueEvent(*r) for r in c.execute(_EVENTS_BY_ID, {"ids": list(last.values())})
        }
        return {tid: by_id[eid] for tid, eid in last.items() if eid in by_id}

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


def _seconds_since(when: datetime | None, now: datetime) -> int:
    if when is None:
        return 0
    return max(0, int((now - when).total_seconds()))
