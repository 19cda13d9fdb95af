"""Call next on PostgreSQL when it called nobody although tickets waited (`pick._postgres_call`):
its statement's snapshot saw them, but each was called by another counter since, or
locked by a step that had not ended. It tries again in a new transaction, the lock and
the call only, and says "nobody waits" only when nobody does, or when the retries
(`CALL_TRIES`) ran out. The demo hall: counter 1 serves PAY (A) then APPLY (B).
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.bootstrap import Core
from app.models import TicketEvent
from app.services.hall_ref import business_date
from app.services.queue.service import CALL_TRIES
from tests.pg_wire import WireTap
from tests.unit.services.pg_trips import (
    call_into,
    prepared_form,
    statuses,
    trips_are,
    trips_of,
    warm,
)
from tests.unit.services.queue_helpers import HALL, login


def _held(pg_url: str, ticket_id: object, *, took: bool) -> psycopg.Connection[Any]:
    """Another transaction holding the ticket's row lock, as a step elsewhere does while
    it runs (its lock taken by hand here: a real step holds it for too short a moment to
    be caught). `took`: it has also called the ticket, not yet committed."""
    direct = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    other = psycopg.connect(direct)
    other.execute("SELECT 1 FROM tickets WHERE id = %s FOR UPDATE", (ticket_id,))
    if took:
        other.execute("UPDATE tickets SET status = 'called' WHERE id = %s", (ticket_id,))
    return other


def _after(seconds: float, fn: Any) -> threading.Thread:
    t = threading.Timer(seconds, fn)
    t.start()
    return t


def _retries(tapped_hall: Core, tap: WireTap) -> tuple[list[list[str]], Any]:
    """Call next at counter 1 as the server got it: its round trips, and what it called."""
    statements = tapped_hall.queue.call_sql(HALL, 1)
    warm(tapped_hall)
    called: list[object] = []
    trips = trips_of(tap, partial(call_into, called, tapped_hall.queue.call_next, HALL, 1))
    prepared = [prepared_form(sql) for sql in statements]
    lock, finish, call = (execute for _prepare, execute in prepared)
    prepares = [prepare for prepare, _execute in prepared]  # the first call on the connection
    assert trips_are(trips[:1], [*prepares, "BEGIN", lock, finish, call, "COMMIT"]), trips[:1]
    for trip in trips[1:]:  # a retry: nothing left to finish, only the call again
        assert trips_are([trip], ["BEGIN", lock, call, "COMMIT"]), trip
    return trips, called[0]


def _call_while_held(
    hall: Core, tap: WireTap, pg_url: str, *, took: bool
) -> tuple[Any, list[list[str]], Any]:
    """Call next at counter 1 while another transaction holds the only waiting ticket and
    ends a moment after call next began: rolled back, or (`took`) committing its call.
    The ticket, call next's round trips, and what it called."""
    ticket = hall.queue.issue_ticket(HALL, "PAY").ticket
    login(hall, 1)
    other = _held(pg_url, ticket.id, took=took)
    timer = _after(0.1, other.commit if took else other.rollback)
    try:
        trips, called = _retries(hall, tap)
    finally:
        timer.join()
        other.close()
    return ticket, trips, called


def test_a_ticket_another_step_let_go_is_called_not_reported_as_nobody(
    tapped_hall: Core, tap: WireTap, pg_url: str
) -> None:
    """The only waiting ticket is locked by a step elsewhere when call next runs (its pick
    skips locked tickets), and the other step then ends without taking it: call next
    tries again in a new transaction and calls it, instead of saying nobody waits."""
    ticket, trips, called = _call_while_held(tapped_hall, tap, pg_url, took=False)
    assert getattr(called, "id", None) == ticket.id
    assert len(trips) >= 2
    assert statuses(tapped_hall) == ["called"]


def test_a_ticket_another_step_took_leaves_nobody_waiting(
    tapped_hall: Core, tap: WireTap, pg_url: str
) -> None:
    """The same, but the other step calls the ticket: the retry sees it called and nobody
    else waiting, and call next says so (None) without touching it."""
    _ticket, trips, called = _call_while_held(tapped_hall, tap, pg_url, took=True)
    assert called is None and len(trips) >= 2
    assert statuses(tapped_hall) == ["called"]
    with tapped_hall.db.read() as s:  # the other step's call is not call next's: no event
        called_events = select(func.count()).where(TicketEvent.kind == "called")
        assert s.scalar(called_events) == 0


def test_call_next_gives_up_on_a_ticket_held_for_long(
    tapped_hall: Core, tap: WireTap, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A ticket held longer than the retries last (about a third of a second in all):
    call next stops after `CALL_TRIES` round trips, says nobody could be called, and
    logs why; the ticket is still waiting for whoever calls next."""
    ticket = tapped_hall.queue.issue_ticket(HALL, "PAY").ticket
    login(tapped_hall, 1)
    other = _held(pg_url, ticket.id, took=False)
    try:
        trips, called = _retries(tapped_hall, tap)
    finally:
        other.rollback()
        other.close()
    assert called is None and len(trips) == CALL_TRIES
    assert "none could be taken" in caplog.text
    assert statuses(tapped_hall) == ["waiting"]
    assert getattr(tapped_hall.queue.call_next(HALL, 1), "id", None) == ticket.id


def _plan_of_the_call(hall: Core, pg_url: str) -> list[str]:
    """The call statement's plan as it ran (EXPLAIN ANALYZE, rolled back) at counter 1."""
    info = hall.halls.get(HALL)
    counter = hall.halls.counter(info, 1)
    now = hall.queue.clock.now()
    params = {"counter_id": counter.id, "day": business_date(info, now), "now": now}
    _lock, _finish, call = hall.queue.call_sql(HALL, 1)
    direct = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(direct) as conn:
        lines = [r[0] for r in conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + call, params)]
        conn.rollback()
    return lines


def _waiting_test(plan: list[str]) -> str:
    (line,) = [ln for ln in plan if " on tickets o " in ln]  # the test's only read
    return line


def test_only_a_call_that_called_nobody_tests_for_waiting_tickets(
    tapped_hall: Core, pg_url: str
) -> None:
    """The test of the snapshot's waiting tickets costs the server nothing on a call that
    called someone: it is never executed; a call that found nobody runs it (and, the
    queue empty, returns no row: nothing to try again)."""
    hall = tapped_hall
    hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    assert "never executed" in _waiting_test(_plan_of_the_call(hall, pg_url))
    hall.queue.call_next(HALL, 1)
    plan = _plan_of_the_call(hall, pg_url)
    assert "actual time" in _waiting_test(plan)
    assert plan[0].startswith("Append") and "rows=0 loops=1" in plan[0]
