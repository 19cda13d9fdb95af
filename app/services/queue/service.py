"""The hall queue: issue, call, serve, finish, recall, no-show, hold, transfer, pause.

Every public method is one transaction. "Call next" locks the chosen ticket with
`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite every writing transaction is
`BEGIN IMMEDIATE`, so two counters never get the same ticket on either. A wrong step
raises `DomainError` before anything is written.

Which ticket "call next" takes, in which order, and how it stays fast with thousands
waiting: see `pick`. The hot steps read and write tickets as plain rows, one
statement each (see `common`).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from datetime import date

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.models import TicketSeries
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock
from app.services.dto import HallInfo, IssuedTicket, TicketInfo
from app.services.errors import DomainError
from app.services.hall_ref import (
    TICKET_COLUMNS,
    TICKETS,
    WAITING,
    HallDirectory,
    TicketRow,
    business_date,
    ticket_info,
)
from app.services.queue.common import Place, QueueBase, Step, open_session, parse_ticket_ref
from app.services.queue.estimate import ahead_and_wait
from app.services.queue.pick import NextTicket

MAX_RECALLS = 5
# Call next on PostgreSQL tries again when its statement saw tickets waiting but could take
# none (`pick._postgres_call`): at once, then after 2, 4, ... ms, at most 50 ms apart.
CALL_TRIES = 12
CALL_RETRY_S = 0.001
CALL_RETRY_MAX_S = 0.05
PRIORITY_LEVELS = {"normal": 0, "elderly": 1, "vip": 2, "green": 3}
DISPENSER_MAX_LEN = 16

log = logging.getLogger(__name__)

_INSERT_TICKET = insert(TICKETS)
# The next number of a dispenser's series: `start` for the day's first ticket, else one more.
_NEXT_NUMBER = {
    name: make(TicketSeries)
    .on_conflict_do_update(
        index_elements=["hall_id", "service_id", "business_date", "dispenser"],
        set_={"last_number": TicketSeries.last_number + 1},
    )
    .returning(TicketSeries.last_number)
    for name, make in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_BY_NUMBER = (
    select(*TICKET_COLUMNS)
    .where(
        TICKETS.c.hall_id == bindparam("hall_id"),
        TICKETS.c.status == WAITING,
        TICKETS.c.business_date == bindparam("day"),
        TICKETS.c.prefix == bindparam("prefix"),
        TICKETS.c.number == bindparam("number"),
    )
    .with_for_update()
)


class QueueService(QueueBase):
    def __init__(self, db: Database, halls: HallDirectory, clock: Clock | None = None) -> None:
        super().__init__(db, halls, clock)
        self._next = NextTicket(db.dialect)
        self._postgres = db.dialect == "postgresql"

    # ------------------------------------------------------------------ issuing
    def issue_ticket(
        self,
        hall_code: str,
        service_code: str,
        *,
        priority: int = 0,
        dispenser: str = "D1",
        number_range: tuple[int, int] = (1, 999),
    ) -> IssuedTicket:
        hall = self._halls.get(hall_code)
        service = self._halls.service(hall, service_code)
        if priority < 0 or priority > max(PRIORITY_LEVELS.values()):
            raise DomainError(errors.BAD_INPUT, f"priority {priority} out of range")
        if not 1 <= len(dispenser) <= DISPENSER_MAX_LEN or not dispenser.isprintable():
            raise DomainError(errors.BAD_INPUT, f"bad dispenser name {dispenser!r}")
        start, end = number_range
        if not 1 <= start <= end <= 999:
            raise DomainError(errors.BAD_INPUT, f"number range {start}..{end} outside 1..999")
        with self._unit() as s:
            c = s.connection()  # SQLite's write lock is held from here: a step that
            now = self._clock.now()  # waited for this issue is not dated before it
            day = business_date(hall, now)
            number = self._next_number(c, hall, service.id, day, dispenser, start)
            if number > end:
                raise DomainError(
                    errors.SERIES_EXHAUSTED,
                    f"{service.prefix}{end:03d} was the last number of {dispenser} today",
                )
            ticket = TicketRow(
                id=uuid.uuid4(),
                hall_id=hall.id,
                service_id=service.id,
                business_date=day,
                prefix=service.prefix,
                number=number,
                code=f"{hall.code}-{day:%Y%m%d}-{service.prefix}{number:03d}",
                dispenser=dispenser,
                status="waiting",
                priority=priority,
                queue_at=now,
                issued_at=now,
                called_at=None,
                serving_at=None,
                finished_at=None,
                counter_id=None,
                staff_id=None,
                recall_count=0,
                origin_id=None,
                previous_id=None,
                transfers=0,
            )
            try:
                c.execute(_INSERT_TICKET, ticket._asdict())
            except IntegrityError as exc:  # another dispenser's range covers this number
                raise DomainError(
                    errors.BAD_INPUT,
                    f"{ticket.display_number} was already issued today: the number range of "
                    f"{dispenser} overlaps another dispenser's",
                ) from exc
            self._event(s, hall, ticket, "issued", None, now)
            ahead, wait_s = ahead_and_wait(c, hall, ticket, service.default_service_s, now)
        return IssuedTicket(
            ticket=ticket_info(ticket, None),
            service=service,
            hall_name_zh=hall.name_zh,
            hall_name_en=hall.name_en,
            ahead=ahead,
            estimated_wait_s=wait_s,
        )

    def _next_number(
        self,
        c: Connection,
        hall: HallInfo,
        service_id: uuid.UUID,
        day: date,
        dispenser: str,
        start: int,
    ) -> int:
        params = {
            "hall_id": hall.id,
            "service_id": service_id,
            "business_date": day,
            "dispenser": dispenser,
            "last_number": start,
        }
        return int(c.execute(_NEXT_NUMBER[self._db.dialect], params).scalar_one())

    # ------------------------------------------------------------------ calling
    def call_next(self, hall_code: str, counter_number: int) -> TicketInfo | None:
        """Finish the current customer, if any, and call the next; None if nobody waits.

        PostgreSQL: one round trip, three statements inside the transaction: the open
        session's lock, then one that finishes and one that picks and calls, each with
        its event, for an open, unpaused session only (`NextTicket.lock_and_call`); a
        closed or paused counter is refused with nothing written.
        SQLite keeps a statement for each part: it has no network round trips to save."""
        place = self._place(hall_code, counter_number)
        if self._postgres:
            return self._call_next_postgres(place)
        with self._step(place, unpaused=True) as st:
            day = business_date(st.hall, st.now)
            st.finish_current()
            ticket = self._next.pick(st.c, st.hall, st.counter, day)
            if ticket is None:
                return None
            return ticket_info(self._call(st, ticket, "called"), counter_number)

    def _call_next_postgres(self, place: Place) -> TicketInfo | None:
        """`call_next` as `_step` would run it, on the driver's connection, in one round
        trip: the lock and the call statement, which acts only for an open, unpaused
        session; the session's row then says why a refused call was refused (nothing was
        written). No Session and no SQLAlchemy statement around them (their client CPU
        was half a call's; docs/PERFORMANCE.md)."""
        hall, counter = place
        now = self._clock.now()
        for attempt in range(CALL_TRIES):
            with errors.database_reached(), self._db.driver_write() as unit:
                session, ticket, outrun = self._next.lock_and_call(
                    unit, hall, counter, business_date(hall, now), now, finish=attempt == 0
                )
            open_session(session, counter, unpaused=True)  # refused: closed or paused
            if ticket is not None:
                return ticket_info(ticket, counter.number)
            if not outrun:
                return None  # nobody waits
            # Tickets waited but none could be taken: called by others since the statement's
            # snapshot, or locked by a step that has not ended. A new transaction sees them.
            time.sleep(min(CALL_RETRY_MAX_S, CALL_RETRY_S * 2**attempt) if attempt else 0)
            now = max(now, self._clock.now())
        log.warning("call next at counter %s: tickets waited, none could be taken", counter.number)
        return None

    def call_sql(self, hall_code: str, counter_number: int) -> tuple[str, str, str]:
        """PostgreSQL: the three statements `call_next` sends at this counter, as the
        driver gets them (the lock: `counter_id`; the finish and the call: `day`, `now`).
        For the pgbench baseline, which replays them bare."""
        hall, counter = self._place(hall_code, counter_number)
        return self._next.call_sql(hall, counter)

    def call_number(self, hall_code: str, counter_number: int, number: str) -> TicketInfo:
        """指呼: call a waiting ticket by its number ("A012") or its printed code."""
        place = self._place(hall_code, counter_number)
        # what names no ticket is refused before the unit opens; the day is the step's
        parse_ticket_ref(place.hall, number, business_date(place.hall, self._clock.now()))
        with self._step(place, unpaused=True) as st:
            today = business_date(st.hall, st.now)
            day, prefix, wanted = parse_ticket_ref(st.hall, number, today)
            row = st.c.execute(
                _BY_NUMBER,
                {"hall_id": st.hall.id, "day": day, "prefix": prefix, "number": wanted},
            ).first()
            if row is None:
                shown = f"{prefix}{wanted:03d}"
                raise DomainError(
                    errors.TICKET_NOT_WAITING, f"no waiting ticket {shown} today", number=shown
                )
            st.finish_current()
            return ticket_info(self._call(st, TicketRow._make(row), "called"), counter_number)

    def _call(self, st: Step, t: TicketRow, kind: str) -> TicketRow:
        # Never before the ticket's issue: on PostgreSQL an issue holds no lock this step
        # waits for, so the step may see one dated a moment after its own (as in `pick`).
        st = replace(st, now=max(st.now, t.issued_at))
        staff_id = st.cs.staff_id
        t = st.update(
            t,
            status="called",
            called_at=t.called_at or st.now,
            counter_id=st.counter.id,
            staff_id=staff_id,
        )
        st.event(t, kind, staff_id=staff_id)
        return t

    def recall(self, hall_code: str, counter_number: int) -> TicketInfo:
        with self._step(self._place(hall_code, counter_number)) as st:
            t = st.require_current()
            if t.recall_count >= MAX_RECALLS:
                raise DomainError(
                    errors.RECALL_LIMIT, f"{t.display_number} was recalled {MAX_RECALLS} times"
                )
            t = st.update(t, recall_count=t.recall_count + 1)
            st.event(t, "recalled", staff_id=st.cs.staff_id)
            return ticket_info(t, counter_number)

    def start_serving(self, hall_code: str, counter_number: int) -> TicketInfo:
        with self._step(self._place(hall_code, counter_number)) as st:
            t = st.require_current()
            if t.status == "serving":
                raise DomainError(errors.NOT_SERVING, f"{t.display_number} is already served")
            t = st.update(t, status="serving", serving_at=st.now)
            st.event(t, "serving", staff_id=st.cs.staff_id)
            return ticket_info(t, counter_number)

    def finish(self, hall_code: str, counter_number: int) -> TicketInfo:
        with self._step(self._place(hall_code, counter_number)) as st:
            t = st.finish_current()
            if t is None:
                raise DomainError(errors.NO_CURRENT_TICKET, "this counter has no current ticket")
            return ticket_info(t, counter_number)

    def no_show(self, hall_code: str, counter_number: int) -> TicketInfo:
        with self._step(self._place(hall_code, counter_number)) as st:
            t = st.require_current()
            if t.status != "called":
                raise DomainError(
                    errors.NOT_SERVING, f"{t.display_number} is being served; it did show up"
                )
            t = st.update(t, status="no_show", finished_at=st.now)
            st.event(t, "no_show", staff_id=t.staff_id)
            return ticket_info(t, counter_number)

    def hold(self, hall_code: str, counter_number: int) -> TicketInfo:
        with self._step(self._place(hall_code, counter_number)) as st:
            t = st.update(st.require_current(), status="held")
            st.event(t, "held", staff_id=t.staff_id)
            return ticket_info(t, counter_number)

    def call_back(
        self, hall_code: str, counter_number: int, ticket_id: uuid.UUID | None = None
    ) -> TicketInfo:
        """Call back a ticket this counter put on hold (the oldest if none is named)."""
        with self._step(self._place(hall_code, counter_number), unpaused=True) as st:
            if st.current() is not None:
                raise DomainError(errors.COUNTER_BUSY, "finish or hold the current customer first")
            stmt = select(*TICKET_COLUMNS).where(
                TICKETS.c.counter_id == st.counter.id, TICKETS.c.status == "held"
            )
            if ticket_id is not None:
                stmt = stmt.where(TICKETS.c.id == ticket_id)
            row = st.c.execute(
                stmt.order_by(TICKETS.c.called_at).limit(1).with_for_update()
            ).first()
            if row is None:
                raise DomainError(errors.NO_HELD_TICKET, "no ticket on hold at this counter")
            t = st.update(TicketRow._make(row), status="called", staff_id=st.cs.staff_id)
            st.event(t, "called_back", staff_id=st.cs.staff_id)
            return ticket_info(t, counter_number)

    def transfer(
        self, hall_code: str, counter_number: int, service_code: str | None = None
    ) -> TicketInfo:
        """Send the current customer to another service; the new leg keeps the printed
        number and the original issue time, and the chain is recorded."""
        place = self._place(hall_code, counter_number)
        hall, counter = place.hall, place.counter
        if service_code is not None:
            target = self._halls.service(hall, service_code)
        elif (found := hall.transfer_target(counter)) is not None:
            target = found
        else:
            raise DomainError(
                errors.BAD_TRANSFER, f"counter {counter_number} has no active transfer service"
            )
        with self._step(place) as st:
            t = st.require_current()
            if t.service_id == target.id:
                raise DomainError(errors.BAD_TRANSFER, "the ticket is already in that service")
            now = st.now
            t = st.update(
                t,
                status="transferred",
                finished_at=now,
                serving_at=t.serving_at or t.called_at or now,
            )
            leg = t._replace(
                id=uuid.uuid4(),
                service_id=target.id,
                status="waiting",
                issued_at=now,
                called_at=None,
                serving_at=None,
                finished_at=None,
                counter_id=None,
                staff_id=None,
                recall_count=0,
                origin_id=t.origin_id or t.id,
                previous_id=t.id,
                transfers=t.transfers + 1,
            )
            st.c.execute(_INSERT_TICKET, leg._asdict())
            st.event(t, "transferred", staff_id=t.staff_id, detail=target.code)
            return ticket_info(leg, None)
