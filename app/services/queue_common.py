"""What the queue's writing services share: the unit of work, the counter's open session
(locked, so one counter's steps never interleave), its current ticket, the event log, the
parsing of what a clerk types to call a ticket, and the wait estimate printed on a ticket."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.models import CounterSession, Ticket, TicketEvent
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock, SystemClock
from app.services.dto import CounterInfo, HallInfo
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory

_NUMBER = re.compile(r"([A-Z])(\d{3})")
_DAY = re.compile(r"\d{8}")


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


def people_ahead(s: Session, hall: HallInfo, t: Ticket) -> int:
    """Waiting customers of the same service who will be called before this ticket."""
    stmt = select(func.count()).where(
        Ticket.hall_id == hall.id,
        Ticket.service_id == t.service_id,
        Ticket.business_date == t.business_date,
        Ticket.status == "waiting",
        Ticket.id != t.id,
        (Ticket.priority > t.priority)
        | ((Ticket.priority == t.priority) & (Ticket.queue_at <= t.queue_at)),
    )
    return int(s.scalar(stmt) or 0)


def estimate_wait(
    s: Session,
    hall: HallInfo,
    service_id: uuid.UUID,
    default_s: int,
    ahead: int,
    now: datetime,
) -> int:
    """Ahead × recent average service time ÷ open counters serving the service."""
    if ahead == 0:
        return 0
    recent = s.execute(
        select(Ticket.serving_at, Ticket.finished_at)
        .where(
            Ticket.hall_id == hall.id,
            Ticket.service_id == service_id,
            Ticket.status == "done",
            Ticket.finished_at >= now - timedelta(days=7),
            Ticket.serving_at.is_not(None),
        )
        .order_by(Ticket.finished_at.desc())
        .limit(20)
    ).all()
    durations = [
        (f - b).total_seconds() for b, f in recent if b is not None and f is not None and f > b
    ]
    avg = sum(durations) / len(durations) if durations else float(default_s)
    counter_ids = [c.id for c in hall.counters if service_id in c.service_ids]
    open_counters = 0
    if counter_ids:
        open_counters = int(
            s.scalar(
                select(func.count()).where(
                    CounterSession.counter_id.in_(counter_ids),
                    CounterSession.ended_at.is_(None),
                    CounterSession.paused.is_(False),
                )
            )
            or 0
        )
    return math.ceil(ahead * avg / max(1, open_counters))
