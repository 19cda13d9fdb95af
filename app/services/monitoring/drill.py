"""Behind an alert: the ticket, the customer's rating, the clerk, what happened and when.

The manager opens an alert and sees who and what it is about without another window: the
ticket (number, service, issued, called, finished, counter), the rating that raised it,
the clerk who served, and the ticket's events in order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.models import Alert, Counter, Evaluation, Service, Staff, Ticket, TicketEvent
from app.models.db import Database
from app.services import errors
from app.services.errors import DomainError, database_reached
from app.services.monitoring.live_alerts import AlertNow, alert_now


@dataclass(frozen=True, slots=True)
class TicketDetail:
    id: uuid.UUID
    display_number: str
    service_zh: str
    service_en: str
    status: str
    issued_at: datetime
    called_at: datetime | None
    finished_at: datetime | None
    counter_number: int | None


@dataclass(frozen=True, slots=True)
class AlertDetail:
    alert: AlertNow
    ticket: TicketDetail | None
    clerk_job: str
    clerk_name: str
    rating: int | None  # 0 very satisfied … 4 very dissatisfied
    events: tuple[tuple[datetime, str, int | None, str], ...]  # at, kind, counter, detail


def drill(db: Database, alert_id: uuid.UUID) -> AlertDetail:
    with database_reached(), db.read() as s:
        alert = s.get(Alert, alert_id)
        if alert is None:
            raise DomainError(errors.BAD_INPUT, "no such alert")
        evaluation = s.get(Evaluation, alert.evaluation_id) if alert.evaluation_id else None
        ticket_id = alert.ticket_id or (evaluation.ticket_id if evaluation else None)
        ticket = s.get(Ticket, ticket_id) if ticket_id else None
        detail = None
        staff_id = evaluation.staff_id if evaluation else None
        events: tuple[tuple[datetime, str, int | None, str], ...] = ()
        if ticket is not None:
            service = s.get(Service, ticket.service_id)
            counter = s.get(Counter, ticket.counter_id) if ticket.counter_id else None
            detail = TicketDetail(
                id=ticket.id,
                display_number=ticket.display_number,
                service_zh=service.name_zh if service else "",
                service_en=service.name_en if service else "",
                status=ticket.status,
                issued_at=ticket.issued_at,
                called_at=ticket.called_at,
                finished_at=ticket.finished_at,
                counter_number=counter.number if counter else alert.counter_number,
            )
            staff_id = staff_id or ticket.staff_id
            rows = s.execute(
                select(TicketEvent.at, TicketEvent.kind, TicketEvent.counter_number,
                       TicketEvent.detail)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            ).all()  # fmt: skip
            events = tuple((r.at, r.kind, r.counter_number, r.detail) for r in rows)
        clerk = s.get(Staff, staff_id) if staff_id else None
        return AlertDetail(
            alert=alert_now(alert),
            ticket=detail,
            clerk_job=clerk.job_number if clerk else "",
            clerk_name=clerk.name if clerk else "",
            rating=evaluation.rating if evaluation else None,
            events=events,
        )
