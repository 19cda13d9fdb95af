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

import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url

from app.bootstrap import Core, build_core
from app.models import CounterService, Ticket, TicketEvent
from app.services.clock import ManualClock
from app.services.errors import DomainError
from app.services.hall_ref import business_date
from app.services.queue.service import CALL_TRIES
from tests.conftest import make_settings
from tests.pg_wire import WireTap
from tests.unit.services.queue_helpers import HALL, assert_refused, login


def _locks_the_session(statement: str) -> bool:
    return "FROM counter_sessions" in statement and "FOR UPDATE" in statement


@pytest.fixture
def tap(pg_url: str) -> Iterator[WireTap]:
    u = make_url(pg_url)
    proxy = WireTap(u.host or "127.0.0.1", u.port or 5432).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def pg_hall(pg_url: str, tap: WireTap, tmp_path: Path, clock: ManualClock) -> Iterator[Core]:
    c = build_core(make_settings(tap.url(pg_url)), data_dir=tmp_path, demo=True, clock=clock)
    try:
        yield c
    finally:
        c.close()


def _sent(tap: WireTap, step: object) -> list[list[str]]:
    """The round trips of one call (`step` a no-argument callable), as the server got them;
    BEGIN as "BEGIN" whether or not it names the isolation level."""
    tap.clear()
    step()  # type: ignore[operator]
    return [["BEGIN" if st.startswith("BEGIN") else st for st in trip] for trip in tap.trips()]


_PARAM = r"%\((\w+)\)s"
_VALUE = r"'[^']*'::[a-z]+"  # a value bound by psycopg on the client


def _sends(statement: str) -> re.Pattern[str]:
    """A statement of `call_sql` as sent whole (through PgBouncer): each parameter a
    value bound on the client."""
    parts = re.split(_PARAM, " ".join(statement.split()))[::2]
    return re.compile(_VALUE.join(re.escape(p) for p in parts))


def _prepared(statement: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A statement of `call_sql` as prepared and as executed: its PREPARE (once per
    connection; the parameters numbered in the order of their first use, the statement's
    name a group) and its EXECUTE (the same name, each value bound on the client)."""
    names = list(dict.fromkeys(re.findall(_PARAM, statement)))
    number = {k: i for i, k in enumerate(names, 1)}
    body = re.sub(_PARAM, lambda m: f"${number[m[1]]}", " ".join(statement.split()))
    prepare = re.compile(r"PREPARE (hd_\w+)\([a-z, ]+\) AS " + re.escape(body))
    execute = re.compile(r"EXECUTE (hd_\w+)\(" + ", ".join([_VALUE] * len(names)) + r"\)")
    return prepare, execute


def _is(trips: list[list[str]], *expected: list[str | re.Pattern[str]]) -> bool:
    """The round trips are the expected ones, a pattern matching a whole statement; a
    statement prepared under a name is executed under that name."""

    def same(got: str, want: str | re.Pattern[str]) -> bool:
        return bool(want.fullmatch(got)) if isinstance(want, re.Pattern) else want == got

    fits = len(trips) == len(expected) and all(
        len(got) == len(want) and all(map(same, got, want))
        for got, want in zip(trips, expected, strict=True)
    )
    sent = [st for trip in trips for st in trip]
    named = {m[1] for st in sent if (m := re.match(r"PREPARE (hd_\w+)", st))}
    run = {m[1] for st in sent if (m := re.match(r"EXECUTE (hd_\w+)", st))}
    return fits and named <= run


def _warm(hall: Core) -> None:
    """The driver units' pool connected (its first connection reads the server's
    version and settings), as after a station's first call next."""
    with hall.db.driver_write() as unit:
        assert unit.one("SELECT %(n)s::int", {"n": 1}) == (1,)


def _into(out: list[object], fn: Any, *args: object) -> None:
    out.append(fn(*args))


def test_call_next_is_one_round_trip(pg_hall: Core, tap: WireTap, clock: ManualClock) -> None:
    hall = pg_hall
    issued = [hall.queue.issue_ticket(HALL, "PAY").ticket for _ in range(2)]
    login(hall, 1)
    statements = hall.queue.call_sql(HALL, 1)
    (prepare_lock, lock), (prepare_finish, finish), (prepare_call, call) = map(
        _prepared, statements
    )
    assert _locks_the_session(statements[0])
    assert statements[1].startswith("WITH finished AS")
    assert statements[2].startswith("WITH called AS")
    _warm(hall)
    # nobody at the counter yet; then one to finish; then one to finish and nobody left
    for k, expected in enumerate((issued[0], issued[1], None)):
        clock.advance(30)
        called: list[object] = []
        trips = _sent(tap, partial(_into, called, hall.queue.call_next, HALL, 1))
        if k == 0:  # the first on this connection prepares each, in the same trip
            prepares = [prepare_lock, prepare_finish, prepare_call]
            assert _is(trips, [*prepares, "BEGIN", lock, finish, call, "COMMIT"])
        else:
            assert _is(trips, ["BEGIN", lock, finish, call, "COMMIT"]), trips
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
    pg_hall: Core, tap: WireTap
) -> None:
    hall = pg_hall
    hall.queue.issue_ticket(HALL, "PAY")
    codes: list[str] = []

    def refused() -> None:
        with pytest.raises(DomainError) as caught:
            hall.queue.call_next(HALL, 1)
        codes.append(caught.value.code)

    prepared = [_prepared(sql) for sql in hall.queue.call_sql(HALL, 1)]
    prepares, executes = [p for p, _ in prepared], [e for _, e in prepared]
    _warm(hall)
    assert _is(_sent(tap, refused), [*prepares, "BEGIN", *executes, "COMMIT"])
    assert_refused(hall, "counter_closed", lambda: hall.queue.call_next(HALL, 1))
    login(hall, 1)
    hall.counters.pause(HALL, 1, "training")
    assert _is(_sent(tap, refused), ["BEGIN", *executes, "COMMIT"])  # prepared still
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


def _statuses(hall: Core) -> list[str]:
    with hall.db.read() as s:
        return list(s.execute(select(Ticket.status).order_by(Ticket.number)).scalars())


def test_the_whole_queue_is_read_only_when_no_head_is_free(
    pg_hall: Core, pg_url: str, clock: ManualClock
) -> None:
    """While the call statement's transaction is open, exactly one waiting ticket is
    locked (the one it called): the whole-queue pick, the second arm of its `coalesce`,
    did not run and lock another."""
    hall = pg_hall
    for _ in range(5):
        hall.queue.issue_ticket(HALL, "PAY")
    login(hall, 1)
    called, lockable = _locked_by_the_call(hall, pg_url, clock)
    assert called is not None and lockable == 4
    assert _statuses(hall) == ["called", "waiting", "waiting", "waiting", "waiting"]


def test_a_paused_counters_call_locks_and_writes_nothing(
    pg_hall: Core, pg_url: str, clock: ManualClock
) -> None:
    """The call statement runs for a paused (or closed) counter too, in the same trip as
    the lock that tells why it is refused: its gate keeps it from reading a ticket, so
    it locks none that another counter could call meanwhile, and writes nothing."""
    hall = pg_hall
    for _ in range(3):
        hall.queue.issue_ticket(HALL, "PAY")
    assert _locked_by_the_call(hall, pg_url, clock) == (None, 3)  # closed: nobody logged in
    assert _statuses(hall) == ["waiting"] * 3
    login(hall, 1)
    hall.queue.call_next(HALL, 1)
    hall.queue.finish(HALL, 1)
    hall.counters.pause(HALL, 1, "training")
    assert _locked_by_the_call(hall, pg_url, clock) == (None, 2)
    assert _statuses(hall) == ["done", "waiting", "waiting"]


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
        sent = [_sends(sql) for sql in hall.queue.call_sql(HALL, 1)]
        _warm(hall)
        for expected in (issued.id, None):
            clock.advance(30)
            called: list[object] = []
            trips = _sent(tap, partial(_into, called, hall.queue.call_next, HALL, 1))
            assert _is(trips, ["BEGIN", *sent, "COMMIT"]), trips
            assert getattr(called[0], "id", None) == expected
    finally:
        hall.close()


def test_a_customer_is_finished_no_earlier_than_called(pg_hall: Core, clock: ManualClock) -> None:
    """The moment of a call is read before its round trip, and another step at the same
    counter may take the lock first and call a customer a moment later: the customer it
    finishes is finished at its call then, not before it (the clock set back stands in
    for that race), and the 'done' event says the same."""
    hall = pg_hall
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
    pg_hall: Core, clock: ManualClock
) -> None:
    """The statements of a counter are kept for the hall and counter as the directory
    gave them: when the counter's services change and the directory reads the hall
    again, call next builds and sends the new ones (counter 1 given ENQ only calls the
    enquiry ticket, not the PAY one issued before it)."""
    hall = pg_hall
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


def _retries(pg_hall: Core, tap: WireTap) -> tuple[list[list[str]], Any]:
    """Call next at counter 1 as the server got it: its round trips, and what it called."""
    statements = pg_hall.queue.call_sql(HALL, 1)
    _warm(pg_hall)
    called: list[object] = []
    trips = _sent(tap, partial(_into, called, pg_hall.queue.call_next, HALL, 1))
    prepared = [_prepared(sql) for sql in statements]
    lock, finish, call = (execute for _prepare, execute in prepared)
    prepares = [prepare for prepare, _execute in prepared]  # the first call on the connection
    assert _is(trips[:1], [*prepares, "BEGIN", lock, finish, call, "COMMIT"]), trips[:1]
    for trip in trips[1:]:  # a retry: nothing left to finish, only the call again
        assert _is([trip], ["BEGIN", lock, call, "COMMIT"]), trip
    return trips, called[0]


def test_a_ticket_another_step_let_go_is_called_not_reported_as_nobody(
    pg_hall: Core, tap: WireTap, pg_url: str
) -> None:
    """The only waiting ticket is locked by a step elsewhere when call next runs (its pick
    skips locked tickets), and the other step then ends without taking it: call next
    tries again in a new transaction and calls it, instead of saying nobody waits."""
    ticket = pg_hall.queue.issue_ticket(HALL, "PAY").ticket
    login(pg_hall, 1)
    other = _held(pg_url, ticket.id, took=False)
    timer = _after(0.1, other.rollback)
    try:
        trips, called = _retries(pg_hall, tap)
    finally:
        timer.join()
        other.close()
    assert getattr(called, "id", None) == ticket.id
    assert len(trips) >= 2
    assert _statuses(pg_hall) == ["called"]


def test_a_ticket_another_step_took_leaves_nobody_waiting(
    pg_hall: Core, tap: WireTap, pg_url: str
) -> None:
    """The same, but the other step calls the ticket: the retry sees it called and nobody
    else waiting, and call next says so (None) without touching it."""
    ticket = pg_hall.queue.issue_ticket(HALL, "PAY").ticket
    login(pg_hall, 1)
    other = _held(pg_url, ticket.id, took=True)
    timer = _after(0.1, other.commit)
    try:
        trips, called = _retries(pg_hall, tap)
    finally:
        timer.join()
        other.close()
    assert called is None and len(trips) >= 2
    assert _statuses(pg_hall) == ["called"]
    with pg_hall.db.read() as s:  # the other step's call is not call next's: no event
        called_events = select(func.count()).where(TicketEvent.kind == "called")
        assert s.scalar(called_events) == 0


def test_call_next_gives_up_on_a_ticket_held_for_long(
    pg_hall: Core, tap: WireTap, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A ticket held longer than the retries last (about a third of a second in all):
    call next stops after `CALL_TRIES` round trips, says nobody could be called, and
    logs why; the ticket is still waiting for whoever calls next."""
    ticket = pg_hall.queue.issue_ticket(HALL, "PAY").ticket
    login(pg_hall, 1)
    other = _held(pg_url, ticket.id, took=False)
    try:
        trips, called = _retries(pg_hall, tap)
    finally:
        other.rollback()
        other.close()
    assert called is None and len(trips) == CALL_TRIES
    assert "none could be taken" in caplog.text
    assert _statuses(pg_hall) == ["waiting"]
    assert getattr(pg_hall.queue.call_next(HALL, 1), "id", None) == ticket.id
