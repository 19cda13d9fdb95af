"""A service's alert thresholds, set by a manager: the longest wait, the longest time at
the counter, the longest queue (0: no queue alert).

They are the hall's reference data, kept in the central database (a cached station or a
hall database gets them with its next sync); the change is audited with the old and the
new values. Bad values are refused with the allowed range and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.models import Hall, Service
from app.models.db import Database
from app.services import errors
from app.services.clock import Clock, SystemClock
from app.services.errors import DomainError, database_reached
from app.services.security import audit
from app.services.security.auth import Actor, AuthService

WAIT_MIN = (1, 240)
HANDLING_MIN = (1, 240)
QUEUE = (0, 999)


@dataclass(frozen=True, slots=True)
class Limits:
    wait_min: int
    handling_min: int
    queue_limit: int  # 0: none

    def problem(self) -> str:
        """What is wrong with these values ("" when nothing)."""
        for name, value, (low, high) in (
            ("wait limit", self.wait_min, WAIT_MIN),
            ("handling limit", self.handling_min, HANDLING_MIN),
            ("queue limit", self.queue_limit, QUEUE),
        ):
            if not low <= value <= high:
                return f"the {name} must be {low}..{high}, not {value}"
        return ""


def set_limits(
    db: Database,
    auth: AuthService,
    actor: Actor,
    hall_code: str,
    service_code: str,
    limits: Limits,
    clock: Clock | None = None,
) -> None:
    actor = auth.check(actor, "manager")
    if problem := limits.problem():
        raise DomainError(errors.BAD_INPUT, problem)
    now = (clock or SystemClock()).now()
    with database_reached(), db.write() as s:
        service = s.scalar(
            select(Service)
            .join(Hall, Hall.id == Service.hall_id)
            .where(Hall.code == hall_code, Service.code == service_code)
            .with_for_update()
        )
        if service is None:
            raise DomainError(
                errors.UNKNOWN_SERVICE, f"no service '{service_code}'", service=service_code
            )
        old = Limits(service.wait_threshold_min, service.handling_limit_min, service.queue_limit)
        if old == limits:
            return
        service.wait_threshold_min = limits.wait_min
        service.handling_limit_min = limits.handling_min
        service.queue_limit = limits.queue_limit
        audit.record(
            s,
            now,
            audit.SERVICE_LIMITS_CHANGED,
            actor=actor,
            record_type="service",
            record_id=service.id,
            service=service_code,
            old=[old.wait_min, old.handling_min, old.queue_limit],
            new=[limits.wait_min, limits.handling_min, limits.queue_limit],
        )
