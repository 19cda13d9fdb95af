"""Reference data of halls, read once and kept as frozen `HallInfo`; and row → DTO helpers."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date, datetime
from typing import NamedTuple, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnClause, String, Table, literal_column, select
from sqlalchemy.orm import Session

from app.models import Counter, Hall, Service, Ticket
from app.models.db import Database
from app.models.queue import OPEN_AT_COUNTER, TICKET_STATUSES
from app.services import errors
from app.services.dto import CounterInfo, HallInfo, ServiceInfo, TicketInfo


def service_info(s: Service) -> ServiceInfo:
    return ServiceInfo(
        id=s.id,
        code=s.code,
        prefix=s.prefix,
        name_zh=s.name_zh,
        name_en=s.name_en,
        priority_weight=s.priority_weight,
        wait_threshold_min=s.wait_threshold_min,
        default_service_s=s.default_service_s,
        handling_limit_min=s.handling_limit_min,
        queue_limit=s.queue_limit,
    )


class TicketRow(NamedTuple):
    """A ticket read as a plain row (no ORM object): what the queue's hot paths update with
    one statement and turn into a `TicketInfo`. Fields in the order of `TICKET_COLUMNS`."""

    id: uuid.UUID
    hall_id: uuid.UUID
    service_id: uuid.UUID
    business_date: date
    prefix: str
    number: int
    code: str
    dispenser: str
    status: str
    priority: int
    queue_at: datetime
    issued_at: datetime
    called_at: datetime | None
    serving_at: datetime | None
    finished_at: datetime | None
    counter_id: uuid.UUID | None
    staff_id: uuid.UUID | None
    recall_count: int
    origin_id: uuid.UUID | None
    previous_id: uuid.UUID | None
    transfers: int

    @property
    def display_number(self) -> str:
        return f"{self.prefix}{self.number:03d}"


TICKETS = cast(Table, Ticket.__table__)
TICKET_COLUMNS = tuple(TICKETS.c[name] for name in TicketRow._fields)


def status_literal(status: str) -> ColumnClause[str]:
    """A ticket status written into the SQL rather than bound, so that the planners can
    match it to the partial indexes on it (`WHERE status = 'waiting'`)."""
    if status not in TICKET_STATUSES:
        raise ValueError(f"not a ticket status: {status!r}")
    return literal_column(f"'{status}'", String)


WAITING = status_literal("waiting")
OPEN_STATUSES = tuple(status_literal(s) for s in OPEN_AT_COUNTER)


def ticket_info(t: Ticket | TicketRow, counter_number: int | None) -> TicketInfo:
    return TicketInfo(
        id=t.id,
        code=t.code,
        display_number=f"{t.prefix}{t.number:03d}",
        service_id=t.service_id,
        status=t.status,
        priority=t.priority,
        queue_at=t.queue_at,
        issued_at=t.issued_at,
        called_at=t.called_at,
        serving_at=t.serving_at,
        finished_at=t.finished_at,
        counter_number=counter_number,
        recall_count=t.recall_count,
        transfers=t.transfers,
        origin_id=t.origin_id,
    )


def load_hall(session: Session, code: str) -> HallInfo:
    hall = session.scalar(select(Hall).where(Hall.code == code))
    if hall is None:
        raise errors.DomainError(errors.UNKNOWN_HALL, f"no hall with code '{code}'", hall=code)
    services = session.scalars(
        select(Service)
        .where(Service.hall_id == hall.id, Service.active.is_(True))
        .order_by(Service.sort_order, Service.code)
    ).all()
    counters = session.scalars(
        select(Counter)
        .where(Counter.hall_id == hall.id, Counter.active.is_(True))
        .order_by(Counter.number)
    ).all()
    return HallInfo(
        id=hall.id,
        code=hall.code,
        name_zh=hall.name_zh,
        name_en=hall.name_en,
        timezone=hall.timezone,
        services=tuple(service_info(s) for s in services),
        counters=tuple(
            CounterInfo(
                id=c.id,
                number=c.number,
                name_zh=c.name_zh,
                name_en=c.name_en,
                service_ids=tuple(cs.service_id for cs in c.services),
                transfer_service_id=c.transfer_service_id,
            )
            for c in counters
        ),
    )


class HallDirectory:
    """Thread-safe cache of `HallInfo` by hall code, read again after `max_age_s`: a
    service's limits or a counter's services changed elsewhere reach every process within
    a minute, without a restart."""

    def __init__(self, db: Database, *, max_age_s: float = 60.0) -> None:
        self._db = db
        self._halls: dict[str, tuple[float, HallInfo]] = {}
        self._lock = threading.Lock()
        self._max_age = max_age_s

    def get(self, code: str) -> HallInfo:
        with self._lock:
            cached = self._halls.get(code)
        if cached is not None and time.monotonic() - cached[0] < self._max_age:
            return cached[1]
        with errors.read_unit(self._db) as session:
            info = load_hall(session, code)
        with self._lock:
            self._halls[code] = (time.monotonic(), info)
        return info

    def forget(self, code: str | None = None) -> None:
        with self._lock:
            if code is None:
                self._halls.clear()
            else:
                self._halls.pop(code, None)

    def counter(self, hall: HallInfo, number: int) -> CounterInfo:
        counter = hall.counter(number)
        if counter is None:
            raise errors.DomainError(
                errors.UNKNOWN_COUNTER, f"no counter {number} in hall {hall.code}", counter=number
            )
        return counter

    def service(self, hall: HallInfo, code: str) -> ServiceInfo:
        service = hall.service(code)
        if service is None:
            raise errors.DomainError(
                errors.UNKNOWN_SERVICE, f"no service '{code}' in hall {hall.code}", service=code
            )
        return service


def business_date(hall: HallInfo, when: datetime) -> date:
    """The hall's local calendar day at `when`: numbering restarts at local midnight."""
    return when.astimezone(ZoneInfo(hall.timezone)).date()
