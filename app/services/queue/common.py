"""What the queue's writing services share: the unit of work, the step frame (a counter's
open session, locked so one counter's steps never interleave, its current ticket and the
event log), the refusal of a step at a closed or paused counter, and the parsing of what
a clerk types to call a ticket.

A step at a counter is written as

    with self._step(self._place(hall_code, counter_number)) as st:
        t = st.require_current()
        ...
        st.event(t, "held", staff_id=t.staff_id)

`_place` resolves the hall and the counter before any database work (so an unknown hall
or counter is refused untouched); `_step` opens the unit, locks the open session
(`counter_closed` if there is none, `counter_paused` if asked for and it is), takes the
moment only then, so a step that waited for a lock is never dated before the steps it
waited for (a ticket called before it was issued), and yields a `Step`; the step says
only what differs.

The hot steps (issue, call, finish) read and write tickets as plain rows, one statement
each, through the unit's connection: no ORM object is loaded, flushed or expired. Events
are collected during the unit and written in one statement just before its commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from app.models import CounterSession, Ticket, TicketEvent
from app.models.db import Database
from app.models.queue import OPEN_AT_COUNTER
from app.services import errors
from app.services.clock import Clock, SystemClock
from app.services.dto import CounterInfo, HallInfo
from app.services.errors import DomainError
from app.services.hall_ref import (
    OPEN_STATUSES,
    TICKET_COLUMNS,
    TICKETS,
    HallDirectory,
    TicketRow,
    status_literal,
)

_NUMBER = re.compile(r"([A-Z])(\d{3})")
_DAY = re.compile(r"\d{8}")
_EVENTS = "halldesk_pending_events"

EVENTS = cast(Table, TicketEvent.__table__)
SESSIONS = cast(Table, CounterSession.__table__)

LOCK_SESSION = (
    select(SESSIONS.c.id, SESSIONS.c.staff_id, SESSIONS.c.paused)
    .where(SESSIONS.c.counter_id == bindparam("counter_id"), SESSIONS.c.ended_at.is_(None))
    .with_for_update()
)
_CURRENT = select(*TICKET_COLUMNS).where(
    TICKETS.c.counter_id == bindparam("counter_id"), TICKETS.c.status.in_(OPEN_STATUSES)
)
_current_id = TICKETS.alias("cur")
# Finish the counter's current ticket (if any) and return it, in one statement. Served
# without pressing Start: the service began when the ticket was called.
_FINISH_CURRENT = (
    update(TICKETS)
    .where(
        TICKETS.c.id
        == select(_current_id.c.id)
        .where(
            _current_id.c.counter_id == bindparam("at_counter"),
            _current_id.c.status.in_(OPEN_STATUSES),
        )
        .limit(1)
        .scalar_subquery(),
        TICKETS.c.status.in_(OPEN_STATUSES),
    )
    # (status last: tests/bench/pgbaseline.py finds the UPDATE that calls a ticket by its
    # "UPDATE tickets SET status" prefix)
    .ordered_values(
        (TICKETS.c.finished_at, bindparam("now", type_=TICKETS.c.finished_at.type)),
        (
            TICKETS.c.serving_at,
            func.coalesce(
                TICKETS.c.serving_at,
                TICKETS.c.called_at,
                bindparam("now", type_=TICKETS.c.serving_at.type),
            ),
        ),
        (TICKETS.c.status, status_literal("done")),
    )
    .returning(*TICKET_COLUMNS)
)
_UPDATE_TICKET = update(TICKETS).where(TICKETS.c.id == bindparam("tickets_id"))
_INSERT_EVENTS = insert(EVENTS)


class OpenSession(NamedTuple):
    """The counter's open session as the queue steps need it (locked for the unit)."""

    id: uuid.UUID
    staff_id: uuid.UUID
    paused: bool


class Place(NamedTuple):
    """Where a step happens, known before its unit of work opens (its moment is not)."""

    hall: HallInfo
    counter: CounterInfo


@dataclass(frozen=True, slots=True)
class Step:
    """One step at a counter inside its unit of work: where and when, the unit's session
    `s` and connection `c`, and the counter's open session `cs`, locked for the unit."""

    hall: HallInfo
    counter: CounterInfo
    now: datetime
    s: Session
    c: Connection
    cs: OpenSession

    def event(
        self,
        t: Ticket | TicketRow | None,
        kind: str,
        *,
        staff_id: uuid.UUID | None = None,
        detail: str = "",
    ) -> None:
        """Log an event of this step at this counter, now (written before the commit)."""
        log_event(
            self.s,
            self.hall,
            t,
            kind,
            self.counter.number,
            self.now,
            staff_id=staff_id,
            detail=detail,
        )

    def current(self) -> TicketRow | None:
        """The counter's current ticket (called or being served), if any."""
        row = self.c.execute(_CURRENT, {"counter_id": self.counter.id}).first()
        return TicketRow._make(row) if row is not None else None

    def require_current(self) -> TicketRow:
        t = self.current()
        if t is None:
            raise DomainError(errors.NO_CURRENT_TICKET, "this counter has no current ticket")
        return t

    def update(self, t: TicketRow, **values: Any) -> TicketRow:
        """One UPDATE of the given columns by the ticket's id; the row as written."""
        self.c.execute(_UPDATE_TICKET, {"tickets_id": t.id, **values})
        return t._replace(**values)

    def finish_current(self) -> TicketRow | None:
        """Finish the counter's current customer, if any: the ticket as it is now."""
        row = self.c.execute(
            _FINISH_CURRENT, {"at_counter": self.counter.id, "now": self.now}
        ).first()
        if row is None:
            return None
        t = TicketRow._make(row)
        self.event(t, "done", staff_id=t.staff_id)
        return t


def open_session(row: Any, counter: CounterInfo, *, unpaused: bool = False) -> OpenSession:
    """The counter's open session from its locked row (`LOCK_SESSION`): `counter_closed`
    if there is none, `counter_paused` if `unpaused` is asked for and it is paused."""
    if row is None:
        raise DomainError(errors.COUNTER_CLOSED, f"nobody is logged in at counter {counter.number}")
    cs = OpenSession(*row)
    if unpaused and cs.paused:
        raise DomainError(errors.COUNTER_PAUSED, "the counter is paused; resume first")
    return cs


def parse_ticket_ref(hall: HallInfo, raw: str, today: date) -> tuple[date, str, int]:
    """(business day, prefix, number) of what a clerk typed or scanned: "A012" (today) or
    the printed code "DEMO-20261123-A012". A code of another hall or day names no ticket
    that can be called now; anything else is `bad_input`."""
    text = raw.strip().upper()
    found = _NUMBER.fullmatch(text)
    if found:
        return today, found[1], int(found[2])
    parts = text.rsplit("-", 2)
    if len(parts) == 3 and _DAY.fullmatch(parts[1]) and (found := _NUMBER.fullmatch(parts[2])):
        try:
            day = datetime.strptime(parts[1], "%Y%m%d").date()
        except ValueError:
            raise DomainError(errors.BAD_INPUT, f"no such date in {raw!r}") from None
        if parts[0] != hall.code.upper() or day != today:
            raise DomainError(
                errors.TICKET_NOT_WAITING,
                f"{text} is not a ticket of hall {hall.code} today",
                number=text,
            )
        return day, found[1], int(found[2])
    raise DomainError(errors.BAD_INPUT, f"not a ticket number or code: {raw[:40]!r}")


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
        with errors.database_reached(), self._db.write() as session:
            yield session
            events = session.info.pop(_EVENTS, None)
            if events:
                session.connection().execute(_INSERT_EVENTS, events)

    def _place(self, hall_code: str, counter_number: int) -> Place:
        """The hall and the counter of a step (`unknown_hall`, `unknown_counter`)."""
        hall = self._halls.get(hall_code)
        return Place(hall, self._halls.counter(hall, counter_number))

    @contextmanager
    def _step(self, place: Place, *, unpaused: bool = False) -> Iterator[Step]:
        """A step at the counter as one unit of work, its open session locked first:
        `counter_closed` if nobody is logged in, `counter_paused` if `unpaused` is asked
        and the counter is paused; either before anything is written. Its moment is taken
        once the locks are held (SQLite's write lock, the session row)."""
        with self._unit() as s:
            c = s.connection()
            row = c.execute(LOCK_SESSION, {"counter_id": place.counter.id}).first()
            cs = open_session(row, place.counter, unpaused=unpaused)
            yield Step(place.hall, place.counter, self._clock.now(), s, c, cs)

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
                Ticket.counter_id == counter_id, Ticket.status.in_(OPEN_AT_COUNTER)
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
        t: Ticket | TicketRow | None,
        kind: str,
        counter_number: int | None,
        now: datetime,
        *,
        staff_id: uuid.UUID | None = None,
        detail: str = "",
    ) -> None:
        """Log an event of this unit; the unit writes its events just before it commits."""
        log_event(s, hall, t, kind, counter_number, now, staff_id=staff_id, detail=detail)


def log_event(
    s: Session,
    hall: HallInfo,
    t: Ticket | TicketRow | None,
    kind: str,
    counter_number: int | None,
    now: datetime,
    *,
    staff_id: uuid.UUID | None = None,
    detail: str = "",
) -> None:
    """Log an event of the unit of `s`; `QueueBase._unit` writes them before it commits."""
    s.info.setdefault(_EVENTS, []).append(
        {
            "hall_id": hall.id,
            "ticket_id": t.id if t else None,
            "kind": kind,
            "display_number": f"{t.prefix}{t.number:03d}" if t else "",
            "service_id": t.service_id if t else None,
            "counter_number": counter_number,
            "staff_id": staff_id,
            "detail": detail,
            "at": now,
        }
    )
