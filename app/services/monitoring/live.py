"""The hall now, for the manager's dashboard: per service and per counter, in one read.

Per service: waiting now, the longest current wait, today's average wait (first call −
queue time, as the simulator and the reports count it), served today, what a ticket
taken now would wait (waiting × recent average handling ÷ open counters of the service),
its limits. Per counter: closed, idle, paused (reason, since), called or serving (ticket,
clerk, since), and its idle time today (logged in, not paused, nobody at the counter).
The hall: today's ratings (satisfied = very satisfied or satisfied, over those who rated;
not rated is left out), the open alerts, devices offline and printers short of paper.

Everything is read in one snapshot; the day is the hall's business day in its time zone.
Reads only: `HallMonitor.now()` never takes the write lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from app.models import CounterPause, CounterSession, Evaluation, Staff, Ticket
from app.models.db import Database
from app.services.clock import Clock, SystemClock
from app.services.dto import HallInfo
from app.services.errors import database_reached
from app.services.hall_ref import HallDirectory, business_date
from app.services.monitoring.live_alerts import (
    DEVICE_OFFLINE,
    PAPER_KINDS,
    AlertNow,
    alerts_of_day,
)
from app.services.monitoring.sql import MICROS, micros_between

_T = Ticket.__table__  # Core columns for the SQL time arithmetic
SATISFIED = (0, 1)
DISSATISFIED = (3, 4)
RECENT_HANDLED = 30  # done tickets a service's handling-time average is taken over
OPEN_AT_COUNTER = ("called", "serving")


@dataclass(frozen=True, slots=True)
class ServiceNow:
    code: str
    name_zh: str
    name_en: str
    waiting: int
    longest_wait_s: int
    avg_wait_today_s: int
    served_today: int
    estimate_s: int  # what a ticket taken now would wait
    wait_limit_s: int
    handling_limit_s: int
    queue_limit: int  # 0: none

    @property
    def over_wait_limit(self) -> bool:
        return self.waiting > 0 and self.longest_wait_s > self.wait_limit_s

    @property
    def over_queue_limit(self) -> bool:
        return self.queue_limit > 0 and self.waiting > self.queue_limit

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


@dataclass(frozen=True, slots=True)
class CounterNow:
    number: int
    state: str  # closed | idle | paused | called | serving
    clerk_job: str = ""
    clerk_name: str = ""
    ticket: str = ""  # the display number of the customer at the counter
    ticket_id: uuid.UUID | None = None
    service_code: str = ""
    since: datetime | None = None  # when the state began
    pause_reason: str = ""
    idle_today_s: int = 0
    handling_limit_s: int = 0  # of the service of the customer at the counter

    def elapsed_s(self, now: datetime) -> int:
        return max(0, int((now - self.since).total_seconds())) if self.since else 0

    @property
    def over_handling_limit_at(self) -> datetime | None:
        """When the customer at the counter passes the service's handling limit."""
        if self.state not in OPEN_AT_COUNTER or self.since is None or not self.handling_limit_s:
            return None
        return self.since + timedelta(seconds=self.handling_limit_s)


@dataclass(frozen=True, slots=True)
class HallNow:
    taken_at: datetime
    services: tuple[ServiceNow, ...]
    counters: tuple[CounterNow, ...]
    rated_today: int
    satisfied_today: int
    dissatisfied_today: int
    alerts_today: tuple[AlertNow, ...]  # newest first, and the older ones still open

    @property
    def satisfaction(self) -> float | None:
        """Satisfied over rated today (None before the first rating)."""
        return self.satisfied_today / self.rated_today if self.rated_today else None

    @property
    def open_alerts(self) -> tuple[AlertNow, ...]:
        return tuple(a for a in self.alerts_today if a.open)

    @property
    def devices_offline(self) -> tuple[str, ...]:
        return tuple(sorted({a.source for a in self.open_alerts if a.kind == DEVICE_OFFLINE}))

    @property
    def paper_short(self) -> tuple[AlertNow, ...]:
        return tuple(a for a in self.open_alerts if a.kind in PAPER_KINDS)

    def service(self, code: str) -> ServiceNow:
        return next(s for s in self.services if s.code == code)

    def counter(self, number: int) -> CounterNow:
        return next(c for c in self.counters if c.number == number)


def day_bounds(hall: HallInfo, now: datetime) -> tuple[datetime, datetime]:
    """The hall's business day around `now` as UTC instants [start, end)."""
    day = business_date(hall, now)
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(hall.timezone)).astimezone(UTC)
    return start, start + timedelta(days=1)


class HallMonitor:
    def __init__(self, db: Database, halls: HallDirectory, clock: Clock | None = None) -> None:
        self.db = db
        self._halls = halls
        self._clock = clock or SystemClock()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with database_reached(), self.db.read() as s:
            yield s

    def hall(self, hall_code: str) -> HallInfo:
        return self._halls.get(hall_code)

    @property
    def clock(self) -> Clock:
        return self._clock

    def forget(self, hall_code: str) -> None:
        """Read the hall's services and counters again (their limits changed)."""
        self._halls.forget(hall_code)

    def now(self, hall_code: str) -> HallNow:
        hall = self._halls.get(hall_code)
        now = self._clock.now()
        day = business_date(hall, now)
        start, _ = day_bounds(hall, now)
        dialect = self.db.dialect
        today = (Ticket.hall_id == hall.id) & (Ticket.business_date == day)
        with self._read() as s:
            # per service, counted in the database: a day's tickets are thousands of rows
            joined = case((Ticket.previous_id.is_(None), Ticket.queue_at), else_=Ticket.issued_at)
            called = Ticket.called_at.is_not(None)
            per_service = {
                r.service_id: r
                for r in s.execute(
                    select(
                        Ticket.service_id,
                        func.sum(case((Ticket.status == "waiting", 1), else_=0)).label("waiting"),
                        func.min(case((Ticket.status == "waiting", Ticket.queue_at))).label(
                            "oldest"
                        ),
                        func.sum(case((Ticket.status == "done", 1), else_=0)).label("served"),
                        func.sum(case((called, 1), else_=0)).label("called"),
                        func.sum(
                            case((called, micros_between(dialect, joined, _T.c.called_at)))
                        ).label("wait_us"),
                    )
                    .where(today)
                    .group_by(Ticket.service_id)
                )
            }
            at_counters = s.execute(
                select(
                    Ticket.id,
                    Ticket.service_id,
                    Ticket.status,
                    Ticket.prefix,
                    Ticket.number,
                    Ticket.called_at,
                    Ticket.serving_at,
                    Ticket.counter_id,
                ).where(today, Ticket.status.in_(OPEN_AT_COUNTER))
            ).all()
            # per counter: the last customer finished, the time spent with customers (a
            # held ticket counts from its first call to its end, as the day's report does)
            until = func.coalesce(Ticket.finished_at, literal(now, Ticket.finished_at.type))
            per_counter = {
                r.counter_id: r
                for r in s.execute(
                    select(
                        Ticket.counter_id,
                        func.max(Ticket.finished_at).label("last_done"),
                        func.sum(micros_between(dialect, _T.c.called_at, until)).label("busy"),
                    )
                    .where(today, called, Ticket.counter_id.is_not(None))
                    .group_by(Ticket.counter_id)
                )
            }
            handled = _recent_handling(s, hall, now)
            sessions = s.scalars(
                select(CounterSession).where(
                    CounterSession.counter_id.in_([c.id for c in hall.counters]),
                    (CounterSession.ended_at.is_(None)) | (CounterSession.ended_at > start),
                )
            ).all()
            pauses = s.scalars(
                select(CounterPause).where(
                    CounterPause.session_id.in_([x.id for x in sessions]),
                    (CounterPause.ended_at.is_(None)) | (CounterPause.ended_at > start),
                )
            ).all()
            staff = {
                st.id: st
                for st in s.scalars(
                    select(Staff).where(Staff.id.in_({x.staff_id for x in sessions}))
                )
            }
            ratings = s.execute(
                select(Evaluation.rating, func.count())
                .where(
                    Evaluation.hall_id == hall.id,
                    Evaluation.requested_at >= start,
                    Evaluation.rating.is_not(None),
                )
                .group_by(Evaluation.rating)
            ).all()
            alerts_now = alerts_of_day(s, hall.id, start)
        services = _services(hall, per_service, handled, sessions, now)
        counters = _counters(hall, at_counters, per_counter, sessions, pauses, staff, start, now)
        by_rating = {int(r or 0): int(n) for r, n in ratings}
        return HallNow(
            taken_at=now,
            services=services,
            counters=counters,
            rated_today=sum(by_rating.values()),
            satisfied_today=sum(by_rating.get(r, 0) for r in SATISFIED),
            dissatisfied_today=sum(by_rating.get(r, 0) for r in DISSATISFIED),
            alerts_today=alerts_now,
        )


def _recent_handling(s: Session, hall: HallInfo, now: datetime) -> dict[uuid.UUID, float]:
    """Each service's average handling time over its last done tickets of the past week."""
    out: dict[uuid.UUID, float] = {}
    for svc in hall.services:
        rows = s.execute(
            select(Ticket.serving_at, Ticket.called_at, Ticket.finished_at)
            .where(
                Ticket.hall_id == hall.id,
                Ticket.service_id == svc.id,
                Ticket.status == "done",
                Ticket.finished_at > now - timedelta(days=7),
            )
            .order_by(Ticket.finished_at.desc())
            .limit(RECENT_HANDLED)
        ).all()
        spans = []
        for serving_at, called_at, finished_at in rows:
            began = serving_at or called_at
            if began is not None and finished_at is not None and finished_at > began:
                spans.append((finished_at - began).total_seconds())
        out[svc.id] = sum(spans) / len(spans) if spans else float(svc.default_service_s)
    return out


def _services(hall, per_service, handled, sessions, now) -> tuple[ServiceNow, ...]:  # type: ignore[no-untyped-def]
    open_counters = {x.counter_id for x in sessions if x.ended_at is None and not x.paused}
    out = []
    for svc in hall.services:
        row = per_service.get(svc.id)
        waiting = int(row.waiting or 0) if row else 0
        called = int(row.called or 0) if row else 0
        oldest = row.oldest if row and waiting else None
        longest = (now - oldest).total_seconds() if oldest is not None else 0.0
        serving = sum(1 for c in hall.counters if svc.id in c.service_ids and c.id in open_counters)
        estimate = waiting * handled[svc.id] / serving if serving else 0.0
        out.append(
            ServiceNow(
                code=svc.code,
                name_zh=svc.name_zh,
                name_en=svc.name_en,
                waiting=waiting,
                longest_wait_s=int(max(0.0, longest)),
                # a leg waits from when it joined this queue: a transferred leg from its transfer
                avg_wait_today_s=round(int(row.wait_us) / called / MICROS) if called else 0,
                served_today=int(row.served or 0) if row else 0,
                estimate_s=round(estimate),
                wait_limit_s=svc.wait_threshold_min * 60,
                handling_limit_s=svc.handling_limit_min * 60,
                queue_limit=svc.queue_limit,
            )
        )
    return tuple(out)


def _counters(  # type: ignore[no-untyped-def]
    hall, at_counters, per_counter, sessions, pauses, staff, start, now
) -> tuple[CounterNow, ...]:
    codes = {svc.id: svc for svc in hall.services}
    out = []
    for counter in hall.counters:
        mine = [x for x in sessions if x.counter_id == counter.id]
        session = next((x for x in mine if x.ended_at is None), None)
        mine_busy = per_counter.get(counter.id)
        busy_s = int(mine_busy.busy or 0) / MICROS if mine_busy else 0.0
        idle = _idle_s(mine, pauses, busy_s, start, now)
        if session is None:
            out.append(CounterNow(counter.number, "closed", idle_today_s=idle))
            continue
        clerk = staff.get(session.staff_id)
        base = CounterNow(
            counter.number,
            "idle",
            clerk_job=clerk.job_number if clerk else "",
            clerk_name=clerk.name if clerk else "",
            idle_today_s=idle,
        )
        current = next((t for t in at_counters if t.counter_id == counter.id), None)
        pause = next((p for p in pauses if p.session_id == session.id and p.ended_at is None), None)
        if current is not None:
            svc = codes.get(current.service_id)
            serving = current.status == "serving" and current.serving_at is not None
            out.append(
                replace(
                    base,
                    state=current.status,
                    ticket=f"{current.prefix}{current.number:03d}",
                    ticket_id=current.id,
                    service_code=svc.code if svc else "",
                    since=current.serving_at if serving else current.called_at,
                    handling_limit_s=svc.handling_limit_min * 60 if svc else 0,
                )
            )
        elif pause is not None:
            out.append(
                replace(base, state="paused", since=pause.started_at, pause_reason=pause.reason)
            )
        else:
            last = mine_busy.last_done if mine_busy else None
            since = max(session.started_at, last) if last is not None else session.started_at
            out.append(replace(base, since=since))
    return tuple(out)


def _idle_s(sessions, pauses, busy_s: float, start, now) -> int:  # type: ignore[no-untyped-def]
    """Logged in today, not paused and nobody at the counter: the seconds of it (the time
    with customers is the database's sum; pauses and customers never overlap: a counter
    pauses with nobody at it)."""
    total = 0.0
    for x in sessions:
        a, b = max(x.started_at, start), min(x.ended_at or now, now)
        if b <= a:
            continue
        spans = [(p.started_at, p.ended_at or now) for p in pauses if p.session_id == x.id]
        total += (b - a).total_seconds() - _covered(a, b, spans)
    return max(0, int(total - busy_s))


def _covered(a: datetime, b: datetime, spans: list[tuple[datetime, datetime]]) -> float:
    """Seconds of [a, b) covered by the union of `spans`."""
    clipped = sorted((max(s, a), min(e, b)) for s, e in spans if e > a and s < b)
    total = 0.0
    end = a
    for s, e in clipped:
        if e <= end:
            continue
        total += (e - max(s, end)).total_seconds()
        end = e
    return total
