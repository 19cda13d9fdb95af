"""The clerks' figures of a period: served, handling and idle time, ratings, payments.

A row is one clerk at one counter. Tickets, ratings and payments are grouped in the
database by counter and clerk; the counter sessions and pauses that overlap the period
(a few per counter and day) are read as rows and clipped to it here, an open session
or pause running until now (or the end of the period, for a past one).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, case, func, literal, or_, select

from app.models import (
    Alert,
    Counter,
    CounterPause,
    CounterSession,
    Evaluation,
    Payment,
    PaymentVoid,
    Staff,
)
from app.models.base import UtcDateTime
from app.services.hall_ref import TICKETS, status_literal
from app.services.monitoring.figures import (
    ClerkFigures,
    Complaints,
    PaymentTotals,
    Satisfaction,
)
from app.services.monitoring.live import DISSATISFIED, SATISFIED
from app.services.monitoring.sql import MICROS, micros_between

_T = TICKETS
_COUNTERS = cast(Table, Counter.__table__)
_SESSIONS = cast(Table, CounterSession.__table__)
_PAUSES = cast(Table, CounterPause.__table__)
_EVALS = cast(Table, Evaluation.__table__)
_PAYMENTS = cast(Table, Payment.__table__)
_VOIDS = cast(Table, PaymentVoid.__table__)
_ALERTS = cast(Table, Alert.__table__)
_STAFF = cast(Table, Staff.__table__)


@dataclass(frozen=True)
class Window:
    """The period in UTC: [start, end); `until`: now, or the end of a past period."""

    hall_id: uuid.UUID
    start: datetime
    end: datetime
    until: datetime
    dialect: str


@dataclass
class _Clerk:
    served: int = 0
    no_shows: int = 0
    transferred: int = 0
    done_timed: int = 0
    service_us: int = 0
    busy_us: int = 0
    logged_in_s: float = 0.0
    paused_s: float = 0.0
    rated: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    not_rated: int = 0
    payments: int = 0
    collected_fen: int = 0
    voids: int = 0


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _overlap(a: datetime, b: datetime | None, w: Window) -> float:
    """Seconds of [a, b) inside the window (b None: still open, until `w.until`)."""
    lo, hi = max(a, w.start), min(b or w.until, w.until)
    return max(0.0, (hi - lo).total_seconds())


def _ticket_rows(c: Connection, w: Window, params: dict[str, Any]) -> Iterable[Any]:
    done = _T.c.status == status_literal("done")
    timed = and_(done, _T.c.serving_at.is_not(None), _T.c.finished_at.is_not(None))
    at_counter = or_(_T.c.finished_at.is_not(None), _T.c.status.in_(("called", "serving")))
    until = literal(w.until, UtcDateTime())
    busy = micros_between(w.dialect, _T.c.called_at, func.coalesce(_T.c.finished_at, until))
    stmt = (
        select(
            _T.c.counter_id,
            _T.c.staff_id,
            _count(done).label("served"),
            _count(_T.c.status == status_literal("no_show")).label("no_shows"),
            _count(_T.c.status == status_literal("transferred")).label("transferred"),
            _count(timed).label("done_timed"),
            func.sum(
                case((timed, micros_between(w.dialect, _T.c.serving_at, _T.c.finished_at)))
            ).label("service_us"),
            func.sum(case((and_(at_counter, _T.c.called_at.is_not(None)), busy))).label("busy_us"),
        )
        .where(
            _T.c.hall_id == bindparam("hall_id"),
            _T.c.business_date >= bindparam("first"),
            _T.c.business_date <= bindparam("last"),
            _T.c.counter_id.is_not(None),
        )
        .group_by(_T.c.counter_id, _T.c.staff_id)
    )
    return c.execute(stmt, params).all()


def _hall_counters(w: Window) -> Any:
    return select(_COUNTERS.c.id).where(_COUNTERS.c.hall_id == w.hall_id)


def _sessions(c: Connection, w: Window) -> Iterable[Any]:
    overlapping = and_(
        _SESSIONS.c.counter_id.in_(_hall_counters(w)),
        _SESSIONS.c.started_at < w.end,
        or_(_SESSIONS.c.ended_at.is_(None), _SESSIONS.c.ended_at > w.start),
    )
    sessions = c.execute(
        select(
            _SESSIONS.c.id,
            _SESSIONS.c.counter_id,
            _SESSIONS.c.staff_id,
            _SESSIONS.c.started_at,
            _SESSIONS.c.ended_at,
        ).where(overlapping)
    ).all()
    pauses = c.execute(
        select(_PAUSES.c.session_id, _PAUSES.c.started_at, _PAUSES.c.ended_at)
        .join(_SESSIONS, _SESSIONS.c.id == _PAUSES.c.session_id)
        .where(overlapping)
    ).all()
    by_session: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for p in pauses:
        by_session[p.session_id].append(p)
    return [(s, by_session[s.id]) for s in sessions]


def clerk_figures(
    c: Connection, w: Window, params: dict[str, Any], payments: Iterable[Any]
) -> tuple[ClerkFigures, ...]:
    """Every clerk who worked at a counter of the hall in the period, by counter;
    `payments`: the period's `payment_groups`."""
    number = dict(
        c.execute(
            select(_COUNTERS.c.id, _COUNTERS.c.number).where(_COUNTERS.c.hall_id == w.hall_id)
        ).all()
    )
    clerks: dict[tuple[int, uuid.UUID | None], _Clerk] = defaultdict(_Clerk)
    for r in _ticket_rows(c, w, params):
        k = clerks[(number[r.counter_id], r.staff_id)]
        k.served, k.no_shows, k.transferred = int(r.served), int(r.no_shows), int(r.transferred)
        k.done_timed, k.service_us = int(r.done_timed), int(r.service_us or 0)
        k.busy_us = int(r.busy_us or 0)
    for s, pauses in _sessions(c, w):
        k = clerks[(number[s.counter_id], s.staff_id)]
        ended = s.ended_at or w.until
        k.logged_in_s += _overlap(s.started_at, ended, w)
        for p in pauses:
            pause_end = min(p.ended_at or ended, ended)
            k.paused_s += _overlap(max(p.started_at, s.started_at), pause_end, w)
    ratings = c.execute(
        select(
            _EVALS.c.counter_id, _EVALS.c.staff_id, _EVALS.c.status, _EVALS.c.rating, func.count()
        )
        .where(
            _EVALS.c.hall_id == w.hall_id,
            _EVALS.c.requested_at >= w.start,
            _EVALS.c.requested_at < w.end,
            _EVALS.c.status.in_(("rated", "not_rated")),
        )
        .group_by(_EVALS.c.counter_id, _EVALS.c.staff_id, _EVALS.c.status, _EVALS.c.rating)
    ).all()
    for counter_id, staff_id, status, rating, n in ratings:
        k = clerks[(number[counter_id], staff_id)]
        if status == "not_rated":
            k.not_rated += int(n)
        else:
            k.rated += int(n)
            k.satisfied += int(n) if rating in SATISFIED else 0
            k.dissatisfied += int(n) if rating in DISSATISFIED else 0
    for counter_no, staff_id, voided, n, fen in payments:
        k = clerks[(int(counter_no), staff_id)]
        if voided:
            k.voids += int(n)
        else:
            k.payments, k.collected_fen = k.payments + int(n), k.collected_fen + int(fen)
    staff = _staff_names(c, {sid for _, sid in clerks if sid is not None})
    rows = []
    for (counter_no, staff_id), k in clerks.items():
        job, name = staff.get(staff_id, ("", "")) if staff_id else ("", "")
        rows.append(
            ClerkFigures(
                counter=counter_no,
                job_number=job,
                name=name,
                served=k.served,
                no_shows=k.no_shows,
                transferred=k.transferred,
                avg_service_s=round(k.service_us / k.done_timed / MICROS, 1)
                if k.done_timed
                else 0.0,
                logged_in_s=round(k.logged_in_s, 1),
                paused_s=round(k.paused_s, 1),
                busy_s=round(k.busy_us / MICROS, 1),
                idle_s=round(max(0.0, k.logged_in_s - k.paused_s - k.busy_us / MICROS), 1),
                satisfaction=Satisfaction(k.rated, k.satisfied, k.dissatisfied, k.not_rated),
                payments=k.payments,
                collected_fen=k.collected_fen,
                voids=k.voids,
            )
        )
    return tuple(sorted(rows, key=lambda r: (r.counter, r.job_number)))


def payment_groups(c: Connection, w: Window) -> Sequence[Any]:
    """The period's payments by counter number, clerk and voided or not: count, fen."""
    voided = _VOIDS.c.id.is_not(None)
    return c.execute(
        select(
            _PAYMENTS.c.counter_number,
            _PAYMENTS.c.staff_id,
            voided,
            func.count(),
            func.sum(_PAYMENTS.c.amount_fen),
        )
        .select_from(_PAYMENTS.outerjoin(_VOIDS, _VOIDS.c.payment_id == _PAYMENTS.c.id))
        .where(
            _PAYMENTS.c.hall_id == w.hall_id,
            _PAYMENTS.c.created_at >= w.start,
            _PAYMENTS.c.created_at < w.end,
        )
        .group_by(_PAYMENTS.c.counter_number, _PAYMENTS.c.staff_id, voided)
    ).all()


def hall_payments(groups: Iterable[Any]) -> PaymentTotals:
    count = collected = voids = voided = 0
    for _counter, _staff, is_void, n, fen in groups:
        if is_void:
            voids, voided = voids + int(n), voided + int(fen)
        else:
            count, collected = count + int(n), collected + int(fen)
    return PaymentTotals(count, collected, voids, voided)


def complaints(c: Connection, w: Window) -> Complaints:
    """The dissatisfied ratings' alerts of the period, and how many were acknowledged."""
    n, handled = c.execute(
        select(func.count(), func.count(_ALERTS.c.acknowledged_at)).where(
            _ALERTS.c.hall_id == w.hall_id,
            _ALERTS.c.kind == "dissatisfied",
            _ALERTS.c.created_at >= w.start,
            _ALERTS.c.created_at < w.end,
        )
    ).one()
    return Complaints(int(n), int(handled))


def _staff_names(c: Connection, ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    if not ids:
        return {}
    rows = c.execute(
        select(_STAFF.c.id, _STAFF.c.job_number, _STAFF.c.name).where(_STAFF.c.id.in_(ids))
    ).all()
    return {sid: (job, name) for sid, job, name in rows}
