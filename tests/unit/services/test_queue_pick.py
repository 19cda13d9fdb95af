"""The pick of "call next" (`queue_pick`) on SQLite and PostgreSQL: it reads only the heads
of each service, yet takes exactly the ticket a sort of the whole queue would, and on
PostgreSQL passes over tickets other counters hold locked, however many.

The demo hall: PAY (A), APPLY (B), ENQ (C), GREEN (V, priority weight 10); counter 1 serves
PAY then APPLY, counter 5 ENQ then APPLY, counter 6 GREEN, PAY, APPLY, ENQ.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.bootstrap import Core, build_core
from app.models import Ticket
from app.services.clock import ManualClock
from app.services.hall_ref import business_date
from tests.conftest import make_settings
from tests.unit.services.queue_helpers import HALL, login


def _expected(core: Core, counter_number: int) -> list[uuid.UUID]:
    """The counter's queue by a full sort, as the docstring of `queue_pick` defines it."""
    hall = core.halls.get(HALL)
    counter = hall.counter(counter_number)
    assert counter is not None
    rank = {sid: i for i, sid in enumerate(counter.service_ids)}
    weight = {sv.id: sv.priority_weight for sv in hall.services}
    with core.db.read() as s:
        waiting = s.scalars(
            select(Ticket).where(Ticket.status == "waiting", Ticket.service_id.in_(rank))
        ).all()
        today = business_date(hall, core.clock.now())
        waiting = [t for t in waiting if t.business_date == today]
        waiting.sort(
            key=lambda t: (
                -(t.priority + weight.get(t.service_id, 0)),
                rank[t.service_id],
                t.queue_at,
                t.number,
            )
        )
        return [t.id for t in waiting]


def test_the_pick_is_the_head_of_a_full_sort(hall: Core, clock: ManualClock) -> None:
    """More tickets per service than the pick reads heads of, priorities, transfers that
    keep their place and holds sent back to the queue: every call takes the first
    ticket of a full sort of the counter's queue."""
    rng = random.Random(7)
    for _ in range(90):
        code = rng.choice(("PAY", "PAY", "APPLY", "ENQ", "GREEN"))
        hall.queue.issue_ticket(HALL, code, priority=rng.choice((0, 0, 0, 1, 2)))
        clock.advance(rng.choice((0, 5, 20)))
    for n in (1, 5, 6):
        login(hall, n)
    for i in range(70):
        n = (1, 5, 6)[i % 3]
        expected = _expected(hall, n)
        called = hall.queue.call_next(HALL, n)
        assert (called.id if called else None) == (expected[0] if expected else None)
        if called is not None and i % 7 == 0:  # the new leg keeps its place in the queue
            apply = hall.queries.hall(HALL).service("APPLY")
            target = "ENQ" if apply and called.service_id == apply.id else "APPLY"
            hall.queue.transfer(HALL, n, target)
        clock.advance(10)


@contextmanager
def _locked_elsewhere(core: Core, ids: list[uuid.UUID]) -> Iterator[None]:
    """Another counter's transaction holding these tickets locked (FOR UPDATE)."""
    with core.db.engine.connect() as other:
        other.execute(text("SELECT id FROM tickets WHERE id = ANY(:ids) FOR UPDATE"), {"ids": ids})
        try:
            yield
        finally:
            other.rollback()


@pytest.fixture
def pg_hall(pg_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[Core]:
    c = build_core(make_settings(pg_url), data_dir=tmp_path, demo=True, clock=clock)
    try:
        yield c
    finally:
        c.close()


def test_postgres_passes_over_tickets_being_called_elsewhere(
    pg_hall: Core, clock: ManualClock
) -> None:
    hall = pg_hall
    for _ in range(30):
        hall.queue.issue_ticket(HALL, "PAY")
        clock.advance(5)
    login(hall, 1)
    queue = _expected(hall, 1)
    with _locked_elsewhere(hall, queue[:1]):
        called = hall.queue.call_next(HALL, 1)
    assert called is not None and called.id == queue[1]
    # More locked than the pick reads heads of (twice the hall's counters + 1): it reads on.
    queue = _expected(hall, 1)
    heads = 2 * len(hall.halls.get(HALL).counters) + 1
    with _locked_elsewhere(hall, queue[: heads + 2]):
        called = hall.queue.call_next(HALL, 1)
    assert called is not None and called.id == queue[heads + 2]
    # All locked: nobody to call, nothing changed.
    queue = _expected(hall, 1)
    with _locked_elsewhere(hall, queue):
        assert hall.queue.call_next(HALL, 1) is None
    assert hall.queries.ticket(called.id).status == "done"  # type: ignore[union-attr]
    assert _expected(hall, 1) == queue
