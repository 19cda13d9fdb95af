"""Customer evaluations (评价) and the alerts the hall manager must see."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, UuidPk

EVALUATION_STATUSES = ("requested", "rated", "not_rated", "cancelled")


class Evaluation(UuidPk, Base):
    """One rating request at a counter and its outcome; only the first rating counts."""

    __tablename__ = "evaluations"
    __table_args__ = (
        Index("ix_evaluations_counter_status", "counter_id", "status"),
        Index("ix_evaluations_hall_time", "hall_id", "requested_at"),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    counter_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("counters.id"))
    counter_number: Mapped[int] = mapped_column(Integer)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="requested")
    # 0 very satisfied, 1 satisfied, 2 fair, 3 dissatisfied, 4 very dissatisfied
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scale: Mapped[int] = mapped_column(Integer, default=4)
    source: Mapped[str] = mapped_column(String(16), default="evaluator")
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Alert(UuidPk, Base):
    """Something the duty manager must be told: a dissatisfied customer, paper out, …"""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_hall_time", "hall_id", "created_at"),)

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    kind: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(8), default="warning")
    counter_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    evaluation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    source: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # what the manager wrote when acknowledging
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # a threshold alert: the figure past its limit, and the limit (minutes or people)
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
