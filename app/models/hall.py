"""Reference data of a hall: the hall, its services (business types), counters and staff."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UtcDateTime, UuidPk

STAFF_ROLES = ("clerk", "manager", "admin")


class Hall(UuidPk, Base):
    __tablename__ = "halls"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")


class Service(UuidPk, Base):
    """A business type customers queue for (缴费, 业务办理, …)."""

    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("hall_id", "code"),
        UniqueConstraint("hall_id", "prefix", name="uq_services_hall_prefix"),
    )

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    code: Mapped[str] = mapped_column(String(32))
    prefix: Mapped[str] = mapped_column(String(1))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    # Added to a ticket's own priority when ordering the queue (green channel services).
    priority_weight: Mapped[int] = mapped_column(Integer, default=0)
    # A waiting customer past this many minutes raises an alert.
    wait_threshold_min: Mapped[int] = mapped_column(Integer, default=20)
    # Used for wait estimates until the hall has its own recent service times.
    default_service_s: Mapped[int] = mapped_column(Integer, default=300)
    # A customer at a counter past this many minutes raises an alert.
    handling_limit_min: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # More customers waiting than this raises an alert (0: never).
    queue_limit: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(UuidPk, Base):
    """A counter (窗口): its number, the services it serves in order, its transfer target."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("hall_id", "number"),)

    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("halls.id"))
    number: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    transfer_service_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("services.id"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    services: Mapped[list[CounterService]] = relationship(
        order_by="CounterService.rank", cascade="all, delete-orphan"
    )


class CounterService(Base):
    """One service a counter serves; lower rank is called first."""

    __tablename__ = "counter_services"

    counter_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("counters.id"), primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("services.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)


class Staff(UuidPk, Base):
    """A person who logs in: job number (工号), name, role, argon2 password hash."""

    __tablename__ = "staff"

    hall_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("halls.id"), nullable=True)
    job_number: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default="clerk")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Lock-out, counted here so that every station of the hall sees the same count.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Set by an administrator's reset: the next log-in must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
