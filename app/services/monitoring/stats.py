"""The hall's figures over a period: what the daily and monthly reports print and what the
manager's dashboard shows live (`HallStatistics.today`).

Pure reads: one read-only unit of work per report, nothing written. The definitions are
in `figures`; they are the simulator's, so a simulated day kept in a file
(`main.py simulate --keep`) reports the same figures as the simulator printed.

Aggregated in the database: the tickets of a period are read once, grouped by business
day, service and wait bucket (a month of a hall is some hundreds of groups, whatever the
number of tickets), through the (hall, business day) index; the clerks' figures are
grouped by counter and clerk (`people`). Only counter sessions and their pauses, a few
per counter and day, come to Python to be clipped to the period.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, and_, bindparam, case, func, select
from sqlalchemy.engine import Row

from app.models import Hall, Service
from app.models.db import Database
from app.services import errors
from app.services.billing.closing import day_bounds
from app.services.clock import Clock, SystemClock
from app.services.hall_ref import TICKETS, status_literal
from app.services.monitoring.figures import (
    WAIT_BUCKETS_MIN,
    DayFigures,
    HallReport,
    HourFigures,
    Period,
    Satisfaction,
    ServiceFigures,
    Stats,
    Verdict,
    WaitBucket,
)
from app.services.monitoring.people import (
    Window,
    clerk_figures,
    complaints,
    hall_payments,
    payment_groups,
)
from app.services.monitoring.sql import MICROS, QUARTER_S, micros_between, quarter

_SERVICES = cast(Table, Service.__table__)
_HALLS = cast(Table, Hall.__table__)
_T = TICKETS


@dataclass
class _Acc:
    """Sums of a set of legs, exact (microseconds), turned into `Stats` at the end."""

    issued: int = 0
    transferred_in: int = 0
    served: int = 0
    no_shows: int = 0
    transferred: int = 0
    waiting: int = 0
    called: int = 0
    wait_us: int = 0
    max_wait_us: int = 0
    over: int = 0
    done_timed: int = 0
    service_us: int = 0

    def add(self, r: Row[Any]) -> None:
        self.issued += int(r.issued)
        self.transferred_in += int(r.legs) - int(r.issued)
        self.served += int(r.served)
        self.no_shows += int(r.no_shows)
        self.transferred += int(r.transferred)
        self.waiting += int(r.waiting)
        self.called += int(r.called)
        self.wait_us += int(r.wait_us or 0)
        self.max_wait_us = max(self.max_wait_us, int(r.max_wait_us or 0))
        self.over += int(r.over or 0)
        self.done_timed += int(r.done_timed or 0)
        self.service_us += int(r.service_us or 0)

    def stats(self) -> Stats:
        return Stats(
            issued=self.issued,
            transferred_in=self.transferred_in,
            served=self.served,
            no_shows=self.no_shows,
            transferred=self.transferred,
            waiting=self.waiting,
            avg_wait_s=_mean_s(self.wait_us, self.called),
            max_wait_s=round(self.max_wait_us / MICROS, 1),
            avg_service_s=_mean_s(self.service_us, self.done_timed),
            over_threshold=self.over,
        )

    def verdict(self, target_s: int) -> Verdict:
        """Average wait under the target, decided on the exact sum."""
        if not self.called:
            return Verdict.NO_DATA
        ok = self.wait_us < target_s * MICROS * self.called
        return Verdict.GREEN if ok else Verdict.RED


def _mean_s(total_us: int, n: int) -> float:
    return round(total_us / n / MICROS, 1) if n else 0.0


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _legs_query(dialect: str) -> Any:
    """The period's legs grouped by day, service and wait bucket (-1: not called)."""
    joined = case((_T.c.previous_id.is_(None), _T.c.queue_at), else_=_T.c.issued_at)
    wait = micros_between(dialect, joined, _T.c.called_at)
    # the last bucket whose lower bound the wait reaches; -1 for a leg never called
    bucket = case(
        *((wait >= m * 60 * MICROS, i) for i, m in reversed(list(enumerate(WAIT_BUCKETS_MIN)))),
        else_=-1,
    )
    done = _T.c.status == status_literal("done")
    timed = and_(done, _T.c.serving_at.is_not(None), _T.c.finished_at.is_not(None))
    threshold = _SERVICES.c.wait_threshold_min * (60 * MICROS)
    return (
        select(
            _T.c.business_date.label("day"),
            _T.c.service_id,
            bucket.label("bucket"),
            func.count().label("legs"),
            _count(_T.c.previous_id.is_(None)).label("issued"),
            _count(done).label("served"),
            _count(_T.c.status == status_literal("no_show")).label("no_shows"),
            _count(_T.c.status == status_literal("transferred")).label("transferred"),
            _count(_T.c.status == status_literal("waiting")).label("waiting"),
            func.count(_T.c.called_at).label("called"),
            func.sum(wait).label("wait_us"),
            func.max(wait).label("max_wait_us"),
            _count(wait > threshold).label("over"),
            _count(timed).label("done_timed"),
            func.sum(
                case((timed, micros_between(dialect, _T.c.serving_at, _T.c.finished_at)))
            ).label("service_us"),
        )
        .select_from(_T.join(_SERVICES, _SERVICES.c.id == _T.c.service_id))
        .where(_in_period())
        .group_by(_T.c.business_date, _T.c.service_id, bucket)
    )


def _in_period() -> Any:
    return and_(
        _T.c.hall_id == bindparam("hall_id"),
        _T.c.business_date >= bindparam("first"),
        _T.c.business_date <= bindparam("last"),
    )


def _per_quarter(dialect: str, at: Any, condition: Any) -> Any:
    q = quarter(dialect, at)
    return select(q.label("q"), func.count()).where(_in_period(), condition).group_by(q)


class HallStatistics:
    """Reads a hall's figures; safe to call from any worker thread (one unit per call)."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        d = db.dialect
        self._legs = _legs_query(d)
        self._arrivals = _per_quarter(d, _T.c.issued_at, _T.c.previous_id.is_(None))
        self._served = _per_quarter(d, _T.c.finished_at, _T.c.status == status_literal("done"))

    def today(self, hall_code: str) -> HallReport:
        """Today's figures so far, `waiting` being the customers waiting now."""
        with errors.read_unit(self._db) as s:
            tz = _hall_row(s.connection(), hall_code).timezone
        day = self._clock.now().astimezone(ZoneInfo(tz)).date()
        return self.report(hall_code, Period(day, day))

    def report(self, hall_code: str, period: Period) -> HallReport:
        """The figures of business days `period.first`..`period.last` (hall time).
        DomainError `unknown_hall` for a code no hall has."""
        now = self._clock.now()
        with errors.read_unit(self._db) as s:
            c = s.connection()
            hall = _hall_row(c, hall_code)
            start, _ = day_bounds(hall.timezone, period.first)
            _, end = day_bounds(hall.timezone, period.last)
            window = Window(hall.id, start, end, min(now, end), self._db.dialect)
            params = {"hall_id": hall.id, "first": period.first, "last": period.last}
            groups = c.execute(self._legs, params).all()
            arrivals = c.execute(self._arrivals, params).all()
            served = c.execute(self._served, params).all()
            services = c.execute(
                select(_SERVICES)
                .where(_SERVICES.c.hall_id == hall.id)
                .order_by(_SERVICES.c.sort_order, _SERVICES.c.code)
            ).all()
            paid = payment_groups(c, window)
            clerks = clerk_figures(c, window, params, paid)
            hall_complaints = complaints(c, window)
        zone = ZoneInfo(hall.timezone)
        by_service: dict[uuid.UUID, _Acc] = defaultdict(_Acc)
        by_day: dict[date, _Acc] = defaultdict(_Acc)
        total = _Acc()
        buckets = [0] * len(WAIT_BUCKETS_MIN)
        for g in groups:
            for acc in (by_service[g.service_id], by_day[g.day], total):
                acc.add(g)
            if g.bucket >= 0:
                buckets[g.bucket] += int(g.called)
        rows = tuple(
            ServiceFigures(
                code=svc.code,
                name_zh=svc.name_zh,
                name_en=svc.name_en,
                target_wait_s=svc.wait_threshold_min * 60,
                stats=by_service[svc.id].stats(),
                wait_verdict=by_service[svc.id].verdict(svc.wait_threshold_min * 60),
            )
            for svc in services
            if svc.active or svc.id in by_service
        )
        ends = (*WAIT_BUCKETS_MIN[1:], None)
        return HallReport(
            hall=hall.code,
            hall_name_zh=hall.name_zh,
            hall_name_en=hall.name_en,
            timezone=hall.timezone,
            period=period,
            taken_at=now,
            totals=total.stats(),
            services=rows,
            clerks=clerks,
            satisfaction=sum_satisfaction(c.satisfaction for c in clerks),
            complaints=hall_complaints,
            payments=hall_payments(paid),
            hours=_hours(zone, arrivals, served),
            wait_distribution=tuple(
                WaitBucket(lo, hi, n)
                for lo, hi, n in zip(WAIT_BUCKETS_MIN, ends, buckets, strict=True)
            ),
            days=tuple(DayFigures(d, by_day[d].stats()) for d in sorted(by_day)),
        )


def sum_satisfaction(parts: Iterable[Satisfaction]) -> Satisfaction:
    rows = list(parts)
    return Satisfaction(
        rated=sum(p.rated for p in rows),
        satisfied=sum(p.satisfied for p in rows),
        dissatisfied=sum(p.dissatisfied for p in rows),
        not_rated=sum(p.not_rated for p in rows),
    )


def _hours(
    zone: ZoneInfo, arrivals: Sequence[Sequence[Any]], served: Sequence[Sequence[Any]]
) -> tuple[HourFigures, ...]:
    """Arrivals and served by the hall's clock hour, over the hours that had either."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])

    def hour(q: int) -> int:
        return datetime.fromtimestamp(int(q) * QUARTER_S, UTC).astimezone(zone).hour

    for i, rows in enumerate((arrivals, served)):
        for q, n in rows:
            counts[hour(q)][i] += int(n)
    if not counts:
        return ()
    return tuple(
        HourFigures(h, *counts.get(h, (0, 0))) for h in range(min(counts), max(counts) + 1)
    )


@dataclass(frozen=True)
class _HallRow:
    id: uuid.UUID
    code: str
    name_zh: str
    name_en: str
    timezone: str


def _hall_row(c: Connection, code: str) -> _HallRow:
    row = c.execute(
        select(
            _HALLS.c.id, _HALLS.c.code, _HALLS.c.name_zh, _HALLS.c.name_en, _HALLS.c.timezone
        ).where(_HALLS.c.code == code)
    ).first()
    if row is None:
        raise errors.DomainError(errors.UNKNOWN_HALL, f"no hall with code '{code}'", hall=code)
    return _HallRow(*row)
