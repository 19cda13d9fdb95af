"""Customer evaluations at the counter and the alerts they raise.

A clerk (window button or keypad key 0B) asks for a rating: a `requested` evaluation is
written with the counter's current ticket (or the one it just finished), and a
`rating_requested` queue event tells the bus station to light the paired evaluator. The
first rating within the timeout closes it as `rated`; a timeout closes it as `not_rated`.
A dissatisfied rating raises an alert for the duty manager at once.

Alerts from elsewhere (paper, devices, ports, the database) carry a `source`: a device is
"bus/address" (`device_source`), so its history — offline since, back at, fault — is the
ordered alerts of that source. A condition that ends by itself (a device back online) is
resolved by the system: acknowledged with `acknowledged_by` NULL.

Reads (`pending`, `get`, `alerts`, which the counter window polls on every refresh) are
read-only units: on SQLite a deferred BEGIN that never waits for, or blocks, a writer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Alert, Evaluation, Hall, Staff, Ticket
from app.services import errors
from app.services.dto import HallInfo
from app.services.errors import DomainError
from app.services.evaluation.alerts import AlertBook

RATINGS = {
    0: "very_satisfied",
    1: "satisfied",
    2: "fair",
    3: "dissatisfied",
    4: "very_dissatisfied",
}
DISSATISFIED = (3, 4)


@dataclass(frozen=True)
class EvaluationInfo:
    id: uuid.UUID
    counter_number: int
    ticket_id: uuid.UUID | None
    display_number: str
    staff_job_number: str
    status: str
    rating: int | None
    scale: int
    requested_at: datetime
    closed_at: datetime | None
    alert_id: uuid.UUID | None = None


class EvaluationService(AlertBook):
    """Ratings (here) and alerts (`AlertBook`): `EvaluationService(db, halls, clock, auth=)`."""

    def request_rating(self, hall_code: str, counter_number: int, scale: int = 4) -> EvaluationInfo:
        """Ask the customer at the counter to rate; an open request is returned as it is."""
        if scale not in (4, 5):
            raise DomainError(errors.BAD_INPUT, "an evaluator has 4 or 5 keys")
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        now = self._clock.now()
        with self._unit() as s:
            cs = self._session(s, counter)
            pending = s.scalars(
                select(Evaluation).where(
                    Evaluation.counter_id == counter.id, Evaluation.status == "requested"
                )
            ).first()
            if pending is not None:
                return self._info(s, pending)
            # The customer at the counter, as the counter desk's rules say (`desks/rules`):
            # a ticket already finished is not asked about.
            ticket = self._current(s, counter.id)
            if ticket is None:
                raise DomainError(errors.NO_CURRENT_TICKET, "no customer to rate at this counter")
            ev = Evaluation(
                id=uuid.uuid4(),
                hall_id=hall.id,
                counter_id=counter.id,
                counter_number=counter_number,
                ticket_id=ticket.id,
                staff_id=cs.staff_id,
                service_id=ticket.service_id,
                status="requested",
                scale=scale,
                source="evaluator",
                requested_at=now,
            )
            s.add(ev)
            s.flush()
            self._event(
                s,
                hall,
                ticket,
                "rating_requested",
                counter_number,
                now,
                staff_id=cs.staff_id,
                detail=str(ev.id),
            )
            return self._info(s, ev)

    def pending(self, hall_code: str, counter_number: int) -> EvaluationInfo | None:
        hall = self._halls.get(hall_code)
        counter = self._halls.counter(hall, counter_number)
        with self._read() as s:
            ev = s.scalars(
                select(Evaluation).where(
                    Evaluation.counter_id == counter.id, Evaluation.status == "requested"
                )
            ).first()
            return self._info(s, ev) if ev is not None else None

    def record_rating(self, evaluation_id: uuid.UUID, rating: int) -> EvaluationInfo:
        """The first rating of a request counts; a later one is refused and changes nothing."""
        now = self._clock.now()
        with self._unit() as s:
            ev = s.get(Evaluation, evaluation_id, with_for_update=True)
            if ev is None:
                raise DomainError(errors.UNKNOWN_TICKET, "no such rating request")
            if ev.status != "requested":
                raise DomainError(errors.RATING_CLOSED, f"this rating request is {ev.status}")
            if rating not in RATINGS or rating >= ev.scale:
                raise DomainError(
                    errors.BAD_INPUT, f"rating {rating} is not on a {ev.scale}-key scale"
                )
            ev.status = "rated"
            ev.rating = rating
            ev.closed_at = now
            hall = self._hall_of(s, ev)
            ticket = s.get(Ticket, ev.ticket_id) if ev.ticket_id else None
            self._event(
                s,
                hall,
                ticket,
                "rated",
                ev.counter_number,
                now,
                staff_id=ev.staff_id,
                detail=RATINGS[rating],
            )
            alert_id = None
            if rating in DISSATISFIED:
                alert = Alert(
                    id=uuid.uuid4(),
                    hall_id=ev.hall_id,
                    kind="dissatisfied",
                    severity="high",
                    counter_number=ev.counter_number,
                    ticket_id=ev.ticket_id,
                    evaluation_id=ev.id,
                    source=f"counter {ev.counter_number}",
                    message=(
                        f"{ticket.display_number if ticket else ''} rated "
                        f"{RATINGS[rating]} at counter {ev.counter_number}"
                    ),
                    created_at=now,
                )
                s.add(alert)
                alert_id = alert.id
                self._event(s, hall, ticket, "alert", ev.counter_number, now, detail="dissatisfied")
            info = self._info(s, ev)
        return EvaluationInfo(**{**info.__dict__, "alert_id": alert_id})

    def expire(self, evaluation_id: uuid.UUID) -> EvaluationInfo | None:
        """Close an unanswered request as not rated; None if it was answered meanwhile."""
        now = self._clock.now()
        with self._unit() as s:
            ev = s.get(Evaluation, evaluation_id, with_for_update=True)
            if ev is None or ev.status != "requested":
                return None
            ev.status = "not_rated"
            ev.closed_at = now
            ticket = s.get(Ticket, ev.ticket_id) if ev.ticket_id else None
            self._event(
                s,
                self._hall_of(s, ev),
                ticket,
                "not_rated",
                ev.counter_number,
                now,
                staff_id=ev.staff_id,
            )
            return self._info(s, ev)

    def get(self, evaluation_id: uuid.UUID) -> EvaluationInfo | None:
        with self._read() as s:
            ev = s.get(Evaluation, evaluation_id)
            return self._info(s, ev) if ev is not None else None

    def _hall_of(self, s: Session, ev: Evaluation) -> HallInfo:
        code = s.scalar(select(Hall.code).where(Hall.id == ev.hall_id))
        if code is None:
            raise DomainError(errors.UNKNOWN_HALL, "the rating's hall is gone")
        return self._halls.get(code)

    def _info(self, s: Session, ev: Evaluation) -> EvaluationInfo:
        ticket = s.get(Ticket, ev.ticket_id) if ev.ticket_id else None
        staff = s.get(Staff, ev.staff_id) if ev.staff_id else None
        return EvaluationInfo(
            id=ev.id,
            counter_number=ev.counter_number,
            ticket_id=ev.ticket_id,
            display_number=ticket.display_number if ticket else "",
            staff_job_number=staff.job_number if staff else "",
            status=ev.status,
            rating=ev.rating,
            scale=ev.scale,
            requested_at=ev.requested_at,
            closed_at=ev.closed_at,
        )
