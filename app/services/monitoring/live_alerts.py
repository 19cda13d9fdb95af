"""The day's alerts as the dashboard shows them: with the ticket's number and the rating
behind them, and the figure and limit of a threshold alert, so that they can be worded in
the manager's language (the stored message is the log's English)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Alert, Evaluation, Ticket

DEVICE_OFFLINE = "device_offline"
PAPER_KINDS = ("paper_low", "paper_out")
MAX_ALERTS = 500  # the newest of a day (and every older one still open)


@dataclass(frozen=True, slots=True)
class AlertNow:
    id: uuid.UUID
    kind: str
    severity: str
    source: str
    message: str
    counter_number: int | None
    ticket_id: uuid.UUID | None
    evaluation_id: uuid.UUID | None
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None
    note: str
    value: int | None = None  # a threshold alert's figure (minutes, people)
    threshold: int | None = None
    ticket_number: str = ""  # "A012"
    rating: int | None = None  # of a dissatisfied customer

    @property
    def open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def cleared_by_system(self) -> bool:
        return self.acknowledged_at is not None and self.acknowledged_by is None


def alerts_of_day(s: Session, hall_id: uuid.UUID, start: datetime) -> tuple[AlertNow, ...]:
    """The alerts raised since `start` and the older ones still open, newest first."""
    rows = s.execute(
        select(Alert, Ticket.prefix, Ticket.number, Evaluation.rating)
        .outerjoin(Ticket, Ticket.id == Alert.ticket_id)
        .outerjoin(Evaluation, Evaluation.id == Alert.evaluation_id)
        .where(
            Alert.hall_id == hall_id,
            (Alert.created_at >= start) | Alert.acknowledged_at.is_(None),
        )
        .order_by(Alert.created_at.desc())
        .limit(MAX_ALERTS)
    ).all()
    return tuple(
        alert_now(a, f"{prefix}{number:03d}" if prefix else "", rating)
        for a, prefix, number, rating in rows
    )


def alert_now(a: Alert, ticket_number: str = "", rating: int | None = None) -> AlertNow:
    return AlertNow(
        id=a.id,
        kind=a.kind,
        severity=a.severity,
        source=a.source,
        message=a.message,
        counter_number=a.counter_number,
        ticket_id=a.ticket_id,
        evaluation_id=a.evaluation_id,
        created_at=a.created_at,
        acknowledged_at=a.acknowledged_at,
        acknowledged_by=a.acknowledged_by,
        note=a.note,
        value=a.value,
        threshold=a.threshold,
        ticket_number=ticket_number,
        rating=rating,
    )
