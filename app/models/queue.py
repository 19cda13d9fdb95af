"""The hall queue: tickets, their event log, number series and counter sessions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, UtcDateTime, UuidPk

TICKET_STATUSES = ("waiting", "called", "serving", "held", "done", "no_show", "transferred")
OPEN_AT_COUNTER = ("called", "serving")


class Ticket(UuidPk, Base):
    """One leg of a customer's visit. A transfer closes the leg and opens a new one that
    keeps the printed number and the original issue time (`queue_at`)."""

    __tablename__ = "tickets"
    __table_args__ = (
        # Numbers are unique per hall, day and letter for the printed (first) legs.
        Index(
            "uq_tickets_number",
            "hall_id",
            "business_date",
            "prefix",
            "number",
            unique=True,
            sqlite_where=text("previous_id IS NULL"),
            postgresql_where=text("previous_id IS NULL"),
        ),
        # A counter's current and held tickets. Waiting tickets have no counter: left out,
        # so the index stays small and its statistics never suggest a table scan.
        Index(
            "ix_tickets_counter_open",
            "counter_id",
            "status",
            sqlite_where=text("counter_id IS NOT NULL"),
            postgresql_where=text("counter_id IS NOT NULL"),
        ),
        Index("ix_tickets_hall_day", "hall_id", "business_date"),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("services.id"))
    business_date: Mapped[date] = mapped_column(Date)
    prefix: Mapped[str] = mapped_column(String(1))
    number: Mapped[int] = mapped_column(Integer)
    # The code printed on the ticket and scanned at the counter: "20261123-A012-DEMO".
    code: Mapped[str] = mapped_column(String(48))
    dispenser: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    queue_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    serving_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    counter_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("counters.id"), nullable=True
    )
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("staff.id"), nullable=True)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    # Transfer chain: the first leg of this visit and the leg before this one.
    origin_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("tickets.id"), nullable=True
    )
    transfers: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def display_number(self) -> str:
        return f"{self.prefix}{self.number:03d}"


# Call next reads today's waiting tickets of one service at a time in queue order
# (priority first, then the original issue time, then the number): the head of this index,
# never the whole queue. The waiting counts of the counter window and the hall display,
# and the people ahead printed on a ticket, read it too.
Index(
    "ix_tickets_waiting",
    Ticket.hall_id,
    Ticket.service_id,
    Ticket.business_date,
    Ticket.priority.desc(),
    Ticket.queue_at,
    Ticket.number,
    sqlite_where=text("status = 'waiting'"),
    postgresql_where=text("status = 'waiting'"),
)
# The recent service times a ticket's wait estimate averages: the last done tickets of a
# service, newest first, without reading the hall's whole history.
Index(
    "ix_tickets_done",
    Ticket.hall_id,
    Ticket.service_id,
    Ticket.finished_at,
    sqlite_where=text("status = 'done'"),
    postgresql_where=text("status = 'done'"),
)


class TicketEvent(Base):
    """Append-only log of what happened in the queue; the display speaks its call events
    and every window watches its highest id to refresh within a second."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_ticket_events_hall", "hall_id", "id"),
        # a ticket's own events: when was the counter's current customer last called
        Index("ix_ticket_events_ticket", "ticket_id", "id"),
        # at the centre: the event's id in the hall database it was pushed from (issue 9)
        Index(
            "uq_ticket_events_origin",
            "hall_id",
            "origin_id",
            unique=True,
            sqlite_where=text("origin_id IS NOT NULL"),
            postgresql_where=text("origin_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    display_number: Mapped[str] = mapped_column(String(8), default="")
    service_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    counter_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    origin_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class TicketSeries(Base):
    """Next number per hall, service, business day and dispenser range."""

    __tablename__ = "ticket_series"

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"), primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("services.id"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    dispenser: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class CounterSession(UuidPk, Base):
    """A clerk logged in at a counter, from login to logout."""

    __tablename__ = "counter_sessions"
    __table_args__ = (
        Index("ix_counter_sessions_open", "counter_id", "ended_at"),
        # At most one open session per counter and per clerk, even when two log in at once.
        Index(
            "uq_counter_sessions_open_counter",
            "counter_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(
            "uq_counter_sessions_open_staff",
            "staff_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    counter_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("counters.id"))
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)


class CounterPause(UuidPk, Base):
    """A pause of a counter session with its reason; open while ended_at is null."""

    __tablename__ = "counter_pauses"
    # a session's (open) pause: every counter window's refresh, resume, the reports
    __table_args__ = (Index("ix_counter_pauses_session", "session_id"),)

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("counter_sessions.id"))
    reason: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
