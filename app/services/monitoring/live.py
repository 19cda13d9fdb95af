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

from sqlalchemy import select
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

    def now(self, hall_code: str) -> HallNow:
        hall = self._halls.get(hall_code)
        now = self._clock.now()
        day = business_date(hall, now)
        start, _ = day_bounds(hall, now)
        with self._read() as s:
            tickets = s.execute(
                select(
                    Ticket.id,
                    Ticket.service_id,
                    Ticket.status,
                    Ticket.prefix,
                    Ticket.number,
                    Ticket.queue_at,
                    Ticket.issued_at,
                    Ticket.previous_id,
                    Ticket.called_at,
                    Ticket.serving_at,
                    Ticket.finished_at,
                    Ticket.counter_id,
                    Ticket.staff_id,
                ).where(Ticket.hall_id == hall.id, Ticket.business_date == day)
            ).all()
            handled = _recent_handling(s, hall, now)
            sessions = (
                s.execute(
                    select(CounterSession).where(
                        CounterSession.counter_id.in_([c.id for c in hall.counters]),
                        (CounterSession.ended_at.is_(None)) | (CounterSession.ended_at > start),
                    )
                )
                .scalars()
                .all()
            )
            pauses = (
                s.execute(
                    select(CounterPause).where(
                        CounterPause.session_id.in_([x.id for x in sessions]),
                        (CounterPause.ended_at.is_(None)) | (CounterPause.ended_at > start),
                    )
                )
                .scalars()
                .all()
            )
            staff = {
                st.id: st
                for st in s.scalars(
                    select(Staff).where(Staff.id.in_({x.staff_id for x in sessions}))
                )
            }
            ratings = s.scalars(
                select(Evaluation.rating).where(
                    Evaluation.hall_id == hall.id,
                    Evaluation.requested_at >= start,
                    Evaluation.rating.is_not(None),
                )
            ).all()
            alerts_now = alerts_of_day(s, hall.id, start)
        services = _services(hall, tickets, handled, sessions, now)
        counters = _counters(hall, tickets, sessions, pauses, staff, start, now)
        return HallNow(
            taken_at=now,
            services=services,
            counters=counters,
            rated_today=len(ratings),
            satisfied_today=sum(1 for r in ratings if r in SATISFIED),
            dissatisfied_today=sum(1 for r in ratings if r in DISSATISFIED),
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


def _services(hall, tickets, handled, sessions, now) -> tuple[ServiceNow, ...]:  # type: ignore[no-untyped-def]
    open_counters = {x.counter_id for x in sessions if x.ended_at is None and not x.paused}
    out = []
    for svc in hall.services:
        mine = [t for t in tickets if t.service_id == svc.id]
        waiting = [t for t in mine if t.status == "waiting"]
        # a leg waits from when it joined this queue: a transferred leg from its transfer
        waits = [
            (t.called_at - (t.queue_at if t.previous_id is None else t.issued_at)).total_seconds()
            for t in mine
            if t.called_at
        ]
        longest = max(((now - t.queue_at).total_seconds() for t in waiting), default=0.0)
        serving = sum(1 for c in hall.counters if svc.id in c.service_ids and c.id in open_counters)
        estimate = len(waiting) * handled[svc.id] / serving if serving else 0.0
        out.append(
            ServiceNow(
                code=svc.code,
                name_zh=svc.name_zh,
                name_en=svc.name_en,
                waiting=len(waiting),
                longest_wait_s=int(longest),
                avg_wait_today_s=round(sum(waits) / len(waits)) if waits else 0,
                served_today=sum(1 for t in mine if t.status == "done"),
                estimate_s=round(estimate),
                wait_limit_s=svc.wait_threshold_min * 60,
                handling_limit_s=svc.handling_limit_min * 60,
                queue_limit=svc.queue_limit,
            )
        )
    return tuple(out)


def _counters(hall, tickets, sessions, pauses, staff, start, now) -> tuple[CounterNow, ...]:  # type: ignore[no-untyped-def]
    codes = {svc.id: svc for svc in hall.services}
    out = []
    for counter in hall.counters:
        mine = [x for x in sessions if x.counter_id == counter.id]
        session = next((x for x in mine if x.ended_at is None), None)
        idle = _idle_s(counter.id, mine, pauses, tickets, start, now)
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
        current = next(
            (t for t in tickets if t.counter_id == counter.id and t.status in OPEN_AT_COUNTER),
            None,
        )
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
            done = [t.finished_at for t in tickets if t.counter_id == counter.id and t.finished_at]
            out.append(replace(base, since=max([session.started_at, *done])))
    return tuple(out)


def _idle_s(counter_id, sessions, pauses, tickets, start, now) -> int:  # type: ignore[no-untyped-def]
    """Logged in today, not paused and nobody at the counter: the seconds of it."""
    busy: list[tuple[datetime, datetime]] = []
    for x in sessions:
        busy += [(p.started_at, p.ended_at or now) for p in pauses if p.session_id == x.id]
    busy += [
        (t.called_at, t.finished_at or now)
        for t in tickets
        if t.counter_id == counter_id and t.called_at is not None
    ]
    total = 0.0
    for x in sessions:
        a, b = max(x.started_at, start), min(x.ended_at or now, now)
        if b <= a:
            continue
        total += (b - a).total_seconds() - _covered(a, b, busy)
    return max(0, int(total))


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
