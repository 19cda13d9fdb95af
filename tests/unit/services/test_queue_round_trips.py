"""Call next on PostgreSQL, as the server sees it (tests/pg_wire.py reads the wire): one
round trip, BEGIN, the open session's lock, a statement that finishes the current
customer, one that picks, calls and logs, COMMIT; the same for a refused call, which
writes and locks nothing; the statements those of `QueueService.call_sql` (prepared
once per connection, their values bound on the client), which the pgbench baseline
replays; and the pick's whole-queue fallback locks nothing while a head of the queue
is free.

The demo hall: counter 1 serves PAY (A) then APPLY (B).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

from app.bootstrap import Core, build_core
from app.models import CounterService, TicketEvent
from app.services.clock import ManualClock
from app.services.errors import DomainError
from app.services.hall_ref import business_date
from tests.conftest import make_settings
from tests.pg_wire import WireTap
from tests.unit.services.pg_trips import (
    call_into,
    prepared_form,
    statuses,
    trips_are,
    trips_of,
    warm,
    whole_form,
)
from tests.unit.services.queue_helpers import HALL, assert_refused, login


def _locks_the_session(statement: str) -> bool:
    return "FROM counter_sessions" in statement and "FOR UPDATE" in statement


def test_call_next_is_one_round_trip(tapped_hall: Core, tap: WireTap, clock: ManualClock) -> None:
    hall = tapped_hall
    issued = [hall.queue.issue_ticket(HALL, "PAY").ticket for _ in range(2)]
    login(hall, 1)
    statements = hall.queue.call_sql(HALL, 1)
    (prepare_lock, lock), (prepare_finish, finish), (prepare_call, call) = map(
        prepared_form, statements
    )
    assert _locks_the_session(statements[0])
    assert statements[1].startswith("WITH finished AS")
    assert statements[2].startswith("WITH called AS")
    warm(hall)
    # nobody at the counter yet; then one to finish; then one to finish and nobody left
    for k, expected in enumerate((issued[0], issued[1], None)):
        clock.advance(30)
        called: list[object] = []
        trips = trips_of(tap, partial(call_into, called, hall.queue.call_next, HALL, 1))
        if k == 0:  # the first on this connection prepares each, in the same trip
            prepares = [prepare_lock, prepare_finish, prepare_call]
            assert trips_are(trips, [*prepares, "BEGIN", lock, finish, call, "COMMIT"])
        else:
            assert trips_are(trips, ["BEGIN", lock, finish, call, "COMMIT"]), trips
        assert getattr(called[0], "id", None) == (expected.id if expected else None)
    with hall.db.read() as s:
        kinds = s.execute(
            select(TicketEvent.kind, TicketEvent.display_number)
            .where(TicketEvent.kind.in_(("called", "done")))
            .order_by(TicketEvent.id)
        ).all()
    assert [tuple(k) for k in kinds] == [
        ("called", "A001"),
        ("done", "A001"),
        ("called", "A002"),
        ("done", "A002"),
    ]
    assert hall.queries.ticket(issued[1].id).status == "done"  # type: ignore[union-attr]


def test_a_refused_call_next_is_the_same_trip_and_writes_nothing(
    tapped_hall: Core, tap: WireTap
) -> None:
    hall = tapped_hall
    hall.queue.issue_ticket(HALL, "PAY")
    codes: list[str] = []

    def refused() -> None:
        with pytest.raises(DomainError) as caught:
            hall.queue.call_next(HALL, 1)
        codes.append(caught.value.code)

    prepared = [prepared_form(sql) for sql in hall.queue.call_sql(HALL, 1)]
    prepares, executes = [p for p, _ in prepared], [e for _, e in prepared]
    warm(hall)
    assert trips_are(trips_of(tap, refused), [*prepares, "BEGIN", *executes, "COMMIT"])
    assert_refused(hall, "counter_closed", lambda: hall.queue.call_next(HALL, 1))
    login(hall, 1)
    hall.counters.pause(HALL, 1, "training")
    assert trips_are(trips_of(tap, refused), ["BEGIN", *executes, "COMMIT"])  # prepared still
    assert codes == ["counter_closed", "counter_paused"]
    assert_refused(hall, "counter_paused", lambda: hall.queue.call_next(HALL, 1))


def _locked_by_the_call(hall: Core, pg_url: str, clock: ManualClock) -> tuple[Any, int]:
    """The statements of call next as it sends them (`call_sql`, in a driver unit) but
    without COMMIT, which call next sends with them: the waiting tickets another
    connection can still lock meanwhile, and the ticket called."""
    info = hall.halls.get(HALL)
    counter = hall.halls.counter(info, 1)
    now = clock.now()
    direct = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    params = {"counter_id": counter.id, "day": business_date(info, now), "now": now}
    with hall.db.driver_write() as unit:
        _session, _finished, called = unit.rows(hall.queue.call_sql(HALL, 1), params)
        with psycopg.connect(direct) as other:
            rows = other.execute(
                "SELECT id FROM tickets WHERE status = 'waiting' FOR UPDATE SKIP LOCKED"
            ).fetchall()
            other.rollback()
    return called, len(rows)


def test_the_whole_queue_is_read_only_when_no_head_is_free(
    tapped_hall: Core, pg_url: str, clock: ManualClock
) -> None:
    """While the call statement's transaction is open, exactly one waiting ticket is
    locked (the one it called): the whole-queue pick, the second arm of its `coalesce`,
    did not run and lock another."""
    hall = tapped_hall
    for _ in range(5):
        hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    called, lockable = _locked_by_the_call(hall, pg_url, clock)
    assert called is not None and lockable == 4
    assert statuses(hall) == ["called", "waiting", "waiting", "waiting", "waiting"]


def test_a_paused_counters_call_locks_and_writes_nothing(
    tapped_hall: Core, pg_url: str, clock: ManualClock
) -> None:
    """The call statement runs for a paused (or closed) counter too, in the same trip as
    the lock that tells why it is refused: its gate keeps it from reading a ticket, so
    it locks none that another counter could call meanwhile, and writes nothing."""
    hall = tapped_hall
    for _ in range(3):
        hall.queue.issue_ticket(HALL, "PAY")
    assert _locked_by_the_call(hall, pg_url, clock) == (None, 3)  # closed: nobody logged in
    assert statuses(hall) == ["waiting"] * 3
    login(hall, 1)
    hall.queue.call_next(HALL, 1)
    hall.queue.finish(HALL, 1)
    hall.counters.pause(HALL, 1, "training")
    assert _locked_by_the_call(hall, pg_url, clock) == (None, 2)
    assert statuses(hall) == ["done", "waiting", "waiting"]


def test_through_pgbouncer_nothing_is_prepared(
    pg_url: str, tap: WireTap, tmp_path: Path, clock: ManualClock
) -> None:
    """Through PgBouncer in transaction mode a prepared statement may be on another
    server session: the statements go whole, still one round trip (the tap stands in
    for PgBouncer here: what matters is what the station sends)."""
    settings = make_settings(tap.url(pg_url))
    settings = replace(settings, database=replace(settings.database, pgbouncer=True))
    hall = build_core(settings, data_dir=tmp_path, demo=True, clock=clock)
    try:
        issued = hall.queue.issue_ticket(HALL, "PAY").ticket
        login(hall, 1)
        sent = [whole_form(sql) for sql in hall.queue.call_sql(HALL, 1)]
        warm(hall)
        for expected in (issued.id, None):
            clock.advance(30)
            called: list[object] = []
            trips = trips_of(tap, partial(call_into, called, hall.queue.call_next, HALL, 1))
            assert trips_are(trips, ["BEGIN", *sent, "COMMIT"]), trips
            assert getattr(called[0], "id", None) == expected
    finally:
        hall.close()


def test_a_customer_is_finished_no_earlier_than_called(
    tapped_hall: Core, clock: ManualClock
) -> None:
    """The moment of a call is read before its round trip, and another step at the same
    counter may take the lock first and call a customer a moment later: the customer it
    finishes is finished at its call then, not before it (the clock set back stands in
    for that race), and the 'done' event says the same."""
    hall = tapped_hall
    for _ in range(2):
        hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    clock.advance(60)
    first = hall.queue.call_next(HALL, 1)
    assert first is not None
    called_at = clock.now()
    clock.set(called_at - timedelta(seconds=2))
    hall.queue.call_next(HALL, 1)
    done = hall.queries.ticket(first.id)
    assert done is not None and done.status == "done"
    assert done.finished_at == called_at
    with hall.db.read() as s:
        at = s.scalar(
            select(TicketEvent.at).where(
                TicketEvent.ticket_id == first.id, TicketEvent.kind == "done"
            )
        )
    assert at == called_at


def test_a_counters_new_services_are_called_once_the_hall_is_read_again(
    tapped_hall: Core, clock: ManualClock
) -> None:
    """The statements of a counter are kept for the hall and counter as the directory
    gave them: when the counter's services change and the directory reads the hall
    again, call next builds and sends the new ones (counter 1 given ENQ only calls the
    enquiry ticket, not the PAY one issued before it)."""
    hall = tapped_hall
    pay = hall.queue.issue_ticket(HALL, "PAY").ticket
    enq = hall.queue.issue_ticket(HALL, "ENQ").ticket
    login(hall, 1)
    before = hall.queue.call_sql(HALL, 1)
    assert hall.queue.call_sql(HALL, 1) is before  # kept while the directory's hall is
    with hall.db.write() as s:
        counter_id = hall.halls.counter(hall.halls.get(HALL), 1).id
        enq_id = hall.halls.service(hall.halls.get(HALL), "ENQ").id
        s.execute(delete(CounterService).where(CounterService.counter_id == counter_id))
        s.add(CounterService(counter_id=counter_id, service_id=enq_id, rank=0))
    assert hall.queue.call_sql(HALL, 1) is before  # the directory has not read it yet
    hall.halls.forget(HALL)
    after = hall.queue.call_sql(HALL, 1)
    assert after[1:] != before[1:]
    called = hall.queue.call_next(HALL, 1)
    assert called is not None and called.id == enq.id
    assert hall.queries.ticket(pay.id).status == "waiting"  # type: ignore[union-attr]
