"""The demo's live traffic (`scripts/run --traffic`): customers arrive, counters 2-6 call,
serve, ask for ratings and finish through the real services, and stop cleanly. Run fast
(many arrivals a second, service times divided by 600) on a real SQLite file."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from app.models import CounterSession, Evaluation, Ticket
from app.services.simulation.traffic import DemoTraffic

HALL = "DEMO"


def test_the_hall_plays_itself_and_stops_cleanly(sqlite_core):
    core = sqlite_core
    traffic = DemoTraffic(
        HALL, core.queue, core.counters, core.evaluations, core.auth,
        arrivals_per_min=600, speed=600, seed=3, tick_s=0.02,
    ).start()  # fmt: skip
    deadline = time.monotonic() + 30
    while traffic.finished < 10 and time.monotonic() < deadline:
        time.sleep(0.1)
    traffic.stop()
    assert traffic.finished >= 10
    with core.db.read() as s:
        tickets = s.scalar(select(func.count()).select_from(Ticket))
        statuses = dict(
            s.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all()
        )
        rated = s.scalar(select(func.count()).where(Evaluation.status == "rated"))
        open_sessions = s.scalar(select(func.count()).where(CounterSession.ended_at.is_(None)))
    assert tickets == traffic.issued
    assert statuses.get("done", 0) == traffic.finished
    assert rated == traffic.rated > 0
    assert "called" not in statuses and "serving" not in statuses  # all served at the stop
    assert open_sessions == 0  # every simulated clerk logged out
