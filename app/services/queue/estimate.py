"""The wait printed on a ticket: the waiting customers of its service called before it,
and their wait at the recent pace of the service over the counters open for it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, func, select

from app.services.dto import HallInfo
from app.services.hall_ref import TICKETS, WAITING, TicketRow, status_literal
from app.services.queue.common import SESSIONS

# Waiting customers of the ticket's service who will be called before it, counting the
# ticket itself (see `ahead_and_wait`); and the open, unpaused counters that serve it.
_AHEAD_AND_OPEN = select(
    select(func.count())
    .select_from(TICKETS)
    .where(
        TICKETS.c.hall_id == bindparam("hall_id"),
        TICKETS.c.service_id == bindparam("service_id"),
        TICKETS.c.business_date == bindparam("day"),
        TICKETS.c.status == WAITING,
        (TICKETS.c.priority > bindparam("priority"))
        | (
            (TICKETS.c.priority == bindparam("priority"))
            & (TICKETS.c.queue_at <= bindparam("queue_at"))
        ),
    )
    .scalar_subquery(),
    select(func.count())
    .select_from(SESSIONS)
    .where(
        SESSIONS.c.counter_id.in_(bindparam("counter_ids", expanding=True)),
        SESSIONS.c.ended_at.is_(None),
        SESSIONS.c.paused.is_(False),
    )
    .scalar_subquery(),
)
_RECENT_SERVICE = (
    select(TICKETS.c.serving_at, TICKETS.c.finished_at)
    .where(
        TICKETS.c.hall_id == bindparam("hall_id"),
        TICKETS.c.service_id == bindparam("service_id"),
        TICKETS.c.status == status_literal("done"),
        TICKETS.c.finished_at >= bindparam("since"),
        TICKETS.c.serving_at.is_not(None),
    )
    .order_by(TICKETS.c.finished_at.desc())
    .limit(20)
)


def ahead_and_wait(
    c: Connection, hall: HallInfo, t: TicketRow, default_s: int, now: datetime
) -> tuple[int, int]:
    """For a waiting ticket this unit has just written: the waiting customers of its service
    who will be called before it, and their wait, ahead × recent average service time ÷
    open counters serving the service."""
    counter_ids = [x.id for x in hall.counters if t.service_id in x.service_ids]
    counted, open_counters = c.execute(
        _AHEAD_AND_OPEN,
        {
            "hall_id": hall.id,
            "service_id": t.service_id,
            "day": t.business_date,
            "priority": t.priority,
            "queue_at": t.queue_at,
            "counter_ids": counter_ids,
        },
    ).one()
    ahead = max(0, int(counted or 0) - 1)  # the ticket matches its own condition once
    if ahead == 0:
        return 0, 0
    recent = c.execute(
        _RECENT_SERVICE,
        {"hall_id": hall.id, "service_id": t.service_id, "since": now - timedelta(days=7)},
    ).all()
    durations = [
        (f - b).total_seconds() for b, f in recent if b is not None and f is not None and f > b
    ]
    avg = sum(durations) / len(durations) if durations else float(default_s)
    return ahead, math.ceil(ahead * avg / max(1, int(open_counters or 0)))
