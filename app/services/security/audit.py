"""Writing and reading the audit log (`audit_log`), append-only.

`record(session, ...)` adds the row to the caller's unit of work, so it commits or rolls
back with the change it records. Only an administrator reads the log.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEntry
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock
from app.services.security.actor import Actor, Proofs

# What the log records (the `action` column).
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKED_OUT = "locked_out"
LOGIN_WHILE_LOCKED = "login_while_locked"
STAFF_CREATED = "staff_created"
STAFF_CHANGED = "staff_changed"
PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"
APPROVAL = "approval"
SETTINGS_SAVED = "settings_saved"
DEVICE_TEST = "device_test"
ALERT_ACKNOWLEDGED = "alert_acknowledged"
COMPLAINT_REQUESTED = "complaint_requested"  # a work order asked for from an alert
SERVICE_LIMITS_CHANGED = "service_limits_changed"  # a service's alert thresholds


@dataclass(frozen=True)
class AuditInfo:
    at: datetime
    job_number: str
    role: str
    station: str
    action: str
    record_type: str
    record_id: str
    detail: dict[str, Any]


def record(
    s: Session,
    at: datetime,
    action: str,
    *,
    actor: Actor | None = None,
    station: str = "",
    job_number: str = "",
    record_type: str = "",
    record_id: object = "",
    **detail: Any,
) -> None:
    """Add an audit row to the unit of `s` (it commits with the change it records)."""
    s.add(
        AuditEntry(
            id=uuid.uuid4(),
            at=at,
            staff_id=actor.id if actor else None,
            job_number=(actor.job_number if actor else job_number)[:16],
            role=actor.role if actor else "",
            station=(actor.station if actor else station)[:64],
            action=action[:32],
            record_type=record_type[:32],
            record_id=str(record_id)[:64],
            detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        )
    )


class AuditService:
    def __init__(self, db: Database, proofs: Proofs, clock: Clock) -> None:
        self._db = db
        self._proofs = proofs
        self._clock = clock

    def entries(
        self, actor: Actor, *, since: datetime | None = None, limit: int = 10_000
    ) -> list[AuditInfo]:
        """The log from `since` (oldest first), for an administrator."""
        self._proofs.check(actor, "admin")
        stmt = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id).limit(limit)
        if since is not None:
            stmt = stmt.where(AuditEntry.at >= since)
        with errors.read_unit(self._db) as s:
            return [
                AuditInfo(
                    e.at,
                    e.job_number,
                    e.role,
                    e.station,
                    e.action,
                    e.record_type,
                    e.record_id,
                    json.loads(e.detail or "{}"),
                )
                for e in s.scalars(stmt)
            ]
