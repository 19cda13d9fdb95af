"""What the staffing advisor (`staffing`) is told of a hall day, read from its rows.

One read-only unit of work of plain SELECTs by indexed columns (the hall's services, its
tickets of the business day, the counter sessions that overlap the day, their pauses and
their counters' services); the bucketing by the hall's clock hour is done here in Python,
so the SQL is the same on SQLite and PostgreSQL and needs no time-zone function of either.
A day is a few thousand rows at most.

Per service:
- arrivals: the legs that joined its queue, a printed ticket at `queue_at`, a transferred
  leg at `issued_at` (the moment of the transfer), per clock hour;
- the mean time at a counter: `finished_at - called_at` of its legs that left a counter
  (served, no-show or transferred on): walk-up, recalls and no-shows included, as they
  take the counter; the day's mean, as an hour holds too few for its own. A service
  nobody finished that day takes its configured `default_service_s`;
- the counters open: counter-hours of the sessions of counters serving it, pauses left
  out. Which services a counter serves is its plan now, not as it was on that day.

Rates are per hour the hall was open: the hall opens at the first log-in and closes at the
last log-out, and a clock hour it was open for half (08:30-09:00) has its counts doubled,
both the arrivals and the counters, so that the advice is for the half hour it covers.
An hour counts at least a quarter of an hour open, so a straggler's ticket after the
last log-out is not taken for a rush. A session still open counts up to `now`.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from app.models import Counter, CounterPause, CounterService, CounterSession, Service, Ticket
from app.models.db import Database
from app.services import errors
from app.services.hall_ref import load_hall
from app.services.monitoring.staffing import ServiceDemand, StaffingAdvice, advise

MIN_EXPOSURE_H = 0.25
_LEFT_COUNTER = ("done", "no_show", "transferred")

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class MeasuredService:
    """One service's figures of the day, and the demand the advisor is given from them."""

    code: str
    name_zh: str
    name_en: str
    arrived: int  # legs that joined its queue that day
    timed: int  # legs whose counter time was measured
    mean_service_s: float  # measured, or the configured default when `timed` is 0
    threshold_min: int  # the service's alert threshold, the default target
    arrivals: Mapping[int, float] = field(default_factory=dict)  # hour -> per hour
    open_counters: Mapping[int, float] = field(default_factory=dict)  # hour -> counters

    def demand(self, target_wait_s: float | None = None) -> ServiceDemand:
        """The advisor's input, with `target_wait_s` or the service's threshold."""
        target = self.threshold_min * 60.0 if target_wait_s is None else target_wait_s
        return ServiceDemand(
            code=self.code,
            arrivals=self.arrivals,
            mean_service_s=self.mean_service_s,
            target_wait_s=target,
            open_counters=self.open_counters,
        )


@dataclass(frozen=True)
class HallDay:
    """A hall's business day as the advisor sees it; `hours` are the hall's clock hours
    it was open or had arrivals, `opened`/`closed` its first log-in and last log-out
    (None without a session)."""

    hall: str
    day: date
    timezone: str
    hours: tuple[int, ...]
    opened: datetime | None
    closed: datetime | None
    services: tuple[MeasuredService, ...]
    hall_open: Mapping[int, float]  # hour -> counters open, each counted once

    def advise(
        self, targets: Mapping[str, float] | None = None, *, min_counters: int = 0
    ) -> StaffingAdvice:
        """The advice for this day: `targets` by service code in seconds (a service not
        named keeps its threshold)."""
        targets = targets or {}
        unknown = set(targets) - {s.code for s in self.services}
        if unknown:
            known = ", ".join(s.code for s in self.services)
            raise ValueError(f"unknown service {', '.join(sorted(unknown))} (known: {known})")
        return advise(
            [s.demand(targets.get(s.code)) for s in self.services],
            hours=self.hours,
            hall_open=self.hall_open,
            min_counters=min_counters,
        )


def read_hall_day(db: Database, hall_code: str, day: date, *, now: datetime) -> HallDay:
    """The figures of `hall_code` on its business day `day`, a session still open counted
    up to `now`. Raises `DomainError` (`UNKNOWN_HALL`) for a hall the database lacks, and
    `DatabaseUnavailable`."""
    with errors.read_unit(db) as s:
        hall = load_hall(s, hall_code)
        zone = ZoneInfo(hall.timezone)
        start = datetime.combine(day, time(0), zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        rows = _read_rows(s, hall.id, day, (start, end))
    until = min(max(now, start), end)
    worked: dict[uuid.UUID, list[Span]] = defaultdict(list)  # counter -> spans, pauses cut out
    paused: dict[uuid.UUID, list[Span]] = defaultdict(list)
    for p in rows.pauses:
        paused[p.session_id].append((p.started_at, p.ended_at or until))
    for r in rows.sessions:
        span = (max(r.started_at, start), min(r.ended_at or until, end))
        worked[r.counter_id] += _cut(span, paused[r.id])
    spans = [sp for parts in worked.values() for sp in parts]
    opened = min((a for a, _ in spans), default=None)
    closed = max((b for _, b in spans), default=None)

    joined: dict[uuid.UUID, list[int]] = defaultdict(list)
    timed: dict[uuid.UUID, list[float]] = defaultdict(list)
    for t in rows.tickets:
        at = t.queue_at if t.previous_id is None else t.issued_at
        joined[t.service_id].append(at.astimezone(zone).hour)
        if t.status in _LEFT_COUNTER and t.called_at is not None and t.finished_at is not None:
            timed[t.service_id].append((t.finished_at - t.called_at).total_seconds())

    clock = _clock_hours(day, zone)
    hours = {h for hs in joined.values() for h in hs}
    if opened is not None and closed is not None:
        hours |= {h for h, span in clock.items() if _overlap(span, (opened, closed)) > 0}
        exposure = {h: max(_overlap(clock[h], (opened, closed)), MIN_EXPOSURE_H) for h in hours}
    else:
        exposure = dict.fromkeys(hours, 1.0)  # no session that day: whole clock hours

    def counters_open(counters: Iterable[uuid.UUID]) -> dict[int, float]:
        parts = [sp for c in counters for sp in worked.get(c, ())]
        return {h: math.fsum(_overlap(clock[h], sp) for sp in parts) / exposure[h] for h in hours}

    serving: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for link in rows.plans:
        serving[link.service_id].add(link.counter_id)
    services = tuple(
        MeasuredService(
            code=sv.code,
            name_zh=sv.name_zh,
            name_en=sv.name_en,
            arrived=len(joined[sv.id]),
            timed=len(timed[sv.id]),
            mean_service_s=(
                math.fsum(timed[sv.id]) / len(timed[sv.id])
                if timed[sv.id]
                else float(sv.default_service_s)
            ),
            threshold_min=sv.wait_threshold_min,
            arrivals={h: joined[sv.id].count(h) / exposure[h] for h in sorted(hours)},
            open_counters=counters_open(serving[sv.id]),
        )
        for sv in rows.services
    )
    return HallDay(
        hall=hall.code,
        day=day,
        timezone=hall.timezone,
        hours=tuple(sorted(hours)),
        opened=opened,
        closed=closed,
        services=services,
        hall_open=counters_open(worked),
    )


class _DayRows(NamedTuple):
    services: Sequence[Row[uuid.UUID, str, str, str, int, int]]
    tickets: Sequence[
        Row[uuid.UUID, uuid.UUID | None, str, datetime, datetime, datetime | None, datetime | None]
    ]
    sessions: Sequence[Row[uuid.UUID, uuid.UUID, datetime, datetime | None]]
    pauses: Sequence[Row[uuid.UUID, datetime, datetime | None]]
    plans: Sequence[Row[uuid.UUID, uuid.UUID]]


def _read_rows(s: Session, hall_id: uuid.UUID, day: date, bounds: Span) -> _DayRows:
    """The day's rows by indexed columns: tickets by (hall, business day), the sessions
    that overlap the day's UTC bounds, their pauses, the plans of their counters."""
    start, end = bounds
    services = s.execute(
        select(
            Service.id,
            Service.code,
            Service.name_zh,
            Service.name_en,
            Service.wait_threshold_min,
            Service.default_service_s,
        )
        .where(Service.hall_id == hall_id, Service.active.is_(True))
        .order_by(Service.sort_order, Service.code)
    ).all()
    tickets = s.execute(
        select(
            Ticket.service_id,
            Ticket.previous_id,
            Ticket.status,
            Ticket.queue_at,
            Ticket.issued_at,
            Ticket.called_at,
            Ticket.finished_at,
        ).where(Ticket.hall_id == hall_id, Ticket.business_date == day)
    ).all()
    sessions = s.execute(
        select(
            CounterSession.id,
            CounterSession.counter_id,
            CounterSession.started_at,
            CounterSession.ended_at,
        )
        .join(Counter, Counter.id == CounterSession.counter_id)
        .where(
            Counter.hall_id == hall_id,
            CounterSession.started_at < end,
            or_(CounterSession.ended_at.is_(None), CounterSession.ended_at > start),
        )
    ).all()
    if not sessions:
        return _DayRows(services, tickets, sessions, [], [])
    pauses = s.execute(
        select(CounterPause.session_id, CounterPause.started_at, CounterPause.ended_at).where(
            CounterPause.session_id.in_([r.id for r in sessions])
        )
    ).all()
    plans = s.execute(
        select(CounterService.counter_id, CounterService.service_id).where(
            CounterService.counter_id.in_({r.counter_id for r in sessions})
        )
    ).all()
    return _DayRows(services, tickets, sessions, pauses, plans)


def _clock_hours(day: date, zone: ZoneInfo) -> dict[int, Span]:
    """Each local clock hour of the day as a UTC span (a DST day has 23 or 25 hours: the
    hour repeated in autumn is counted once, from its first start to its last end)."""
    out: dict[int, Span] = {}
    t = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    while t < end:
        h = t.astimezone(zone).hour
        first = out.get(h, (t, t))[0]
        out[h] = (first, t + timedelta(hours=1))
        t += timedelta(hours=1)
    return out


def _overlap(a: Span, b: Span) -> float:
    """Hours the two spans share."""
    return max((min(a[1], b[1]) - max(a[0], b[0])).total_seconds(), 0.0) / 3600


def _cut(span: Span, holes: Iterable[Span]) -> list[Span]:
    """`span` with the `holes` (pauses) taken out."""
    parts = [span]
    for h0, h1 in sorted(holes):
        nxt: list[Span] = []
        for a, b in parts:
            if h1 <= a or b <= h0:
                nxt.append((a, b))
                continue
            if a < h0:
                nxt.append((a, h0))
            if h1 < b:
                nxt.append((h1, b))
        parts = nxt
    return [(a, b) for a, b in parts if a < b]
