"""The audit trail: who did what, where and when, on which record — append-only.

A row is written in the same transaction as the change it records, so a change that
rolled back leaves no row and a committed change always has one. Rows are never updated
or deleted by HallDesk; their UUIDs are made where they are born, so the sync to the
central database can carry them unchanged.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, UuidPk


class AuditEntry(UuidPk, Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    at: Mapped[datetime] = mapped_column(UtcDateTime)
    # who acted (none for the system or an unknown job number at log-in)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    job_number: Mapped[str] = mapped_column(String(16), default="")
    role: Mapped[str] = mapped_column(String(16), default="")
    station: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str] = mapped_column(String(32), default="")
    record_id: Mapped[str] = mapped_column(String(64), default="")
    # a JSON object: what changed, never a password or a hash
    detail: Mapped[str] = mapped_column(Text, default="{}")
