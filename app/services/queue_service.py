"""The hall queue: issue, call, serve, finish, recall, no-show, hold, transfer, pause.

Every public method is one transaction. "Call next" locks the chosen ticket with
`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite every writing transaction is
`BEGIN IMMEDIATE`, so two counters never get the same ticket on either. A wrong step
raises `DomainError` before anything is written.

Queue order at a counter: effective priority (the ticket's own plus its service's weight)
first, then the counter's service order (its first service before its second), then the
original issue time, so a transferred ticket keeps its place.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import CounterSession, Ticket, TicketSeries
from app.services import errors
from app.services.dto import CounterInfo, HallInfo, IssuedTicket, TicketInfo
from app.services.errors import DomainError
from app.services.hall_ref import business_date, ticket_info
from app.services.queue_common import QueueBase, estimate_wait, parse_ticket_ref, people_ahead

MAX_RECALLS = 5
PRIORITY_LEVELS = {"normal": 0, "elderly": 1, "vip": 2, "green": 3}
DISPENSER_MAX_LEN = 16


class QueueService(QueueBase):
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
        now = self._clock.now()
        day = business_date(hall, now)
        with self._unit() as s:
            number = self._next_number(s, hall, service.id, day, dispenser, start)
            if number > end:
                raise DomainError(
                    errors.SERIES_EXHAUSTED,
                    f"{service.prefix}{end:03d} was the last number of {dispenser} today",
                )
            ticket = Ticket(
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
                recall_count=0,
                transfers=0,
            )
            s.add(ticket)
            try:
                s.flush()
            except IntegrityError as exc:  # another dispenser's range covers this number
                raise DomainError(
                    errors.BAD_INPUT,
                    f"{ticket.display_number} was already issued today: the number range of "
                    f"{dispenser} overlaps another dispenser's",
                ) from exc
            self._event(s, hall, ticket, "issued", None, now)
            ahead = people_ahead(s, hall, ticket)
            wait_s = estimate_wait(s, hall, service.id, service.default_service_s, ahead, now)
            info = ticket_info(ticket, None)
        return IssuedTicket(
            ticket=info,
            service=service,
            hall_name_zh=hall.name_zh,
            hall_name_en=hall.name_en,
            ahead=ahead,
            estimated_wait_s=wait_s,
        )

    def _next_number(
        self,
        s: Session,
        hall: HallInfo,
        service_id: uuid.UUID,
        day: object,
        dispenser: str,
        start: int,
    ) -> int:
        insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
        stmt = insert(TicketSeries).values(
            hall_id=hall.id,
            service_id=service_id,
            business_date=day,
            dispenser=dispenser,
            last_number=start,
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=["hall_id", "service_id", "business_date", "dispenser"],
            set_={"last_number": TicketSeries.last_number + 1},
        ).returning(TicketSeries.last_number)
        return int(s.execute(upsert).scalar_one())

    # ------------------------------------------------------------------ calling
    def call_next(self, hall_code: str, counter_number: int) -> TicketInfo | None:
        """Finish the current customer, if any, and call the next; None if nobody waits."""
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            cs = self._session(s, counter)
            if cs.paused:
                raise DomainError(errors.COUNTER_PAUSED, "the counter is paused; resume first")
            current = self._current(s, counter.id)
            if current is not None:
                self._finish(s, hall, current, counter_number, now)
            ticket = self._pick_next(s, hall, counter, business_date(hall, now))
            if ticket is None:
                return None
            self._call(s, hall, ticket, counter, cs, now, "called")
            return ticket_info(ticket, counter_number)

    def _pick_next(
        self, s: Session, hall: HallInfo, counter: CounterInfo, day: object
    ) -> Ticket | None:
        if not counter.service_ids:
            return None
        ranks = {sid: i for i, sid in enumerate(counter.service_ids)}
        weights = {sv.id: sv.priority_weight for sv in hall.services if sv.id in ranks}
        effective = Ticket.priority + case(weights, value=Ticket.service_id, else_=0)
        rank = case(ranks, value=Ticket.service_id, else_=len(ranks))
        stmt = (
            select(Ticket)
            .where(
                Ticket.hall_id == hall.id,
                Ticket.status == "waiting",
                Ticket.business_date == day,
                Ticket.service_id.in_(counter.service_ids),
            )
            .order_by(effective.desc(), rank, Ticket.queue_at, Ticket.number)
            .limit(1)
            .with_for_update(skip_locked=True, of=Ticket)
        )
        return s.scalars(stmt).first()

    def call_number(self, hall_code: str, counter_number: int, number: str) -> TicketInfo:
        """指呼: call a waiting ticket by its number ("A012") or its printed code."""
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        day, prefix, wanted = parse_ticket_ref(hall, number, business_date(hall, now))
        with self._unit() as s:
            cs = self._session(s, counter)
            if cs.paused:
                raise DomainError(errors.COUNTER_PAUSED, "the counter is paused; resume first")
            ticket = s.scalars(
                select(Ticket)
                .where(
                    Ticket.hall_id == hall.id,
                    Ticket.status == "waiting",
                    Ticket.business_date == day,
                    Ticket.prefix == prefix,
                    Ticket.number == wanted,
                )
                .with_for_update()
            ).first()
            if ticket is None:
                shown = f"{prefix}{wanted:03d}"
                raise DomainError(
                    errors.TICKET_NOT_WAITING, f"no waiting ticket {shown} today", number=shown
                )
            current = self._current(s, counter.id)
            if current is not None:
                self._finish(s, hall, current, counter_number, now)
            self._call(s, hall, ticket, counter, cs, now, "called")
            return ticket_info(ticket, counter_number)

    def _call(
        self,
        s: Session,
        hall: HallInfo,
        t: Ticket,
        counter: CounterInfo,
        cs: CounterSession,
        now: datetime,
        kind: str,
    ) -> None:
        t.status = "called"
        t.counter_id = counter.id
        t.staff_id = cs.staff_id
        if t.called_at is None:
            t.called_at = now
        self._event(s, hall, t, kind, counter.number, now, staff_id=cs.staff_id)

    def recall(self, hall_code: str, counter_number: int) -> TicketInfo:
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            cs = self._session(s, counter)
            t = self._require_current(s, counter.id)
            if t.recall_count >= MAX_RECALLS:
                raise DomainError(
                    errors.RECALL_LIMIT, f"{t.display_number} was recalled {MAX_RECALLS} times"
                )
            t.recall_count += 1
            self._event(s, hall, t, "recalled", counter_number, now, staff_id=cs.staff_id)
            return ticket_info(t, counter_number)

    def start_serving(self, hall_code: str, counter_number: int) -> TicketInfo:
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            cs = self._session(s, counter)
            t = self._require_current(s, counter.id)
            if t.status == "serving":
                raise DomainError(errors.NOT_SERVING, f"{t.display_number} is already served")
            t.status = "serving"
            t.serving_at = now
            self._event(s, hall, t, "serving", counter_number, now, staff_id=cs.staff_id)
            return ticket_info(t, counter_number)

    def finish(self, hall_code: str, counter_number: int) -> TicketInfo:
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            self._session(s, counter)
            t = self._require_current(s, counter.id)
            self._finish(s, hall, t, counter_number, now)
            return ticket_info(t, counter_number)

    def _finish(
        self, s: Session, hall: HallInfo, t: Ticket, counter_number: int, now: datetime
    ) -> None:
        if t.serving_at is None:  # served without pressing Start
            t.serving_at = t.called_at or now
        t.status = "done"
        t.finished_at = now
        self._event(s, hall, t, "done", counter_number, now, staff_id=t.staff_id)

    def no_show(self, hall_code: str, counter_number: int) -> TicketInfo:
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            self._session(s, counter)
            t = self._require_current(s, counter.id)
            if t.status != "called":
                raise DomainError(
                    errors.NOT_SERVING, f"{t.display_number} is being served; it did show up"
                )
            t.status = "no_show"
            t.finished_at = now
            self._event(s, hall, t, "no_show", counter_number, now, staff_id=t.staff_id)
            return ticket_info(t, counter_number)

    def hold(self, hall_code: str, counter_number: int) -> TicketInfo:
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            self._session(s, counter)
            t = self._require_current(s, counter.id)
            t.status = "held"
            self._event(s, hall, t, "held", counter_number, now, staff_id=t.staff_id)
            return ticket_info(t, counter_number)

    def call_back(
        self, hall_code: str, counter_number: int, ticket_id: uuid.UUID | None = None
    ) -> TicketInfo:
        """Call back a ticket this counter put on hold (the oldest if none is named)."""
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            cs = self._session(s, counter)
            if cs.paused:
                raise DomainError(errors.COUNTER_PAUSED, "the counter is paused; resume first")
            if self._current(s, counter.id) is not None:
                raise DomainError(errors.COUNTER_BUSY, "finish or hold the current customer first")
            stmt = select(Ticket).where(Ticket.counter_id == counter.id, Ticket.status == "held")
            if ticket_id is not None:
                stmt = stmt.where(Ticket.id == ticket_id)
            t = s.scalars(stmt.order_by(Ticket.called_at).limit(1).with_for_update()).first()
            if t is None:
                raise DomainError(errors.NO_HELD_TICKET, "no ticket on hold at this counter")
            t.status = "called"
            t.staff_id = cs.staff_id
            self._event(s, hall, t, "called_back", counter_number, now, staff_id=cs.staff_id)
            return ticket_info(t, counter_number)

    def transfer(
        self, hall_code: str, counter_number: int, service_code: str | None = None
    ) -> TicketInfo:
        """Send the current customer to another service; the new leg keeps the printed
        number and the original issue time, and the chain is recorded."""
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        if service_code is not None:
            target = self._halls.service(hall, service_code)
        elif counter.transfer_service_id is not None:
            found = hall.service_by_id(counter.transfer_service_id)
            if found is None:
                raise DomainError(errors.BAD_TRANSFER, "the transfer service is not active")
            target = found
        else:
            raise DomainError(
                errors.BAD_TRANSFER, f"counter {counter_number} has no transfer service"
            )
        now = self._clock.now()
        with self._unit() as s:
            self._session(s, counter)
            t = self._require_current(s, counter.id)
            if t.service_id == target.id:
                raise DomainError(errors.BAD_TRANSFER, "the ticket is already in that service")
            t.status = "transferred"
            t.finished_at = now
            if t.serving_at is None:
                t.serving_at = t.called_at or now
            leg = Ticket(
                id=uuid.uuid4(),
                hall_id=t.hall_id,
                service_id=target.id,
                business_date=t.business_date,
                prefix=t.prefix,
                number=t.number,
                code=t.code,
                dispenser=t.dispenser,
                status="waiting",
                priority=t.priority,
                queue_at=t.queue_at,
                issued_at=now,
                recall_count=0,
                origin_id=t.origin_id or t.id,
                previous_id=t.id,
                transfers=t.transfers + 1,
            )
            s.add(leg)
            s.flush()
            self._event(
                s,
                hall,
                t,
                "transferred",
                counter_number,
                now,
                staff_id=t.staff_id,
                detail=target.code,
            )
            return ticket_info(leg, None)
